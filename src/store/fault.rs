//! Fault injection: fail or tear one chosen write of any [`Storage`], then cut the power.

use alloc::vec::Vec;

use super::{Storage, StorageError};
use crate::rand::{Random, XorShift32};

/// What happens to the write an injected fault hits. Every kind but `Fail` is a power cut:
/// the write returns `Io` and so does every call after it until [`Faulty::power_on`].
/// For a `remove`, the "new bytes" are the old value (a truncation is a prefix of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The write fails with `Io` and changes nothing; the power stays on.
    Fail,
    /// Power goes before the write starts: nothing changes.
    Cut,
    /// Power goes right after the write completed, before the caller hears of it.
    Done,
    /// Power goes mid-write: the first `n` bytes land (at most all but the last byte).
    Prefix(usize),
    /// Like `Prefix` with a random length.
    RandomPrefix,
    /// Power goes mid-write and the value becomes random bytes of random length.
    Garbage,
}

/// A [`Storage`] that passes calls to `inner` except the write (or remove) numbered `index`
/// (counted from 0 since [`Faulty::new`]), which suffers a [`Fault`].
#[derive(Clone, Debug)]
pub struct Faulty<S> {
    inner: S,
    writes: u64,
    armed: Option<(u64, Fault)>,
    off: bool,
    rng: XorShift32,
}

impl<S: Storage> Faulty<S> {
    /// Wraps `inner` with no fault armed.
    pub fn new(inner: S) -> Self {
        Faulty {
            inner,
            writes: 0,
            armed: None,
            off: false,
            rng: XorShift32::new(1),
        }
    }

    /// Arms `fault` for the write or remove numbered `index`; random tears derive from `index`.
    pub fn inject(&mut self, index: u64, fault: Fault) {
        self.armed = Some((index, fault));
        self.rng = XorShift32::new((index as u32).wrapping_mul(0x9E37_79B9) ^ 0x5EED);
    }

    /// Disarms a fault that has not hit yet.
    pub fn disarm(&mut self) {
        self.armed = None;
    }

    /// Writes and removes attempted so far.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Whether the power is cut.
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// Restores the power (a reboot); the fault stays spent.
    pub fn power_on(&mut self) {
        self.off = false;
    }

    /// The wrapped storage.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The wrapped storage, mutably (bypasses fault injection).
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the storage.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Counts a write and returns the fault to apply to it, or `Io` while the power is off.
    fn next(&mut self) -> Result<Option<Fault>, StorageError> {
        if self.off {
            return Err(StorageError::Io);
        }
        let index = self.writes;
        self.writes += 1;
        match self.armed {
            Some((at, fault)) if at == index => {
                self.armed = None;
                self.off = fault != Fault::Fail;
                Ok(Some(fault))
            }
            _ => Ok(None),
        }
    }

    /// Writes what a torn write of `data` under `key` leaves behind.
    fn tear(&mut self, key: &str, data: &[u8], fault: Fault) -> Result<(), StorageError> {
        let keep = |n: usize| n.min(data.len().saturating_sub(1));
        let bytes: Vec<u8> = match fault {
            Fault::Prefix(n) => data.get(..keep(n)).unwrap_or_default().to_vec(),
            Fault::RandomPrefix => {
                let n = self.rng.next_u32() as usize % data.len().max(1);
                data.get(..keep(n)).unwrap_or_default().to_vec()
            }
            Fault::Garbage => {
                let mut g = alloc::vec![0u8; self.rng.next_u32() as usize % (data.len() + 64)];
                self.rng.fill_bytes(&mut g);
                g
            }
            Fault::Done => data.to_vec(),
            Fault::Fail | Fault::Cut => return Ok(()),
        };
        self.inner.write(key, &bytes)
    }
}

impl<S: Storage> Storage for Faulty<S> {
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
        if self.off {
            return Err(StorageError::Io);
        }
        self.inner.read(key, buf)
    }

    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
        match self.next()? {
            None => self.inner.write(key, data),
            Some(fault) => {
                self.tear(key, data, fault)?;
                Err(StorageError::Io)
            }
        }
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        match self.next()? {
            None => self.inner.remove(key),
            Some(Fault::Done) => {
                self.inner.remove(key)?;
                Err(StorageError::Io)
            }
            Some(fault) => {
                let mut old = Vec::new();
                if self.inner.read(key, &mut old)? {
                    self.tear(key, &old, fault)?;
                }
                Err(StorageError::Io)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemStorage;

    #[test]
    fn each_fault_does_what_it_says() {
        let data = b"0123456789";
        let run = |fault: Fault| {
            let mut st = Faulty::new(MemStorage::new());
            st.write("k", b"old").unwrap();
            st.inject(1, fault);
            assert_eq!(st.write("k", data), Err(StorageError::Io));
            let left = st.inner().get("k").map(<[u8]>::to_vec);
            (left, st.write("k", b"next"))
        };
        assert_eq!(run(Fault::Fail), (Some(b"old".to_vec()), Ok(())));
        assert_eq!(run(Fault::Cut), (Some(b"old".to_vec()), Err(StorageError::Io)));
        assert_eq!(run(Fault::Done), (Some(data.to_vec()), Err(StorageError::Io)));
        assert_eq!(run(Fault::Prefix(4)), (Some(b"0123".to_vec()), Err(StorageError::Io)));
        assert_eq!(
            run(Fault::Prefix(99)),
            (Some(b"012345678".to_vec()), Err(StorageError::Io))
        );
        let (torn, _) = run(Fault::RandomPrefix);
        assert!(torn.is_some_and(|t| t.len() < data.len() && data.starts_with(&t)));
        let (garbage, _) = run(Fault::Garbage);
        assert!(garbage.is_some_and(|g| g != data && g != b"old"));
    }

    #[test]
    fn power_stays_off_until_restored_and_removes_tear_too() {
        let mut st = Faulty::new(MemStorage::new());
        st.write("a", b"abcdef").unwrap();
        st.inject(1, Fault::Prefix(2));
        assert_eq!(st.remove("a"), Err(StorageError::Io));
        assert!(st.is_off());
        let mut buf = Vec::new();
        assert_eq!(st.read("a", &mut buf), Err(StorageError::Io));
        st.power_on();
        assert_eq!(st.read("a", &mut buf), Ok(true));
        assert_eq!(buf, b"ab");
        st.remove("a").unwrap();
        assert_eq!(st.read("a", &mut buf), Ok(false));
        assert_eq!(st.writes(), 3);
    }
}
