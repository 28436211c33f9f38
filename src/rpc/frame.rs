//! OCPP-J frames: `[2,id,action,payload]`, `[3,id,payload]`, `[4,id,code,description,details]`.
//!
//! Parsing checks the whole text once (RFC 8259) and keeps the outer array's elements as raw
//! JSON, so a broken payload never costs us the message id, and the id is all a CALLERROR
//! needs to reach its caller. Nothing is copied unless an id or action has escapes.
//!
//! Writing appends to a `String` the caller reuses ([`write_call`], [`write_result`],
//! [`write_error`]); [`call`], [`result`] and [`error`] return a new one.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use super::error::ErrorCode;
use crate::json::{scan_number, scan_string, scan_value, skip_ws, Str, ToJson, Writer};

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
        /// The payload, still raw JSON (a JSON object).
        payload: &'a str,
    },
    /// `[3, id, payload]`: the answer to one of our CALLs.
    Result {
        /// Id of our CALL.
        id: Cow<'a, str>,
        /// The payload, still raw JSON (any JSON value).
        payload: &'a str,
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

/// One element of the outer array: its raw JSON, and the string token when it is a string.
#[derive(Clone, Copy)]
struct Element<'a> {
    raw: &'a str,
    string: Option<Str<'a>>,
}

/// The elements of the outer array (at most five), the whole text checked.
fn elements<'a>(text: &'a str, items: &mut [Option<Element<'a>>; 5], len: &mut usize) -> Result<(), &'static str> {
    const NOT_JSON: &str = "not valid JSON";
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return Err(match scan_value(b, i) {
            Ok(end) if skip_ws(b, end) == b.len() => "not an OCPP-J frame array",
            _ => NOT_JSON,
        });
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let start = i;
            let (end, string) = match b.get(i) {
                Some(b'"') => {
                    let (end, escaped) = scan_string(b, i).map_err(|_| NOT_JSON)?;
                    let raw = text.get(start + 1..end - 1).ok_or(NOT_JSON)?;
                    (end, Some(Str::new(raw, escaped, start)))
                }
                Some(b'0'..=b'9' | b'-') => (scan_number(b, i).map_err(|_| NOT_JSON)?, None),
                _ => (scan_value(b, i).map_err(|_| NOT_JSON)?, None),
            };
            if let Some(slot) = items.get_mut(*len) {
                *slot = Some(Element {
                    raw: text.get(start..end).ok_or(NOT_JSON)?,
                    string,
                });
            }
            *len += 1;
            i = skip_ws(b, end);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return Err(NOT_JSON),
            }
        }
    }
    if skip_ws(b, i) != b.len() {
        return Err(NOT_JSON);
    }
    if *len > items.len() {
        return Err("frame has more than 5 elements");
    }
    Ok(())
}

fn err(id: Option<&str>, code: ErrorCode, description: impl Into<String>, answer: bool) -> FrameError {
    FrameError {
        id: String::from(id.unwrap_or(UNKNOWN_MESSAGE_ID)),
        code,
        description: description.into(),
        answer,
    }
}

