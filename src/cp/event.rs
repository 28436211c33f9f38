//! What the charge point tells its host: [`Event`]s, taken with `poll_event`.

use alloc::string::String;

use crate::time::DateTime;

use crate::messages::{
    Action, AuthorizationStatus, ChargePointErrorCode, ChargePointStatus, DataTransferStatus, MessageTrigger, Reason,
    RegistrationStatus, ResetType,
};

/// Something the host should act on or show.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The central system answered BootNotification.
    Boot {
        /// Accepted, Pending or Rejected.
        status: RegistrationStatus,
    },
    /// A connector's status was reported to the central system (or would have been, offline).
    Status {
        /// Connector (0 = the whole charge point).
        connector: u32,
        /// The new status.
        status: ChargePointStatus,
        /// The error code that goes with it.
        error_code: ChargePointErrorCode,
    },
    /// Switch energy to the EV on or off (contactor / PWM duty cycle).
    EnergyOffered {
        /// Connector.
        connector: u32,
        /// Whether energy may flow.
        on: bool,
    },
    /// A transaction began here (its StartTransaction is queued), whatever started it: an id
    /// tag, the host, or RemoteStartTransaction. Energy may flow from now on, online or not.
    TransactionBegun {
        /// Connector.
        connector: u32,
        /// Who started it.
        id_tag: String,
    },
    /// The central system confirmed a transaction and gave it its id.
    TransactionStarted {
        /// Connector.
        connector: u32,
        /// The central system's transaction id.
        transaction_id: i32,
        /// Who started it.
        id_tag: String,
    },
    /// A transaction ended (its StopTransaction is queued).
    TransactionStopped {
        /// Connector.
        connector: u32,
        /// The id, if the central system had given one yet.
        transaction_id: Option<i32>,
        /// Why it ended.
        reason: Reason,
    },
    /// The effective charging limit of a connector changed (smart charging). Both units are
    /// given; 0 means pause charging; `None` means no limit any more.
    Limit {
        /// Connector.
        connector: u32,
        /// Current per phase, A.
        amps: Option<f64>,
        /// Power, W.
        watts: Option<f64>,
        /// Phases to use, when a schedule says.
        phases: Option<u8>,
    },
    /// An id tag was checked (Authorize, or offline rules).
    Authorization {
        /// The tag.
        id_tag: String,
        /// The verdict.
        status: AuthorizationStatus,
    },
    /// RemoteStartTransaction was accepted for this connector.
    RemoteStart {
        /// Connector.
        connector: u32,
        /// The tag to start with.
        id_tag: String,
    },
    /// RemoteStopTransaction was accepted.
    RemoteStop {
        /// Connector.
        connector: u32,
        /// The transaction being stopped.
        transaction_id: i32,
    },
    /// Reboot now: transactions are stopped and their messages handed over.
    Reset {
        /// Hard (power cycle) or Soft (restart the software).
        kind: ResetType,
    },
    /// Release the cable lock of this connector.
    Unlock {
        /// Connector.
        connector: u32,
    },
    /// The central system sent DataTransfer (already answered per the configured vendor ids).
    DataTransfer {
        /// Vendor id.
        vendor_id: String,
        /// Message id, if given.
        message_id: Option<String>,
        /// Data, if given.
        data: Option<String>,
        /// What we answered.
        status: DataTransferStatus,
    },
    /// The answer to a DataTransfer we sent.
    DataTransferResult {
        /// The central system's verdict; `None` if the call failed or timed out.
        status: Option<DataTransferStatus>,
        /// Data the central system returned.
        data: Option<String>,
    },
    /// A configuration key changed (by the central system or the host).
    ConfigurationChanged {
        /// Key name.
        key: String,
        /// New value (empty for write-only keys such as AuthorizationKey).
        value: String,
    },
    /// The central system asked for a message with TriggerMessage (already answered).
    TriggerMessage {
        /// What it asked for.
        requested: MessageTrigger,
        /// For which connector, if it said.
        connector: Option<u32>,
    },
    /// ChangeAvailability took effect on a connector (0 = the whole charge point).
    Availability {
        /// Connector.
        connector: u32,
        /// Whether it is now operative.
        operative: bool,
    },
    /// Download and install firmware from `location` (UpdateFirmware, at its retrieveDate);
    /// report progress with `firmware_status`.
    UpdateFirmware {
        /// Where to download from.
        location: String,
        /// How many retries the central system allows.
        retries: Option<i32>,
        /// Seconds between retries.
        retry_interval: Option<i32>,
    },
    /// Upload diagnostics to `location` as `file_name` (GetDiagnostics); report progress with
    /// `diagnostics_status`.
    GetDiagnostics {
        /// Where to upload to.
        location: String,
        /// The file name we announced.
        file_name: String,
        /// Oldest log time wanted.
        start_time: Option<DateTime>,
        /// Newest log time wanted.
        stop_time: Option<DateTime>,
        /// How many retries the central system allows.
        retries: Option<i32>,
        /// Seconds between retries.
        retry_interval: Option<i32>,
    },
    /// A frame went out (only with `Config::trace_messages`).
    Sent {
        /// Action of the CALL, or of the CALL answered.
        action: Action,
        /// Message id.
        message_id: String,
        /// True for a CALL, false for an answer.
        call: bool,
    },
    /// A frame came in (only with `Config::trace_messages`).
    Received {
        /// Action of the CALL, or of our CALL it answers.
        action: Option<Action>,
        /// Message id.
        message_id: String,
        /// True for a CALL, false for an answer.
        call: bool,
    },
    /// Something went wrong that the host may want to show (a refused input, a dropped message).
    Error {
        /// What happened.
        message: String,
    },
}
