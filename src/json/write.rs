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

/// Below this magnitude every `f64` with a zero fraction fits an `i64` exactly, and scaling
/// by 1000 stays inside `u64`.
pub(crate) const EXACT: f64 = 9.0e15;

/// A number's text, built backwards in a stack buffer (sign, 20 digits, a point and three
/// decimals or an exponent all fit): integers and decimals without `core::fmt` or float
/// formatting code.
pub(crate) struct NumText {
    buf: [u8; 28],
    start: usize,
}

impl NumText {
    fn new() -> Self {
        NumText {
            buf: [0; 28],
            start: 28,
        }
    }

    fn push_front(&mut self, b: u8) {
        if let Some(i) = self.start.checked_sub(1) {
            if let Some(slot) = self.buf.get_mut(i) {
                *slot = b;
                self.start = i;
            }
        }
    }

    /// `n` in decimal with at least `width` digits (leading zeros), two digits at a time.
    fn push_front_u64(&mut self, mut n: u64, width: u32) {
        let end = self.start;
        while n >= 100 {
            let pair = two_digits((n % 100) as u32);
            n /= 100;
            let i = self.start.saturating_sub(2);
            if let Some(slot) = self.buf.get_mut(i..i + 2) {
                slot.copy_from_slice(&pair);
                self.start = i;
            }
        }
        // One or two digits left.
        let [hi, lo] = two_digits(n as u32);
        self.push_front(lo);
        if n >= 10 {
            self.push_front(hi);
        }
        while ((end - self.start) as u32) < width {
            self.push_front(b'0');
        }
    }

    /// The decimal digits of `n`.
    #[inline]
    pub(crate) fn u64(n: u64) -> Self {
        let mut t = Self::new();
        t.push_front_u64(n, 1);
        t
    }

    /// `v` with at most three decimals (rounded half away from zero), trailing zeros trimmed:
    /// `16`, `6.5`, `-0.125`, `0` for `-0.0001`. Magnitudes of 9e15 and more are integers:
    /// exact below 1.8e19, beyond that 14 significant digits and an exponent (`1e20`).
    /// NaN and the infinities, which `Decimal` and the meter inputs refuse, come out as `0`.
    pub(crate) fn decimal(v: f64) -> Self {
        if !v.is_finite() {
            return Self::u64(0);
        }
        let mag = if v < 0.0 { -v } else { v };
        // `as` truncates and saturates, never panics. Whole numbers (energy registers,
        // power) need no scaling: the common case, kept short.
        let whole = mag as u64;
        if mag < 1.8e19 && whole as f64 == mag {
            let mut t = Self::u64(whole);
            if v < 0.0 && whole != 0 {
                t.push_front(b'-');
            }
            return t;
        }
        let mut t = Self::new();
        // The value is ±digits × 10^(exp − decimals).
        let (mut digits, mut decimals, mut exp) = if mag < EXACT {
            ((mag * 1000.0 + 0.5) as u64, 3u32, 0u32)
        } else if mag < 1.8e19 {
            // Every f64 this large is an integer; u64 holds it exactly.
            (mag as u64, 0, 0)
        } else {
            // 14 significant digits: the rounding of up to 300 divisions stays below them.
            let mut m = mag;
            let mut e = 0;
            while m >= 1e14 {
                m /= 10.0;
                e += 1;
            }
            let mut d = (m + 0.5) as u64;
            if d >= 100_000_000_000_000 {
                d /= 10;
                e += 1;
            }
            // Rounded up, f64::MAX (1.7976931348623157e308) would read back as infinity.
            if e >= 294 {
                d = d.min(17_976_931_348_623);
            }
            (d, 0, e)
        };
        while decimals > 0 && digits % 10 == 0 {
            digits /= 10;
            decimals -= 1;
        }
        while exp > 0 && digits != 0 && digits % 10 == 0 {
            digits /= 10;
            exp += 1;
        }
        if exp > 0 {
            t.push_front_u64(u64::from(exp), 1);
            t.push_front(b'e');
        }
        let mut int = digits;
        if decimals > 0 {
            let scale = 10u64.pow(decimals);
            t.push_front_u64(digits % scale, decimals);
            t.push_front(b'.');
            int = digits / scale;
        }
        t.push_front_u64(int, 1);
        if v < 0.0 && digits != 0 {
            t.push_front(b'-');
        }
        t
    }

    /// The text.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(self.start..).unwrap_or(&[])).unwrap_or("")
    }
}

/// Appends the decimal digits of `v`.
pub(crate) fn push_u64(out: &mut String, v: u64) {
    out.push_str(NumText::u64(v).as_str());
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
    fn decimals_of_every_magnitude() {
        let d = |v: f64| String::from(NumText::decimal(v).as_str());
        assert_eq!(d(0.0), "0");
        assert_eq!(d(-2.5), "-2.5");
        assert_eq!(d(0.0005), "0.001");
        assert_eq!(d(12.0), "12");
        assert_eq!(d(1.5e19), "15000000000000000000");
        assert_eq!(d(2e19), "2e19");
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(d(v), "0");
        }
        assert_eq!(NumText::u64(u64::MAX).as_str(), "18446744073709551615");
        assert_eq!(NumText::u64(0).as_str(), "0");
    }

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
