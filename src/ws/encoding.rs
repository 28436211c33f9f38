//! SHA-1 (RFC 3174) and base64 (RFC 4648 §4) encoding: all the WebSocket handshake and
//! HTTP Basic auth need, hand-written to keep the firmware small.

use alloc::string::String;

/// The SHA-1 digest of `data`.
///
/// Used only for `Sec-WebSocket-Accept` (RFC 6455 §4.2.2), where it is a checksum, not a
/// security primitive.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut blocks = data.chunks_exact(64);
    for block in &mut blocks {
        compress(&mut h, block);
    }
    // RFC 3174 §4: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian word.
    let rest = blocks.remainder();
    let mut tail = [0u8; 128];
    let tail_len = if rest.len() < 56 { 64 } else { 128 };
    for (dst, src) in tail.iter_mut().zip(rest.iter().chain([0x80u8].iter())) {
        *dst = *src;
    }
    let bits = (data.len() as u64).wrapping_mul(8).to_be_bytes();
    for (dst, src) in tail.iter_mut().skip(tail_len - 8).zip(bits) {
        *dst = src;
    }
    for block in tail.chunks_exact(64).take(tail_len / 64) {
        compress(&mut h, block);
    }
    let mut out = [0u8; 20];
    for (dst, word) in out.chunks_exact_mut(4).zip(h) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn compress(h: &mut [u32; 5], block: &[u8]) {
    let mut w = [0u32; 80];
    for (dst, b) in w.iter_mut().zip(block.chunks_exact(4)) {
        *dst = <[u8; 4]>::try_from(b).map_or(0, u32::from_be_bytes);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for (i, wi) in w.iter().enumerate() {
        let (f, k) = match i {
            0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
            20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
            40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let t = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(*wi);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (dst, v) in h.iter_mut().zip([a, b, c, d, e]) {
        *dst = dst.wrapping_add(v);
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the padded base64 encoding of `input` to `out`.
pub(crate) fn base64_encode(input: &[u8], out: &mut String) {
    for chunk in input.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        // Each index is masked to 6 bits, so it is always inside the 64-entry alphabet.
        let sextet = |shift: u32| char::from(BASE64[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        let mut s = String::new();
        for b in bytes {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        s
    }

    fn b64(input: &[u8]) -> String {
        let mut s = String::new();
        base64_encode(input, &mut s);
        s
    }

    #[test]
    fn sha1_matches_fips_180_vectors() {
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        // 56 bytes: the padding spills into a second block.
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million_a = [b'a'; 1_000_000];
        assert_eq!(hex(&sha1(&million_a)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foo"), "Zm9v");
        assert_eq!(b64(b"foob"), "Zm9vYg==");
        assert_eq!(b64(b"fooba"), "Zm9vYmE=");
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64(&[0xfb, 0xff]), "+/8=");
    }
}
