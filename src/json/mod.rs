//! JSON without serde: one non-generic reader over `&str` ([`Reader`]) and one writer into a
//! `String` ([`Writer`]), used for the wire (every OCPP payload and frame) and for what the
//! charge point persists.
//!
//! Every payload type reads and writes itself through a small table of its fields
//! (`json_object!`: JSON name, Rust field, required or optional), so the parse of a
//! payload yields the CALLERROR class directly ([`ErrorKind`]) instead of from an error
//! message, and writing copies field and enumeration names as literals.
//!
//! Reading follows RFC 8259 exactly (number grammar, escapes, surrogate pairs, no trailing
//! commas, nothing after the value) and the draft-04 schemas' types: an integer has neither
//! fraction nor exponent (`-0` is the integer 0), a number beyond `f64` or an integer
//! beyond its type's range is a value error, `null` is a type error except in an optional
//! field of a lenient type (the central system's confirmations), where it reads as absent.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

mod read;
mod write;

pub(crate) use read::{has_special, scan_number, scan_string, scan_value, skip_ws};
pub use read::{longer_than, number_to_f64, Array, Kind, Object, Reader, Str};
pub use write::Writer;
pub(crate) use write::{NumText, EXACT};

/// What is wrong with a JSON text, as the CALLERROR classes of OCPP-J 1.6 §4.2.3 see it
/// (`rpc::classify_payload_error` maps each to its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not JSON (RFC 8259), or text after the value.
    Syntax,
    /// A payload that is not a JSON object (OCPP-J §4.1.3).
    NotObject,
    /// The action has no payload in this direction.
    NoPayload,
    /// A required field is absent.
    Missing,
    /// A value of the wrong JSON type (`null` included).
    Type,
    /// A value outside its type: enumeration, length, range, date-time, array length.
    Value,
    /// A field the type does not have.
    UnknownField,
    /// A field given twice.
    DuplicateField,
}

/// A JSON text that does not read as the type asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The JSON name of the field being read (or missing), `""` when none applies.
    pub field: &'static str,
    /// Byte offset in the text where it was found.
    pub at: usize,
}

impl Error {
    /// An error of `kind` in `field` at byte `at`.
    pub const fn new(kind: ErrorKind, field: &'static str, at: usize) -> Self {
        Error { kind, field, at }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Syntax => return write!(f, "not valid JSON (at byte {})", self.at),
            ErrorKind::NotObject => return f.write_str("payload is not a JSON object"),
            ErrorKind::NoPayload => return f.write_str("no payload of this action in this direction"),
            ErrorKind::UnknownField => return write!(f, "unknown field (at byte {})", self.at),
            ErrorKind::Missing => "missing field",
            ErrorKind::Type => "invalid type",
            ErrorKind::Value => "invalid value",
            ErrorKind::DuplicateField => "duplicate field",
        };
        if self.field.is_empty() {
            f.write_str(what)
        } else {
            write!(f, "{what} `{}`", self.field)
        }
    }
}

/// A value that writes itself as JSON.
pub trait ToJson {
    /// Writes the value at the writer's position.
    fn write_json(&self, w: &mut Writer<'_>);
}

/// A value that reads itself from JSON.
pub trait FromJson: Sized {
    /// Read on its own (not inside another type), whether unknown fields are skipped and
    /// `null` optional fields read as absent (see [`Reader::new`]); inside another type the
    /// outermost type decides.
    const LENIENT: bool = false;

    /// Reads the value at the reader's position.
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error>;
}

/// Reads `text` (one JSON value, nothing after it) as `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, Error> {
    read_with(text, T::LENIENT)
}

/// Reads `text` as `T`, lenient or not whatever `T` says.
pub fn read_with<T: FromJson>(text: &str, lenient: bool) -> Result<T, Error> {
    let mut r = Reader::new(text, lenient);
    let v = T::read_json(&mut r)?;
    r.finish()?;
    Ok(v)
}

/// Reads an OCPP payload: a JSON object (anything else is [`ErrorKind::NotObject`], as
/// OCPP-J §4.1.3 has it), read as `T`.
pub fn from_payload<T: FromJson>(text: &str) -> Result<T, Error> {
    let mut r = Reader::new(text, T::LENIENT);
    if r.kind()? != Kind::Object {
        return Err(Error::new(ErrorKind::NotObject, "", r.position()));
    }
    let v = T::read_json(&mut r)?;
    r.finish()?;
    Ok(v)
}

/// Appends `v` as JSON to `out`.
pub fn write_to(out: &mut String, v: &dyn ToJson) {
    v.write_json(&mut Writer::new(out));
}

/// `v` as JSON.
pub fn to_string(v: &dyn ToJson) -> String {
    let mut s = String::new();
    write_to(&mut s, v);
    s
}

/// Text that is already one JSON value, written as it is (a payload passed through).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawJson<'a>(pub &'a str);

impl ToJson for RawJson<'_> {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.raw(self.0);
    }
}

