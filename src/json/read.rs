//! The JSON reader: one non-generic tokenizer over `&str` (RFC 8259), pulled by the typed
//! readers of [`crate::messages`] and by the frame parser of [`crate::rpc`].
//!
//! It allocates only for what the caller keeps (an owned string) and for nesting deeper than
//! 64 levels in a value it skips. Skipping is iterative, so no input can overflow the stack:
//! the nesting stack is one bit per level (object or array), as deep as the input goes.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Error, ErrorKind};

/// Longest key or enumeration string compared without allocating; no OCPP name comes
/// close, so a longer one simply matches nothing.
const NAME_BUF: usize = 64;

/// The JSON type of the value at the reader's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `{`.
    Object,
    /// `[`.
    Array,
    /// `"`.
    String,
    /// `-` or a digit.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A string token: the text between the quotes, still escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Str<'a> {
    raw: &'a str,
    escaped: bool,
    at: usize,
}

/// One piece of a decoded string: a run of literal text or one escaped character.
enum Piece<'a> {
    Text(&'a str),
    Char(char),
}

impl<'a> Str<'a> {
    /// The string token `raw` (the text between its quotes) that starts at byte `at`.
    pub(crate) fn new(raw: &'a str, escaped: bool, at: usize) -> Self {
        Str { raw, escaped, at }
    }

    /// The text between the quotes, escapes not decoded.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether the token has escapes (only then does decoding copy).
    pub fn has_escapes(&self) -> bool {
        self.escaped
    }

    fn error(&self) -> Error {
        Error::new(ErrorKind::Syntax, "", self.at)
    }

    /// Calls `f` with every piece of the decoded text, in order; fails on a lone surrogate.
    fn pieces(&self, mut f: impl FnMut(Piece<'a>)) -> Result<(), Error> {
        let mut rest = self.raw;
        while let Some(i) = rest.find('\\') {
            if i > 0 {
                f(Piece::Text(rest.get(..i).unwrap_or("")));
            }
            let esc = rest.as_bytes().get(i + 1).copied().ok_or_else(|| self.error())?;
            let (c, used) = match esc {
                b'"' => ('"', 2),
                b'\\' => ('\\', 2),
                b'/' => ('/', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                b'n' => ('\n', 2),
                b'r' => ('\r', 2),
                b't' => ('\t', 2),
                b'u' => {
                    let hi = hex4(rest.as_bytes().get(i + 2..i + 6)).ok_or_else(|| self.error())?;
                    match hi {
                        0xD800..=0xDBFF => {
                            // RFC 8259 §7: a pair of escapes for a character beyond the BMP.
                            let tail = rest.as_bytes().get(i + 6..i + 12);
                            let lo = match tail {
                                Some([b'\\', b'u', h @ ..]) => hex4(Some(h)),
                                _ => None,
                            };
                            let lo = lo
                                .filter(|lo| (0xDC00..=0xDFFF).contains(lo))
                                .ok_or_else(|| self.error())?;
                            let c = 0x1_0000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            (char::from_u32(c).ok_or_else(|| self.error())?, 12)
                        }
                        _ => (char::from_u32(hi).ok_or_else(|| self.error())?, 6),
                    }
                }
                _ => return Err(self.error()),
            };
            f(Piece::Char(c));
            rest = rest.get(i + used..).ok_or_else(|| self.error())?;
        }
        if !rest.is_empty() {
            f(Piece::Text(rest));
        }
        Ok(())
    }

    /// Appends the decoded text to `out`.
    pub fn decode_into(&self, out: &mut String) -> Result<(), Error> {
        if !self.escaped {
            out.push_str(self.raw);
            return Ok(());
        }
        self.pieces(|p| match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Char(c) => out.push(c),
        })
    }

    /// The decoded text as an owned string.
    pub fn to_string(&self) -> Result<String, Error> {
        let mut s = String::new();
        self.decode_into(&mut s)?;
        Ok(s)
    }

    /// The decoded text in `buf`, or `None` when it does not fit (or cannot be decoded).
    pub fn decode_small<'b>(&self, buf: &'b mut [u8; NAME_BUF]) -> Option<&'b str> {
        if !self.escaped {
            let n = self.raw.len();
            buf.get_mut(..n)?.copy_from_slice(self.raw.as_bytes());
            return core::str::from_utf8(buf.get(..n)?).ok();
        }
        let mut len = 0usize;
        let mut fits = true;
        let mut push = |bytes: &[u8]| match buf.get_mut(len..len + bytes.len()) {
            Some(dst) if fits => {
                dst.copy_from_slice(bytes);
                len += bytes.len();
            }
            _ => fits = false,
        };
        self.pieces(|p| match p {
            Piece::Text(t) => push(t.as_bytes()),
            Piece::Char(c) => push(c.encode_utf8(&mut [0u8; 4]).as_bytes()),
        })
        .ok()?;
        if !fits {
            return None;
        }
        core::str::from_utf8(buf.get(..len)?).ok()
    }
}

