//! OCPP-J CALLERROR codes and the one place where parse errors become them.

use core::fmt;

use crate::json;

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

/// Maps an error from reading a CALL payload to its CALLERROR code (OCPP-J 1.6 §4.2.3);
/// the reader reports the class itself, so this is the whole table.
///
/// | error | code |
/// |---|---|
/// | a required field is missing | OccurenceConstraintViolation |
/// | a value of the wrong JSON type (`null` included; a fraction or exponent for an integer) | TypeConstraintViolation |
/// | a value outside its type: enumeration, length, integer range, a number beyond `f64`, date-time, too many items | PropertyConstraintViolation |
/// | an unknown or duplicate field, not JSON, not an object | FormationViolation |
pub fn classify_payload_error(e: &json::Error) -> ErrorCode {
    match e.kind {
        json::ErrorKind::Missing => ErrorCode::OccurenceConstraintViolation,
        json::ErrorKind::Type => ErrorCode::TypeConstraintViolation,
        json::ErrorKind::Value => ErrorCode::PropertyConstraintViolation,
        json::ErrorKind::Syntax
        | json::ErrorKind::NotObject
        | json::ErrorKind::NoPayload
        | json::ErrorKind::UnknownField
        | json::ErrorKind::DuplicateField => ErrorCode::FormationViolation,
    }
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
    fn payload_errors_are_classified_by_kind() {
        use json::ErrorKind::*;
        let rows = [
            (Missing, ErrorCode::OccurenceConstraintViolation),
            (Type, ErrorCode::TypeConstraintViolation),
            (Value, ErrorCode::PropertyConstraintViolation),
            (UnknownField, ErrorCode::FormationViolation),
            (DuplicateField, ErrorCode::FormationViolation),
            (Syntax, ErrorCode::FormationViolation),
            (NotObject, ErrorCode::FormationViolation),
            (NoPayload, ErrorCode::FormationViolation),
        ];
        for (kind, code) in rows {
            assert_eq!(classify_payload_error(&json::Error::new(kind, "", 0)), code, "{kind:?}");
        }
    }
}
