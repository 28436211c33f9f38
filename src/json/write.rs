//! The JSON writer: appends to a `String` the caller owns (and reuses), commas placed by
//! the writer, names and enumeration values copied as literals.

use alloc::string::String;

/// Writes one JSON text into a `String`.
#[derive(Debug)]
pub struct Writer<'a> {
    out: &'a mut String,
    /// A value was written at this level: the next one needs a comma.
    comma: bool,
}

/// Appends the decimal digits of `v` (pushed one by one: cheaper than checking a buffer is
/// UTF-8 for a handful of digits).
pub(crate) fn push_u64(out: &mut String, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    push_ascii(out, buf.get(i..).unwrap_or(&[]));
}

/// Appends ASCII bytes (callers pass only ASCII; anything else is dropped).
pub(crate) fn push_ascii(out: &mut String, bytes: &[u8]) {
    out.push_str(core::str::from_utf8(bytes).unwrap_or(""));
}

/// Where the first byte that JSON strings must escape (`"`, `\\`, control characters) is.
fn first_special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    // Eight bytes at a time while they are plain.
    while let Some(word) = bytes.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        if crate::json::has_special(u64::from_le_bytes(word)) {
            break;
        }
        at += 8;
    }
    let rest = bytes.get(at..).unwrap_or(&[]);
    rest.iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|i| at + i)
}

impl<'a> Writer<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut String) -> Self {
        Writer { out, comma: false }
    }

    /// The text written so far (and whatever `out` held before).
    pub fn as_str(&self) -> &str {
        self.out
    }

    /// A comma if this value is not the first at its level.
    fn sep(&mut self) {
        if self.comma {
            self.out.push(',');
        }
        self.comma = true;
    }

    /// `{`.
    pub fn begin_object(&mut self) {
        self.sep();
        self.out.push('{');
        self.comma = false;
    }

    /// `{` and the first key, as one literal `{"name":`.
    pub fn begin_object_with(&mut self, open_quoted_colon: &'static str) {
        self.sep();
        self.out.push_str(open_quoted_colon);
        self.comma = false;
    }

    /// A key that certainly follows a field, as its literal `,"name":`.
    pub fn next_key(&mut self, comma_quoted_colon: &'static str) {
        self.out.push_str(comma_quoted_colon);
        self.comma = false;
    }

    /// `}`.
    pub fn end_object(&mut self) {
        self.out.push('}');
        self.comma = true;
    }

    /// `[`.
    pub fn begin_array(&mut self) {
        self.sep();
        self.out.push('[');
        self.comma = false;
    }

    /// `]`.
    pub fn end_array(&mut self) {
        self.out.push(']');
        self.comma = true;
    }

    /// A key, given as its literal with the comma that separates it from the field before,
    /// `,"name":` (names need no escaping); the comma is left out for the first field.
    pub fn key(&mut self, comma_quoted_colon: &'static str) {
        let text = if self.comma {
            comma_quoted_colon
        } else {
            comma_quoted_colon.get(1..).unwrap_or("")
        };
        self.out.push_str(text);
        self.comma = false;
    }

    /// A string that needs no escaping (an enumeration value, a name we chose), as a literal.
    pub fn name(&mut self, s: &str) {
        self.sep();
        self.out.push('"');
        self.out.push_str(s);
        self.out.push('"');
    }

    /// Any string, escaped as RFC 8259 §7 requires.
    pub fn string(&mut self, s: &str) {
        self.begin_string();
        self.string_part(s);
        self.end_string();
    }

    /// Opens a string written in parts ([`Self::string_part`], then [`Self::end_string`]).
    pub fn begin_string(&mut self) {
        self.sep();
        self.out.push('"');
    }

    /// The next part of an open string, escaped.
    pub fn string_part(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut rest = s;
        while let Some(i) = first_special(rest.as_bytes()) {
            self.out.push_str(rest.get(..i).unwrap_or(""));
            let b = rest.as_bytes().get(i).copied().unwrap_or(0);
            match b {
                b'"' => self.out.push_str("\\\""),
                b'\\' => self.out.push_str("\\\\"),
                b'\n' => self.out.push_str("\\n"),
                b'\r' => self.out.push_str("\\r"),
                b'\t' => self.out.push_str("\\t"),
                _ => {
                    self.out.push_str("\\u00");
                    for n in [b >> 4, b & 0xf] {
                        self.out
                            .push(char::from(HEX.get(usize::from(n)).copied().unwrap_or(b'0')));
                    }
                }
            }
            rest = rest.get(i + 1..).unwrap_or("");
        }
        self.out.push_str(rest);
    }

    /// Digits as the next part of an open string.
    pub fn string_part_int(&mut self, v: i64) {
        if v < 0 {
            self.out.push('-');
        }
        push_u64(self.out, v.unsigned_abs());
    }

    /// Closes a string opened with [`Self::begin_string`].
    pub fn end_string(&mut self) {
        self.out.push('"');
    }

    /// ASCII bytes as a string that needs no escaping (ids and dates we format ourselves).
    pub(crate) fn ascii(&mut self, bytes: &[u8]) {
        self.sep();
        self.out.push('"');
        push_ascii(self.out, bytes);
        self.out.push('"');
    }

    /// An unsigned integer.
    pub fn uint(&mut self, v: u64) {
        self.sep();
        if v < 10 {
            // Connector ids, message types: one digit, no loop.
            self.out.push(char::from(b'0' + v as u8));
        } else {
            push_u64(self.out, v);
        }
    }

    /// A signed integer.
    pub fn int(&mut self, v: i64) {
        self.sep();
        if v < 0 {
            self.out.push('-');
        }
        let v = v.unsigned_abs();
        if v < 10 {
            self.out.push(char::from(b'0' + v as u8));
        } else {
            push_u64(self.out, v);
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) {
        self.sep();
        self.out.push_str(if v { "true" } else { "false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.sep();
        self.out.push_str("null");
    }

    /// Text that is already JSON (one value), copied as it is.
    pub fn raw(&mut self, json: &str) {
        self.sep();
        self.out.push_str(json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_keys_and_escapes() {
        let mut s = String::new();
        let mut w = Writer::new(&mut s);
        w.begin_object();
        w.key(",\"a\":");
        w.begin_array();
        w.int(-12);
        w.uint(0);
        w.bool(true);
        w.null();
        w.begin_object();
        w.end_object();
        w.end_array();
        w.key(",\"b\":");
        w.string("q\"b\\n\n\r\t\u{1}\u{1f}é");
        w.key(",\"c\":");
        w.name("Accepted");
        w.end_object();
        assert_eq!(
            s,
            r#"{"a":[-12,0,true,null,{}],"b":"q\"b\\n\n\r\t\u0001\u001fé","c":"Accepted"}"#
        );
        let mut s = String::new();
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, "18446744073709551615");
        let mut s = String::new();
        Writer::new(&mut s).int(i64::MIN);
        assert_eq!(s, "-9223372036854775808");
        for text in [
            "",
            "plain",
            "exactly8",
            "sixteen bytes ok",
            "a\"",
            "0123456789\\x",
            "0123456\u{1}",
        ] {
            let naive = text.bytes().position(|b| b < 0x20 || b == b'"' || b == b'\\');
            assert_eq!(first_special(text.as_bytes()), naive, "{text:?}");
        }
        let mut s = String::new();
        Writer::new(&mut s).string("é\u{7f}\u{80}ÿ\"\u{1f}");
        assert_eq!(s, "\"é\u{7f}\u{80}ÿ\\\"\\u001f\"");
    }
}
