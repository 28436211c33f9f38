//! Checks shared by the targets: typed payload round trips and the validation of every
//! frame the charge point sends.

use std::fmt::Debug;

use ocpp_cp::json::{self, FromJson, ToJson};
use ocpp_cp::messages::*;
use ocpp_cp::rpc::frame::MAX_DESCRIPTION;
use ocpp_cp::rpc::{ErrorCode, MAX_MESSAGE_ID_LEN};
use serde::de::IgnoredAny;
use serde_json::Value;

/// Whether serde_json, an independent reader, sees one JSON value in `text` (its
/// `IgnoredAny` checks the whole grammar, iteratively, at any depth).
pub fn is_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// Reads `payload` as `T` with the library's reader (panics otherwise when it accepts what
/// is not JSON); when that works, what it writes is JSON, reads back, and writing is a fixed
/// point from there on (the first write may round a decimal to three places, or clamp a
/// date-time to years 0000..=9999). `Err` carries the reader's error.
pub fn round_trip<T: ToJson + FromJson + PartialEq + Debug>(payload: &str) -> Result<T, String> {
    let v: T = json::from_str(payload).map_err(|e| e.to_string())?;
    assert!(is_json(payload), "accepted {payload:?}, which is not JSON");
    let written = json::to_string(&v);
    assert!(is_json(&written), "{v:?} written as {written:?}, which is not JSON");
    let back: T = json::from_str(&written).unwrap_or_else(|e| panic!("{payload:?} -> {written:?}, unreadable: {e}"));
    let again = json::to_string(&back);
    assert_eq!(again, written, "writing is not stable for {payload:?}");
    let third: T = json::from_str(&again).unwrap_or_else(|e| panic!("{again:?} unreadable: {e}"));
    assert_eq!(third, back, "{payload:?} -> {written:?}");
    Ok(v)
}

macro_rules! every_action {
    ($($action:ident: $req:ident => $conf:ident,)+) => {
        /// Reads `payload` as the request (`conf == false`) or the confirmation of `action`
        /// with the library's own types, through [`round_trip`].
        pub fn typed(action: Action, conf: bool, payload: &str) -> Result<(), String> {
            match (action, conf) {
                $(
                    (Action::$action, false) => round_trip::<$req>(payload).map(drop),
                    (Action::$action, true) => round_trip::<$conf>(payload).map(drop),
                )+
            }
        }
    };
}

ocpp_cp::for_each_action!(every_action);

/// A frame the charge point sent, once validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// `[2, id, action, payload]`.
    Call {
        /// Message id.
        id: String,
        /// The action.
        action: Action,
    },
    /// `[3, id, payload]` or `[4, id, code, description, {}]`: an answer.
    Answer {
        /// Message id.
        id: String,
        /// Whether it is a CALLERROR.
        error: bool,
    },
}

/// Validates a frame the charge point sent: JSON array of the OCPP-J shape, a CALL of an
/// action the charge point may send with a payload our own strict types read, a CALLERROR
/// with a known code. CALLRESULT payloads are checked by the caller, which knows the action.
pub fn sent_frame(text: &str) -> Sent {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("sent invalid JSON {text:?}: {e}"));
    let a = v.as_array().unwrap_or_else(|| panic!("sent a non-array {text:?}"));
    let id = a
        .get(1)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("sent no id: {text:?}"));
    match a.first().and_then(Value::as_u64) {
        Some(2) => {
            assert_eq!(a.len(), 4, "{text:?}");
            // Our own ids; an answer echoes whatever id the central system chose.
            assert!(!id.is_empty(), "empty message id: {text:?}");
            assert!(id.chars().count() <= MAX_MESSAGE_ID_LEN, "our id too long: {text:?}");
            let name = a.get(2).and_then(Value::as_str).unwrap_or("");
            let action = Action::from_name(name).unwrap_or_else(|| panic!("sent unknown action: {text:?}"));
            assert!(
                !action.from_central_system() || action == Action::DataTransfer,
                "sent a central-system action: {text:?}"
            );
            let payload = a.get(3).map(Value::to_string).unwrap_or_default();
            assert!(a.get(3).is_some_and(Value::is_object), "{text:?}");
            if let Err(e) = typed(action, false, &payload) {
                panic!("sent a {name} our own types refuse ({e}): {text:?}");
            }
            Sent::Call {
                id: id.to_string(),
                action,
            }
        }
        Some(3) => {
            assert_eq!(a.len(), 3, "{text:?}");
            assert!(a.get(2).is_some_and(Value::is_object), "{text:?}");
            Sent::Answer {
                id: id.to_string(),
                error: false,
            }
        }
        Some(4) => {
            assert_eq!(a.len(), 5, "{text:?}");
            let code = a.get(2).and_then(Value::as_str).unwrap_or("");
            assert!(
                ErrorCode::from_wire(code).is_some_and(|c| c.as_str() == code),
                "sent error code {code:?}: {text:?}"
            );
            let description = a.get(3).and_then(Value::as_str);
            assert!(
                description.is_some_and(|d| d.chars().count() <= MAX_DESCRIPTION),
                "CALLERROR description missing or over {MAX_DESCRIPTION} characters: {text:?}"
            );
            assert!(a.get(4).is_some_and(Value::is_object), "{text:?}");
            Sent::Answer {
                id: id.to_string(),
                error: true,
            }
        }
        _ => panic!("sent a frame of unknown type: {text:?}"),
    }
}

/// The payload of a frame the charge point sent (`[3, id, payload]` or the CALL's).
pub fn payload_of(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or_default();
    let at = if v.get(0).and_then(Value::as_u64) == Some(2) {
        3
    } else {
        2
    };
    v.get(at).map(Value::to_string).unwrap_or_default()
}