/// Four hex digits as a number.
fn hex4(digits: Option<&[u8]>) -> Option<u32> {
    let digits = digits?;
    if digits.len() != 4 {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        Some(acc << 4 | u32::from(v))
    })
}

/// Whether any of eight bytes (little-endian in `x`) needs attention inside a JSON string:
/// `"`, `\\` or a control character.
#[inline]
pub(crate) fn has_special(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    (x.wrapping_sub(ONES * 0x20) & !x & HIGH) | zero_byte(x ^ (ONES * 0x22)) | zero_byte(x ^ (ONES * 0x5c)) != 0
}

/// Whether `s` has more than `max` characters, without counting past `max + 1`.
pub fn longer_than(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().nth(max).is_some()
}

/// What a number token holds, read as an integer.
enum IntToken {
    /// An integer that fits: sign and magnitude.
    Int(bool, u64),
    /// An integer beyond 64 bits.
    Overflow,
    /// A fraction or an exponent: not an integer for the schemas (draft-04).
    NotInt,
}

fn int_token(tok: &str) -> IntToken {
    let (neg, digits) = match tok.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, tok),
    };
    let mut mag: u64 = 0;
    for &d in digits.as_bytes() {
        if !d.is_ascii_digit() {
            return IntToken::NotInt;
        }
        mag = match mag.checked_mul(10).and_then(|m| m.checked_add(u64::from(d - b'0'))) {
            Some(m) => m,
            None => {
                // Still a fraction or an exponent further on?
                return if digits.bytes().all(|b| b.is_ascii_digit()) {
                    IntToken::Overflow
                } else {
                    IntToken::NotInt
                };
            }
        };
    }
    IntToken::Int(neg, mag)
}

/// A number token as the nearest `f64` (exactly rounded for up to 15 significant digits
/// and decimal exponents within ±22, which covers every limit OCPP sends; otherwise within a
/// few units in the last place); infinite when it is beyond `f64`. No float parsing code of
/// `core` is linked, and no table.
pub fn number_to_f64(tok: &str) -> f64 {
    let b = tok.as_bytes();
    let mut i = 0usize;
    let neg = b.first() == Some(&b'-');
    if neg {
        i += 1;
    }
    let mut mant: u64 = 0;
    let mut significant = 0u32;
    let mut exp10: i64 = 0;
    let mut digit = |d: u8, frac: bool, mant: &mut u64, exp10: &mut i64| {
        if significant < 19 {
            *mant = *mant * 10 + u64::from(d - b'0');
            if *mant != 0 {
                significant += 1;
            }
            if frac {
                *exp10 -= 1;
            }
        } else if !frac {
            *exp10 += 1;
        }
    };
    while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        digit(d, false, &mut mant, &mut exp10);
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            digit(d, true, &mut mant, &mut exp10);
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut e: i64 = 0;
        while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            // Saturates far beyond any f64 exponent.
            e = (e * 10 + i64::from(d - b'0')).min(1_000_000);
            i += 1;
        }
        exp10 += if eneg { -e } else { e };
    }
    let mut v = mant as f64;
    if mant != 0 {
        // Scale in exact steps of 10^22 at most (10^22 is the largest exact power of ten).
        while exp10 > 22 && v.is_finite() {
            v *= 1e22;
            exp10 -= 22;
        }
        while exp10 < -22 && v != 0.0 {
            v /= 1e22;
            exp10 += 22;
        }
        let mut p = 1.0f64;
        for _ in 0..exp10.unsigned_abs().min(22) {
            p *= 10.0;
        }
        if exp10 >= 0 {
            v *= p;
        } else {
            v /= p;
        }
    }
    if neg {
        -v
    } else {
        v
    }
}

