//! UTC wall-clock time for OCPP payloads: a hand-rolled RFC 3339 parser and printer.
//!
//! OCPP 1.6 edition 2 §3.15 (and the JSON schemas' `date-time` format) carry every timestamp as an
//! RFC 3339 string. [`DateTime`] stores milliseconds since the Unix epoch, so comparing and
//! adding is integer arithmetic; the civil calendar (proleptic Gregorian) is only computed
//! when parsing, printing, or for the smart-charging helpers.

use core::fmt;

use crate::json::{self, FromJson, Reader, ToJson, Writer};

const MS_PER_SEC: i64 = 1000;
const MS_PER_DAY: i64 = 86_400_000;

/// Days from 1970-01-01 to 0000-01-01 (negative): the first instant [`DateTime`] prints.
const MIN_DAYS: i64 = -719_528;
/// Days from 1970-01-01 to 9999-12-31: the last day [`DateTime`] prints.
const MAX_DAYS: i64 = 2_932_896;

/// A UTC date and time with millisecond resolution, stored as milliseconds since
/// 1970-01-01T00:00:00Z.
///
/// Any `i64` is a valid value; [`DateTime::parse`] only produces years 0000..=9999 (shifted by
/// at most a day by the zone offset), and [`fmt::Display`] clamps values outside
/// 0000-01-01T00:00:00Z..=9999-12-31T23:59:59.999Z to those bounds, because RFC 3339 has
/// exactly four year digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(i64);

/// Why a string is not an RFC 3339 date-time that OCPP accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// The text does not have the shape `YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)`.
    Format,
    /// The time has no zone designator; OCPP 1.6 requires one (local times are ambiguous).
    NoZone,
    /// A field is out of range (month 13, February 30, hour 24, offset +24:00, ...).
    Range,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeError::Format => "not an RFC 3339 date-time",
            TimeError::NoZone => "date-time without a zone designator",
            TimeError::Range => "date-time field out of range",
        })
    }
}

impl DateTime {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: DateTime = DateTime(0);

    /// The instant `ms` milliseconds after 1970-01-01T00:00:00Z (negative: before).
    pub const fn from_unix_millis(ms: i64) -> DateTime {
        DateTime(ms)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// The instant `s` seconds after 1970-01-01T00:00:00Z, saturating.
    pub const fn from_unix_secs(s: i64) -> DateTime {
        DateTime(s.saturating_mul(MS_PER_SEC))
    }

    /// Whole seconds since 1970-01-01T00:00:00Z, rounded towards the past.
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(MS_PER_SEC)
    }

    /// `self` moved by `ms` milliseconds (negative: earlier), saturating.
    pub const fn plus_millis(self, ms: i64) -> DateTime {
        DateTime(self.0.saturating_add(ms))
    }

    /// Signed milliseconds from `earlier` to `self` (negative if `earlier` is later), saturating.
    pub const fn millis_since(self, earlier: DateTime) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Seconds since the start of the UTC day, 0..=86399.
    pub fn seconds_of_day(self) -> u32 {
        // rem_euclid keeps the result in 0..MS_PER_DAY even before 1970.
        u32::try_from(self.0.rem_euclid(MS_PER_DAY) / MS_PER_SEC).unwrap_or(0)
    }

