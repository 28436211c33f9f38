//! Target `rpc_frame`: [`ocpp_cp::rpc::frame::parse`] and the frame writers.
//!
//! Invariants, with `serde_json::Value` as the independent reading of the text:
//! - a text that is a well-formed CALL (`[2, id, action, {..}]`, id at most 36 characters)
//!   parses as that CALL, and every accepted CALL, CALLRESULT and CALLERROR has exactly the
//!   elements the independent reading sees (when serde_json can read the text at all);
//! - an error's id is the frame's own id or `"-1"`, and a CALLRESULT or CALLERROR is never
//!   answered under its own id;
//! - the text is refused as "not valid JSON" (FormationViolation, id `"-1"`) exactly when
//!   serde_json refuses it as JSON, and the library's JSON reader agrees;
//! - what the writers produce (`call`, `result`, `error`) parses back to the same parts (the
//!   description cut to `MAX_DESCRIPTION`), so a CALLERROR built from any parse error is a
//!   valid frame.

use ocpp_cp::json::{RawJson, Reader};
use ocpp_cp::rpc::frame::{self, Frame, FrameError, MAX_DESCRIPTION, UNKNOWN_MESSAGE_ID};
use ocpp_cp::rpc::{ErrorCode, MAX_MESSAGE_ID_LEN};
use serde_json::Value;

use crate::check::is_json;

/// `text` parsed as a JSON value, for comparison with a raw payload.
fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("raw JSON {text:?} does not parse: {e}"))
}

/// Whether the independent reading sees a CALL that must be accepted.
fn well_formed_call(v: &[Value]) -> bool {
    matches!(v, [t, Value::String(id), Value::String(_), Value::Object(_)]
        if t.as_u64() == Some(2) && id.chars().count() <= MAX_MESSAGE_ID_LEN)
}

fn check_error(text: &str, e: &FrameError, arr: Option<&[Value]>) {
    if let Some(a) = arr {
        let own_id = a.get(1).and_then(Value::as_str);
        assert!(
            e.id == UNKNOWN_MESSAGE_ID || Some(e.id.as_str()) == own_id,
            "error id {:?} for {text:?}",
            e.id
        );
        assert!(!well_formed_call(a), "well-formed CALL {text:?} refused: {e}");
        // OCPP-J answers no CALLRESULT or CALLERROR, not even a broken one (whose id the
        // central system would take for one of its CALLs).
        let kind = a.first().and_then(Value::as_u64);
        if e.answer && e.id != UNKNOWN_MESSAGE_ID {
            assert!(
                !matches!(kind, Some(3 | 4)),
                "answering a CALLRESULT/CALLERROR: {text:?}"
            );
        }
    }
    assert!(!e.to_string().is_empty());
    // The CALLERROR we would send reads back as exactly that error (when its id is one we
    // accept: a CALLERROR for an over-long id carries that id on purpose).
    let out = frame::error(&e.id, e.code, &e.description);
    assert!(value(&out).is_array());
    if e.id.chars().count() > MAX_MESSAGE_ID_LEN {
        return;
    }
    match frame::parse(&out) {
        Ok(Frame::Error { id, code, description }) => {
            // The description is cut to MAX_DESCRIPTION characters, so an answer cannot grow
            // with a hostile frame.
            let cut: String = e.description.chars().take(MAX_DESCRIPTION).collect();
            assert_eq!(
                (id.as_ref(), code, description.as_ref()),
                (e.id.as_str(), e.code, cut.as_str())
            );
        }
        other => panic!("our CALLERROR {out:?} reads back as {other:?}"),
    }
}

