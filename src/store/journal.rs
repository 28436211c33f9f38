//! The transaction-message journal: an ordered queue of blobs that survives power cuts.
//!
//! Each entry sits in its own slot (`j0`..`jN`) as `seq` (its place in the queue, fixed at
//! append) and `stamp` (a counter bumped by every slot write). `replace` writes the new
//! version into a free slot before removing the old one, so a cut in between leaves two valid
//! copies of one `seq`: the higher stamp wins and `open` removes the other. A torn slot fails
//! its CRC and counts as free. Counters restart above the highest valid value at `open`, so
//! no two valid slots ever share a stamp.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{decode, encode, Record, Storage, StorageError};

/// Most entries a journal holds (`open` says `TooLarge` beyond): bounds the slot table and
/// the keys (`j0`..`j4096`).
pub const MAX_CAPACITY: usize = 4096;

/// Default limit on one entry's data (`TooLarge` beyond); see [`Journal::with_max_entry_len`].
pub const MAX_ENTRY_LEN: usize = 1024;

/// What [`Journal::open`] replays: every entry as `(seq, data)`, in queue order.
pub type Replay = Vec<(u64, Vec<u8>)>;

/// Identifies a journal slot.
const MAGIC: [u8; 4] = *b"OCJ1";

/// The [`Record`] holding how many slots the journal spanned, so that a smaller capacity at
/// the next boot still finds every entry.
const SLOTS_KEY: &str = "jn";

/// What a slot holds, as far as this journal knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Absent or invalid: safe to write.
    Free,
    /// The current copy of entry `seq`.
    Live(u64),
    /// Unknown after a failed write or remove; may hold a stale valid copy, so it is removed
    /// before any other operation proceeds.
    Dirty,
}

/// The transaction-message journal: an ordered queue of blobs (the lead serializes its queued
/// messages into them) in a ring of `capacity` slots (keys "j0".."jN"), each a Record-like
/// checksummed entry with a 64-bit sequence number. Entries are appended, replaced (the lead
/// patches a transaction id into a queued StopTransaction), and removed (delivered, or a
/// thinned meter value) - removal in any order. `open` replays every valid entry in sequence
/// order after a reboot; a torn entry is never returned, an entry is never returned twice
/// after its removal was completed.
///
/// Capacity: `capacity` entries of at most `max_entry_len` bytes ([`MAX_ENTRY_LEN`] unless
/// changed) in `capacity + 1` slots (the spare lets `replace` write before it removes):
/// at most `(capacity + 1) x (28 + max_entry_len)` bytes plus 64 for the slot count.
/// Keys used: `j0`, `j1`, ... and the record `jn` (`jn.a`, `jn.b`); records need other names.
/// Every call takes the storage the journal was opened on.
/// Sequence numbers increase for the life of the storage except that a removed tail may be
/// reissued after a reboot; an operation that returned an error may or may not have happened,
/// exactly as if the power had been cut during it.
#[derive(Clone, Debug)]
pub struct Journal {
    slots: Vec<Slot>,
    capacity: usize,
    max_entry: usize,
    /// Where the search for a free slot starts (spreads writes around the ring).
    cursor: usize,
    next_seq: u64,
    next_stamp: u64,
}

/// The key of slot `i`.
fn key(i: usize) -> String {
    format!("j{i}")
}

