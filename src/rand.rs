//! Injected randomness: the crate never asks the platform for entropy by itself.
//!
//! WebSocket masking keys, the `Sec-WebSocket-Key`, message-id nonces and reconnect jitter
//! come from a [`Random`] source the host hands in (a hardware RNG on firmware,
//! the OS on Linux, a fixed seed in tests).

/// A source of random 32-bit words.
pub trait Random {
    /// The next random word.
    fn next_u32(&mut self) -> u32;

    /// Fills `buf` with random bytes.
    fn fill_bytes(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            for (dst, src) in chunk.iter_mut().zip(word) {
                *dst = src;
            }
        }
    }
}

/// A small xorshift generator, seeded by the host from real entropy.
///
/// Good enough for WebSocket masks (RFC 6455 §10.3 asks that they be unpredictable to
/// the application, not secret) and jitter; seed it from a hardware source.
#[derive(Clone, Debug)]
pub struct XorShift32(u32);

impl XorShift32 {
    /// A generator from `seed`; a zero seed is replaced by a fixed non-zero one.
    pub fn new(seed: u32) -> Self {
        XorShift32(if seed == 0 { 0x9E37_79B9 } else { seed })
    }
}

impl Random for XorShift32 {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_is_deterministic_and_fills_odd_lengths() {
        let mut a = XorShift32::new(1);
        let mut b = XorShift32::new(1);
        let mut buf_a = [0u8; 7];
        let mut buf_b = [0u8; 7];
        a.fill_bytes(&mut buf_a);
        b.fill_bytes(&mut buf_b);
        assert_eq!(buf_a, buf_b);
        assert_ne!(buf_a, [0u8; 7]);
        assert_ne!(XorShift32::new(0).next_u32(), 0);
    }
}