// ---------------------------------------------------------------------------------------
// Primitive types
// ---------------------------------------------------------------------------------------

impl ToJson for u32 {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.uint(u64::from(*self));
    }
}

impl FromJson for u32 {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        let v = r.int(0, i64::from(u32::MAX))?;
        u32::try_from(v).map_err(|_| r.error(ErrorKind::Value))
    }
}

impl ToJson for i32 {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.int(i64::from(*self));
    }
}

impl FromJson for i32 {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        let v = r.int(i64::from(i32::MIN), i64::from(i32::MAX))?;
        i32::try_from(v).map_err(|_| r.error(ErrorKind::Value))
    }
}

impl ToJson for bool {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.bool(*self);
    }
}

impl FromJson for bool {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        r.bool()
    }
}

impl ToJson for String {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.string(self);
    }
}

impl ToJson for str {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.string(self);
    }
}

impl FromJson for String {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        r.string()?.to_string()
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.begin_array();
        for v in self {
            v.write_json(w);
        }
        w.end_array();
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, w: &mut Writer<'_>) {
        self.as_slice().write_json(w);
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        read_vec(r, usize::MAX)
    }
}

/// A JSON array of at most `max` items (one more is a value error, found before it is read).
pub fn read_vec<T: FromJson>(r: &mut Reader<'_>, max: usize) -> Result<Vec<T>, Error> {
    let mut a = r.array()?;
    let mut v = Vec::new();
    while r.element(&mut a)? {
        if v.len() >= max {
            return Err(r.error(ErrorKind::Value));
        }
        v.push(T::read_json(r)?);
    }
    Ok(v)
}

/// A JSON array with at least one item (`minItems: 1`).
pub fn non_empty<T: FromJson>(r: &mut Reader<'_>) -> Result<Vec<T>, Error> {
    let at = r.position();
    let v = read_vec(r, usize::MAX)?;
    if v.is_empty() {
        let mut e = r.error(ErrorKind::Value);
        e.at = at;
        return Err(e);
    }
    Ok(v)
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn write_json(&self, w: &mut Writer<'_>) {
        w.begin_array();
        self.0.write_json(w);
        self.1.write_json(w);
        w.end_array();
    }
}

impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut arr = r.array()?;
        let mut next = |r: &mut Reader<'_>| match r.element(&mut arr) {
            Ok(true) => Ok(()),
            Ok(false) => Err(r.error(ErrorKind::Value)),
            Err(e) => Err(e),
        };
        next(r)?;
        let a = A::read_json(r)?;
        next(r)?;
        let b = B::read_json(r)?;
        if r.element(&mut arr)? {
            return Err(r.error(ErrorKind::Value));
        }
        Ok((a, b))
    }
}