    /// Day of the week in UTC: 0 = Monday, 1 = Tuesday, ..., 6 = Sunday (ISO 8601 order,
    /// what a Weekly recurring charging profile counts from).
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (3 in this numbering).
        u8::try_from((self.0.div_euclid(MS_PER_DAY) + 3).rem_euclid(7)).unwrap_or(0)
    }

    /// Midnight (00:00:00.000Z) at the start of this UTC day.
    pub fn start_of_day(self) -> DateTime {
        DateTime(self.0 - self.0.rem_euclid(MS_PER_DAY))
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any
    /// number of digits (milliseconds are kept, further digits truncated), then `Z` or a
    /// `+HH:MM` / `-HH:MM` offset, which is applied. `t` and `z` are accepted in lower case
    /// (RFC 3339 §5.6). A missing zone is an error on purpose: OCPP times are absolute.
    ///
    /// A leap second (`:60`, RFC 3339 §5.7) is read as `:59.999` of the same minute, so it
    /// sorts after every other instant of that minute and before the next one.
    pub fn parse(s: &str) -> Result<DateTime, TimeError> {
        let b = s.as_bytes();
        let year = digits(b, 0, 4)?;
        sep(b, 4, b'-')?;
        let month = digits(b, 5, 2)?;
        sep(b, 7, b'-')?;
        let day = digits(b, 8, 2)?;
        match b.get(10) {
            Some(b'T' | b't') => {}
            _ => return Err(TimeError::Format),
        }
        let hour = digits(b, 11, 2)?;
        sep(b, 13, b':')?;
        let minute = digits(b, 14, 2)?;
        sep(b, 16, b':')?;
        let mut second = digits(b, 17, 2)?;

        let mut pos = 19;
        let mut millis = 0;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while let Some(c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                if pos - start < 3 {
                    millis = millis * 10 + u32::from(c - b'0');
                }
                pos += 1;
            }
            match pos - start {
                0 => return Err(TimeError::Format),
                1 => millis *= 100,
                2 => millis *= 10,
                _ => {}
            }
        }

        let offset_secs: i64 = match b.get(pos) {
            None => return Err(TimeError::NoZone),
            Some(b'Z' | b'z') => {
                pos += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, pos + 1, 2)?;
                sep(b, pos + 3, b':')?;
                let om = digits(b, pos + 4, 2)?;
                pos += 6;
                if oh > 23 || om > 59 {
                    return Err(TimeError::Range);
                }
                let secs = i64::from(oh * 3600 + om * 60);
                if sign == b'-' {
                    -secs
                } else {
                    secs
                }
            }
            Some(_) => return Err(TimeError::Format),
        };
        if pos != b.len() {
            return Err(TimeError::Format);
        }

        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(TimeError::Range);
        }
        if second == 60 {
            second = 59;
            millis = 999;
        }

        let days = days_from_civil(i64::from(year), month, day);
        let secs = i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
        Ok(DateTime(days * MS_PER_DAY + secs * MS_PER_SEC + i64::from(millis)))
    }
}

/// `n` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Result<u32, TimeError> {
    let mut v = 0u32;
    for i in at..at + n {
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => v = v * 10 + u32::from(c - b'0'),
            _ => return Err(TimeError::Format),
        }
    }
    Ok(v)
}

/// The separator `c` at `at`.
fn sep(b: &[u8], at: usize, c: u8) -> Result<(), TimeError> {
    if b.get(at) == Some(&c) {
        Ok(())
    } else {
        Err(TimeError::Format)
    }
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date, by counting in 400-year
/// eras that start on March 1st (so the leap day is the last day of an era-year).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    // Months counted from March: Mar = 0 ... Feb = 11; 153 days per 5 months.
    let m = i64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 = days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian (year, month, day) of a day number counted from 0000-01-01
/// (the inverse of [`days_from_civil`], shifted): unsigned 32-bit arithmetic, whose
/// divisions by constants are cheap multiplications on every target.
fn civil_from_days(days_from_0000: u32) -> (u32, u32, u32) {
    // Days from -0400-03-01 (an era start, so nothing below is negative): 0000-01-01 is
    // 146_097 - 60 days after it.
    let z = days_from_0000 + 146_097 - 60;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let m = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * m + 2) / 5 + 1;
    let month = if m < 10 { m + 3 } else { m - 9 };
    let year = (year_of_era + era * 400 + u32::from(month <= 2)).saturating_sub(400);
    (year, month, day)
}

/// The longest text [`DateTime::to_rfc3339`] writes: `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub const RFC3339_MAX_LEN: usize = 24;

impl DateTime {
    /// `YYYY-MM-DDTHH:MM:SSZ`, or `YYYY-MM-DDTHH:MM:SS.sssZ` when the milliseconds are not
    /// zero, written into `buf` (no formatting machinery); clamped to years 0000..=9999.
    pub fn to_rfc3339(self, buf: &mut [u8; RFC3339_MAX_LEN]) -> &str {
        let len = self.rfc3339_bytes(buf);
        core::str::from_utf8(buf.get(..len).unwrap_or(&[])).unwrap_or("")
    }

