//! OCPP-J frames: `[2,id,action,payload]`, `[3,id,payload]`, `[4,id,code,description,details]`.
//!
//! Parsing reads the outer array element by element as raw JSON, so a broken payload never
//! costs us the message id, and the id is all a CALLERROR needs to reach its caller.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::error::ErrorCode;

/// Message ids are at most this many characters (OCPP-J 1.6 §4.1.3).
pub const MAX_MESSAGE_ID_LEN: usize = 36;

/// The id we answer with when a frame's own id cannot be read (as OCPP 2.0.1 §4.3 does).
pub const UNKNOWN_MESSAGE_ID: &str = "-1";

/// A frame received from the central system, borrowing from the text it came in.
#[derive(Debug)]
pub enum Frame<'a> {
    /// `[2, id, action, payload]`: the central system asks us something.
    Call {
        /// Message id, echoed in our answer.
        id: Cow<'a, str>,
        /// Action name as received (not yet known to be valid).
        action: Cow<'a, str>,
        /// The payload, still raw JSON.
        payload: &'a RawValue,
    },
    /// `[3, id, payload]`: the answer to one of our CALLs.
    Result {
        /// Id of our CALL.
        id: Cow<'a, str>,
        /// The payload, still raw JSON.
        payload: &'a RawValue,
    },
    /// `[4, id, code, description, details]`: our CALL failed.
    Error {
        /// Id of our CALL.
        id: Cow<'a, str>,
        /// The error code; unknown codes read as `GenericError`.
        code: ErrorCode,
        /// The error description (may be empty).
        description: Cow<'a, str>,
    },
}

/// A frame that cannot be used: what to answer, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// Id for the CALLERROR: the frame's own id when it could be read.
    pub id: String,
    /// The CALLERROR code.
    pub code: ErrorCode,
    /// Description for the CALLERROR.
    pub description: String,
    /// False when the frame was a CALLRESULT or CALLERROR: OCPP-J answers only CALLs, so
    /// such a frame is logged and dropped rather than answered.
    pub answer: bool,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (message id {}): {}", self.code, self.id, self.description)
    }
}

/// Up to five elements of the outer array, each kept as raw JSON.
struct RawFrame<'a> {
    items: [Option<&'a RawValue>; 5],
    len: usize,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawFrame<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(core::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawFrame<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OCPP-J frame array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawFrame<'a>, A::Error> {
                let mut frame = RawFrame {
                    items: [None; 5],
                    len: 0,
                };
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    match frame.items.get_mut(frame.len) {
                        Some(slot) => *slot = Some(item),
                        None => return Err(de::Error::custom("frame has more than 5 elements")),
                    }
                    frame.len += 1;
                }
                Ok(frame)
            }
        }
        d.deserialize_seq(V(core::marker::PhantomData))
    }
}

fn err(id: Option<&str>, code: ErrorCode, description: impl Into<String>, answer: bool) -> FrameError {
    FrameError {
        id: String::from(id.unwrap_or(UNKNOWN_MESSAGE_ID)),
        code,
        description: description.into(),
        answer,
    }
}

