//! Storage in RAM: tests, and firmware without flash to spare (nothing survives a reboot).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{check_key, Storage, StorageError};

/// Key/blob storage in RAM, optionally bounded in bytes; wrap it in [`super::Faulty`] to fail
/// or tear chosen writes.
#[derive(Clone, Debug)]
pub struct MemStorage {
    map: BTreeMap<String, Vec<u8>>,
    /// Most bytes of values held at once (`usize::MAX`: unbounded).
    limit: usize,
}

impl MemStorage {
    /// Empty and unbounded.
    pub fn new() -> Self {
        MemStorage::with_limit(usize::MAX)
    }

    /// Empty, refusing (`Full`) a write that would make the values exceed `bytes` in total.
    pub fn with_limit(bytes: usize) -> Self {
        MemStorage {
            map: BTreeMap::new(),
            limit: bytes,
        }
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// The keys present, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Bytes of values held.
    pub fn bytes_used(&self) -> usize {
        self.map.values().map(Vec::len).sum()
    }
}

impl Default for MemStorage {
    fn default() -> Self {
        MemStorage::new()
    }
}

impl Storage for MemStorage {
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
        check_key(key)?;
        buf.clear();
        match self.map.get(key) {
            Some(v) => {
                buf.extend_from_slice(v);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        let others = self.bytes_used() - self.get(key).map_or(0, <[u8]>::len);
        if others.saturating_add(data.len()) > self.limit {
            return Err(StorageError::Full);
        }
        self.map.insert(String::from(key), data.to_vec());
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        self.map.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_reads_removes_and_bounds() {
        assert_eq!(MemStorage::default().write("k", b"unbounded"), Ok(()));
        let mut st = MemStorage::with_limit(10);
        let mut buf = alloc::vec![9u8; 3];
        assert_eq!(st.read("k", &mut buf), Ok(false));
        st.write("k", b"hello").unwrap();
        assert_eq!(st.read("k", &mut buf), Ok(true));
        assert_eq!(buf, b"hello");
        // Replacing a value counts only the new size.
        st.write("k", b"0123456789").unwrap();
        assert_eq!(st.write("l", b"x"), Err(StorageError::Full));
        assert_eq!(st.bytes_used(), 10);
        st.remove("k").unwrap();
        st.remove("k").unwrap();
        st.write("l", b"x").unwrap();
        assert_eq!(st.keys().collect::<Vec<_>>(), ["l"]);
        assert_eq!(st.write("no/slash", b""), Err(StorageError::BadKey));
    }
}