    /// [`Self::to_rfc3339`] as ASCII bytes in `buf`; their number.
    fn rfc3339_bytes(self, buf: &mut [u8; RFC3339_MAX_LEN]) -> usize {
        let min = MIN_DAYS * MS_PER_DAY;
        let max = (MAX_DAYS + 1) * MS_PER_DAY - 1;
        // From 0000-01-01, never negative after the clamp: unsigned divisions from here on.
        let ms = u64::try_from(self.0.clamp(min, max) - min).unwrap_or(0);
        let days = u32::try_from(ms / MS_PER_DAY as u64).unwrap_or(0);
        let (year, month, day) = civil_from_days(days);
        let in_day = (ms % MS_PER_DAY as u64) as u32;
        let secs = in_day / 1000;
        let frac = in_day % 1000;
        let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
        let [y0, y1] = two(year / 100);
        let [y2, y3] = two(year);
        let [mo0, mo1] = two(month);
        let [d0, d1] = two(day);
        let [h0, h1] = two(secs / 3600);
        let [mi0, mi1] = two(secs / 60 % 60);
        let [s0, s1] = two(secs % 60);
        let ([t0, t1, t2, t3, t4], len) = if frac == 0 {
            ([b'Z', b'0', b'0', b'0', b'Z'], 20)
        } else {
            let [f0, f12 @ ..] = [frac / 100, frac / 10 % 10, frac % 10].map(|d| b'0' + d as u8);
            let [f1, f2] = f12;
            ([b'.', f0, f1, f2, b'Z'], RFC3339_MAX_LEN)
        };
        *buf = [
            y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, t0, t1, t2, t3,
            t4,
        ];
        len
    }
}

impl fmt::Display for DateTime {
    /// See [`DateTime::to_rfc3339`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_rfc3339(&mut [0; RFC3339_MAX_LEN]))
    }
}

impl ToJson for DateTime {
    fn write_json(&self, w: &mut Writer<'_>) {
        /// Word-aligned, so the UTF-8 check of `from_utf8` takes its fast path.
        #[repr(align(8))]
        struct Quoted([u8; 32]);
        let mut buf = [0; RFC3339_MAX_LEN];
        let len = self.rfc3339_bytes(&mut buf);
        // In its quotes, copied in one piece.
        let mut quoted = Quoted([b'"'; 32]);
        if let (Some(dst), Some(src)) = (quoted.0.get_mut(1..=len), buf.get(..len)) {
            dst.copy_from_slice(src);
        }
        w.raw(core::str::from_utf8(quoted.0.get(..len + 2).unwrap_or(&[])).unwrap_or("\"\""));
    }
}