// ---------------------------------------------------------------------------------------
// The scanner: free functions over the bytes, returning the end of a token or the position
// of the first error (an `Error` is built only at the edge, cold).
// ---------------------------------------------------------------------------------------

/// The position of the first byte at or after `i` that is not JSON whitespace.
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The string token whose opening quote is at `i`: the position after its closing quote,
/// and whether it has escapes.
pub(crate) fn scan_string(b: &[u8], i: usize) -> Result<(usize, bool), usize> {
    let mut i = i + 1;
    let mut escaped = false;
    loop {
        // Plain text eight bytes at a time: nothing to look at until a quote, a backslash
        // or a control character; then byte by byte up to it.
        while let Some(word) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            if has_special(u64::from_le_bytes(word)) {
                break;
            }
            i += 8;
        }
        loop {
            match b.get(i) {
                Some(b'"') => return Ok((i + 1, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') if hex4(b.get(i + 2..i + 6)).is_some() => i += 6,
                        _ => return Err(i),
                    }
                    break;
                }
                // RFC 8259 §7: control characters must be escaped.
                None | Some(0..=0x1f) => return Err(i),
                Some(_) => i += 1,
            }
        }
    }
}

/// The digits starting at `i`, at least one (a fraction or an exponent): the position after them.
fn one_or_more_digits(b: &[u8], i: usize) -> Result<usize, usize> {
    let mut end = i;
    while let Some(b'0'..=b'9') = b.get(end) {
        end += 1;
    }
    if end == i {
        return Err(end);
    }
    Ok(end)
}

/// The number token starting at `i` (RFC 8259 §6): the position after it.
pub(crate) fn scan_number(b: &[u8], i: usize) -> Result<usize, usize> {
    let mut i = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            i += 1;
            while let Some(b'0'..=b'9') = b.get(i) {
                i += 1;
            }
        }
        _ => return Err(i),
    }
    if b.get(i) == Some(&b'.') {
        i = one_or_more_digits(b, i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = one_or_more_digits(b, i)?;
    }
    Ok(i)
}

/// `word` at `i`: the position after it.
fn scan_literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, usize> {
    let end = i + word.len();
    if b.get(i..end) == Some(word) {
        Ok(end)
    } else {
        Err(i)
    }
}

/// `"key" :` at `i` (whitespace first): the position after the colon.
fn scan_key(b: &[u8], i: usize) -> Result<usize, usize> {
    let i = skip_ws(b, i);
    if b.get(i) != Some(&b'"') {
        return Err(i);
    }
    let (end, _) = scan_string(b, i)?;
    let colon = skip_ws(b, end);
    if b.get(colon) == Some(&b':') {
        Ok(colon + 1)
    } else {
        Err(colon)
    }
}

