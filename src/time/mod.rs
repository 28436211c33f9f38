//! Time as the caller passes it in: a monotonic [`Instant`] in milliseconds and a UTC
//! [`DateTime`] (see [`rfc3339`]). The crate never reads a clock.

pub mod rfc3339;

pub use rfc3339::DateTime;

use core::fmt;
use core::ops::{Add, Sub};

/// A point on the caller's monotonic clock, in milliseconds since an arbitrary origin.
///
/// The charge point never reads a clock: every input carries the current `Instant`, and
/// [`crate::cp::ChargePoint::poll_timeout`] returns the next one at which it wants to be
/// called. A virtual clock in tests is just a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The origin of the clock.
    pub const ZERO: Instant = Instant(0);

    /// An instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    pub const fn millis_since(self, earlier: Instant) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// `self` plus `ms` milliseconds, saturating at the end of time.
    pub const fn plus_millis(self, ms: u64) -> Instant {
        Instant(self.0.saturating_add(ms))
    }

    /// `self` plus `s` seconds, saturating at the end of time.
    pub const fn plus_secs(self, s: u64) -> Instant {
        self.plus_millis(s.saturating_mul(1000))
    }
}

impl Add<core::time::Duration> for Instant {
    type Output = Instant;
    fn add(self, d: core::time::Duration) -> Instant {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        self.plus_millis(ms)
    }
}

impl Sub<Instant> for Instant {
    type Output = core::time::Duration;
    fn sub(self, earlier: Instant) -> core::time::Duration {
        core::time::Duration::from_millis(self.millis_since(earlier))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_arithmetic_saturates() {
        let t = Instant::from_millis(1500);
        assert_eq!(t.plus_secs(2).as_millis(), 3500);
        assert_eq!(Instant::from_millis(u64::MAX).plus_secs(1).as_millis(), u64::MAX);
        assert_eq!(Instant::ZERO.millis_since(t), 0);
        assert_eq!(t - Instant::from_millis(500), core::time::Duration::from_secs(1));
    }
}