impl FromJson for DateTime {
    /// A string that is not an RFC 3339 date-time with a zone is a value error.
    fn read_json(r: &mut Reader<'_>) -> Result<Self, json::Error> {
        let s = r.string()?;
        let parsed = if s.has_escapes() {
            let mut buf = [0u8; 64];
            match s.decode_small(&mut buf) {
                Some(t) => DateTime::parse(t).ok(),
                // Long, with escapes: any number of fraction digits is allowed.
                None => s.to_string().ok().and_then(|t| DateTime::parse(&t).ok()),
            }
        } else {
            DateTime::parse(s.raw()).ok()
        };
        parsed.ok_or_else(|| r.error(json::ErrorKind::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn p(s: &str) -> i64 {
        match DateTime::parse(s) {
            Ok(t) => t.unix_millis(),
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn parses_zulu_and_fractions() {
        assert_eq!(p("1970-01-01T00:00:00Z"), 0);
        assert_eq!(p("2013-02-01T20:53:32.486Z"), 1_359_752_012_486);
        assert_eq!(p("2013-02-01T20:53:32Z"), 1_359_752_012_000);
        assert_eq!(p("2013-02-01T20:53:32.4Z"), 1_359_752_012_400);
        assert_eq!(p("2013-02-01T20:53:32.48Z"), 1_359_752_012_480);
        // Digits past the millisecond are truncated, not rounded.
        assert_eq!(p("2013-02-01T20:53:32.486999999Z"), 1_359_752_012_486);
        assert_eq!(p("2013-02-01t20:53:32.000z"), 1_359_752_012_000);
        assert_eq!(p("2026-01-01T00:00:00Z"), 1_767_225_600_000);
        assert_eq!(p("1969-12-31T23:59:59.999Z"), -1);
        assert_eq!(p("0000-01-01T00:00:00Z"), MIN_DAYS * MS_PER_DAY);
        assert_eq!(p("9999-12-31T00:00:00Z"), MAX_DAYS * MS_PER_DAY);
    }

    #[test]
    fn applies_offsets() {
        let utc = p("2024-06-30T22:15:00Z");
        assert_eq!(p("2024-07-01T00:15:00+02:00"), utc);
        assert_eq!(p("2024-06-30T16:45:00-05:30"), utc);
        assert_eq!(p("2024-06-30T22:15:00-00:00"), utc);
        assert_eq!(p("2024-06-30T22:15:00+00:00"), utc);
    }

    #[test]
    fn leap_days_and_leap_seconds() {
        assert_eq!(p("2024-02-29T12:00:00Z"), 1_709_208_000_000);
        assert_eq!(p("2000-02-29T00:00:00Z"), 951_782_400_000);
        assert_eq!(DateTime::parse("2023-02-29T00:00:00Z"), Err(TimeError::Range));
        assert_eq!(DateTime::parse("1900-02-29T00:00:00Z"), Err(TimeError::Range));
        // :60 sorts as :59.999 of the same minute.
        assert_eq!(p("2016-12-31T23:59:60Z"), p("2016-12-31T23:59:59.999Z"));
        assert_eq!(p("2016-12-31T23:59:60.5Z"), p("2016-12-31T23:59:59.999Z"));
    }

    #[test]
    fn rejects_bad_strings() {
        for (s, e) in [
            ("2024-01-01T00:00:00", TimeError::NoZone),
            ("2024-01-01T00:00:00.123", TimeError::NoZone),
            ("2024-01-01 00:00:00Z", TimeError::Format),
            ("2024-01-01", TimeError::Format),
            ("", TimeError::Format),
            ("24-01-01T00:00:00Z", TimeError::Format),
            ("2024-1-01T00:00:00Z", TimeError::Format),
            ("2024-01-01T00:00:00.Z", TimeError::Format),
            ("2024-01-01T00:00:00ZZ", TimeError::Format),
            ("2024-01-01T00:00:00+0100", TimeError::Format),
            ("2024-01-01T00:00:00+01", TimeError::Format),
            ("2024-01-01T00:00:00 Z", TimeError::Format),
            ("2024-01-01T00:00:00UTC", TimeError::Format),
            ("+2024-01-01T00:00:00Z", TimeError::Format),
            ("2024-01-01T00:00:0aZ", TimeError::Format),
            ("2024-01-01T00:00:00Z\u{e9}", TimeError::Format),
            ("2024-13-01T00:00:00Z", TimeError::Range),
            ("2024-00-01T00:00:00Z", TimeError::Range),
            ("2024-04-31T00:00:00Z", TimeError::Range),
            ("2024-01-00T00:00:00Z", TimeError::Range),
            ("2024-01-01T24:00:00Z", TimeError::Range),
            ("2024-01-01T00:60:00Z", TimeError::Range),
            ("2024-01-01T00:00:61Z", TimeError::Range),
            ("2024-01-01T00:00:00+24:00", TimeError::Range),
            ("2024-01-01T00:00:00+01:60", TimeError::Range),
        ] {
            assert_eq!(DateTime::parse(s), Err(e), "{s}");
        }
    }

    #[test]
    fn formats_with_and_without_millis() {
        let t = DateTime::from_unix_millis(1_359_752_012_486);
        assert_eq!(t.to_string(), "2013-02-01T20:53:32.486Z");
        assert_eq!(t.plus_millis(-486).to_string(), "2013-02-01T20:53:32Z");
        assert_eq!(t.plus_millis(-476).to_string(), "2013-02-01T20:53:32.010Z");
        assert_eq!(DateTime::from_unix_millis(-1).to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(DateTime::UNIX_EPOCH.to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(DateTime::from_unix_millis(i64::MIN).to_string(), "0000-01-01T00:00:00Z");
        assert_eq!(
            DateTime::from_unix_millis(i64::MAX).to_string(),
            "9999-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn display_round_trips_every_day_of_a_leap_cycle_edge() {
        // Walk day by day across 1999-12-25..2001-01-05 and 2099-12-25..2100-03-05 with an
        // odd time of day: parse(display(t)) == t catches any calendar slip.
        for start in ["1999-12-25T13:07:09.123Z", "2099-12-25T23:59:59.001Z"] {
            let mut t = DateTime::parse(start).unwrap();
            for _ in 0..400 {
                let s = t.to_string();
                assert_eq!(DateTime::parse(&s), Ok(t), "{s}");
                t = t.plus_millis(MS_PER_DAY);
            }
        }
        assert_eq!(p("2100-03-01T00:00:00Z") - p("2100-02-28T00:00:00Z"), MS_PER_DAY);
    }

    #[test]
    fn civil_helpers() {
        let t = DateTime::parse("2024-02-29T13:45:10.250+01:00").unwrap();
        assert_eq!(t.seconds_of_day(), 12 * 3600 + 45 * 60 + 10);
        assert_eq!(t.weekday(), 3); // Thursday
        assert_eq!(t.start_of_day().to_string(), "2024-02-29T00:00:00Z");
        assert_eq!(DateTime::parse("2024-03-04T00:00:00Z").map(DateTime::weekday), Ok(0));
        assert_eq!(DateTime::parse("2024-03-10T23:59:59Z").map(DateTime::weekday), Ok(6));
        let before = DateTime::from_unix_millis(-1);
        assert_eq!(before.seconds_of_day(), 86_399);
        assert_eq!(before.weekday(), 2); // Wednesday 1969-12-31
        assert_eq!(before.start_of_day().unix_millis(), -MS_PER_DAY);
        assert_eq!(before.unix_secs(), -1);
    }

    #[test]
    fn arithmetic_saturates() {
        let t = DateTime::from_unix_secs(100);
        assert_eq!(t.unix_millis(), 100_000);
        assert_eq!(t.millis_since(DateTime::from_unix_secs(101)), -1000);
        assert_eq!(DateTime::from_unix_secs(i64::MAX).unix_millis(), i64::MAX);
        assert_eq!(
            DateTime::from_unix_millis(i64::MAX).plus_millis(1).unix_millis(),
            i64::MAX
        );
        assert_eq!(
            DateTime::from_unix_millis(i64::MIN).millis_since(DateTime::from_unix_millis(1)),
            i64::MIN
        );
    }

    #[test]
    fn json_uses_the_string_form() {
        let t: DateTime = json::from_str(r#""2019-04-12T23:20:50.52Z""#).unwrap();
        assert_eq!(t.unix_millis(), 1_555_111_250_520);
        assert_eq!(json::to_string(&t), r#""2019-04-12T23:20:50.520Z""#);
        let err = json::from_str::<DateTime>(r#""2019-04-12T23:20:50""#).unwrap_err();
        assert_eq!(err.kind, json::ErrorKind::Value);
        let err = json::from_str::<DateTime>("1555111250").unwrap_err();
        assert_eq!(err.kind, json::ErrorKind::Type);
        // Escapes are decoded first; fractions of any length are read, escaped or not.
        let t: DateTime = json::from_str(r#""2019-04-12\u005423:20:50Z""#).unwrap();
        assert_eq!(t.unix_millis(), 1_555_111_250_000);
        let digits = "9".repeat(60);
        let long = alloc::format!("\"2019-04-12T23:20:50.{digits}Z\"");
        assert_eq!(
            json::from_str::<DateTime>(&long).map(|t| t.unix_millis() % 1000),
            Ok(999)
        );
        let long = alloc::format!("\"2019-04-12\\u005423:20:50.{digits}Z\"");
        assert_eq!(
            json::from_str::<DateTime>(&long).map(|t| t.unix_millis() % 1000),
            Ok(999)
        );
    }
}