/// The value starting at `i` (whitespace first), any type and depth, its syntax checked:
/// the position after it. Iterative: the nesting is a stack of bits, not of calls.
pub(crate) fn scan_value(b: &[u8], i: usize) -> Result<usize, usize> {
    let mut i = skip_ws(b, i);
    // Scalars, and empty containers, without the nesting stack.
    match b.get(i) {
        Some(b'"') => return scan_string(b, i).map(|(end, _)| end),
        Some(b'-' | b'0'..=b'9') => return scan_number(b, i),
        Some(b't') => return scan_literal(b, i, b"true"),
        Some(b'f') => return scan_literal(b, i, b"false"),
        Some(b'n') => return scan_literal(b, i, b"null"),
        Some(b'{' | b'[') => {}
        _ => return Err(i),
    }
    let mut nesting = Nesting {
        bits: 0,
        more: Vec::new(),
        depth: 0,
    };
    loop {
        // A value.
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b'{') => {
                let inner = skip_ws(b, i + 1);
                if b.get(inner) == Some(&b'}') {
                    i = inner + 1;
                } else {
                    nesting.push(true);
                    i = scan_key(b, inner)?;
                    continue;
                }
            }
            Some(b'[') => {
                let inner = skip_ws(b, i + 1);
                if b.get(inner) == Some(&b']') {
                    i = inner + 1;
                } else {
                    nesting.push(false);
                    i = inner;
                    continue;
                }
            }
            Some(b'"') => i = scan_string(b, i)?.0,
            Some(b'-' | b'0'..=b'9') => i = scan_number(b, i)?,
            Some(b't') => i = scan_literal(b, i, b"true")?,
            Some(b'f') => i = scan_literal(b, i, b"false")?,
            Some(b'n') => i = scan_literal(b, i, b"null")?,
            _ => return Err(i),
        }
        // What follows a value: the end of its containers, or the next element.
        loop {
            let Some(object) = nesting.top() else {
                return Ok(i);
            };
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    if object {
                        i = scan_key(b, i)?;
                    }
                    break;
                }
                Some(b'}') if object => {
                    i += 1;
                    nesting.pop();
                }
                Some(b']') if !object => {
                    i += 1;
                    nesting.pop();
                }
                _ => return Err(i),
            }
        }
    }
}

/// A syntax error at byte `at`.
#[cold]
fn syntax_at(at: usize) -> Error {
    Error::new(ErrorKind::Syntax, "", at)
}

/// Nesting levels of a skipped value: one bit each (1 = object), 64 inline.
struct Nesting {
    bits: u64,
    more: Vec<u64>,
    depth: usize,
}

impl Nesting {
    fn push(&mut self, object: bool) {
        let word = self.depth / 64;
        let bit = 1u64 << (self.depth % 64);
        let w = if word == 0 {
            Some(&mut self.bits)
        } else {
            if self.more.len() < word {
                self.more.push(0);
            }
            self.more.get_mut(word - 1)
        };
        if let Some(w) = w {
            if object {
                *w |= bit;
            } else {
                *w &= !bit;
            }
        }
        self.depth += 1;
    }

    /// The innermost level: `Some(true)` for an object.
    fn top(&self) -> Option<bool> {
        let d = self.depth.checked_sub(1)?;
        let w = if d < 64 { self.bits } else { *self.more.get(d / 64 - 1)? };
        Some(w & (1u64 << (d % 64)) != 0)
    }

    fn pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// An object being read: which of the type's fields have been seen.
#[derive(Debug)]
pub struct Object {
    seen: u64,
    first: bool,
}

/// An array being read.
#[derive(Debug)]
pub struct Array {
    first: bool,
}

/// Reads one JSON text, value by value.
#[derive(Debug)]
pub struct Reader<'a> {
    src: &'a str,
    pos: usize,
    lenient: bool,
    field: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `src`. `lenient`: objects skip unknown fields and read `null`
    /// in an optional field as absent (the central system's confirmations); otherwise both
    /// are errors (its requests, OCPP-J §4.2.3).
    pub fn new(src: &'a str, lenient: bool) -> Self {
        Reader {
            src,
            pos: 0,
            lenient,
            field: "",
        }
    }

    /// Whether objects skip unknown fields.
    pub fn is_lenient(&self) -> bool {
        self.lenient
    }

    /// The byte offset of the next token (whitespace skipped).
    pub fn position(&mut self) -> usize {
        self.ws();
        self.pos
    }

