//! What the charge point keeps across power cuts, through [`crate::store`]: the journal of
//! transaction messages, the open transaction of each connector, the transaction ids the
//! central system gave to queued messages, configuration, availability, the local
//! authorization list and the charging profiles.
//!
//! Write order keeps every cut recoverable: a StopTransaction is in the journal before the
//! open-transaction record goes; a transaction id is recorded before its StartTransaction
//! leaves the journal. After a cut a message may be sent twice (OCPP-J delivers at least
//! once), never lost.
//!
//! Everything is stored as JSON through [`crate::json`] (read leniently, so a field added by
//! a later version does not lose a record):
//!
//! | key | what |
//! |---|---|
//! | `j0`..`jN` | the journal: `[kind, local number, message]`, kind 0 StartTransaction, 1 StopTransaction, 2 transaction MeterValues |
//! | `tx<c>` | the open transaction on connector `c` ([`OpenTx`]) |
//! | `ids` | `[[local number, transaction id], ...]` of transactions with queued messages |
//! | `cfg` | `[[key, value], ...]`: configuration keys the central system or host changed |
//! | `avail` | `[operative, ...]`: ChangeAvailability state per connector |
//! | `auth` | `[version, [AuthorizationData, ...]]`: the local authorization list |
//! | `prof` | `[{"connector":c,"profile":ChargingProfile}, ...]`: the charging profiles |

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::outbox::Payload;
use crate::json::{self, FromJson, Reader, ToJson, Writer};
use crate::messages::{CiString20, MeterValuesReq, StartTransactionReq, StopTransactionReq};
use crate::store::{Journal, Record, Replay, Storage, StorageError};
use crate::time::DateTime;

/// Longest journal entry: a StopTransaction with its transactionData (thinned to fit).
pub const MAX_ENTRY: usize = 4096;

/// Writes the journal entry of a queued transaction message into `out`; `false` (nothing
/// written) for any other message.
pub fn write_entry(out: &mut String, p: &Payload) -> bool {
    let (kind, local, message): (u32, u32, &dyn ToJson) = match p {
        Payload::StartTx(l, r) => (0, *l, r),
        Payload::StopTx(l, r) => (1, *l, r),
        Payload::TxMeter(l, r) => (2, *l, r),
        _ => return false,
    };
    let mut w = Writer::new(out);
    w.begin_array();
    w.uint(u64::from(kind));
    w.uint(u64::from(local));
    message.write_json(&mut w);
    w.end_array();
    true
}

/// The queued message a journal entry holds; `None` when it does not read (written by
/// another version, or damaged).
pub fn read_entry(text: &str) -> Option<Payload> {
    let mut r = Reader::new(text, true);
    let mut a = r.array().ok()?;
    let mut next = |r: &mut Reader<'_>| r.element(&mut a).ok().filter(|more| *more);
    next(&mut r)?;
    let kind = u32::read_json(&mut r).ok()?;
    next(&mut r)?;
    let local = u32::read_json(&mut r).ok()?;
    next(&mut r)?;
    let payload = match kind {
        0 => Payload::StartTx(local, StartTransactionReq::read_json(&mut r).ok()?),
        1 => Payload::StopTx(local, StopTransactionReq::read_json(&mut r).ok()?),
        2 => Payload::TxMeter(local, MeterValuesReq::read_json(&mut r).ok()?),
        _ => return None,
    };
    if r.element(&mut a).ok()? {
        return None;
    }
    r.finish().ok()?;
    Some(payload)
}

json_object! {
    /// The open transaction of a connector, as it survives a power cut.
    #[derive(Clone, Debug)]
    pub struct OpenTx {
        /// Local number.
        req local: u32 = "local",
        /// Who started it.
        req id_tag: CiString20 = "idTag",
        /// Their group.
        opt parent_id_tag: CiString20 = "parentIdTag",
        /// Energy register at the start, Wh.
        req meter_start: i32 = "meterStart",
        /// The last energy reading taken during the transaction, Wh (meterStop after a cut).
        req last_meter: i32 = "lastMeter",
        /// When it started.
        req start_wall: DateTime = "startWall",
        /// When `last_meter` was read (the StopTransaction timestamp after a cut).
        req last_wall: DateTime = "lastWall",
    }
}

