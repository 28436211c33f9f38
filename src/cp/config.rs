//! What the host tells the charge point once, at creation.

use alloc::string::String;
use alloc::vec::Vec;

use crate::log::LogFn;

/// Settings fixed for the life of a [`super::ChargePoint`]. OCPP configuration keys (which
/// the central system may change) live in [`super::keys::Configuration`] instead.
#[derive(Clone, Debug)]
pub struct Config {
    /// Charge point identity (the last path segment of the URL; the Basic-auth user).
    pub charge_point_id: String,
    /// BootNotification chargePointVendor (at most 20 characters).
    pub vendor: String,
    /// BootNotification chargePointModel (at most 20 characters).
    pub model: String,
    /// BootNotification firmwareVersion (at most 50 characters), left out when `None`.
    pub firmware_version: Option<String>,
    /// BootNotification chargePointSerialNumber (at most 25 characters).
    pub serial_number: Option<String>,
    /// BootNotification meterType (at most 25 characters).
    pub meter_type: Option<String>,
    /// BootNotification meterSerialNumber (at most 25 characters).
    pub meter_serial_number: Option<String>,
    /// Number of connectors (>= 1); connector 0 is the charge point as a whole.
    pub connectors: u32,
    /// How long we wait for the answer to a CALL before it counts as failed.
    pub call_timeout_ms: u64,
    /// Boot retry wait when the central system gives an interval of 0.
    pub boot_retry_s: u64,
    /// Meter readings older than this are not sent (0 = no age limit).
    pub meter_max_age_ms: u64,
    /// How many transaction messages (StartTransaction, StopTransaction, MeterValues) may
    /// wait for delivery. A new transaction needs room for its Start and Stop; periodic
    /// MeterValues that find the queue full are not queued (thinned), Start/Stop never are.
    pub tx_queue_capacity: usize,
    /// At most this many StopTxnSampledData/StopTxnAlignedData values per transaction;
    /// when full, every second periodic value is dropped (the resolution halves).
    pub tx_data_capacity: usize,
    /// Mains voltage per phase, V: converts charging limits between A and W.
    pub nominal_voltage: f64,
    /// Phases the charger is wired for (1 or 3).
    pub phases: u8,
    /// The charger's maximum current per phase, A (fills the gaps of composite schedules).
    pub max_current_a: Option<f64>,
    /// After a power cut, resume the open transaction instead of stopping it with PowerLoss.
    pub resume_after_power_loss: bool,
    /// Entries of the Authorization Cache (least recently used ones are evicted).
    pub auth_cache_capacity: usize,
    /// Whether the connectors have a cable lock that UnlockConnector can release.
    pub unlock_supported: bool,
    /// Vendor ids whose DataTransfer we accept (`"*"` = any); others get UnknownVendorId.
    pub data_transfer_vendor_ids: Vec<String>,
    /// Emit `Event::Sent` / `Event::Received` for every frame.
    pub trace_messages: bool,
    /// Random per boot, so message ids do not repeat across reboots.
    pub message_id_nonce: u32,
    /// After Reset, how long StopTransaction messages get to reach the central system
    /// before `Event::Reset` tells the host to reboot anyway (the queue survives in the journal).
    pub reset_grace_ms: u64,
    /// The charger can switch from three phases to one during a transaction
    /// (ConnectorSwitch3to1PhaseSupported, read-only to the central system).
    pub phase_switching_supported: bool,
    /// Keep the HeartbeatInterval the host set over the interval BootNotification.conf gives
    /// (the original component's `heartbeat_interval`: SteVe answers 14400 s, evcc 86400 s).
    /// ChangeConfiguration from the central system still changes it.
    pub keep_heartbeat_interval: bool,
    /// Where log lines go.
    pub logger: Option<LogFn>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            charge_point_id: String::from("CP_1"),
            vendor: String::from("ocpp-cp"),
            model: String::from("ocpp-cp"),
            firmware_version: None,
            serial_number: None,
            meter_type: None,
            meter_serial_number: None,
            connectors: 1,
            call_timeout_ms: 30_000,
            boot_retry_s: 60,
            meter_max_age_ms: 300_000,
            tx_queue_capacity: 64,
            tx_data_capacity: 32,
            nominal_voltage: 230.0,
            phases: 1,
            max_current_a: None,
            resume_after_power_loss: false,
            auth_cache_capacity: 32,
            unlock_supported: false,
            data_transfer_vendor_ids: Vec::new(),
            trace_messages: false,
            message_id_nonce: 0,
            reset_grace_ms: 10_000,
            phase_switching_supported: false,
            keep_heartbeat_interval: false,
            logger: None,
        }
    }
}
