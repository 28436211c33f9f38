//! Target `rfc3339`: [`DateTime::parse`] and its `Display`, against an independent oracle.
//!
//! Invariants:
//! - `parse` accepts exactly the strings the oracle below accepts, with the same instant
//!   (the oracle counts days per year and month instead of the library's 400-year eras);
//! - every accepted value prints as RFC 3339 that parses back to the same value (or to the
//!   bound it was clamped to, for offsets that push it outside years 0000..=9999), and the
//!   printed form is canonical (printing it again gives the same text);
//! - serde reads and writes the same string forms;
//! - the civil helpers agree with the printed form;
//! - with 8 or more input bytes, the first 8 as an `i64` of milliseconds also round-trip
//!   through `Display` and `parse`.

use ocpp_cp::time::DateTime;

const MS_PER_DAY: i64 = 86_400_000;

/// The instant `s` names, in milliseconds since 1970, or `None` when OCPP's RFC 3339
/// profile does not allow `s`: `YYYY-MM-DD(T|t)hh:mm:ss[.f+](Z|z|(+|-)hh:mm)`, fields in
/// range, `:60` read as `:59.999`, fraction truncated to milliseconds.
pub fn oracle(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let field = b.get(from..to)?;
        field
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| field.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let is = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, mut second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(is(4, b"-") && is(7, b"-") && is(10, b"Tt") && is(13, b":") && is(16, b":")) {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if is(at, b".") {
        let digits = b.get(at + 1..)?.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // First three digits, right-padded with zeros: ".5" is 500 ms, ".0507" is 50 ms.
        let mut first3 = [b'0'; 3];
        for (dst, src) in first3.iter_mut().zip(b.get(at + 1..at + 1 + digits)?) {
            *dst = *src;
        }
        millis = first3.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
        at += 1 + digits;
    }
    let offset_min = if is(at, b"Zz") {
        at += 1;
        0
    } else if is(at, b"+-") {
        let (oh, om) = (num(at + 1, at + 3)?, num(at + 4, at + 6)?);
        if !is(at + 3, b":") || oh > 23 || om > 59 {
            return None;
        }
        let sign = if is(at, b"-") { -1 } else { 1 };
        at += 6;
        sign * (oh * 60 + om)
    } else {
        return None;
    };
    if at != b.len() {
        return None;
    }
    let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let month_index = usize::try_from(month).ok()?.checked_sub(1)?;
    let days_in_month = *month_days.get(month_index)?;
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if second == 60 {
        second = 59;
        millis = 999;
    }
    // Leap years in [0, y): year 0 is one (divisible by 400).
    let leaps_before = |y: i64| {
        if y == 0 {
            0
        } else {
            (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400 + 1
        }
    };
    let days_before_year = |y: i64| 365 * y + leaps_before(y);
    let day_of_year: i64 = month_days.iter().take(month_index).sum::<i64>() + day - 1;
    let days = days_before_year(year) - days_before_year(1970) + day_of_year;
    let secs = ((days * 24 + hour) * 60 + minute) * 60 + second - offset_min * 60;
    Some(secs * 1000 + millis)
}

/// Checks one accepted value: printing, reading back, serde, civil helpers.
fn check_value(t: DateTime) {
    let lo = oracle("0000-01-01T00:00:00Z").unwrap_or(0);
    let hi = oracle("9999-12-31T23:59:59.999Z").unwrap_or(0);
    let printed = t.to_string();
    assert!(
        printed.len() == 20 || printed.len() == 24,
        "{t:?} printed as {printed:?}"
    );
    let again = DateTime::parse(&printed).unwrap_or_else(|e| panic!("{t:?} printed as {printed:?}, unreadable: {e:?}"));
    let expected = t.unix_millis().clamp(lo, hi);
    assert_eq!(again.unix_millis(), expected, "{t:?} printed as {printed:?}");
    assert_eq!(oracle(&printed), Some(expected), "oracle on {printed:?}");
    assert_eq!(again.to_string(), printed, "printing is canonical");

    let json = ocpp_cp::json::to_string(&t);
    assert_eq!(json, format!("\"{printed}\""));
    let read: DateTime = ocpp_cp::json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(read, again);

    // Civil helpers, on the printed (clamped) value.
    let ms = again.unix_millis();
    assert_eq!(again.start_of_day().unix_millis(), ms - ms.rem_euclid(MS_PER_DAY));
    assert_eq!(i64::from(again.seconds_of_day()), ms.rem_euclid(MS_PER_DAY) / 1000);
    assert!(again.seconds_of_day() < 86_400);
    // 1970-01-01 was a Thursday: 3 when Monday is 0.
    assert_eq!(
        i64::from(again.weekday()),
        (ms.div_euclid(MS_PER_DAY) + 3).rem_euclid(7)
    );
    let hms = printed.get(11..19).unwrap_or("");
    let secs = ms.rem_euclid(MS_PER_DAY) / 1000;
    assert_eq!(
        hms,
        format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
        "{printed}"
    );
}

/// The `rfc3339` fuzz target.
pub fn rfc3339(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let parsed = DateTime::parse(s);
        assert_eq!(
            parsed.ok().map(DateTime::unix_millis),
            oracle(s),
            "parse vs oracle on {s:?}"
        );
        // The JSON reader goes through the same parser: same verdict (the text escaped by
        // serde_json, so the reader decodes it first).
        let via_json = serde_json::to_string(s)
            .ok()
            .and_then(|lit| ocpp_cp::json::from_str::<DateTime>(&lit).ok());
        assert_eq!(via_json, parsed.ok(), "JSON reader vs parse on {s:?}");
        match parsed {
            Ok(t) => {
                assert!(s.is_ascii(), "accepted non-ASCII {s:?}");
                check_value(t);
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    if let Some(first8) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        check_value(DateTime::from_unix_millis(i64::from_le_bytes(first8)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oracle_agrees_with_known_instants() {
        assert_eq!(oracle("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(oracle("2013-02-01T20:53:32.486Z"), Some(1_359_752_012_486));
        assert_eq!(oracle("2024-07-01T00:15:00+02:00"), oracle("2024-06-30T22:15:00Z"));
        assert_eq!(oracle("2016-12-31T23:59:60Z"), oracle("2016-12-31T23:59:59.999Z"));
        assert_eq!(oracle("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(oracle("0000-01-01T00:00:00Z"), Some(-719_528 * MS_PER_DAY));
        assert_eq!(oracle("2013-02-01T20:53:32.0507z"), Some(1_359_752_012_050));
        for bad in [
            "1900-02-29T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+01:00x",
            "",
        ] {
            assert_eq!(oracle(bad), None, "{bad}");
        }
    }

    #[test]
    fn target_runs_on_samples() {
        for s in [
            "2026-01-01T00:00:00Z",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59.9999-23:59",
            "x",
        ] {
            rfc3339(s.as_bytes());
        }
        rfc3339(&i64::MIN.to_le_bytes());
        rfc3339(&i64::MAX.to_le_bytes());
    }
}