/// The storage and the journal over it.
pub struct Persist {
    storage: Box<dyn Storage>,
    journal: Journal,
    /// Where entries and records are written before they are stored (keeps its capacity).
    scratch: String,
}

impl core::fmt::Debug for Persist {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Persist").field("journal", &self.journal).finish()
    }
}

impl Persist {
    /// Opens the journal (capacity in messages) and returns the messages it held, in order.
    pub fn open(
        mut storage: Box<dyn Storage>,
        capacity: usize,
    ) -> Result<(Persist, Vec<(u64, Payload)>), StorageError> {
        let (journal, replay): (Journal, Replay) = Journal::open(storage.as_mut(), capacity)?;
        let journal = journal.with_max_entry_len(MAX_ENTRY);
        // An entry that no longer parses (written by another version) is skipped, not fatal.
        let entries = replay
            .into_iter()
            .filter_map(|(seq, bytes)| Some((seq, read_entry(core::str::from_utf8(&bytes).ok()?)?)))
            .collect();
        let scratch = String::new();
        Ok((
            Persist {
                storage,
                journal,
                scratch,
            },
            entries,
        ))
    }

    /// Room for `n` more journal entries.
    pub fn has_room(&self, n: usize) -> bool {
        self.journal.len() + n <= self.journal.capacity()
    }

    /// Appends a transaction message; its sequence number (`None`: not a transaction message).
    pub fn append(&mut self, p: &Payload) -> Option<Result<u64, StorageError>> {
        self.scratch.clear();
        if !write_entry(&mut self.scratch, p) {
            return None;
        }
        Some(self.journal.append(self.storage.as_mut(), self.scratch.as_bytes()))
    }

    /// Removes a delivered (or given up) message.
    pub fn remove(&mut self, seq: u64) -> Result<(), StorageError> {
        self.journal.remove(self.storage.as_mut(), seq)
    }

    /// Saves a record.
    pub fn save(&mut self, key: &str, value: &dyn ToJson) -> Result<(), StorageError> {
        self.scratch.clear();
        json::write_to(&mut self.scratch, value);
        let saved = Record::save(self.storage.as_mut(), key, self.scratch.as_bytes());
        // Kept for the journal's entries (at most MAX_ENTRY); a big record's room is given back.
        if self.scratch.capacity() > MAX_ENTRY {
            self.scratch = String::new();
        }
        saved
    }

    /// Loads a record; `None` when absent or unreadable.
    pub fn load<T: FromJson>(&mut self, key: &str) -> Option<T> {
        let bytes = Record::load(self.storage.as_mut(), key).ok()??;
        json::read_with(core::str::from_utf8(&bytes).ok()?, true).ok()
    }

    /// Removes a record.
    pub fn forget(&mut self, key: &str) -> Result<(), StorageError> {
        Record::remove(self.storage.as_mut(), key)
    }
}

/// The record key of connector `c`'s open transaction.
pub fn tx_key(c: u32) -> String {
    alloc::format!("tx{c}")
}

use super::connector::Transaction;
use super::outbox::Item;
use super::{ChargePoint, CpError, Event};
use crate::log::Level;
use crate::messages::Reason;

