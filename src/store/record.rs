//! One value that survives power cuts, in two alternating slots.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{check_key, decode, encode, Storage, StorageError, MAX_KEY_LEN};

/// Largest value a [`Record`] stores (configuration, local list, charging profiles).
pub const MAX_RECORD_LEN: usize = 16 * 1024;

/// Identifies a record slot (the journal's entries use another magic).
const MAGIC: [u8; 4] = *b"OCR1";

/// One value that survives power cuts: two slots (`<key>.a`/`<key>.b`), each written with a
/// header (magic, sequence number, length, CRC-32); a write goes to the slot NOT holding the
/// newest valid copy, so a torn write leaves the previous value readable.
///
/// `key` is at most 13 characters (the slot suffix makes 15). Size on the medium:
/// `2 x (28 + len)` bytes. Every call reads both slots first, so no state is kept here.
#[derive(Clone, Copy, Debug)]
pub struct Record;

/// What the two slots of a record hold.
struct Slots {
    keys: [String; 2],
    /// The slot holding the newest valid copy, and its sequence number.
    newest: Option<(usize, u64)>,
    /// That copy's data.
    data: Vec<u8>,
}

impl Slots {
    fn read(storage: &mut dyn Storage, key: &str) -> Result<Slots, StorageError> {
        if key.len() > MAX_KEY_LEN - 2 {
            return Err(StorageError::BadKey);
        }
        let keys = [format!("{key}.a"), format!("{key}.b")];
        let mut slots = Slots {
            keys,
            newest: None,
            data: Vec::new(),
        };
        let mut buf = Vec::new();
        for (i, k) in slots.keys.iter().enumerate() {
            check_key(k)?;
            buf.clear();
            if !storage.read(k, &mut buf)? {
                continue;
            }
            if let Some((seq, _, data)) = decode(MAGIC, &buf) {
                if slots.newest.is_none_or(|(_, s)| seq > s) {
                    slots.newest = Some((i, seq));
                    slots.data.clear();
                    slots.data.extend_from_slice(data);
                }
            }
        }
        Ok(slots)
    }
}

impl Record {
    /// The newest valid value under `key`, `None` if none was ever saved (or all was removed).
    pub fn load(storage: &mut dyn Storage, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let slots = Slots::read(storage, key)?;
        Ok(slots.newest.map(|_| slots.data))
    }

    /// Saves `data` under `key`: the old value stays readable until this returns `Ok`.
    pub fn save(storage: &mut dyn Storage, key: &str, data: &[u8]) -> Result<(), StorageError> {
        if data.len() > MAX_RECORD_LEN {
            return Err(StorageError::TooLarge);
        }
        let slots = Slots::read(storage, key)?;
        let (target, seq) = match slots.newest {
            Some((i, seq)) => (1 - i, seq.saturating_add(1)),
            None => (0, 1),
        };
        let slot_key = slots.keys.get(target).ok_or(StorageError::BadKey)?;
        storage.write(slot_key, &encode(MAGIC, seq, 0, data))
    }