impl Journal {
    /// Opens the journal in `storage`, returning it and every entry as `(seq, data)` in queue
    /// order. Removes copies superseded by an interrupted `replace`. A capacity smaller than
    /// the entries found is honoured once they drain (`append` says `Full` until then).
    pub fn open(storage: &mut dyn Storage, capacity: usize) -> Result<(Journal, Replay), StorageError> {
        if capacity > MAX_CAPACITY {
            return Err(StorageError::TooLarge);
        }
        let recorded = Record::load(storage, SLOTS_KEY)?
            .and_then(|b| b.get(..4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes))
            .map_or(0, |n| (n as usize).min(MAX_CAPACITY + 1));
        let scan = recorded.max(capacity + 1);

        // Every valid slot: (seq, stamp, slot index, data).
        let mut found: Vec<(u64, u64, usize, Vec<u8>)> = Vec::new();
        let mut buf = Vec::new();
        for i in 0..scan {
            buf.clear();
            if storage.read(&key(i), &mut buf)? {
                if let Some((seq, stamp, data)) = decode(MAGIC, &buf) {
                    found.push((seq, stamp, i, data.to_vec()));
                }
            }
        }
        let mut journal = Journal {
            slots: alloc::vec![Slot::Free; scan],
            capacity,
            max_entry: MAX_ENTRY_LEN,
            cursor: 0,
            next_seq: found.iter().map(|f| f.0.saturating_add(1)).max().unwrap_or(0),
            next_stamp: found.iter().map(|f| f.1.saturating_add(1)).max().unwrap_or(0),
        };

        // Queue order; for one seq the highest stamp first, the copies after it are stale.
        crate::sort::sort_by(&mut found, |x, y| (x.0, y.1, x.2) < (y.0, x.1, y.2));
        let mut entries: Replay = Vec::with_capacity(found.len());
        for (seq, _, i, data) in found {
            if entries.last().is_some_and(|(s, _)| *s == seq) {
                journal.discard(storage, i);
            } else {
                journal.set(i, Slot::Live(seq));
                journal.cursor = (i + 1) % (capacity + 1);
                entries.push((seq, data));
            }
        }

        // Span enough slots for every slot still in use plus a spare, and record that
        // before any write lands beyond the previous span.
        let used = journal
            .slots
            .iter()
            .rposition(|s| *s != Slot::Free)
            .map_or(0, |i| i + 1);
        let span = (capacity + 1).max(used).max(entries.len() + 1);
        journal.slots.resize(span, Slot::Free);
        if span != recorded {
            let n = u32::try_from(span).map_err(|_| StorageError::TooLarge)?;
            Record::save(storage, SLOTS_KEY, &n.to_le_bytes())?;
        }
        Ok((journal, entries))
    }

    /// Sets a different entry size limit (for this session; entries already stored are read
    /// whatever their size).
    pub fn with_max_entry_len(mut self, bytes: usize) -> Journal {
        self.max_entry = bytes;
        self
    }

    /// Appends `data` at the end of the queue and returns its sequence number. `Full` when
    /// `capacity` entries are queued, `TooLarge` beyond the entry limit.
    pub fn append(&mut self, storage: &mut dyn Storage, data: &[u8]) -> Result<u64, StorageError> {
        self.check(storage, data)?;
        if self.len() >= self.capacity {
            return Err(StorageError::Full);
        }
        let i = self.free_slot().ok_or(StorageError::Full)?;
        let seq = self.next_seq;
        self.next_seq = seq.saturating_add(1);
        self.write(storage, i, seq, data)?;
        Ok(seq)
    }

    /// Replaces the data of entry `seq`, keeping its place in the queue. A cut leaves the old
    /// or the new data, never neither.
    pub fn replace(&mut self, storage: &mut dyn Storage, seq: u64, data: &[u8]) -> Result<(), StorageError> {
        self.check(storage, data)?;
        let old = self.find(seq)?;
        let i = self.free_slot().ok_or(StorageError::Full)?;
        self.write(storage, i, seq, data)?;
        // The new copy has the higher stamp: a stale old one left by a failure is harmless
        // until it is removed, which happens before the next operation.
        self.discard(storage, old);
        Ok(())
    }

    /// Removes entry `seq` (delivered, or thinned). Once this returns `Ok` the entry never
    /// comes back; after an error it may, and `remove` may be called again.
    pub fn remove(&mut self, storage: &mut dyn Storage, seq: u64) -> Result<(), StorageError> {
        self.scrub(storage)?;
        let i = self.find(seq)?;
        storage.remove(&key(i))?;
        self.set(i, Slot::Free);
        Ok(())
    }

