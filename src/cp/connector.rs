//! One connector: its inputs, its transaction and its status (1.6 §4.9 state machine).

use alloc::vec::Vec;

use crate::messages::{ChargePointErrorCode, ChargePointStatus, CiString20, CiString50, MeterValue};
use crate::time::{DateTime, Instant};

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
    /// The reservation this start uses, if any.
    pub reservation: Option<i32>,
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
    /// When it started, on the wall clock (Relative charging schedules count from here).
    pub start_wall: DateTime,
    /// StartTransaction answered with a status other than Accepted and the transaction
    /// continues without energy (StopTransactionOnInvalidId = false).
    pub deauthorized: bool,
    /// Next MeterValueSampleInterval sample.
    pub next_sample: Option<Instant>,
    /// StopTxnSampledData / StopTxnAlignedData, sent with StopTransaction.
    pub data: Vec<MeterValue>,
}

/// A reservation (1.6 §3.11): the connector (or, on connector 0, one connector of the charge
/// point) is kept for one id tag or its group until `expiry`.
#[derive(Clone, Debug)]
pub struct Reservation {
    /// The central system's reservation id.
    pub id: i32,
    /// For whom.
    pub id_tag: CiString20,
    /// Or anyone of this group.
    pub parent_id_tag: Option<CiString20>,
    /// When it lapses.
    pub expiry: DateTime,
}

impl Reservation {
    /// Whether `tag` (with the parent its authorization gave) may use the reservation.
    pub fn admits(&self, tag: &str, parent: Option<&CiString20>) -> bool {
        self.id_tag.eq_ignore_case(tag)
            || matches!((&self.parent_id_tag, parent), (Some(a), Some(b)) if a.eq_ignore_case(b.as_str()))
    }
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
    /// A reservation held on this connector.
    pub reservation: Option<Reservation>,
    /// The smart-charging limit last reported (`None` = no limit).
    #[cfg(feature = "smart-charging")]
    pub limit: Option<crate::cp::smart_charging::Limit>,
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
            reservation: None,
            #[cfg(feature = "smart-charging")]
            limit: None,
        }
    }

    /// Free to start a transaction: operative, not faulted, no transaction.
    pub fn is_free(&self) -> bool {
        self.tx.is_none() && self.fault.is_none() && self.operative
    }

    /// A smart-charging limit of 0 pauses charging (1.6 §3.13: SuspendedEVSE).
    pub fn paused_by_limit(&self) -> bool {
        #[cfg(feature = "smart-charging")]
        return self.limit.is_some_and(|l| l.amps <= 0.0 || l.watts <= 0.0);
        #[cfg(not(feature = "smart-charging"))]
        false
    }

    /// Whether energy should flow now.
    pub fn wants_energy(&self) -> bool {
        self.plugged
            && self.fault.is_none()
            && !self.paused_by_limit()
            && self.tx.as_ref().is_some_and(|t| !t.deauthorized)
    }

    /// The status as 1.6 §4.9 defines it, derived from the inputs alone.
    pub fn status(&self, whole_cp_operative: bool) -> StatusPair {
        use ChargePointStatus::*;
        if let Some(f) = &self.fault {
            return (Faulted, f.code);
        }
        let status = match &self.tx {
            Some(t) if t.deauthorized || self.paused_by_limit() => SuspendedEVSE,
            Some(_) if !self.plugged || self.ev_suspended => SuspendedEV,
            Some(_) => Charging,
            None if !self.operative || !whole_cp_operative => Unavailable,
            None if self.finishing => Finishing,
            None if self.authorized.is_some() => Preparing,
            None if self.reservation.is_some() => Reserved,
            None if self.plugged => Preparing,
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