    /// Removes the value under `key`. The older slot goes first, so a cut in between leaves
    /// the current value, never the one before it.
    pub fn remove(storage: &mut dyn Storage, key: &str) -> Result<(), StorageError> {
        let slots = Slots::read(storage, key)?;
        let newest = slots.newest.map_or(0, |(i, _)| i);
        let [a, b] = &slots.keys;
        let (first, second) = if newest == 0 { (b, a) } else { (a, b) };
        storage.remove(first)?;
        storage.remove(second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::journal::tests::ALL_FAULTS;
    use crate::store::{Faulty, MemStorage};

    #[test]
    fn saves_alternate_between_slots() {
        let mut st = MemStorage::new();
        assert_eq!(Record::load(&mut st, "cfg"), Ok(None));
        Record::save(&mut st, "cfg", br#"{"HeartbeatInterval":"300"}"#).unwrap();
        assert!(st.get("cfg.a").is_some() && st.get("cfg.b").is_none());
        Record::save(&mut st, "cfg", br#"{"HeartbeatInterval":"60"}"#).unwrap();
        assert!(st.get("cfg.b").is_some());
        let a_before = st.get("cfg.a").map(<[u8]>::to_vec);
        Record::save(&mut st, "cfg", br#"{"HeartbeatInterval":"90"}"#).unwrap();
        assert_ne!(
            st.get("cfg.a").map(<[u8]>::to_vec),
            a_before,
            "third save reuses slot a"
        );
        assert_eq!(
            Record::load(&mut st, "cfg").unwrap().as_deref(),
            Some(&br#"{"HeartbeatInterval":"90"}"#[..])
        );
        // The slot headers carry sequence numbers 3 (a) and 2 (b).
        assert_eq!(st.get("cfg.a").and_then(|s| s.get(4)), Some(&3));
        assert_eq!(st.get("cfg.b").and_then(|s| s.get(4)), Some(&2));
    }

    #[test]
    fn torn_slot_falls_back_to_the_other() {
        let mut st = MemStorage::new();
        Record::save(&mut st, "tx1", b"old").unwrap();
        Record::save(&mut st, "tx1", b"new").unwrap();
        // Corrupt the newest slot (b): the previous value comes back, and the next save
        // overwrites the corrupt slot rather than the good one.
        let mut b = st.get("tx1.b").unwrap().to_vec();
        b.truncate(b.len() - 1);
        st.write("tx1.b", &b).unwrap();
        assert_eq!(Record::load(&mut st, "tx1").unwrap().as_deref(), Some(&b"old"[..]));
        Record::save(&mut st, "tx1", b"newer").unwrap();
        assert_eq!(Record::load(&mut st, "tx1").unwrap().as_deref(), Some(&b"newer"[..]));
        st.write("tx1.a", b"garbage that is long enough to hold a header")
            .unwrap();
        assert_eq!(Record::load(&mut st, "tx1").unwrap().as_deref(), Some(&b"newer"[..]));
    }

    #[test]
    fn limits_are_enforced() {
        let mut st = MemStorage::new();
        let big = alloc::vec![0u8; MAX_RECORD_LEN + 1];
        assert_eq!(Record::save(&mut st, "auth", &big), Err(StorageError::TooLarge));
        assert!(Record::save(&mut st, "auth", &big[1..]).is_ok());
        assert_eq!(Record::save(&mut st, "fourteen_chars", b"x"), Err(StorageError::BadKey));
        assert_eq!(Record::load(&mut st, "a/b"), Err(StorageError::BadKey));
        assert!(Record::save(&mut st, "thirteen_char", b"x").is_ok());
        let mut small = MemStorage::with_limit(64);
        assert_eq!(Record::save(&mut small, "k", &[1; 40]), Err(StorageError::Full));
    }

    /// The values a record holds after each step of the script below.
    fn script() -> Vec<Option<Vec<u8>>> {
        let mut v = Vec::new();
        for i in 0..5u8 {
            v.push(Some(alloc::vec![i; 10 + 40 * usize::from(i)]));
        }
        v.push(None);
        v.push(Some(b"after removal".to_vec()));
        v
    }

    fn apply(st: &mut dyn Storage, value: &Option<Vec<u8>>) -> Result<(), StorageError> {
        match value {
            Some(data) => Record::save(st, "conn1", data),
            None => Record::remove(st, "conn1"),
        }
    }

    #[test]
    fn a_cut_at_any_write_leaves_the_old_or_the_new_value() {
        let steps = script();
        let mut clean = Faulty::new(MemStorage::new());
        for value in &steps {
            apply(&mut clean, value).unwrap();
        }
        let mut cases = 0;
        for fault in ALL_FAULTS {
            for n in 0..clean.writes() {
                let mut st = Faulty::new(MemStorage::new());
                st.inject(n, fault);
                let mut before = None;
                let mut cut = None;
                for value in &steps {
                    if apply(&mut st, value).is_err() {
                        cut = Some(value.clone());
                        break;
                    }
                    before = value.clone();
                }
                let Some(after) = cut else {
                    panic!("write {n} was not cut")
                };
                st.power_on();
                let got = Record::load(&mut st, "conn1").unwrap();
                assert!(got == before || got == after, "{fault:?} at {n}: {got:?}");
                // The record keeps working: the interrupted step redone gives its value.
                apply(&mut st, &after).unwrap();
                assert_eq!(Record::load(&mut st, "conn1").unwrap(), after);
                cases += 1;
            }
        }
        assert_eq!(cases, 9 * clean.writes());
    }
}