impl ChargePoint {
    /// A charge point whose journal, open transactions, configuration, availability, local
    /// list and charging profiles live in `storage`: what was there is restored, an open
    /// transaction interrupted by a power cut is stopped with reason PowerLoss (or resumed
    /// with [`super::Config::resume_after_power_loss`]), and queued messages go out after boot.
    pub fn with_storage(config: super::Config, storage: Box<dyn Storage>) -> Result<Self, CpError> {
        let capacity = config.tx_queue_capacity;
        let mut cp = ChargePoint::new(config)?;
        let (mut p, entries) = Persist::open(storage, capacity).map_err(|_| CpError::Storage)?;
        if let Some(ids) = p.load::<Vec<(u32, i32)>>("ids") {
            cp.tx_ids = ids;
        }
        for (k, v) in p.load::<Vec<(String, String)>>("cfg").unwrap_or_default() {
            let _ = cp.keys.change(&k, &v);
        }
        for (c, op) in p.load::<Vec<bool>>("avail").unwrap_or_default().into_iter().enumerate() {
            if let Some(conn) = cp.connectors.get_mut(c) {
                conn.operative = op;
            }
        }
        #[cfg(feature = "local-auth-list")]
        if let Some((version, list)) = p.load("auth") {
            cp.auth_list.restore(version, list);
        }
        #[cfg(feature = "smart-charging")]
        if let Some(profiles) = p.load("prof") {
            cp.profiles.restore(profiles);
        }
        let mut max_local = cp.tx_ids.iter().map(|(l, _)| *l).max().unwrap_or(0);
        let mut stopped: Vec<u32> = Vec::new();
        let mut started: Vec<u32> = Vec::new();
        for (seq, payload) in entries {
            match &payload {
                Payload::StopTx(l, _) => stopped.push(*l),
                Payload::StartTx(l, _) => started.push(*l),
                _ => {}
            }
            max_local = max_local.max(payload.local_tx().unwrap_or(0));
            let _ = cp.outbox.push(payload, crate::time::Instant::ZERO, Some(seq));
        }
        let mut open = Vec::new();
        for c in 1..=cp.cfg.connectors {
            if let Some(tx) = p.load::<OpenTx>(&tx_key(c)) {
                max_local = max_local.max(tx.local);
                open.push((c, tx));
            }
        }
        cp.next_local_tx = max_local.wrapping_add(1).max(1);
        cp.persist = Some(p);
        for (c, tx) in open {
            let (stop_queued, start_queued) = (stopped.contains(&tx.local), started.contains(&tx.local));
            cp.recover(c, tx, stop_queued, start_queued);
        }
        Ok(cp)
    }

    /// A transaction that was open when the power went.
    fn recover(&mut self, c: u32, tx: OpenTx, stop_queued: bool, start_queued: bool) {
        let id = self.tx_id(tx.local);
        if stop_queued {
            // Cut between queueing its StopTransaction and forgetting it: nothing to do.
            self.forget_record(&tx_key(c));
            return;
        }
        if id.is_none() && !start_queued {
            // Cut before its StartTransaction was journaled: the central system never heard
            // of it and never will, so there is nothing to stop.
            self.log(
                Level::Warn,
                format_args!("connector {c}: transaction {} never started", tx.local),
            );
            self.forget_record(&tx_key(c));
            return;
        }
        if self.cfg.resume_after_power_loss {
            self.log(
                Level::Info,
                format_args!("connector {c}: resuming transaction {}", tx.local),
            );
            if let Some(conn) = self.connectors.get_mut(c as usize) {
                conn.plugged = true;
                conn.tx = Some(Transaction {
                    local: tx.local,
                    id,
                    id_tag: tx.id_tag,
                    parent_id_tag: tx.parent_id_tag,
                    meter_start: tx.meter_start,
                    start_wall: tx.start_wall,
                    deauthorized: false,
                    next_sample: None,
                    data: Vec::new(),
                });
            }
            return;
        }
        // 1.6 §4.8: the transaction ended with the power; the last known meter and time.
        let req = StopTransactionReq {
            id_tag: None,
            meter_stop: tx.last_meter.max(tx.meter_start),
            timestamp: tx.last_wall,
            transaction_id: id.unwrap_or(0),
            reason: Some(Reason::PowerLoss),
            transaction_data: None,
        };
        self.log(
            Level::Warn,
            format_args!("connector {c}: transaction {} ended by a power loss", tx.local),
        );
        self.enqueue(crate::time::Instant::ZERO, Payload::StopTx(tx.local, req));
        self.events.push_back(Event::TransactionStopped {
            connector: c,
            transaction_id: id,
            reason: Reason::PowerLoss,
        });
        self.forget_record(&tx_key(c));
    }