fn as_str(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    raw.and_then(|r| serde_json::from_str::<Cow<'_, str>>(r.get()).ok())
}

/// Parses one text message from the central system.
///
/// | frame | answer |
/// |---|---|
/// | not JSON | FormationViolation, id `-1` |
/// | not an array, or more than 5 elements | FormationViolation, id `-1` |
/// | message type not 2, 3 or 4, or not a number | FormationViolation (id if readable) |
/// | message id missing or not a string | FormationViolation, id `-1` |
/// | message id longer than 36 characters | PropertyConstraintViolation, that id |
/// | CALL with too few elements (no payload) | ProtocolError (incomplete) |
/// | CALL with more than 4 elements, action not a string | FormationViolation |
/// | CALL payload not a JSON object | FormationViolation |
/// | CALLRESULT / CALLERROR malformed | no answer: logged and dropped |
///
/// Action-level rows (unknown action, unsupported action, payload field errors) are decided
/// by the caller once it knows the action; see [`super::classify_payload_error`].
pub fn parse(text: &str) -> Result<Frame<'_>, FrameError> {
    let raw: RawFrame<'_> = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_data() {
            "not an OCPP-J frame array"
        } else {
            "not valid JSON"
        };
        err(None, ErrorCode::FormationViolation, alloc::format!("{what}: {e}"), true)
    })?;
    let [t, id, a, b, c] = raw.items;
    let id_str = as_str(id);
    let id_ref = id_str.as_deref();
    let msg_type = t.and_then(|t| serde_json::from_str::<u8>(t.get()).ok());
    // Only a frame that is certainly a CALLRESULT or CALLERROR goes unanswered (OCPP-J answers
    // CALLs); anything whose type cannot be read may be a CALL and gets a CALLERROR.
    let answerable = !matches!(msg_type, Some(3 | 4));
    let Some(id) = id_str.clone() else {
        return Err(err(
            None,
            ErrorCode::FormationViolation,
            "message id missing or not a string",
            answerable,
        ));
    };
    if id.chars().count() > MAX_MESSAGE_ID_LEN {
        return Err(err(
            id_ref,
            ErrorCode::PropertyConstraintViolation,
            "message id longer than 36 characters",
            answerable,
        ));
    }
    match msg_type {
        Some(2) => {
            if raw.len < 4 {
                return Err(err(
                    id_ref,
                    ErrorCode::ProtocolError,
                    "CALL without action or payload",
                    true,
                ));
            }
            if raw.len > 4 {
                return Err(err(
                    id_ref,
                    ErrorCode::FormationViolation,
                    "CALL has more than 4 elements",
                    true,
                ));
            }
            let action =
                as_str(a).ok_or_else(|| err(id_ref, ErrorCode::FormationViolation, "action is not a string", true))?;
            let payload = b.filter(|p| p.get().trim_start().starts_with('{')).ok_or_else(|| {
                err(
                    id_ref,
                    ErrorCode::FormationViolation,
                    "payload is not a JSON object",
                    true,
                )
            })?;
            Ok(Frame::Call { id, action, payload })
        }
        Some(3) => match (a, raw.len) {
            (Some(payload), 3) => Ok(Frame::Result { id, payload }),
            _ => Err(err(
                id_ref,
                ErrorCode::FormationViolation,
                "CALLRESULT must have 3 elements",
                false,
            )),
        },
        Some(4) => {
            let code = as_str(a).ok_or_else(|| {
                err(
                    id_ref,
                    ErrorCode::FormationViolation,
                    "CALLERROR code is not a string",
                    false,
                )
            })?;
            let description = as_str(b).unwrap_or(Cow::Borrowed(""));
            let _details = c;
            Ok(Frame::Error {
                id,
                code: ErrorCode::from_wire(&code).unwrap_or(ErrorCode::GenericError),
                description,
            })
        }
        _ => Err(err(
            id_ref,
            ErrorCode::FormationViolation,
            "message type is not 2 (CALL), 3 (CALLRESULT) or 4 (CALLERROR)",
            true,
        )),
    }
}

/// Writes `s` as a JSON string literal, escaped as RFC 8259 §7 requires (no allocation).
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.extend([b >> 4, b & 0xf].map(|n| HEX.get(usize::from(n)).copied().unwrap_or(b'0')));
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// The bytes of a frame as text: everything written into them is UTF-8 (escaped input
/// strings and serde_json's output), so this never fails in practice.
fn into_text(out: Vec<u8>) -> Result<String, serde_json::Error> {
    String::from_utf8(out).map_err(|_| serde::ser::Error::custom("frame is not UTF-8"))
}

/// `[2,"id","Action",payload]`.
pub fn call<T: Serialize + ?Sized>(id: &str, action: &str, payload: &T) -> Result<String, serde_json::Error> {
    // serde_json's streaming Serializer needs std; to_vec works everywhere.
    let payload = serde_json::to_vec(payload)?;
    let mut out = Vec::with_capacity(payload.len() + id.len() + action.len() + 12);
    out.extend_from_slice(b"[2,");
    push_json_str(&mut out, id);
    out.push(b',');
    push_json_str(&mut out, action);
    out.push(b',');
    out.extend_from_slice(&payload);
    out.push(b']');
    into_text(out)
}

/// `[3,"id",payload]`.
pub fn result<T: Serialize + ?Sized>(id: &str, payload: &T) -> Result<String, serde_json::Error> {
    let payload = serde_json::to_vec(payload)?;
    let mut out = Vec::with_capacity(payload.len() + id.len() + 8);
    out.extend_from_slice(b"[3,");
    push_json_str(&mut out, id);
    out.push(b',');
    out.extend_from_slice(&payload);
    out.push(b']');
    into_text(out)
}

/// Longest CALLERROR description we send: descriptions quote what was wrong, and an answer
/// must not grow with a hostile frame.
pub const MAX_DESCRIPTION: usize = 120;

