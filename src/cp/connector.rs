//! One connector: its inputs, its transaction and its status (1.6 §4.9 state machine).

use alloc::vec::Vec;

use crate::messages::{ChargePointErrorCode, ChargePointStatus, CiString20, CiString50, MeterValue};
use crate::time::Instant;

/// A fault the host reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// OCPP error code (never NoError).
    pub code: ChargePointErrorCode,
    /// Free text for StatusNotification `info`.
    pub info: Option<CiString50>,
}

/// An id tag that may start a transaction once the cable is plugged (ConnectionTimeOut).
#[derive(Clone, Debug)]
pub struct Authorized {
    /// The tag.
    pub id_tag: CiString20,
    /// Its parent, from the authorization.
    pub parent_id_tag: Option<CiString20>,
    /// When the offer lapses if nobody plugs in.
    pub until: Instant,
}

/// A running transaction.
#[derive(Clone, Debug)]
pub struct Transaction {
    /// Our number for it, until (and after) the central system gives its id.
    pub local: u32,
    /// The central system's id, once StartTransaction was answered.
    pub id: Option<i32>,
    /// Who started it.
    pub id_tag: CiString20,
    /// The starter's parent tag (stop by any tag of the same group).
    pub parent_id_tag: Option<CiString20>,
    /// Energy register at the start, Wh.
    pub meter_start: i32,
    /// StartTransaction answered with a status other than Accepted and the transaction
    /// continues without energy (StopTransactionOnInvalidId = false).
    pub deauthorized: bool,
    /// Next MeterValueSampleInterval sample.
    pub next_sample: Option<Instant>,
    /// StopTxnSampledData / StopTxnAlignedData, sent with StopTransaction.
    pub data: Vec<MeterValue>,
}

/// The reported status with its error code.
pub type StatusPair = (ChargePointStatus, ChargePointErrorCode);

/// One connector (index 0 is the charge point as a whole).
#[derive(Clone, Debug)]
pub struct Connector {
    /// Cable plugged into the EV.
    pub plugged: bool,
    /// The EV does not take energy although offered.
    pub ev_suspended: bool,
    /// A fault reported by the host.
    pub fault: Option<Fault>,
    /// ChangeAvailability state.
    pub operative: bool,
    /// ChangeAvailability that waits for the transaction to end.
    pub scheduled_operative: Option<bool>,
    /// An authorized tag waiting for the cable.
    pub authorized: Option<Authorized>,
    /// The running transaction.
    pub tx: Option<Transaction>,
    /// A transaction ended while the cable was still plugged.
    pub finishing: bool,
    /// The status last reported.
    pub reported: Option<StatusPair>,
    /// A different status waiting out MinimumStatusDuration.
    pub candidate: Option<(StatusPair, Instant)>,
    /// Whether energy is currently offered (last `EnergyOffered` event).
    pub energy_on: bool,
}

impl Connector {
    /// A new, available connector.
    pub fn new() -> Self {
        Connector {
            plugged: false,
            ev_suspended: false,
            fault: None,
            operative: true,
            scheduled_operative: None,
            authorized: None,
            tx: None,
            finishing: false,
            reported: None,
            candidate: None,
            energy_on: false,
        }
    }

    /// Free to start a transaction: operative, not faulted, no transaction.
    pub fn is_free(&self) -> bool {
        self.tx.is_none() && self.fault.is_none() && self.operative
    }

    /// Whether energy should flow now.
    pub fn wants_energy(&self) -> bool {
        self.plugged && self.fault.is_none() && self.tx.as_ref().is_some_and(|t| !t.deauthorized)
    }

    /// The status as 1.6 §4.9 defines it, derived from the inputs alone.
    pub fn status(&self, whole_cp_operative: bool) -> StatusPair {
        use ChargePointStatus::*;
        if let Some(f) = &self.fault {
            return (Faulted, f.code);
        }
        let status = match &self.tx {
            Some(t) if t.deauthorized => SuspendedEVSE,
            Some(_) if !self.plugged || self.ev_suspended => SuspendedEV,
            Some(_) => Charging,
            None if !self.operative || !whole_cp_operative => Unavailable,
            None if self.finishing => Finishing,
            None if self.plugged || self.authorized.is_some() => Preparing,
            None => Available,
        };
        (status, ChargePointErrorCode::NoError)
    }
}

impl Default for Connector {
    fn default() -> Self {
        Connector::new()
    }
}