    /// Journals a transaction message; its sequence number (`None`: not persisted).
    pub(super) fn journal_append(&mut self, payload: &Payload) -> Option<u64> {
        let p = self.persist.as_mut()?;
        match p.append(payload)? {
            Ok(seq) => Some(seq),
            Err(e) => {
                self.error_event(alloc::format!("journal: {e}; the message is kept in RAM only"));
                None
            }
        }
    }

    /// A journaled message was delivered or given up.
    pub(super) fn journal_remove(&mut self, seq: Option<u64>) {
        let (Some(seq), Some(p)) = (seq, self.persist.as_mut()) else {
            return;
        };
        if let Err(e) = p.remove(seq) {
            self.error_event(alloc::format!("journal: {e}"));
        }
    }

    /// Whether the journal has room for `n` more messages (always, without storage).
    pub(super) fn journal_room(&self, n: usize) -> bool {
        self.persist.as_ref().is_none_or(|p| p.has_room(n))
    }

    /// Saves a record, reporting failures as events.
    pub(super) fn save_record(&mut self, key: &str, value: &dyn ToJson) {
        let Some(p) = self.persist.as_mut() else { return };
        if let Err(e) = p.save(key, value) {
            self.error_event(alloc::format!("storage {key}: {e}"));
        }
    }

    /// Removes a record.
    pub(super) fn forget_record(&mut self, key: &str) {
        let Some(p) = self.persist.as_mut() else { return };
        if let Err(e) = p.forget(key) {
            self.error_event(alloc::format!("storage {key}: {e}"));
        }
    }

    /// Saves the open transaction of connector `c` (at its start and at every sample).
    pub(super) fn save_open_tx(&mut self, c: u32, last_meter: i32, wall: DateTime) {
        if self.persist.is_none() {
            return;
        }
        let Some(tx) = self.connector(c).and_then(|c| c.tx.as_ref()) else {
            return;
        };
        let open = OpenTx {
            local: tx.local,
            id_tag: tx.id_tag.clone(),
            parent_id_tag: tx.parent_id_tag.clone(),
            meter_start: tx.meter_start,
            last_meter,
            start_wall: tx.start_wall,
            last_wall: wall,
        };
        self.save_record(&tx_key(c), &open);
    }

    /// Saves the transaction ids queued messages still need.
    pub(super) fn save_tx_ids(&mut self) {
        if self.persist.is_some() {
            let ids = self.tx_ids.clone();
            self.save_record("ids", &ids);
        }
    }

    /// Saves the configuration keys (called after every accepted change).
    pub(super) fn save_configuration(&mut self) {
        if self.persist.is_some() {
            let values = self.keys.writable_values();
            self.save_record("cfg", &values);
        }
    }

    /// Saves availability per connector.
    pub(super) fn save_availability(&mut self) {
        if self.persist.is_some() {
            let ops: Vec<bool> = self.connectors.iter().map(|c| c.operative).collect();
            self.save_record("avail", &ops);
        }
    }

    /// Saves the local authorization list.
    #[cfg(feature = "local-auth-list")]
    pub(super) fn save_auth_list(&mut self) {
        if self.persist.is_some() {
            let list = (self.auth_list.version(), self.auth_list.entries().to_vec());
            self.save_record("auth", &list);
        }
    }

    /// Saves the charging profiles.
    #[cfg(feature = "smart-charging")]
    pub(super) fn save_profiles(&mut self) {
        if self.persist.is_some() {
            let profiles: Vec<_> = self.profiles.iter().cloned().collect();
            self.save_record("prof", &profiles);
        }
    }

    /// The journal entry of an item that has been dealt with.
    pub(super) fn item_done(&mut self, item: &Item) {
        self.journal_remove(item.seq);
    }
}