/// An element as text, if it is a JSON string (borrowed unless it has escapes).
fn as_str(e: Option<Element<'_>>) -> Option<Cow<'_, str>> {
    let s = e?.string?;
    if s.has_escapes() {
        s.to_string().ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(s.raw()))
    }
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
    let mut items = [None; 5];
    let mut len = 0;
    elements(text, &mut items, &mut len).map_err(|what| err(None, ErrorCode::FormationViolation, what, true))?;
    let [t, id, a, b, c] = items;
    let id_str = as_str(id);
    let id_ref = id_str.as_deref();
    // An integer has one spelling in JSON: the raw text decides.
    let msg_type: Option<u8> = match t.map(|t| t.raw) {
        Some("2") => Some(2),
        Some("3") => Some(3),
        Some("4") => Some(4),
        _ => None,
    };
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
    // Bytes are never fewer than characters: most ids are counted without decoding them.
    if id.len() > MAX_MESSAGE_ID_LEN && id.chars().count() > MAX_MESSAGE_ID_LEN {
        return Err(err(
            id_ref,
            ErrorCode::PropertyConstraintViolation,
            "message id longer than 36 characters",
            answerable,
        ));
    }
    match msg_type {
        Some(2) => {
            if len < 4 {
                return Err(err(
                    id_ref,
                    ErrorCode::ProtocolError,
                    "CALL without action or payload",
                    true,
                ));
            }
            if len > 4 {
                return Err(err(
                    id_ref,
                    ErrorCode::FormationViolation,
                    "CALL has more than 4 elements",
                    true,
                ));
            }
            let action =
                as_str(a).ok_or_else(|| err(id_ref, ErrorCode::FormationViolation, "action is not a string", true))?;
            let payload = b.map(|p| p.raw).filter(|p| p.starts_with('{')).ok_or_else(|| {
                err(
                    id_ref,
                    ErrorCode::FormationViolation,
                    "payload is not a JSON object",
                    true,
                )
            })?;
            Ok(Frame::Call { id, action, payload })
        }
        Some(3) => match (a, len) {
            (Some(payload), 3) => Ok(Frame::Result {
                id,
                payload: payload.raw,
            }),
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

/// Appends `[2,"id","Action",payload]` to `out`.
pub fn write_call(out: &mut String, id: &str, action: &str, payload: &dyn ToJson) {
    let mut w = Writer::new(out);
    w.begin_array();
    w.uint(2);
    w.string(id);
    w.string(action);
    payload.write_json(&mut w);
    w.end_array();
}

/// Appends one of our own CALLs, `[2,"id","Action",payload]`: the id is ASCII we made and
/// the action a name of ours, so neither is scanned for escapes.
pub(crate) fn write_own_call(out: &mut String, id: &[u8], action: &str, payload: &dyn ToJson) {
    let mut w = Writer::new(out);
    w.begin_array();
    w.uint(2);
    w.ascii(id);
    w.name(action);
    payload.write_json(&mut w);
    w.end_array();
}

/// Appends `[3,"id",payload]` to `out`.
pub fn write_result(out: &mut String, id: &str, payload: &dyn ToJson) {
    let mut w = Writer::new(out);
    w.begin_array();
    w.uint(3);
    w.string(id);
    payload.write_json(&mut w);
    w.end_array();
}

/// `[2,"id","Action",payload]`.
pub fn call(id: &str, action: &str, payload: &dyn ToJson) -> String {
    let mut out = String::new();
    write_call(&mut out, id, action, payload);
    out
}

/// `[3,"id",payload]`.
pub fn result(id: &str, payload: &dyn ToJson) -> String {
    let mut out = String::new();
    write_result(&mut out, id, payload);
    out
}

/// Longest CALLERROR description we send: descriptions quote what was wrong, and an answer
/// must not grow with a hostile frame.
pub const MAX_DESCRIPTION: usize = 120;

/// Appends `[4,"id","Code","description",{}]` to `out`; the description is cut to
/// [`MAX_DESCRIPTION`] characters.
pub fn write_error(out: &mut String, id: &str, code: ErrorCode, description: &str) {
    let description = match description.char_indices().nth(MAX_DESCRIPTION) {
        Some((cut, _)) => description.get(..cut).unwrap_or(""),
        None => description,
    };
    let mut w = Writer::new(out);
    w.begin_array();
    w.uint(4);
    w.string(id);
    w.name(code.as_str());
    w.string(description);
    w.begin_object();
    w.end_object();
    w.end_array();
}

/// `[4,"id","Code","description",{}]`; see [`write_error`].
pub fn error(id: &str, code: ErrorCode, description: &str) -> String {
    let mut out = String::new();
    write_error(&mut out, id, code, description);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_parts(text: &str) -> (String, String, String) {
        match parse(text) {
            Ok(Frame::Call { id, action, payload }) => (id.into(), action.into(), payload.into()),
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
        let empty = crate::messages::HeartbeatReq {};
        assert_eq!(call("1", "Heartbeat", &empty), r#"[2,"1","Heartbeat",{}]"#);
        assert_eq!(result("a\"b", &empty), r#"[3,"a\"b",{}]"#);
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
