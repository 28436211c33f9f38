//! Persistence that survives power cuts, over a key/blob [`Storage`] the host provides.
//!
//! What must outlive a reboot (queued StartTransaction, StopTransaction and transaction
//! MeterValues, the open transaction per connector, configuration, the local authorization
//! list, charging profiles) goes through two shapes:
//!
//! - [`Record`]: one value under one key, kept in two slots (`<key>.a`, `<key>.b`) so that a
//!   torn write leaves the previous value readable.
//! - [`Journal`]: the ordered queue of transaction messages in a ring of checksummed entries
//!   (`j0`..`jN`); appended, replaced and removed in any order.
//!
//! The storage promises nothing but this: a write cut by a power failure leaves any prefix of
//! the new bytes, or garbage. Every slot therefore carries a header (magic, sequence numbers,
//! length, CRC-32) and is accepted only when all of it checks out; sequence numbers decide
//! which of several valid copies is current. A power cut at any write leaves either the old
//! or the new value, never a corrupt one read back as valid.
//!
//! Backends: [`MemStorage`] (RAM: tests, firmware without flash), `FileStorage` (a file per
//! key, `std` only: the simulator's `--state-dir`), ESPHome preferences on the C++ side, and
//! [`Faulty`], a wrapper around any of them that fails or tears a chosen write for tests.
//!
//! ## Sizes
//! Every slot is [`HEADER_LEN`] (28) bytes plus its data.
//! - A [`Record`] of `n` bytes (at most [`MAX_RECORD_LEN`]) takes two slots:
//!   `2 x (28 + n)` bytes.
//! - A [`Journal`] of capacity `c` holding entries of at most `m` bytes
//!   ([`MAX_ENTRY_LEN`] by default) takes `c + 1` slots (one spare makes `replace`
//!   crash-consistent) plus its slot-count record:
//!   `(c + 1) x (28 + m) + 2 x 32` bytes at most. Capacity 64 with 1 KiB entries: 66.8 KiB
//!   worst case; a transaction with `k` queued MeterValues uses `k + 2` entries.

mod fault;
#[cfg(feature = "std")]
mod file;
mod journal;
mod mem;
mod record;

pub use fault::{Fault, Faulty};
#[cfg(feature = "std")]
pub use file::FileStorage;
pub use journal::{Journal, Replay, MAX_CAPACITY, MAX_ENTRY_LEN};
pub use mem::MemStorage;
pub use record::{Record, MAX_RECORD_LEN};

use alloc::vec::Vec;
use core::fmt;

/// Longest key a [`Storage`] must accept (ESPHome hashes keys; files are named after them).
pub const MAX_KEY_LEN: usize = 15;

/// Bytes of header in front of every stored slot: magic (4), two sequence numbers (8 + 8),
/// data length (4), CRC-32 (4).
pub const HEADER_LEN: usize = 28;

/// Key/blob storage. Keys are short ASCII strings (<= 15 chars; ESPHome hashes them to u32).
/// A write may be torn by a power cut (any prefix of the new bytes, or garbage); nothing else
/// is assumed. No write is atomic.
///
/// Implementations: [`MemStorage`], `FileStorage` (`std`), [`Faulty`] (fault injection),
/// ESPHome preferences through the C ABI. Keys used here pass [`check_key`].
pub trait Storage {
    /// Reads the value under `key` into `buf` (replacing its contents); `Ok(false)` when the
    /// key is absent. Trailing bytes after a slot's data are ignored, so a backend may pad.
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError>;
    /// Stores `data` under `key`, durably once it returns `Ok`.
    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError>;
    /// Removes `key`, durably once it returns `Ok`; removing an absent key is `Ok`. A backend
    /// that cannot delete (ESPHome preferences) may store an empty value instead: everything
    /// here reads an empty value as an absent one.
    fn remove(&mut self, key: &str) -> Result<(), StorageError>;
}

/// Why a storage operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// The medium failed (or power is gone); the write may have happened, partly or fully.
    Io,
    /// No room: the medium is full, or the journal holds `capacity` entries.
    Full,
    /// The value is longer than the journal's entry limit, [`MAX_RECORD_LEN`] or the medium's.
    TooLarge,
    /// The key is empty, longer than [`MAX_KEY_LEN`] or not made of `[A-Za-z0-9_.-]`.
    BadKey,
    /// The journal holds no entry with that sequence number.
    NotFound,
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StorageError::Io => "storage I/O error",
            StorageError::Full => "storage full",
            StorageError::TooLarge => "value too large for storage",
            StorageError::BadKey => "invalid storage key",
            StorageError::NotFound => "no such journal entry",
        })
    }
}