    /// The text from `start` to the reader's position.
    pub fn since(&self, start: usize) -> &'a str {
        self.src.get(start..self.pos).unwrap_or("")
    }

    /// An error of `kind` at the reader's position, in the field being read.
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.field, self.pos)
    }

    fn syntax(&self) -> Error {
        Error::new(ErrorKind::Syntax, "", self.pos)
    }

    fn byte(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        self.pos = skip_ws(self.src.as_bytes(), self.pos);
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.byte()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), Error> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        self.pos = scan_literal(self.src.as_bytes(), self.pos, word.as_bytes()).map_err(syntax_at)?;
        Ok(())
    }

    /// Nothing but whitespace is left.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.peek().is_some() {
            return Err(self.syntax());
        }
        Ok(())
    }

    /// The JSON type of the next value.
    pub fn kind(&mut self) -> Result<Kind, Error> {
        Ok(match self.peek() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => return Err(self.syntax()),
        })
    }

    /// A type error unless the next value is of `kind`.
    fn want(&mut self, kind: Kind) -> Result<(), Error> {
        if self.kind()? == kind {
            Ok(())
        } else {
            Err(self.error(ErrorKind::Type))
        }
    }

    /// Reads `null` if that is what comes next.
    pub fn null(&mut self) -> Result<bool, Error> {
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Whether an optional field holds `null` that reads as absent (lenient only; the
    /// `null` is consumed then).
    pub fn absent(&mut self) -> Result<bool, Error> {
        if self.lenient {
            self.null()
        } else {
            Ok(false)
        }
    }

    /// A string token (type error for any other value).
    pub fn string(&mut self) -> Result<Str<'a>, Error> {
        self.want(Kind::String)?;
        self.string_token()
    }

    fn string_token(&mut self) -> Result<Str<'a>, Error> {
        let at = self.pos;
        let (end, escaped) = scan_string(self.src.as_bytes(), at).map_err(syntax_at)?;
        let raw = self.src.get(at + 1..end - 1).ok_or_else(|| syntax_at(at))?;
        self.pos = end;
        Ok(Str { raw, escaped, at })
    }

    /// A string of at most `max` characters (after decoding), owned.
    pub fn bounded_string(&mut self, max: usize) -> Result<String, Error> {
        let s = self.string()?;
        if !s.escaped {
            // Refused before it is copied; copied in one piece of the exact size, counted once.
            if longer_than(s.raw, max) {
                return Err(Error::new(ErrorKind::Value, self.field, s.at));
            }
            return Ok(String::from(s.raw));
        }
        let text = s.to_string()?;
        if longer_than(&text, max) {
            return Err(Error::new(ErrorKind::Value, self.field, s.at));
        }
        Ok(text)
    }

    /// One of `quoted` (names given as JSON string literals, in their quotes) or an alias
    /// (without quotes), as its index.
    pub fn name(&mut self, quoted: &[&str], aliases: &[(&str, usize)]) -> Result<usize, Error> {
        let s = self.string()?;
        let mut buf = [0u8; NAME_BUF];
        let text = s.decode_small(&mut buf);
        text.and_then(|t| {
            quoted
                .iter()
                .position(|n| n.len() == t.len() + 2 && n.get(1..n.len() - 1) == Some(t))
                .or_else(|| aliases.iter().find(|(a, _)| *a == t).map(|(_, i)| *i))
        })
        .ok_or_else(|| Error::new(ErrorKind::Value, self.field, s.at))
    }

    /// A number token, its grammar checked (RFC 8259 §6).
    pub fn number(&mut self) -> Result<&'a str, Error> {
        self.want(Kind::Number)?;
        let start = self.pos;
        let end = scan_number(self.src.as_bytes(), start).map_err(syntax_at)?;
        self.pos = end;
        self.src.get(start..end).ok_or_else(|| syntax_at(start))
    }

    /// An integer within `min..=max`. A fraction or exponent is a type error (draft-04
    /// integers have neither), unless the number is beyond `f64` (then, like an integer
    /// out of range, a value error); `-0` is the integer 0.
    pub fn int(&mut self, min: i64, max: i64) -> Result<i64, Error> {
        let at = self.position();
        let tok = self.number()?;
        let err = |kind| Error::new(kind, self.field, at);
        let v = match int_token(tok) {
            IntToken::Int(false, mag) => i64::try_from(mag).ok(),
            // -2^63 is the one magnitude beyond i64::MAX that fits.
            IntToken::Int(true, mag) => i64::try_from(mag)
                .map(|m| -m)
                .ok()
                .or_else(|| (mag == 1u64 << 63).then_some(i64::MIN)),
            IntToken::Overflow => None,
            IntToken::NotInt if number_to_f64(tok).is_finite() => return Err(err(ErrorKind::Type)),
            IntToken::NotInt => None,
        };
        v.filter(|v| (min..=max).contains(v))
            .ok_or_else(|| err(ErrorKind::Value))
    }

    /// A finite number (beyond `f64`: a value error).
    pub fn decimal(&mut self) -> Result<f64, Error> {
        let at = self.position();
        let v = number_to_f64(self.number()?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::new(ErrorKind::Value, self.field, at))
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, Error> {
        self.want(Kind::Bool)?;
        if self.peek() == Some(b't') {
            self.literal("true")?;
            Ok(true)
        } else {
            self.literal("false")?;
            Ok(false)
        }
    }

    /// Starts reading an object (type error for any other value).
    pub fn object(&mut self) -> Result<Object, Error> {
        self.want(Kind::Object)?;
        self.pos += 1;
        Ok(Object { seen: 0, first: true })
    }

    /// The next field of `obj` that is one of `names` (its index), or `None` at the end of the
    /// object. An unknown field is skipped when lenient, an error otherwise; a field seen
    /// twice is an error either way.
    pub fn field(&mut self, obj: &mut Object, names: &[&'static str]) -> Result<Option<usize>, Error> {
        loop {
            // `}` may close the object first thing or after a value; after a comma a key must
            // follow (RFC 8259 §4: no trailing comma).
            if self.eat(b'}') {
                return Ok(None);
            }
            if !obj.first {
                self.expect(b',')?;
            }
            obj.first = false;
            if self.peek() != Some(b'"') {
                return Err(self.syntax());
            }
            let key = self.string_token()?;
            self.expect(b':')?;
            let mut buf = [0u8; NAME_BUF];
            let found = key
                .decode_small(&mut buf)
                .and_then(|k| names.iter().position(|n| *n == k));
            // Keys with an invalid escape are a syntax error, whatever the mode.
            if found.is_none() && key.escaped && key.pieces(|_| {}).is_err() {
                return Err(key.error());
            }
            match found {
                Some(i) => {
                    let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
                    self.field = names.get(i).copied().unwrap_or("");
                    if obj.seen & bit != 0 {
                        return Err(Error::new(ErrorKind::DuplicateField, self.field, key.at));
                    }
                    obj.seen |= bit;
                    return Ok(Some(i));
                }
                None if self.lenient => self.skip()?,
                None => return Err(Error::new(ErrorKind::UnknownField, "", key.at)),
            }
        }
    }

    /// Reads a whole object whose fields are `names`, calling `each(reader, i)` with the
    /// reader at the value of field `names[i]`; bit `i` of `required` set: that field must be
    /// there (else [`ErrorKind::Missing`] naming the first one absent), clear: a lenient
    /// reader takes `null` there as absent and does not call `each`.
    ///
    /// This is the one loop every `json_object!` type reads through (not generic: one copy
    /// in the image, each type adds only its `each`).
    pub fn fields(
        &mut self,
        names: &[&'static str],
        required: u64,
        each: &mut dyn FnMut(&mut Reader<'a>, usize) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut obj = self.object()?;
        while let Some(i) = self.field(&mut obj, names)? {
            let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
            if required & bit == 0 && self.absent()? {
                continue;
            }
            each(self, i)?;
        }
        let absent = required & !obj.seen;
        if absent != 0 {
            let first = names.get(absent.trailing_zeros() as usize).copied().unwrap_or("");
            return Err(self.missing(first));
        }
        Ok(())
    }

    /// A required field that was not there.
    pub fn missing(&self, name: &'static str) -> Error {
        Error::new(ErrorKind::Missing, name, self.pos)
    }

    /// Starts reading an array (type error for any other value).
    pub fn array(&mut self) -> Result<Array, Error> {
        self.want(Kind::Array)?;
        self.pos += 1;
        Ok(Array { first: true })
    }

    /// Whether another element of `arr` follows (the reader is then at it).
    pub fn element(&mut self, arr: &mut Array) -> Result<bool, Error> {
        if arr.first {
            arr.first = false;
            return Ok(!self.eat(b']'));
        }
        if self.eat(b']') {
            return Ok(false);
        }
        self.expect(b',')?;
        Ok(true)
    }

    /// Skips one value of any type, checking its syntax; iterative, so any depth is fine.
    pub fn skip(&mut self) -> Result<(), Error> {
        self.pos = scan_value(self.src.as_bytes(), self.pos).map_err(syntax_at)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(s: &str) -> bool {
        let mut r = Reader::new(s, false);
        r.skip().is_ok() && r.finish().is_ok()
    }

    #[test]
    fn skipping_checks_rfc_8259_grammar() {
        for ok in [
            "0",
            "-0",
            "1.5e-3",
            "2E+10",
            "\"a\\u00e9\\ud83d\\ude00\"",
            "[]",
            "{}",
            " [ 1 , {\"a\" : [ null , true , false ] } ] ",
            "{\"a\":{\"b\":{}}}",
        ] {
            assert!(skips(ok), "{ok}");
        }
        for bad in [
            "",
            "01",
            "+1",
            ".5",
            "1.",
            "1e",
            "-",
            "0x1",
            "NaN",
            "[1,]",
            "{\"a\":1,}",
            "[1 2]",
            "{\"a\" 1}",
            "{a:1}",
            "'a'",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12\"",
            "tru",
            "nul",
            "[}",
            "{]",
            "[1]]",
            "\"a",
        ] {
            assert!(!skips(bad), "{bad:?}");
        }
        // Lone surrogates are fine to skip (only decoding refuses them).
        assert!(skips("\"\\ud800\""));
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        let n = 100_000;
        let deep = alloc::format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(skips(&deep));
        let mixed = alloc::format!("{}1{}", "{\"a\":[".repeat(n), "]}".repeat(n));
        assert!(skips(&mixed));
        let unbalanced = alloc::format!("{}1{}", "{\"a\":[".repeat(100), "}]".repeat(100));
        assert!(!skips(&unbalanced));
        assert!(!skips(&"[".repeat(n)));
    }

    #[test]
    fn strings_decode_with_surrogate_pairs() {
        let mut r = Reader::new(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00z""#, false);
        let s = r.string().unwrap();
        assert!(s.has_escapes());
        assert_eq!(s.to_string().unwrap(), "a\"b\\c/d\u{8}\u{c}\n\r\t\u{e9}\u{1f600}z");
        for lone in [r#""\ud800""#, r#""\udc00""#, r#""\ud800\u0041""#, r#""\ud800x""#] {
            let mut r = Reader::new(lone, false);
            let s = r.string().unwrap();
            assert!(s.to_string().is_err(), "{lone}");
        }
        let mut buf = [0u8; NAME_BUF];
        let mut r = Reader::new(r#""\u0074ype""#, false);
        assert_eq!(r.string().unwrap().decode_small(&mut buf), Some("type"));
    }

    #[test]
    fn integers_and_their_errors() {
        let int = |s: &str| Reader::new(s, false).int(i64::from(i32::MIN), i64::from(i32::MAX));
        assert_eq!(int("0"), Ok(0));
        assert_eq!(int("-0"), Ok(0));
        assert_eq!(int("2147483647"), Ok(2_147_483_647));
        assert_eq!(int("-2147483648"), Ok(-2_147_483_648));
        let kind = |s: &str| int(s).unwrap_err().kind;
        assert_eq!(kind("2147483648"), ErrorKind::Value);
        assert_eq!(kind("-2147483649"), ErrorKind::Value);
        assert_eq!(kind("18446744073709551616"), ErrorKind::Value);
        assert_eq!(kind("-9223372036854775809"), ErrorKind::Value);
        assert_eq!(kind("1.0"), ErrorKind::Type);
        assert_eq!(kind("1e0"), ErrorKind::Type);
        assert_eq!(kind("1e400"), ErrorKind::Value);
        assert_eq!(kind("-1e400"), ErrorKind::Value);
        assert_eq!(kind("\"1\""), ErrorKind::Type);
        assert_eq!(kind("null"), ErrorKind::Type);
        let big = Reader::new("-9223372036854775808", false).int(i64::MIN, i64::MAX);
        assert_eq!(big, Ok(i64::MIN));
    }

    #[test]
    fn numbers_convert_to_the_nearest_f64() {
        for (s, v) in [
            ("0", 0.0),
            ("16", 16.0),
            ("6.5", 6.5),
            ("0.1", 0.1),
            ("-0.125", -0.125),
            ("7.36e3", 7360.0),
            ("1.1E4", 11000.0),
            ("3.2e1", 32.0),
            ("230.1", 230.1),
            ("0.0001", 0.0001),
            ("18446744073709551615", 18_446_744_073_709_551_615.0),
        ] {
            assert_eq!(number_to_f64(s), v, "{s}");
        }
        // Beyond the exact range: within a few units in the last place.
        for (s, v) in [
            ("1e300", 1e300),
            ("1e-300", 1e-300),
            ("123456789012345678901234567890", 1.2345678901234568e29),
            ("1.7976931348623157e308", f64::MAX),
        ] {
            let got = number_to_f64(s);
            assert!((got - v).abs() <= v.abs() * 1e-15, "{s}: {got}");
        }
        assert!(number_to_f64("1e400").is_infinite());
        assert!(number_to_f64("-1e400").is_infinite());
        assert_eq!(number_to_f64("1e-400"), 0.0);
        assert_eq!(number_to_f64("0e999999999"), 0.0);
        assert!(number_to_f64("-0.0").is_sign_negative());
    }

    #[test]
    fn objects_track_unknown_and_duplicate_fields() {
        const NAMES: &[&str] = &["a", "b"];
        let read = |s: &str, lenient: bool| -> Result<u32, Error> {
            let mut r = Reader::new(s, lenient);
            let mut o = r.object()?;
            let mut sum = 0;
            while let Some(i) = r.field(&mut o, NAMES)? {
                sum += u32::try_from(r.int(0, 9)?).unwrap_or(0) << (i * 4);
            }
            r.finish()?;
            Ok(sum)
        };
        assert_eq!(read(r#"{"b":2,"a":1}"#, false), Ok(0x21));
        assert_eq!(read(r#"{"\u0061":1}"#, false), Ok(1));
        assert_eq!(read(r#"{"a":1,"c":[{}]}"#, true), Ok(1));
        assert_eq!(
            read(r#"{"a":1,"c":3}"#, false).unwrap_err().kind,
            ErrorKind::UnknownField
        );
        assert_eq!(
            read(r#"{"a":1,"a":2}"#, true).unwrap_err().kind,
            ErrorKind::DuplicateField
        );
        assert_eq!(read(r#"{"a":1,}"#, true).unwrap_err().kind, ErrorKind::Syntax);
        assert_eq!(read(r#"{,"a":1}"#, true).unwrap_err().kind, ErrorKind::Syntax);
        assert_eq!(read(r#"{"a":1"b":2}"#, true).unwrap_err().kind, ErrorKind::Syntax);
        assert_eq!(read(r#"[1]"#, true).unwrap_err().kind, ErrorKind::Type);
        assert_eq!(read(r#"{"\ud800":1}"#, true).unwrap_err().kind, ErrorKind::Syntax);
    }
}
