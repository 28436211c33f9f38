//! The firmware's storage (ESPHome preferences, a flash KV store, files) as a [`Storage`].

use alloc::vec::Vec;
use core::ffi::{c_char, c_void};

use crate::store::{Storage, StorageError, MAX_KEY_LEN};

/// Key/blob storage the firmware provides; everything the charge point must keep across a
/// power cut goes through it (offline journal, open transactions, configuration, local
/// list, charging profiles).
///
/// Keys are at most 15 ASCII characters. A write cut by a power failure may leave any prefix
/// of the new bytes or garbage: the library checks every value (CRC-32, sequence numbers)
/// and never reads a torn one back as valid. Every callback returns 0 on success.
/// - `read`: copy the value under `key` into `buf` (at most `cap` bytes) and set `*len` to
///   the value's full length: 0 = found (if `*len > cap` the library calls again with a
///   buffer of `*len` bytes), 1 = absent, negative = failure.
/// - `write`: store `len` bytes durably (ESPHome: `global_preferences->sync()`) before
///   returning 0; -2 = no room, other negative = failure.
/// - `remove`: delete the key durably; a backend that cannot delete may store 0 bytes (an
///   empty value reads as absent).
///
/// `read == NULL` means no storage: the charge point keeps everything in RAM.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ocpp_cp_storage {
    /// Passed first to every callback.
    pub user: *mut c_void,
    /// Reads a value.
    pub read: Option<
        unsafe extern "C" fn(user: *mut c_void, key: *const c_char, buf: *mut u8, cap: usize, len: *mut usize) -> i32,
    >,
    /// Writes a value.
    pub write: Option<unsafe extern "C" fn(user: *mut c_void, key: *const c_char, data: *const u8, len: usize) -> i32>,
    /// Removes a value.
    pub remove: Option<unsafe extern "C" fn(user: *mut c_void, key: *const c_char) -> i32>,
}

/// A value longer than this from `read` is refused as a failure (the longest the library
/// writes is a journal entry of 4 KiB plus its header).
const READ_LIMIT: usize = 64 * 1024;

/// First buffer offered to `read`; most records are smaller.
const FIRST_READ: usize = 256;

/// [`ocpp_cp_storage`] as a [`Storage`].
pub(super) struct CStorage(pub(super) ocpp_cp_storage);

/// `key` as a NUL-terminated C string on the stack.
fn c_key(key: &str) -> Result<[u8; MAX_KEY_LEN + 1], StorageError> {
    let mut out = [0u8; MAX_KEY_LEN + 1];
    let bytes = key.as_bytes();
    if bytes.len() > MAX_KEY_LEN || bytes.contains(&0) {
        return Err(StorageError::Io);
    }
    out.get_mut(..bytes.len())
        .ok_or(StorageError::Io)?
        .copy_from_slice(bytes);
    Ok(out)
}

impl Storage for CStorage {
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
        let Some(read) = self.0.read else {
            return Ok(false);
        };
        let k = c_key(key)?;
        let mut cap = FIRST_READ;
        // Twice at most: the second call has room for the length the first one reported.
        for _ in 0..2 {
            buf.clear();
            buf.resize(cap, 0);
            let mut len = 0usize;
            // SAFETY: `buf` has `cap` writable bytes, `k` is NUL-terminated, `len` is valid;
            // the callback's contract is in the header.
            let rc = unsafe { read(self.0.user, k.as_ptr().cast(), buf.as_mut_ptr(), cap, &mut len) };
            match rc {
                0 if len <= cap => {
                    buf.truncate(len);
                    return Ok(true);
                }
                0 if len <= READ_LIMIT => cap = len,
                1 => {
                    buf.clear();
                    return Ok(false);
                }
                _ => break,
            }
        }
        buf.clear();
        Err(StorageError::Io)
    }

    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
        let Some(write) = self.0.write else {
            return Err(StorageError::Io);
        };
        let k = c_key(key)?;
        // SAFETY: `data` is readable for its length, `k` is NUL-terminated.
        match unsafe { write(self.0.user, k.as_ptr().cast(), data.as_ptr(), data.len()) } {
            0 => Ok(()),
            -2 => Err(StorageError::Full),
            _ => Err(StorageError::Io),
        }
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        let k = c_key(key)?;
        let rc = match self.0.remove {
            // SAFETY: `k` is NUL-terminated.
            Some(remove) => unsafe { remove(self.0.user, k.as_ptr().cast()) },
            // No remove: an empty value reads as absent.
            None => return self.write(key, &[]),
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(StorageError::Io)
        }
    }
}