/// Defines a struct that reads and writes itself as a JSON object, from a table of its
/// fields: `req` (required) or `opt` (an `Option`, left out when `None`), the Rust field and
/// type, the JSON name, and optionally `with` a reader function for the value. `[lenient]`
/// after the name: read on its own, it skips unknown fields (see [`FromJson::LENIENT`]).
macro_rules! json_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([$lenient:ident])? {
            $(
                $(#[$fmeta:meta])*
                $mode:ident $field:ident : $ty:ty = $json:literal $(with $read:path)?,
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: json_object!(@ty $mode $ty), )*
        }

        impl $crate::json::FromJson for $name {
            const LENIENT: bool = json_object!(@lenient $($lenient)?);

            fn read_json(rd: &mut $crate::json::Reader<'_>) -> Result<Self, $crate::json::Error> {
                #[allow(non_camel_case_types, dead_code)]
                enum F { $($field,)* }
                const NAMES: &[&str] = &[$($json),*];
                const REQUIRED: u64 = 0 $( | json_object!(@bit $mode F::$field) )*;
                $( let mut $field: Option<$ty> = None; )*
                rd.fields(NAMES, REQUIRED, &mut |rd, i| {
                    let _ = (&rd, i);
                    $(
                        if i == F::$field as usize {
                            $field = Some(json_object!(@read rd $ty $(, $read)?));
                            return Ok(());
                        }
                    )*
                    Ok(())
                })?;
                Ok($name { $( $field: json_object!(@finish $mode $field $json), )* })
            }
        }

        impl $crate::json::ToJson for $name {
            fn write_json(&self, w: &mut $crate::json::Writer<'_>) {
                let s = self;
                json_object!(@write_all w s $($mode $field $json),*);
                w.end_object();
            }
        }
    };
    // After a required first field every key needs its comma: copied with it, unchecked.
    (@write_all $w:ident $s:ident) => {
        let _ = $s;
        $w.begin_object();
    };
    (@write_all $w:ident $s:ident req $field:ident $json:literal $(, $rmode:ident $rfield:ident $rjson:literal)*) => {
        $w.begin_object_with(concat!("{\"", $json, "\":"));
        $crate::json::ToJson::write_json(&$s.$field, $w);
        $( json_object!(@write_next $rmode $w, (&$s.$rfield), $rjson); )*
    };
    (@write_all $w:ident $s:ident opt $field:ident $json:literal $(, $rmode:ident $rfield:ident $rjson:literal)*) => {
        $w.begin_object();
        json_object!(@write opt $w, (&$s.$field), $json);
        $( json_object!(@write $rmode $w, (&$s.$rfield), $rjson); )*
    };
    (@write_next req $w:ident, $v:expr, $json:literal) => {
        $w.next_key(concat!(",\"", $json, "\":"));
        $crate::json::ToJson::write_json($v, $w);
    };
    (@write_next opt $w:ident, $v:expr, $json:literal) => {
        if let Some(v) = $v {
            $w.next_key(concat!(",\"", $json, "\":"));
            $crate::json::ToJson::write_json(v, $w);
        }
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@lenient) => { false };
    (@lenient lenient) => { true };
    (@read $rd:ident $ty:ty) => { <$ty as $crate::json::FromJson>::read_json($rd)? };
    (@read $rd:ident $ty:ty, $read:path) => { $read($rd)? };
    (@bit req $f:expr) => { 1u64 << ($f as u32) };
    (@bit opt $f:expr) => { 0 };
    // `fields` has checked that every required field was read.
    (@finish req $f:ident $json:literal) => {
        $f.ok_or($crate::json::Error::new($crate::json::ErrorKind::Missing, $json, 0))?
    };
    (@finish opt $f:ident $json:literal) => { $f };
    (@write req $w:ident, $v:expr, $json:literal) => {
        $w.key(concat!(",\"", $json, "\":"));
        $crate::json::ToJson::write_json($v, $w);
    };
    (@write opt $w:ident, $v:expr, $json:literal) => {
        if let Some(v) = $v {
            $w.key(concat!(",\"", $json, "\":"));
            $crate::json::ToJson::write_json(v, $w);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    json_object! {
        /// A test object.
        #[derive(Debug, PartialEq)]
        pub struct Sample {
            /// Required.
            req id: u32 = "id",
            /// Optional.
            opt name: String = "name",
            /// Optional list.
            opt list: Vec<i32> = "list",
        }
    }

    json_object! {
        /// The same, lenient.
        #[derive(Debug, PartialEq)]
        pub struct Lenient [lenient] {
            /// Required.
            req id: u32 = "id",
            /// Optional.
            opt name: String = "name",
        }
    }

    #[test]
    fn objects_read_and_write_through_their_table() {
        let s: Sample = from_str(r#" {"list":[1,-2],"id":7,"name":"a\"b"} "#).unwrap();
        assert_eq!(
            s,
            Sample {
                id: 7,
                name: Some("a\"b".into()),
                list: Some(alloc::vec![1, -2])
            }
        );
        assert_eq!(to_string(&s), r#"{"id":7,"name":"a\"b","list":[1,-2]}"#);
        let none: Sample = from_str(r#"{"id":0}"#).unwrap();
        assert_eq!(to_string(&none), r#"{"id":0}"#);
        let kind = |t: &str| from_str::<Sample>(t).unwrap_err().kind;
        assert_eq!(kind("{}"), ErrorKind::Missing);
        assert_eq!(kind(r#"{"id":1,"x":1}"#), ErrorKind::UnknownField);
        assert_eq!(kind(r#"{"id":1,"id":1}"#), ErrorKind::DuplicateField);
        assert_eq!(kind(r#"{"id":1,"name":null}"#), ErrorKind::Type);
        assert_eq!(kind(r#"{"id":-1}"#), ErrorKind::Value);
        assert_eq!(kind(r#"{"id":1} x"#), ErrorKind::Syntax);
        let e = from_str::<Sample>("{}").unwrap_err();
        assert_eq!(alloc::format!("{e}"), "missing field `id`");
        let l: Lenient = from_str(r#"{"id":1,"name":null,"x":[{}]}"#).unwrap();
        assert_eq!(l, Lenient { id: 1, name: None });
        // Lenient or not, a required field holding null is a type error, not absent.
        assert_eq!(from_str::<Lenient>(r#"{"id":null}"#).unwrap_err().kind, ErrorKind::Type);
        let missing = from_str::<Lenient>(r#"{"name":"x"}"#).unwrap_err();
        assert_eq!((missing.kind, missing.field), (ErrorKind::Missing, "id"));
        assert_eq!(from_payload::<Lenient>("[1]").unwrap_err().kind, ErrorKind::NotObject);
    }

    #[test]
    fn pairs_are_two_element_arrays() {
        let v: Vec<(u32, i32)> = from_str("[[1,-1],[2,5]]").unwrap();
        assert_eq!(v, [(1, -1), (2, 5)]);
        assert_eq!(to_string(&v), "[[1,-1],[2,5]]");
        assert!(from_str::<(u32, i32)>("[1]").is_err());
        assert!(from_str::<(u32, i32)>("[1,2,3]").is_err());
    }
}
