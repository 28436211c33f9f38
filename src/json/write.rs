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

/// The two-digit numbers `00` to `99`, for writing digits two at a time.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `v % 100`.
#[inline]
pub(crate) fn two_digits(v: u32) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    match PAIRS.get(i..i + 2) {
        Some(&[a, b]) => [a, b],
        _ => [b'0', b'0'],
    }
}

/// Appends the decimal digits of `v`: two at a time into a stack buffer, then pushed as
/// characters (cheaper than a UTF-8 check and a copy for a handful of digits).
pub(crate) fn push_u64(out: &mut String, v: u64) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut v = v;
    while v >= 100 {
        let pair = two_digits((v % 100) as u32);
        v /= 100;
        i -= 2;
        if let Some(slot) = buf.get_mut(i..i + 2) {
            slot.copy_from_slice(&pair);
        }
    }
    // One or two digits left.
    let [hi, lo] = two_digits(v as u32);
    i -= 1;
    if let Some(slot) = buf.get_mut(i) {
        *slot = lo;
    }
    if v >= 10 {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = hi;
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
        let mut rest = s;
        while let Some(i) = first_special(rest.as_bytes()) {
            self.out.push_str(rest.get(..i).unwrap_or(""));
            self.escape(rest.as_bytes().get(i).copied().unwrap_or(0));
            rest = rest.get(i + 1..).unwrap_or("");
        }
        self.out.push_str(rest);
    }

    /// The escape of a byte JSON strings may not hold as it is (RFC 8259 §7).
    #[cold]
    fn escape(&mut self, b: u8) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
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
        for (v, text) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (99, "99"),
            (100, "100"),
            (1030, "1030"),
            (10800, "10800"),
        ] {
            let mut s = String::from("x");
            push_u64(&mut s, v);
            assert_eq!(s, format!("x{text}"));
        }
        let mut s = String::new();
        push_ascii(&mut s, b"0-8\xff");
        push_ascii(&mut s, b"2024-01-01T00:00:10Z");
        assert_eq!(s, "2024-01-01T00:00:10Z");
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
