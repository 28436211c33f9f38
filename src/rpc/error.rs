//! OCPP-J CALLERROR codes and the one place where parse errors become them.

use core::fmt;

/// The CALLERROR codes of OCPP-J 1.6 §4.2.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The requested action is not known by the receiver.
    NotImplemented,
    /// The requested action is recognised but not supported by the receiver.
    NotSupported,
    /// An internal error occurred and the receiver could not process the action.
    InternalError,
    /// The payload for the action is incomplete.
    ProtocolError,
    /// A security issue prevented the receiver from completing the action.
    SecurityError,
    /// The payload is syntactically incorrect or does not conform to the PDU structure.
    FormationViolation,
    /// The payload is syntactically correct but a field holds an invalid value.
    PropertyConstraintViolation,
    /// The payload is syntactically correct but a field violates occurrence constraints.
    OccurenceConstraintViolation,
    /// The payload is syntactically correct but a field violates data-type constraints.
    TypeConstraintViolation,
    /// Any other error.
    GenericError,
}

const CODES: [(ErrorCode, &str); 10] = [
    (ErrorCode::NotImplemented, "NotImplemented"),
    (ErrorCode::NotSupported, "NotSupported"),
    (ErrorCode::InternalError, "InternalError"),
    (ErrorCode::ProtocolError, "ProtocolError"),
    (ErrorCode::SecurityError, "SecurityError"),
    (ErrorCode::FormationViolation, "FormationViolation"),
    (ErrorCode::PropertyConstraintViolation, "PropertyConstraintViolation"),
    // 1.6 spells it with one "r"; see from_wire for the other spelling.
    (ErrorCode::OccurenceConstraintViolation, "OccurenceConstraintViolation"),
    (ErrorCode::TypeConstraintViolation, "TypeConstraintViolation"),
    (ErrorCode::GenericError, "GenericError"),
];

impl ErrorCode {
    /// The code as it goes on the wire (1.6 spelling).
    pub fn as_str(self) -> &'static str {
        CODES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("GenericError", |(_, s)| s)
    }

    /// Reads a received code. Accepts the 2.0 spellings `OccurrenceConstraintViolation` and
    /// `FormatViolation` too, since central systems mix them up; anything else is `None`.
    pub fn from_wire(s: &str) -> Option<ErrorCode> {
        match s {
            "OccurrenceConstraintViolation" => Some(ErrorCode::OccurenceConstraintViolation),
            "FormatViolation" => Some(ErrorCode::FormationViolation),
            _ => CODES.iter().find(|(_, n)| *n == s).map(|(c, _)| *c),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Maps an error from deserializing a CALL payload to its CALLERROR code.
///
/// serde reports the kind of a data error only through its message, whose prefixes are
/// fixed by serde's `de::Error` defaults (`missing field`, `invalid type`, ...) and by our own
/// validators (`string too long`). The test table in `rpc::tests` pins every row.
///
/// | error | code |
/// |---|---|
/// | `missing field` | OccurenceConstraintViolation |
/// | `invalid type` | TypeConstraintViolation |
/// | `invalid value`, `unknown variant`, `invalid length`, `string too long`, `number out of range` | PropertyConstraintViolation |
/// | `unknown field`, `duplicate field`, anything else | FormationViolation |
pub fn classify_payload_error(message: &str) -> ErrorCode {
    const TABLE: [(&str, ErrorCode); 8] = [
        ("missing field", ErrorCode::OccurenceConstraintViolation),
        ("invalid type", ErrorCode::TypeConstraintViolation),
        ("invalid value", ErrorCode::PropertyConstraintViolation),
        ("unknown variant", ErrorCode::PropertyConstraintViolation),
        ("invalid length", ErrorCode::PropertyConstraintViolation),
        ("string too long", ErrorCode::PropertyConstraintViolation),
        ("number out of range", ErrorCode::PropertyConstraintViolation),
        ("unknown field", ErrorCode::FormationViolation),
    ];
    TABLE
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or(ErrorCode::FormationViolation, |(_, code)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_alternative_spellings_are_read() {
        for (code, name) in CODES {
            assert_eq!(code.as_str(), name);
            assert_eq!(ErrorCode::from_wire(name), Some(code));
        }
        assert_eq!(
            ErrorCode::from_wire("OccurrenceConstraintViolation"),
            Some(ErrorCode::OccurenceConstraintViolation)
        );
        assert_eq!(
            ErrorCode::from_wire("FormatViolation"),
            Some(ErrorCode::FormationViolation)
        );
        assert_eq!(ErrorCode::from_wire("Bogus"), None);
    }

    #[test]
    fn payload_errors_are_classified_by_prefix() {
        let rows = [
            (
                "missing field `idTag` at line 1 column 2",
                ErrorCode::OccurenceConstraintViolation,
            ),
            (
                "invalid type: string \"1\", expected u32",
                ErrorCode::TypeConstraintViolation,
            ),
            (
                "invalid value: integer `-1`, expected u32",
                ErrorCode::PropertyConstraintViolation,
            ),
            (
                "unknown variant `Hot`, expected `Hard` or `Soft`",
                ErrorCode::PropertyConstraintViolation,
            ),
            ("string too long: 21 > 20", ErrorCode::PropertyConstraintViolation),
            (
                "number out of range at line 1 column 9",
                ErrorCode::PropertyConstraintViolation,
            ),
            ("unknown field `foo`, expected `type`", ErrorCode::FormationViolation),
            ("duplicate field `type`", ErrorCode::FormationViolation),
            ("something else", ErrorCode::FormationViolation),
        ];
        for (msg, code) in rows {
            assert_eq!(classify_payload_error(msg), code, "{msg}");
        }
    }
}