/// `[4,"id","Code","description",{}]`; the description is cut to [`MAX_DESCRIPTION`] characters.
pub fn error(id: &str, code: ErrorCode, description: &str) -> String {
    let description = match description.char_indices().nth(MAX_DESCRIPTION) {
        Some((cut, _)) => description.get(..cut).unwrap_or(""),
        None => description,
    };
    let mut out = Vec::with_capacity(id.len() + description.len() + 48);
    out.extend_from_slice(b"[4,");
    push_json_str(&mut out, id);
    out.push(b',');
    push_json_str(&mut out, code.as_str());
    out.push(b',');
    push_json_str(&mut out, description);
    out.extend_from_slice(b",{}]");
    // Only escaped &str went in: always UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_parts(text: &str) -> (String, String, String) {
        match parse(text) {
            Ok(Frame::Call { id, action, payload }) => (id.into(), action.into(), payload.get().into()),
            other => panic!("not a call: {other:?}"),
        }
    }

    #[test]
    fn call_result_and_error_parse() {
        let (id, action, payload) = call_parts(r#"[2,"19223201","Reset",{"type":"Hard"}]"#);
        assert_eq!(
            (id.as_str(), action.as_str(), payload.as_str()),
            ("19223201", "Reset", r#"{"type":"Hard"}"#)
        );
        let f = r#"[3,"19223201",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}]"#;
        assert!(matches!(parse(f), Ok(Frame::Result { id, .. }) if id == "19223201"));
        let f = r#"[4,"7","OccurrenceConstraintViolation","missing",{}]"#;
        match parse(f) {
            Ok(Frame::Error { id, code, description }) => {
                assert_eq!(id, "7");
                assert_eq!(code, ErrorCode::OccurenceConstraintViolation);
                assert_eq!(description, "missing");
            }
            other => panic!("{other:?}"),
        }
        // Escaped ids are unescaped, whitespace is allowed.
        let (id, _, _) = call_parts(" [ 2 , \"a\\\"b\" , \"Heartbeat\" , { } ] ");
        assert_eq!(id, "a\"b");
    }

    /// The frame-level rows of the CALLERROR table, one by one.
    #[test]
    fn frame_error_table() {
        let rows: [(&str, &str, ErrorCode, bool); 16] = [
            ("{not json", "-1", ErrorCode::FormationViolation, true),
            ("", "-1", ErrorCode::FormationViolation, true),
            (r#"{"a":1}"#, "-1", ErrorCode::FormationViolation, true),
            ("42", "-1", ErrorCode::FormationViolation, true),
            (r#"[2,"1","Reset",{},1,2]"#, "-1", ErrorCode::FormationViolation, true),
            (r#"[5,"9","Reset",{}]"#, "9", ErrorCode::FormationViolation, true),
            (r#"["2","9","Reset",{}]"#, "9", ErrorCode::FormationViolation, true),
            (r#"[2,9,"Reset",{}]"#, "-1", ErrorCode::FormationViolation, true),
            (r#"[2]"#, "-1", ErrorCode::FormationViolation, true),
            (
                r#"[2,"0123456789012345678901234567890123456","Reset",{}]"#,
                "0123456789012345678901234567890123456",
                ErrorCode::PropertyConstraintViolation,
                true,
            ),
            (r#"[2,"9","Reset"]"#, "9", ErrorCode::ProtocolError, true),
            (r#"[2,"9","Reset",{},{}]"#, "9", ErrorCode::FormationViolation, true),
            (r#"[2,"9",7,{}]"#, "9", ErrorCode::FormationViolation, true),
            (r#"[2,"9","Reset",[1]]"#, "9", ErrorCode::FormationViolation, true),
            (r#"[3,"9"]"#, "9", ErrorCode::FormationViolation, false),
            (r#"[4,"9",1,"x",{}]"#, "9", ErrorCode::FormationViolation, false),
        ];
        for (text, id, code, answer) in rows {
            let e = parse(text).expect_err(text);
            assert_eq!((e.id.as_str(), e.code, e.answer), (id, code, answer), "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = alloc::format!(
            "[2,\"1\",\"DataTransfer\",{}{}]",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let e = parse(&deep).expect_err("too deep");
        assert_eq!(e.code, ErrorCode::FormationViolation);
    }

    #[test]
    fn descriptions_are_bounded() {
        let long = "é".repeat(10_000);
        let frame = error("1", ErrorCode::GenericError, &long);
        assert!(frame.chars().count() < MAX_DESCRIPTION + 40, "{}", frame.len());
    }

    #[test]
    fn frames_are_written_with_escaping() {
        let empty = serde_json::Map::new();
        assert_eq!(call("1", "Heartbeat", &empty).unwrap(), r#"[2,"1","Heartbeat",{}]"#);
        assert_eq!(result("a\"b", &empty).unwrap(), r#"[3,"a\"b",{}]"#);
        let odd = "tab\tquote\"nl\nbell\u{7}é";
        let text = error(odd, ErrorCode::GenericError, odd);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!((back[1].as_str(), back[3].as_str()), (Some(odd), Some(odd)));
        assert_eq!(
            error("-1", ErrorCode::FormationViolation, "bad \"x\""),
            r#"[4,"-1","FormationViolation","bad \"x\"",{}]"#
        );
    }
}