impl core::error::Error for StorageError {}

/// Checks that `key` is 1..=15 characters of `[A-Za-z0-9_.-]` not starting with `.`
/// (safe as a file name, short enough for every backend).
pub fn check_key(key: &str) -> Result<(), StorageError> {
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    if key.is_empty() || key.len() > MAX_KEY_LEN || key.starts_with('.') || !key.bytes().all(ok_char) {
        return Err(StorageError::BadKey);
    }
    Ok(())
}

/// The reflected CRC-32 polynomial (IEEE 802.3, as in zlib and PNG).
const POLY: u32 = 0xEDB8_8320;

/// CRC of every 4-bit value: 64 bytes of table, two lookups per byte.
const NIBBLE_TABLE: [u32; 16] = {
    let mut table = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 4 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// Feeds `data` into a running (pre-inverted) CRC-32 register.
fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc ^= u32::from(b);
        // Masked to 4 bits, so the index is always in 0..16.
        crc = (crc >> 4) ^ NIBBLE_TABLE[(crc & 0xF) as usize];
        crc = (crc >> 4) ^ NIBBLE_TABLE[(crc & 0xF) as usize];
    }
    crc
}

/// CRC-32 (IEEE 802.3) of `data`; `crc32(b"123456789") == 0xCBF4_3926`.
pub fn crc32(data: &[u8]) -> u32 {
    !crc32_update(!0, data)
}

/// Builds a slot: header (`magic`, `a`, `b`, length, CRC-32 over header and data) + data.
fn encode(magic: [u8; 4], a: u64, b: u64, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + data.len());
    out.extend_from_slice(&magic);
    out.extend_from_slice(&a.to_le_bytes());
    out.extend_from_slice(&b.to_le_bytes());
    // Callers bound data far below 4 GiB (MAX_RECORD_LEN, the journal's entry limit).
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
    let crc = !crc32_update(crc32_update(!0, &out), data);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Checks a slot read back and returns `(a, b, data)`, or `None` for anything torn or foreign.
fn decode(magic: [u8; 4], slot: &[u8]) -> Option<(u64, u64, &[u8])> {
    let (head, rest) = slot.split_at_checked(HEADER_LEN)?;
    let field = |at: usize| {
        head.get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let word = |at: usize| {
        head.get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
    };
    if head.get(..4)? != magic {
        return None;
    }
    let len = usize::try_from(word(20)?).ok()?;
    let data = rest.get(..len)?;
    let crc = !crc32_update(crc32_update(!0, head.get(..24)?), data);
    if crc != word(24)? {
        return None;
    }
    Some((field(4)?, field(12)?, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn crc32_matches_known_vectors() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
        assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
    }

    #[test]
    fn slot_round_trips_and_rejects_every_tear() {
        let data = br#"[2,"19223201","StartTransaction",{"connectorId":1,"idTag":"04E5A2"}]"#;
        let slot = encode(*b"TEST", 7, 9, data);
        assert_eq!(slot.len(), HEADER_LEN + data.len());
        assert_eq!(decode(*b"TEST", &slot), Some((7, 9, &data[..])));
        // Padding after the data is ignored (fixed-size backends).
        let mut padded = slot.clone();
        padded.extend_from_slice(&[0xFF; 5]);
        assert_eq!(decode(*b"TEST", &padded), Some((7, 9, &data[..])));
        // Every proper prefix is rejected, and so is every single-bit flip.
        for n in 0..slot.len() {
            assert_eq!(decode(*b"TEST", &slot[..n]), None, "prefix {n}");
        }
        for bit in 0..slot.len() * 8 {
            let mut bad = slot.clone();
            if let Some(b) = bad.get_mut(bit / 8) {
                *b ^= 1 << (bit % 8);
            }
            assert_eq!(decode(*b"TEST", &bad), None, "bit {bit}");
        }
        assert_eq!(decode(*b"OTHR", &slot), None);
    }

    #[test]
    fn keys_are_checked() {
        assert_eq!(check_key("j0"), Ok(()));
        assert_eq!(check_key("cfg_profiles.a"), Ok(()));
        assert_eq!(check_key("0123456789abcde"), Ok(()));
        for bad in ["", "0123456789abcdef", "../x", "a/b", ".a", "é", "a b"] {
            assert_eq!(check_key(bad), Err(StorageError::BadKey), "{bad:?}");
        }
        assert_eq!(StorageError::Full.to_string(), "storage full");
    }
}
