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

/// The decimal digits of `v`, in a stack buffer.
pub(crate) fn u64_digits(v: u64, buf: &mut [u8; 20]) -> &str {
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
    core::str::from_utf8(buf.get(i..).unwrap_or(&[])).unwrap_or("")
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

    /// A key, given as its literal `"name":` (names need no escaping).
    pub fn key(&mut self, quoted_with_colon: &'static str) {
        if self.comma {
            self.out.push(',');
        }
        self.out.push_str(quoted_with_colon);
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
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.sep();
        self.out.push('"');
        let mut rest = s;
        while let Some(i) = rest.bytes().position(|b| b < 0x20 || b == b'"' || b == b'\\') {
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
        self.out.push('"');
    }

    /// An unsigned integer.
    pub fn uint(&mut self, v: u64) {
        self.sep();
        self.out.push_str(u64_digits(v, &mut [0; 20]));
    }

    /// A signed integer.
    pub fn int(&mut self, v: i64) {
        self.sep();
        if v < 0 {
            self.out.push('-');
        }
        self.out.push_str(u64_digits(v.unsigned_abs(), &mut [0; 20]));
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

    /// Formatted text as one value (numbers, dates): `f` writes it through [`core::fmt`].
    pub fn display(&mut self, v: &dyn core::fmt::Display, quoted: bool) {
        use core::fmt::Write as _;
        self.sep();
        if quoted {
            self.out.push('"');
        }
        let _ = write!(self.out, "{v}");
        if quoted {
            self.out.push('"');
        }
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
        w.key("\"a\":");
        w.begin_array();
        w.int(-12);
        w.uint(0);
        w.bool(true);
        w.null();
        w.begin_object();
        w.end_object();
        w.end_array();
        w.key("\"b\":");
        w.string("q\"b\\n\n\r\t\u{1}\u{1f}é");
        w.key("\"c\":");
        w.name("Accepted");
        w.end_object();
        assert_eq!(
            s,
            r#"{"a":[-12,0,true,null,{}],"b":"q\"b\\n\n\r\t\u0001\u001fé","c":"Accepted"}"#
        );
        let mut buf = [0; 20];
        assert_eq!(u64_digits(u64::MAX, &mut buf), "18446744073709551615");
        let mut s = String::new();
        Writer::new(&mut s).int(i64::MIN);
        assert_eq!(s, "-9223372036854775808");
    }
}
