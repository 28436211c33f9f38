//! CALLs waiting to be sent. Exactly one of ours is in flight at a time (OCPP-J §4.1.1).
//!
//! Transaction messages (StartTransaction, StopTransaction and transaction MeterValues) keep
//! their order among themselves and are retried (1.6 §4.10); other messages may overtake a
//! transaction message that waits for its retry.

use alloc::collections::VecDeque;

use crate::messages::{
    AuthorizeReq, DataTransferReq, DiagnosticsStatus, FirmwareStatus, MeterValuesReq, StartTransactionReq,
    StatusNotificationReq, StopTransactionReq,
};
use crate::time::Instant;

/// Why we asked Authorize.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthPurpose {
    /// To start on this connector.
    Start(u32),
    /// To stop the transaction on this connector with a tag of the same group.
    Stop(u32),
}

/// What a queued CALL carries.
#[derive(Clone, Debug)]
pub enum Payload {
    /// BootNotification (built when sent).
    Boot,
    /// Heartbeat.
    Heartbeat,
    /// StatusNotification.
    Status(StatusNotificationReq),
    /// Authorize, and why.
    Authorize(AuthorizeReq, AuthPurpose),
    /// DataTransfer from the host.
    DataTransfer(DataTransferReq),
    /// DiagnosticsStatusNotification.
    Diagnostics(DiagnosticsStatus),
    /// FirmwareStatusNotification.
    Firmware(FirmwareStatus),
    /// MeterValues outside a transaction (clock-aligned, triggered).
    Meter(MeterValuesReq),
    /// StartTransaction of the transaction with this local number.
    StartTx(u32, StartTransactionReq),
    /// StopTransaction; `transaction_id` is patched from the local number when sent.
    StopTx(u32, StopTransactionReq),
    /// Transaction MeterValues; `transaction_id` is patched when sent.
    TxMeter(u32, MeterValuesReq),
}

impl Payload {
    /// Whether this is a transaction message (ordered, retried, never dropped silently).
    pub fn is_tx(&self) -> bool {
        matches!(self, Payload::StartTx(..) | Payload::StopTx(..) | Payload::TxMeter(..))
    }

    /// The local transaction number of a transaction message.
    pub fn local_tx(&self) -> Option<u32> {
        match self {
            Payload::StartTx(l, _) | Payload::StopTx(l, _) | Payload::TxMeter(l, _) => Some(*l),
            _ => None,
        }
    }
}

/// A queued CALL.
#[derive(Clone, Debug)]
pub struct Item {
    /// What to send.
    pub payload: Payload,
    /// Failed attempts so far.
    pub attempts: u8,
    /// Not before this instant (retry wait).
    pub not_before: Instant,
    /// Its journal entry, when the message is persisted.
    pub seq: Option<u64>,
}

/// Most non-transaction CALLs waiting at once (statuses are coalesced per connector).
pub const OTHER_CAPACITY: usize = 24;

/// The queue of CALLs.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    items: VecDeque<Item>,
}

impl Outbox {
    /// How many transaction messages wait.
    pub fn tx_len(&self) -> usize {
        self.items.iter().filter(|i| i.payload.is_tx()).count()
    }

    /// How many other messages wait.
    pub fn other_len(&self) -> usize {
        self.items.len() - self.tx_len()
    }

    /// Appends a CALL; refuses (returns it back) a non-transaction one when that lane is full.
    pub fn push(&mut self, payload: Payload, now: Instant, seq: Option<u64>) -> Result<(), Payload> {
        if !payload.is_tx() && self.other_len() >= OTHER_CAPACITY {
            return Err(payload);
        }
        if let Payload::Status(s) = &payload {
            // A newer status of the same connector replaces one not yet sent.
            if let Some(old) = self
                .items
                .iter_mut()
                .find(|i| matches!(&i.payload, Payload::Status(o) if o.connector_id == s.connector_id))
            {
                old.payload = payload;
                return Ok(());
            }
        }
        self.items.push_back(Item {
            payload,
            attempts: 0,
            not_before: now,
            seq,
        });
        Ok(())
    }

    /// Puts a CALL back at the front (its answer failed), to wait until `not_before`.
    pub fn push_front(&mut self, item: Item) {
        self.items.push_front(item);
    }

    /// Takes the next CALL that may go now: the first ready one, where a transaction message
    /// waiting for its retry holds back the transaction messages behind it.
    pub fn take_ready(&mut self, now: Instant, booted: bool) -> Option<Item> {
        let mut tx_blocked = false;
        let mut pick = None;
        for (i, item) in self.items.iter().enumerate() {
            // Before Accepted only BootNotification may go (1.6 §4.2.1).
            if !booted && !matches!(item.payload, Payload::Boot) {
                continue;
            }
            let ready = item.not_before <= now;
            if item.payload.is_tx() {
                if tx_blocked {
                    continue;
                }
                if !ready {
                    tx_blocked = true;
                    continue;
                }
            } else if !ready {
                continue;
            }
            pick = Some(i);
            break;
        }
        self.items.remove(pick?)
    }

    /// The earliest instant [`Self::take_ready`] can return a CALL: the first ready time of
    /// any other message, and of the first transaction message only (those behind it wait
    /// for it, however early their own time).
    pub fn next_ready(&self, booted: bool) -> Option<Instant> {
        let eligible = |i: &&Item| booted || matches!(i.payload, Payload::Boot);
        let other = self
            .items
            .iter()
            .filter(eligible)
            .filter(|i| !i.payload.is_tx())
            .map(|i| i.not_before)
            .min();
        let first_tx = self
            .items
            .iter()
            .filter(eligible)
            .find(|i| i.payload.is_tx())
            .map(|i| i.not_before);
        match (other, first_tx) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a CALL of this kind waits.
    pub fn contains(&self, f: impl Fn(&Payload) -> bool) -> bool {
        self.items.iter().any(|i| f(&i.payload))
    }

    /// Removes the CALLs `f` selects.
    pub fn remove_where(&mut self, f: impl Fn(&Payload) -> bool) {
        self.items.retain(|i| !f(&i.payload));
    }

    /// Iterates the waiting CALLs in order.
    pub fn iter(&self) -> impl Iterator<Item = &Item> {
        self.items.iter()
    }

    /// Drops one queued periodic MeterValues of a transaction, oldest first, to make room;
    /// the dropped item (its journal entry must go too).
    pub fn thin_tx_meter(&mut self) -> Option<Item> {
        let i = self
            .items
            .iter()
            .position(|i| matches!(i.payload, Payload::TxMeter(..)))?;
        self.items.remove(i)
    }
}