/// The `rpc_frame` fuzz target.
pub fn rpc_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let independent: Option<Value> = serde_json::from_str(text).ok();
    let arr = independent.as_ref().and_then(Value::as_array).map(Vec::as_slice);
    // The tokenizer against serde_json's grammar check, value by value.
    let valid = is_json(text);
    let mut r = Reader::new(text, false);
    assert_eq!(
        r.skip().and_then(|()| r.finish()).is_ok(),
        valid,
        "JSON reader and serde_json disagree on {text:?}"
    );
    let parsed = frame::parse(text);
    if !valid {
        match &parsed {
            Err(e) => assert!(
                e.id == UNKNOWN_MESSAGE_ID && e.answer && e.description == "not valid JSON",
                "not JSON, answered {e:?}: {text:?}"
            ),
            Ok(f) => panic!("not JSON, read as {f:?}: {text:?}"),
        }
    }
    match parsed {
        Ok(Frame::Call { id, action, payload }) => {
            assert!(id.chars().count() <= MAX_MESSAGE_ID_LEN, "{text:?}");
            // serde_json's raw values skip what they do not need to decode (a lone surrogate
            // escape, say), so the payload may not read as a Value; it is an object anyway.
            assert!(payload.starts_with('{'), "CALL payload not an object: {text:?}");
            if let Some(a) = arr {
                assert!(well_formed_call(a), "accepted as CALL: {text:?}");
                assert_eq!(a.get(1).and_then(Value::as_str), Some(id.as_ref()));
                assert_eq!(a.get(2).and_then(Value::as_str), Some(action.as_ref()));
                assert_eq!(a.get(3), Some(&value(payload)));
            }
            let again = frame::call(&id, &action, &RawJson(payload));
            match frame::parse(&again) {
                Ok(Frame::Call {
                    id: i2,
                    action: a2,
                    payload: p2,
                }) => {
                    assert_eq!((i2.as_ref(), a2.as_ref(), p2), (id.as_ref(), action.as_ref(), payload));
                }
                other => panic!("{again:?} reads back as {other:?}"),
            }
        }
        Ok(Frame::Result { id, payload }) => {
            assert!(id.chars().count() <= MAX_MESSAGE_ID_LEN, "{text:?}");
            if let Some(a) = arr {
                assert_eq!(a.len(), 3, "{text:?}");
                assert_eq!(a.first().and_then(Value::as_u64), Some(3), "{text:?}");
                assert_eq!(a.get(1).and_then(Value::as_str), Some(id.as_ref()));
                assert_eq!(a.get(2), Some(&value(payload)));
            }
            let again = frame::result(&id, &RawJson(payload));
            match frame::parse(&again) {
                Ok(Frame::Result { id: i2, payload: p2 }) => {
                    assert_eq!((i2.as_ref(), p2), (id.as_ref(), payload));
                }
                other => panic!("{again:?} reads back as {other:?}"),
            }
        }
        Ok(Frame::Error { id, code, description }) => {
            assert!(id.chars().count() <= MAX_MESSAGE_ID_LEN, "{text:?}");
            if let Some(a) = arr {
                assert!((3..=5).contains(&a.len()), "{text:?}");
                assert_eq!(a.first().and_then(Value::as_u64), Some(4), "{text:?}");
                assert_eq!(a.get(1).and_then(Value::as_str), Some(id.as_ref()));
                let wire = a.get(2).and_then(Value::as_str).expect("code is a string");
                assert_eq!(code, ErrorCode::from_wire(wire).unwrap_or(ErrorCode::GenericError));
                assert_eq!(a.get(3).and_then(Value::as_str).unwrap_or(""), description.as_ref());
            }
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
        }
        Err(e) => check_error(text, &e, arr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_runs_on_samples() {
        for s in [
            r#"[2,"1","Reset",{"type":"Hard"}]"#,
            r#"[3,"1",{}]"#,
            r#"[4,"1","NotImplemented","x",{}]"#,
            r#"[2,"0123456789012345678901234567890123456","Reset",{}]"#,
            "[2,\"1\",\"Reset\",{\"a\":\"\\ud800\"}]",
            "",
            "[",
        ] {
            rpc_frame(s.as_bytes());
        }
    }
}