    /// Entries queued.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| matches!(s, Slot::Live(_))).count()
    }

    /// Most entries the queue holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether no entry is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry size limit.
    pub fn max_entry_len(&self) -> usize {
        self.max_entry
    }

    /// Common checks before a write: size, and no unknown slot left behind.
    fn check(&mut self, storage: &mut dyn Storage, data: &[u8]) -> Result<(), StorageError> {
        if data.len() > self.max_entry {
            return Err(StorageError::TooLarge);
        }
        self.scrub(storage)
    }

    /// Removes every slot a failure left unknown, so that no stale copy can outlive its entry.
    fn scrub(&mut self, storage: &mut dyn Storage) -> Result<(), StorageError> {
        for i in 0..self.slots.len() {
            if self.slots.get(i) == Some(&Slot::Dirty) {
                storage.remove(&key(i))?;
                self.set(i, Slot::Free);
            }
        }
        Ok(())
    }

    /// Removes slot `i` now if possible, else marks it for [`Journal::scrub`].
    fn discard(&mut self, storage: &mut dyn Storage, i: usize) {
        let state = if storage.remove(&key(i)).is_ok() {
            Slot::Free
        } else {
            Slot::Dirty
        };
        self.set(i, state);
    }

    /// Writes entry `seq` into free slot `i` with a fresh stamp.
    fn write(&mut self, storage: &mut dyn Storage, i: usize, seq: u64, data: &[u8]) -> Result<(), StorageError> {
        let stamp = self.next_stamp;
        // Spent even on failure: the slot may hold this stamp if the write landed after all.
        self.next_stamp = stamp.saturating_add(1);
        match storage.write(&key(i), &encode(MAGIC, seq, stamp, data)) {
            Ok(()) => {
                self.set(i, Slot::Live(seq));
                self.cursor = (i + 1) % (self.capacity + 1);
                Ok(())
            }
            Err(e) => {
                self.discard(storage, i);
                Err(e)
            }
        }
    }

    /// A free slot: in the ring (`capacity + 1` slots) from the cursor on, else beyond it
    /// (slots kept from a larger capacity).
    fn free_slot(&self) -> Option<usize> {
        let ring = (self.capacity + 1).min(self.slots.len());
        (self.cursor..ring)
            .chain(0..self.cursor.min(ring))
            .chain(ring..self.slots.len())
            .find(|&i| self.slots.get(i) == Some(&Slot::Free))
    }

    /// The slot holding entry `seq`.
    fn find(&self, seq: u64) -> Result<usize, StorageError> {
        self.slots
            .iter()
            .position(|s| *s == Slot::Live(seq))
            .ok_or(StorageError::NotFound)
    }

    fn set(&mut self, i: usize, state: Slot) {
        if let Some(s) = self.slots.get_mut(i) {
            *s = state;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{Fault, Faulty, MemStorage};
    use alloc::vec;

    /// A queued frame as the lead might store it; `name` identifies the entry, `pad` its
    /// version.
    fn frame(name: &str, pad: usize) -> Vec<u8> {
        let pad = "x".repeat(pad);
        format!(r#"[2,"{name}","StopTransaction",{{"meterStop":1200,"transactionId":7,"pad":"{pad}"}}]"#).into_bytes()
    }

    /// The entry name inside a frame.
    fn name_of(data: &[u8]) -> String {
        String::from(core::str::from_utf8(data).unwrap().split('"').nth(1).unwrap())
    }

    #[derive(Clone, Copy, Debug)]
    enum Op {
        Append(&'static str, usize),
        Replace(&'static str, usize),
        Remove(&'static str),
    }

    const CAP: usize = 3;

    /// Wraps around the 4-slot ring twice, replaces and removes out of order, fills up.
    const SCRIPT: [Op; 16] = [
        Op::Append("a", 40),
        Op::Append("b", 200),
        Op::Append("c", 10),
        Op::Replace("b", 90),
        Op::Remove("a"),
        Op::Append("d", 300),
        Op::Replace("d", 20),
        Op::Remove("c"),
        Op::Replace("b", 500),
        Op::Append("e", 60),
        Op::Remove("d"),
        Op::Remove("b"),
        Op::Append("f", 700),
        Op::Replace("e", 5),
        Op::Remove("e"),
        Op::Remove("f"),
    ];

    type Model = Vec<(String, Vec<u8>)>;

    fn model_apply(model: &mut Model, op: Op) {
        match op {
            Op::Append(n, pad) => model.push((String::from(n), frame(n, pad))),
            Op::Replace(n, pad) => {
                for e in model.iter_mut().filter(|e| e.0 == n) {
                    e.1 = frame(n, pad);
                }
            }
            Op::Remove(n) => model.retain(|e| e.0 != n),
        }
    }

    /// Runs `op`; `seqs` maps entry names to sequence numbers.
    fn run(j: &mut Journal, st: &mut dyn Storage, seqs: &mut Vec<(String, u64)>, op: Op) -> Result<(), StorageError> {
        let seq_of = |seqs: &Vec<(String, u64)>, n: &str| seqs.iter().find(|s| s.0 == n).map(|s| s.1).unwrap();
        match op {
            Op::Append(n, pad) => {
                let seq = j.append(st, &frame(n, pad))?;
                seqs.push((String::from(n), seq));
            }
            Op::Replace(n, pad) => j.replace(st, seq_of(seqs, n), &frame(n, pad))?,
            Op::Remove(n) => {
                j.remove(st, seq_of(seqs, n))?;
                seqs.retain(|s| s.0 != n);
            }
        }
        Ok(())
    }

    /// Checks a replay: increasing sequence numbers, and each name with a known sequence
    /// number has it. Returns the entries by name and the new name -> seq map.
    fn check_replay(replay: &[(u64, Vec<u8>)], seqs: &[(String, u64)]) -> (Model, Vec<(String, u64)>) {
        assert!(replay.windows(2).all(|w| w[0].0 < w[1].0), "order");
        let mut got = Vec::new();
        let mut map = Vec::new();
        for (seq, data) in replay {
            let name = name_of(data);
            if let Some(known) = seqs.iter().find(|s| s.0 == name) {
                assert_eq!(known.1, *seq, "{name} kept its sequence number");
            }
            map.push((name.clone(), *seq));
            got.push((name, data.clone()));
        }
        (got, map)
    }

    /// Opens, checks the replay against `model`, and returns the journal and name map.
    fn reopen(st: &mut dyn Storage, model: &Model) -> (Journal, Vec<(String, u64)>) {
        let (j, replay) = Journal::open(st, CAP).unwrap();
        let (got, map) = check_replay(&replay, &[]);
        assert_eq!(&got, model);
        assert_eq!(j.len(), model.len());
        (j, map)
    }

    /// Runs the script with `fault` at write `n` (and, if `second` is given, a second cut
    /// at that write of the reboot that follows), then reboots and checks every invariant:
    /// completed operations visible, the interrupted one entirely or not at all, order and
    /// sequence numbers kept, no duplicates; then finishes the script and checks again.
    fn scenario<S: Storage>(storage: S, fault: Fault, n: u64, second: Option<(u64, Fault)>) {
        let mut st = Faulty::new(storage);
        st.inject(n, fault);
        let mut model = Model::new();
        let mut seqs = Vec::new();
        let mut next = 0;
        let mut journal = None;
        if let Ok((mut j, replay)) = Journal::open(&mut st, CAP) {
            assert!(replay.is_empty());
            while let Some(&op) = SCRIPT.get(next) {
                if run(&mut j, &mut st, &mut seqs, op).is_err() {
                    break;
                }
                model_apply(&mut model, op);
                next += 1;
            }
            journal = Some(j);
        }
        if fault == Fault::Fail {
            // A transient error: the same session retries and goes on.
            let mut j = match journal {
                Some(j) => j,
                None => Journal::open(&mut st, CAP).unwrap().0,
            };
            for &op in SCRIPT.get(next..).unwrap() {
                run(&mut j, &mut st, &mut seqs, op).unwrap();
                model_apply(&mut model, op);
            }
        } else {
            assert!(st.is_off() || next == SCRIPT.len(), "{fault:?} at {n} was not a cut");
            st.power_on();
            if let Some((m, f)) = second {
                st.inject(st.writes() + m, f);
                let _ = Journal::open(&mut st, CAP);
                st.disarm();
                st.power_on();
            }
            let (mut j, replay) = Journal::open(&mut st, CAP).unwrap();
            let (got, map) = check_replay(&replay, &seqs);
            seqs = map;
            let mut after = model.clone();
            if let Some(&op) = SCRIPT.get(next) {
                model_apply(&mut after, op);
                if got == model {
                    run(&mut j, &mut st, &mut seqs, op).unwrap();
                } else {
                    assert_eq!(got, after, "{fault:?} at {n}, {second:?}: op {next} half done");
                }
                next += 1;
            } else {
                assert_eq!(got, model, "{fault:?} at {n}: after the last op");
            }
            model = after;
            for &op in SCRIPT.get(next..).unwrap() {
                run(&mut j, &mut st, &mut seqs, op).unwrap();
                model_apply(&mut model, op);
            }
        }
        let mut full = Model::new();
        SCRIPT.iter().for_each(|&op| model_apply(&mut full, op));
        assert_eq!(model, full);
        reopen(&mut st, &model);
    }

    /// Every fault kind at every write index of the script; returns the scenarios run.
    pub(crate) fn crash_matrix<S: Storage>(fresh: &mut dyn FnMut() -> S, faults: &[Fault], second: bool) -> u64 {
        let mut clean = Faulty::new(fresh());
        let (mut j, _) = Journal::open(&mut clean, CAP).unwrap();
        let mut seqs = Vec::new();
        for op in SCRIPT {
            run(&mut j, &mut clean, &mut seqs, op).unwrap();
        }
        let total = clean.writes();
        assert!(total > SCRIPT.len() as u64);
        let mut count = 0;
        for &fault in faults {
            for n in 0..total {
                let seconds: Vec<Option<(u64, Fault)>> = if second && fault != Fault::Fail {
                    vec![None, Some((0, Fault::Cut)), Some((0, fault)), Some((1, fault))]
                } else {
                    vec![None]
                };
                for s in seconds {
                    scenario(fresh(), fault, n, s);
                    count += 1;
                }
            }
        }
        count
    }

    pub(crate) const ALL_FAULTS: [Fault; 9] = [
        Fault::Fail,
        Fault::Cut,
        Fault::Done,
        Fault::Prefix(0),
        Fault::Prefix(27),
        Fault::Prefix(28),
        Fault::Prefix(usize::MAX),
        Fault::RandomPrefix,
        Fault::Garbage,
    ];

    #[test]
    fn a_cut_at_any_write_keeps_the_queue_consistent() {
        let count = crash_matrix(&mut MemStorage::new, &ALL_FAULTS, true);
        assert!(count > 600, "{count} scenarios");
    }

    /// A backend that cannot delete and writes an empty value instead.
    #[derive(Clone, Default)]
    struct NoDelete(MemStorage);

    impl Storage for NoDelete {
        fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
            self.0.read(key, buf)
        }
        fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
            self.0.write(key, data)
        }
        fn remove(&mut self, key: &str) -> Result<(), StorageError> {
            self.0.write(key, &[])
        }
    }

    #[test]
    fn a_backend_that_empties_instead_of_removing_is_as_safe() {
        let count = crash_matrix(
            &mut NoDelete::default,
            &[Fault::Cut, Fault::RandomPrefix, Fault::Garbage],
            true,
        );
        assert!(count > 200, "{count} scenarios");
    }

    #[test]
    fn replays_in_order_after_removals_in_any_order() {
        let mut st = MemStorage::new();
        let (mut j, replay) = Journal::open(&mut st, 8).unwrap();
        assert!(replay.is_empty() && j.is_empty());
        let seqs: Vec<u64> = (0..6).map(|i| j.append(&mut st, &frame("m", i)).unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        j.remove(&mut st, seqs[3]).unwrap();
        j.remove(&mut st, seqs[0]).unwrap();
        j.replace(&mut st, seqs[4], &frame("patched", 1)).unwrap();
        assert_eq!(j.remove(&mut st, seqs[0]), Err(StorageError::NotFound));
        assert_eq!(j.replace(&mut st, 999, b"x"), Err(StorageError::NotFound));
        let (j2, replay) = Journal::open(&mut st, 8).unwrap();
        let expect = vec![
            (seqs[1], frame("m", 1)),
            (seqs[2], frame("m", 2)),
            (seqs[4], frame("patched", 1)),
            (seqs[5], frame("m", 5)),
        ];
        assert_eq!(replay, expect);
        assert_eq!((j2.len(), j2.capacity()), (4, 8));
        // New entries go after the old ones.
        let mut j2 = j2;
        assert!(j2.append(&mut st, b"[]").unwrap() > seqs[5]);
    }

    #[test]
    fn full_and_too_large() {
        let mut st = MemStorage::new();
        let (j, _) = Journal::open(&mut st, 2).unwrap();
        let mut j = j.with_max_entry_len(100);
        assert_eq!(j.max_entry_len(), 100);
        assert_eq!(j.append(&mut st, &[b' '; 101]), Err(StorageError::TooLarge));
        let a = j.append(&mut st, &[b' '; 100]).unwrap();
        j.append(&mut st, b"{}").unwrap();
        assert_eq!(j.append(&mut st, b"{}"), Err(StorageError::Full));
        // A full journal still replaces (the spare slot) and frees on removal.
        j.replace(&mut st, a, b"[1]").unwrap();
        j.remove(&mut st, a).unwrap();
        j.append(&mut st, b"{}").unwrap();
        assert_eq!(j.len(), 2);
        assert_eq!(Journal::open(&mut st, 2).unwrap().0.max_entry_len(), MAX_ENTRY_LEN);
        assert_eq!(
            Journal::open(&mut st, MAX_CAPACITY + 1).err(),
            Some(StorageError::TooLarge)
        );
        // 3 slots of at most 28 + 100 bytes, plus the slot-count record (2 x 32).
        assert!(st.bytes_used() <= 3 * 128 + 64);
        // The medium's own limit comes back as Full too.
        let mut small = MemStorage::with_limit(200);
        let (mut j, _) = Journal::open(&mut small, 4).unwrap();
        j.append(&mut small, &[b'x'; 100]).unwrap();
        assert_eq!(j.append(&mut small, &[b'x'; 100]), Err(StorageError::Full));
        assert_eq!(j.len(), 1);
    }

    #[test]
    fn capacity_can_shrink_and_grow_between_boots() {
        let mut st = MemStorage::new();
        let (mut j, _) = Journal::open(&mut st, 6).unwrap();
        let seqs: Vec<u64> = (0..6).map(|i| j.append(&mut st, &frame("t", i)).unwrap()).collect();
        for &s in &seqs[..3] {
            j.remove(&mut st, s).unwrap();
        }
        // Entries sit in slots 3..6; capacity 1 must still find them all.
        let (mut j, replay) = Journal::open(&mut st, 1).unwrap();
        assert_eq!(replay.iter().map(|e| e.0).collect::<Vec<_>>(), &seqs[3..]);
        assert_eq!(j.append(&mut st, b"[]"), Err(StorageError::Full));
        j.replace(&mut st, seqs[5], b"[5]").unwrap();
        assert_eq!(Journal::open(&mut st, 1).unwrap().1.len(), 3);
        for &s in &seqs[3..] {
            j.remove(&mut st, s).unwrap();
        }
        let (mut j, replay) = Journal::open(&mut st, 1).unwrap();
        assert!(replay.is_empty());
        // Drained: the journal now spans 2 slots.
        assert_eq!(
            Record::load(&mut st, SLOTS_KEY).unwrap(),
            Some(2u32.to_le_bytes().to_vec())
        );
        let s = j.append(&mut st, b"[1]").unwrap();
        // Growing: the new span is recorded before any slot beyond the old one is used.
        let (mut j, replay) = Journal::open(&mut st, 5).unwrap();
        assert_eq!(replay, vec![(s, b"[1]".to_vec())]);
        assert_eq!(
            Record::load(&mut st, SLOTS_KEY).unwrap(),
            Some(6u32.to_le_bytes().to_vec())
        );
        for i in 0..4 {
            j.append(&mut st, &frame("g", i)).unwrap();
        }
        assert_eq!(Journal::open(&mut st, 2).unwrap().1.len(), 5);
    }

    #[test]
    fn a_shrunk_journal_keeps_a_spare_slot_for_replace() {
        let mut st = MemStorage::new();
        let (mut j, _) = Journal::open(&mut st, 4).unwrap();
        let seqs: Vec<u64> = (0..4).map(|i| j.append(&mut st, &frame("s", i)).unwrap()).collect();
        // Slots j0..j3 are in use, j4 is the spare; capacity 1 must keep spanning it.
        let (mut j, replay) = Journal::open(&mut st, 1).unwrap();
        assert_eq!(replay.len(), 4);
        j.replace(&mut st, seqs[0], &frame("s", 9)).unwrap();
        assert_eq!(
            Journal::open(&mut st, 1).unwrap().1.first(),
            Some(&(seqs[0], frame("s", 9)))
        );
    }

    #[test]
    fn stale_copy_from_a_failed_cleanup_never_outlives_its_entry() {
        let mut st = Faulty::new(MemStorage::new());
        let (mut j, _) = Journal::open(&mut st, 4).unwrap();
        let a = j.append(&mut st, &frame("a", 1)).unwrap();
        // The replace's removal of the old copy fails: replace succeeds, the old copy stays.
        st.inject(st.writes() + 1, Fault::Fail);
        j.replace(&mut st, a, &frame("a", 2)).unwrap();
        assert_eq!(
            st.inner().keys().filter(|k| k.starts_with('j') && *k != "jn.a").count(),
            2
        );
        // The next operation removes it first, so removing the entry removes every copy.
        st.inject(st.writes(), Fault::Fail);
        assert_eq!(j.remove(&mut st, a), Err(StorageError::Io));
        // (A reboot now would replay the new version; on a copy, to keep the stale slot.)
        assert_eq!(
            Journal::open(&mut st.inner().clone(), 4).unwrap().1,
            vec![(a, frame("a", 2))]
        );
        j.remove(&mut st, a).unwrap();
        assert!(Journal::open(&mut st, 4).unwrap().1.is_empty());
        assert_eq!(st.inner().keys().collect::<Vec<_>>(), ["jn.a"]);
    }

    #[test]
    fn corrupt_slots_are_ignored_and_reused() {
        let mut st = MemStorage::new();
        let (mut j, _) = Journal::open(&mut st, 3).unwrap();
        let a = j.append(&mut st, b"[\"a\"]").unwrap();
        st.write("j1", b"not a journal entry at all, but long enough").unwrap();
        st.write("j2", &encode(*b"OCR1", 5, 5, b"a record, not an entry"))
            .unwrap();
        let (mut j, replay) = Journal::open(&mut st, 3).unwrap();
        assert_eq!(replay, vec![(a, b"[\"a\"]".to_vec())]);
        for _ in 0..2 {
            j.append(&mut st, b"[]").unwrap();
        }
        assert_eq!(Journal::open(&mut st, 3).unwrap().1.len(), 3);
    }
}
