//! The C ABI (feature `ffi`): what `include/ocpp_cp.h` declares, generated from this module by
//! cbindgen in `build.rs`. The only `unsafe` code of the crate lives here.
//!
//! Shape (rustls-ffi style): one opaque handle, [`ocpp_cp`], made by [`ocpp_cp_new`] from an
//! [`ocpp_cp_config`] and released by [`ocpp_cp_free`]; every call takes the handle first and
//! the monotonic time `now_ms` (milliseconds that never wrap); fallible calls return an
//! [`ocpp_cp_result`] and write their out-parameters only on `OCPP_CP_OK`; strings in are
//! NUL-terminated UTF-8 and OCPP names ("Charging", "EVDisconnected", "Voltage") are spelled
//! as on the wire; strings out are [`ocpp_cp_str`], valid until the next call on the same
//! handle; every callback takes `void *user` first; NULL is checked everywhere. A panic
//! never crosses the boundary: with `std` it is caught and the handle refuses every later
//! call with `OCPP_CP_PANIC`; on bare metal it ends in the firmware's `abort`.
//!
//! The handle is a [`Station`]: the charge point and its WebSocket client. The host owns one
//! socket: it opens and closes it when [`ocpp_cp_poll_link`] says, feeds what it reads to
//! [`ocpp_cp_receive`] and writes what [`ocpp_cp_outgoing`] holds.
#![allow(non_camel_case_types)]

mod runtime;
mod storage;

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void, CStr};

use crate::cp::{ChargePoint, Config, CpError, Event, Registration};
use crate::messages::{ChargePointErrorCode, ChargePointStatus, ConfigurationStatus, Measurand, Phase, Reason};
use crate::station::{LinkState, Station, StationEvent};
use crate::time::{DateTime, Instant};
use crate::ws::{ClientConfig, ConnectionConfig, LinkAction, Url};

pub use runtime::ocpp_cp_log_fn;
pub use storage::ocpp_cp_storage;

/// What a call did. The numbers are stable: new codes are only ever added.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ocpp_cp_result {
    /// Done.
    OCPP_CP_OK = 0,
    /// Nothing to report (poll functions), or no value (queries).
    OCPP_CP_EMPTY = 1,
    /// A pointer that must not be NULL was NULL.
    OCPP_CP_NULL_ARGUMENT = 2,
    /// A string that is not UTF-8, an unknown OCPP name, a number that is NaN or infinite.
    OCPP_CP_INVALID_ARGUMENT = 3,
    /// The configuration cannot work (bad URL, a string too long for its OCPP field, ...).
    OCPP_CP_INVALID_CONFIG = 4,
    /// The connector number is 0 (where a real one is needed) or above the configured count.
    OCPP_CP_UNKNOWN_CONNECTOR = 5,
    /// The id tag is empty or longer than 20 characters.
    OCPP_CP_INVALID_ID_TAG = 6,
    /// The connector already has a transaction, is faulted or unavailable.
    OCPP_CP_CONNECTOR_BUSY = 7,
    /// The connector has no transaction.
    OCPP_CP_NO_TRANSACTION = 8,
    /// The transaction queue has no room for another StartTransaction and StopTransaction.
    OCPP_CP_QUEUE_FULL = 9,
    /// A reset is under way.
    OCPP_CP_RESET_PENDING = 10,
    /// The storage failed while it was opened.
    OCPP_CP_STORAGE = 11,
    /// The caller's buffer is too small (the length needed is reported).
    OCPP_CP_BUFFER_TOO_SMALL = 12,
    /// The configuration value was refused (read-only key or invalid value).
    OCPP_CP_REJECTED = 13,
    /// The configuration value was stored and takes effect after a reboot.
    OCPP_CP_REBOOT_REQUIRED = 14,
    /// No such configuration key.
    OCPP_CP_NOT_SUPPORTED = 15,
    /// An internal error was caught at the boundary; the handle refuses every later call.
    OCPP_CP_PANIC = 99,
}

use ocpp_cp_result::*;

/// What [`ocpp_cp_poll_link`] asks of the host's socket (`ocpp_cp_link_action.kind`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ocpp_cp_link_kind {
    /// Open a TCP connection to `host`:`port` (TLS on top when `secure`), then call
    /// `ocpp_cp_socket_opened`, or `ocpp_cp_socket_closed` if that failed.
    OCPP_CP_LINK_OPEN = 1,
    /// Write what `ocpp_cp_outgoing` holds, then close the socket (do not report it closed).
    OCPP_CP_LINK_CLOSE = 2,
}

/// What an [`ocpp_cp_event`] is about (`ocpp_cp_event.kind`); the fields each kind fills are
/// listed with the fields of [`ocpp_cp_event`].
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ocpp_cp_event_kind {
    /// The WebSocket session opened.
    OCPP_CP_EVENT_CONNECTED = 1,
    /// The session that was open is gone (`reason`); a new attempt follows.
    OCPP_CP_EVENT_DISCONNECTED = 2,
    /// The central system answered BootNotification (`status`: Accepted, Pending, Rejected).
    OCPP_CP_EVENT_BOOT = 3,
    /// A connector's status was reported (`connector`, `status`, `error_code`).
    OCPP_CP_EVENT_STATUS = 4,
    /// Switch energy to the EV on or off (`connector`, `flag` = on).
    OCPP_CP_EVENT_ENERGY_OFFERED = 5,
    /// A transaction began here, whatever started it (`connector`, `id_tag`): its
    /// StartTransaction is queued.
    OCPP_CP_EVENT_TRANSACTION_BEGUN = 6,
    /// The central system gave the transaction its id (`connector`, `transaction_id`, `id_tag`).
    OCPP_CP_EVENT_TRANSACTION_STARTED = 7,
    /// A transaction ended (`connector`, `transaction_id` or -1, `reason`).
    OCPP_CP_EVENT_TRANSACTION_STOPPED = 8,
    /// The effective charging limit changed (`connector`, `amps`, `watts`, `phases`).
    OCPP_CP_EVENT_LIMIT = 9,
    /// An id tag was checked (`id_tag`, `status`).
    OCPP_CP_EVENT_AUTHORIZATION = 10,
    /// RemoteStartTransaction was accepted (`connector`, `id_tag`).
    OCPP_CP_EVENT_REMOTE_START = 11,
    /// RemoteStopTransaction was accepted (`connector`, `transaction_id`).
    OCPP_CP_EVENT_REMOTE_STOP = 12,
    /// Reboot now (`name`: Hard or Soft); transactions are stopped and their messages kept.
    OCPP_CP_EVENT_RESET = 13,
    /// Release the cable lock (`connector`).
    OCPP_CP_EVENT_UNLOCK = 14,
    /// The central system sent DataTransfer (`vendor_id`, `message_id`, `data`; `status`
    /// is what was answered).
    OCPP_CP_EVENT_DATA_TRANSFER = 15,
    /// The answer to our DataTransfer (`status`, empty if none came; `data`).
    OCPP_CP_EVENT_DATA_TRANSFER_RESULT = 16,
    /// A configuration key changed (`name` = key, `value`; empty for AuthorizationKey).
    OCPP_CP_EVENT_CONFIGURATION_CHANGED = 17,
    /// TriggerMessage was received and answered (`name` = requested message, `connector`
    /// or -1).
    OCPP_CP_EVENT_TRIGGER_MESSAGE = 18,
    /// ChangeAvailability took effect (`connector`, `flag` = operative).
    OCPP_CP_EVENT_AVAILABILITY = 19,
    /// Download and install firmware (`location`, `retries`, `retry_interval`); report
    /// progress with `ocpp_cp_firmware_status`.
    OCPP_CP_EVENT_UPDATE_FIRMWARE = 20,
    /// Upload diagnostics (`location`, `file_name`, `start_time`, `stop_time`, `retries`,
    /// `retry_interval`); report progress with `ocpp_cp_diagnostics_status`.
    OCPP_CP_EVENT_GET_DIAGNOSTICS = 21,
    /// Something went wrong that the host may want to show (`reason`).
    OCPP_CP_EVENT_ERROR = 22,
    /// A frame went out (`name` = action, `message_id`, `flag` = it was a CALL).
    OCPP_CP_EVENT_SENT = 23,
    /// A frame came in (`name` = action or empty, `message_id`, `flag` = it was a CALL).
    OCPP_CP_EVENT_RECEIVED = 24,
}

/// A string handed out by the library: `ptr` is never NULL and is NUL-terminated, `len`
/// excludes the NUL (a string from the network may hold a NUL of its own: trust `len`). An
/// absent value is the empty string. Valid until the next call on the same handle.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ocpp_cp_str {
    /// The bytes, UTF-8.
    pub ptr: *const c_char,
    /// Their number, without the NUL.
    pub len: usize,
}

const EMPTY_STR: ocpp_cp_str = ocpp_cp_str {
    ptr: c"".as_ptr(),
    len: 0,
};

/// What the host sets once, at creation. Start from [`ocpp_cp_config_init`]; strings are
/// copied, so they need to live only during [`ocpp_cp_new`].
#[repr(C)]
pub struct ocpp_cp_config {
    /// `ws://host[:port]/path` or `wss://...`, used as it is: the charge point id must be in it
    /// (as with the original ESPHome component).
    pub csms_url: *const c_char,
    /// The charge point's identity: the Basic-auth user, and the name in logs.
    pub charge_point_id: *const c_char,
    /// The Basic-auth password (security profile 1; 16 to 40 characters), or NULL. A key the
    /// central system set later with ChangeConfiguration (and that storage kept) wins.
    pub authorization_key: *const c_char,
    /// BootNotification chargePointVendor (at most 20 characters).
    pub vendor: *const c_char,
    /// BootNotification chargePointModel (at most 20 characters).
    pub model: *const c_char,
    /// BootNotification firmwareVersion (at most 50 characters); NULL or empty: left out.
    pub firmware_version: *const c_char,
    /// BootNotification chargePointSerialNumber (at most 25 characters); NULL: left out.
    pub serial_number: *const c_char,
    /// Number of connectors (at least 1).
    pub connectors: u32,
    /// Phases the charger is wired for (1 or 3).
    pub phases: u8,
    /// Mains voltage per phase, V (converts limits between A and W).
    pub nominal_voltage: f64,
    /// The charger can switch from three phases to one during a transaction
    /// (ConnectorSwitch3to1PhaseSupported).
    pub phase_switching_supported: bool,
    /// The charger's maximum current per phase, A; 0 or less: unknown.
    pub max_current_a: f64,
    /// HeartbeatInterval, s; 0: take the central system's. Otherwise it is kept over the
    /// interval BootNotification.conf gives (ChangeConfiguration still changes it).
    pub heartbeat_interval_s: u32,
    /// Transaction messages kept for delivery while offline (and in storage); 0: default (64).
    pub tx_queue_capacity: u32,
    /// Whether the connectors have a cable lock that UnlockConnector can release.
    pub unlock_supported: bool,
    /// After a power cut, resume the open transaction instead of stopping it with PowerLoss.
    pub resume_after_power_loss: bool,
    /// Accept DataTransfer from the central system for any vendor id (else UnknownVendorId).
    pub accept_data_transfer: bool,
    /// Report every frame as `OCPP_CP_EVENT_SENT` / `OCPP_CP_EVENT_RECEIVED`.
    pub trace_messages: bool,
    /// Entropy for WebSocket masks, reconnect jitter and message ids: differs per boot.
    pub random_seed: u32,
    /// Where state that must survive a power cut goes; `read == NULL`: RAM only.
    pub storage: ocpp_cp_storage,
}

/// Fills `cfg` with the defaults: no strings but vendor and model ("ocpp-cp"), one
/// connector, one phase at 230 V, no storage. NULL is ignored.
///
/// # Safety
/// `cfg` is NULL or points to writable memory for an `ocpp_cp_config`.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_config_init(cfg: *mut ocpp_cp_config) {
    if cfg.is_null() {
        return;
    }
    let d = Config::default();
    let value = ocpp_cp_config {
        csms_url: core::ptr::null(),
        charge_point_id: core::ptr::null(),
        authorization_key: core::ptr::null(),
        vendor: c"ocpp-cp".as_ptr(),
        model: c"ocpp-cp".as_ptr(),
        firmware_version: core::ptr::null(),
        serial_number: core::ptr::null(),
        connectors: d.connectors,
        phases: d.phases,
        nominal_voltage: d.nominal_voltage,
        phase_switching_supported: false,
        max_current_a: 0.0,
        heartbeat_interval_s: 0,
        tx_queue_capacity: u32::try_from(d.tx_queue_capacity).unwrap_or(u32::MAX),
        unlock_supported: d.unlock_supported,
        resume_after_power_loss: d.resume_after_power_loss,
        accept_data_transfer: false,
        trace_messages: false,
        random_seed: 0,
        storage: ocpp_cp_storage {
            user: core::ptr::null_mut(),
            read: None,
            write: None,
            remove: None,
        },
    };
    // SAFETY: `cfg` is writable (caller's promise); `write` does not read the old contents.
    unsafe { cfg.write(value) };
}

/// The charge point and its link, as C holds it.
pub struct ocpp_cp {
    station: Station,
    /// The strings of the last event (or link action), NUL-terminated, back to back.
    strings: Vec<u8>,
    poisoned: bool,
}

/// Sets the process-wide logger: `f(user, level, line)` for every log line (1 error, 2 warn,
/// 3 info, 4 debug). Call it before creating any handle, from one thread; NULL stops logging.
///
/// # Safety
/// `f` is NULL or a function that may be called with `user` from any later call into the
/// library, until `ocpp_cp_set_logger` is called again.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_logger(f: ocpp_cp_log_fn, user: *mut c_void) {
    runtime::set_logger(f, user);
}

/// The library's version, e.g. "0.1.0" (a static string).
#[no_mangle]
pub extern "C" fn ocpp_cp_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The name of a result code, e.g. "OCPP_CP_CONNECTOR_BUSY" (a static string).
#[no_mangle]
pub extern "C" fn ocpp_cp_result_name(r: ocpp_cp_result) -> *const c_char {
    let name: &'static CStr = match r {
        OCPP_CP_OK => c"OCPP_CP_OK",
        OCPP_CP_EMPTY => c"OCPP_CP_EMPTY",
        OCPP_CP_NULL_ARGUMENT => c"OCPP_CP_NULL_ARGUMENT",
        OCPP_CP_INVALID_ARGUMENT => c"OCPP_CP_INVALID_ARGUMENT",
        OCPP_CP_INVALID_CONFIG => c"OCPP_CP_INVALID_CONFIG",
        OCPP_CP_UNKNOWN_CONNECTOR => c"OCPP_CP_UNKNOWN_CONNECTOR",
        OCPP_CP_INVALID_ID_TAG => c"OCPP_CP_INVALID_ID_TAG",
        OCPP_CP_CONNECTOR_BUSY => c"OCPP_CP_CONNECTOR_BUSY",
        OCPP_CP_NO_TRANSACTION => c"OCPP_CP_NO_TRANSACTION",
        OCPP_CP_QUEUE_FULL => c"OCPP_CP_QUEUE_FULL",
        OCPP_CP_RESET_PENDING => c"OCPP_CP_RESET_PENDING",
        OCPP_CP_STORAGE => c"OCPP_CP_STORAGE",
        OCPP_CP_BUFFER_TOO_SMALL => c"OCPP_CP_BUFFER_TOO_SMALL",
        OCPP_CP_REJECTED => c"OCPP_CP_REJECTED",
        OCPP_CP_REBOOT_REQUIRED => c"OCPP_CP_REBOOT_REQUIRED",
        OCPP_CP_NOT_SUPPORTED => c"OCPP_CP_NOT_SUPPORTED",
        OCPP_CP_PANIC => c"OCPP_CP_PANIC",
    };
    name.as_ptr()
}

impl From<CpError> for ocpp_cp_result {
    fn from(e: CpError) -> Self {
        match e {
            CpError::UnknownConnector => OCPP_CP_UNKNOWN_CONNECTOR,
            CpError::InvalidIdTag => OCPP_CP_INVALID_ID_TAG,
            CpError::ConnectorBusy => OCPP_CP_CONNECTOR_BUSY,
            CpError::NoTransaction => OCPP_CP_NO_TRANSACTION,
            CpError::QueueFull => OCPP_CP_QUEUE_FULL,
            CpError::ResetPending => OCPP_CP_RESET_PENDING,
            CpError::NotFinite => OCPP_CP_INVALID_ARGUMENT,
            CpError::InvalidConfig(_) => OCPP_CP_INVALID_CONFIG,
            CpError::Storage => OCPP_CP_STORAGE,
        }
    }
}

fn done(r: Result<(), CpError>) -> ocpp_cp_result {
    r.map_or_else(ocpp_cp_result::from, |()| OCPP_CP_OK)
}

/// Runs `f`; with `std`, a panic is caught and reported as `OCPP_CP_PANIC`.
fn guard(f: impl FnOnce() -> ocpp_cp_result) -> ocpp_cp_result {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(OCPP_CP_PANIC)
    }
    #[cfg(not(feature = "std"))]
    {
        f()
    }
}

/// Runs `f` on the handle behind `cp`: NULL -> `OCPP_CP_NULL_ARGUMENT`, a handle that
/// panicked before -> `OCPP_CP_PANIC` (and a panic now poisons it).
///
/// # Safety
/// `cp` is NULL or a live handle from `ocpp_cp_new`, not used by another thread meanwhile.
unsafe fn with(cp: *mut ocpp_cp, f: impl FnOnce(&mut ocpp_cp) -> ocpp_cp_result) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { cp.as_mut() }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    if h.poisoned {
        return OCPP_CP_PANIC;
    }
    let r = guard(|| f(&mut *h));
    if r == OCPP_CP_PANIC {
        h.poisoned = true;
    }
    r
}

/// The same for read-only queries.
///
/// # Safety
/// As [`with`].
unsafe fn with_ref<'a>(cp: *const ocpp_cp) -> Option<&'a ocpp_cp> {
    // SAFETY: the caller's promise.
    unsafe { cp.as_ref() }.filter(|h| !h.poisoned)
}

/// A C string argument: NULL -> `None`; not UTF-8 -> `OCPP_CP_INVALID_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or NUL-terminated and readable.
unsafe fn opt_str<'a>(p: *const c_char) -> Result<Option<&'a str>, ocpp_cp_result> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's promise.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(Some).map_err(|_| OCPP_CP_INVALID_ARGUMENT)
}

/// A C string argument that must be there.
///
/// # Safety
/// As [`opt_str`].
unsafe fn req_str<'a>(p: *const c_char) -> Result<&'a str, ocpp_cp_result> {
    // SAFETY: the caller's promise.
    unsafe { opt_str(p) }?.ok_or(OCPP_CP_NULL_ARGUMENT)
}

/// Writes `v` through `out` when it is not NULL.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn put<T>(out: *mut T, v: T) -> ocpp_cp_result {
    if out.is_null() {
        return OCPP_CP_NULL_ARGUMENT;
    }
    // SAFETY: the caller's promise.
    unsafe { out.write(v) };
    OCPP_CP_OK
}

fn t(now_ms: u64) -> Instant {
    Instant::from_millis(now_ms)
}

/// Makes a charge point with its link; the link opens at the first [`ocpp_cp_poll_link`].
/// On failure `*out` is untouched and the logger says why.
///
/// # Safety
/// `cfg` is NULL or a valid `ocpp_cp_config` whose strings are NULL or NUL-terminated;
/// `out` is NULL or writable; the storage callbacks follow `ocpp_cp_storage`'s contract and
/// may be called from any later call on the handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_new(
    cfg: *const ocpp_cp_config,
    now_ms: u64,
    out: *mut *mut ocpp_cp,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(cfg) = (unsafe { cfg.as_ref() }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    if out.is_null() {
        return OCPP_CP_NULL_ARGUMENT;
    }
    guard(|| {
        // SAFETY: the caller's promise about the configuration's strings.
        let handle = match unsafe { build(cfg, t(now_ms)) } {
            Ok(h) => h,
            Err(r) => return r,
        };
        // SAFETY: `out` is writable (checked non-NULL above).
        unsafe { out.write(Box::into_raw(Box::new(handle))) };
        OCPP_CP_OK
    })
}

/// # Safety
/// As [`ocpp_cp_new`].
unsafe fn build(cfg: &ocpp_cp_config, now: Instant) -> Result<ocpp_cp, ocpp_cp_result> {
    let logger = Some(runtime::log_line as crate::log::LogFn);
    let fail = |what: &str, r: ocpp_cp_result| {
        runtime::log_line(crate::log::Level::Error, format_args!("ocpp_cp_new: {what}"));
        r
    };
    // SAFETY (all string reads below): the caller's promise.
    let url = unsafe { req_str(cfg.csms_url) }?;
    let id = unsafe { req_str(cfg.charge_point_id) }?;
    let key = unsafe { opt_str(cfg.authorization_key) }?;
    let url = Url::parse(url).map_err(|e| fail(&alloc::format!("csms_url: {e}"), OCPP_CP_INVALID_CONFIG))?;
    let defaults = Config::default();
    let config = Config {
        charge_point_id: String::from(id),
        vendor: String::from(unsafe { req_str(cfg.vendor) }?),
        model: String::from(unsafe { req_str(cfg.model) }?),
        firmware_version: unsafe { opt_str(cfg.firmware_version) }?
            .filter(|v| !v.is_empty())
            .map(String::from),
        serial_number: unsafe { opt_str(cfg.serial_number) }?.map(String::from),
        connectors: cfg.connectors,
        phases: cfg.phases,
        nominal_voltage: cfg.nominal_voltage,
        phase_switching_supported: cfg.phase_switching_supported,
        max_current_a: (cfg.max_current_a > 0.0).then_some(cfg.max_current_a),
        tx_queue_capacity: match cfg.tx_queue_capacity {
            0 => defaults.tx_queue_capacity,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        },
        unlock_supported: cfg.unlock_supported,
        resume_after_power_loss: cfg.resume_after_power_loss,
        data_transfer_vendor_ids: if cfg.accept_data_transfer {
            vec![String::from("*")]
        } else {
            Vec::new()
        },
        trace_messages: cfg.trace_messages,
        message_id_nonce: cfg.random_seed,
        keep_heartbeat_interval: cfg.heartbeat_interval_s > 0,
        logger,
        ..defaults
    };
    if !(1..=3).contains(&config.phases) || !config.nominal_voltage.is_finite() || config.nominal_voltage <= 0.0 {
        return Err(fail(
            "phases must be 1 to 3 and nominal_voltage positive",
            OCPP_CP_INVALID_CONFIG,
        ));
    }
    let cp = if cfg.storage.read.is_some() {
        ChargePoint::with_storage(config, Box::new(storage::CStorage(cfg.storage)))
    } else {
        ChargePoint::new(config)
    };
    let mut cp = cp.map_err(|e| fail(&e.to_string(), ocpp_cp_result::from(e)))?;
    if cfg.heartbeat_interval_s > 0 {
        let v = cfg.heartbeat_interval_s.to_string();
        if cp.set_configuration(now, "HeartbeatInterval", &v) != ConfigurationStatus::Accepted {
            return Err(fail("heartbeat_interval refused", OCPP_CP_INVALID_CONFIG));
        }
    }
    let mut client = ClientConfig::new(url);
    client.basic_auth = key.map(|k| (String::from(id), String::from(k)));
    client.validate().map_err(|e| {
        fail(
            &alloc::format!("csms_url / authorization_key: {e}"),
            OCPP_CP_INVALID_CONFIG,
        )
    })?;
    let mut station = Station::new(cp, client, ConnectionConfig::default(), cfg.random_seed);
    station.pump(now);
    Ok(ocpp_cp {
        station,
        strings: Vec::new(),
        poisoned: false,
    })
}

/// Frees a handle (NULL is ignored). Nothing is sent: close the socket afterwards.
///
/// # Safety
/// `cp` is NULL or a handle from `ocpp_cp_new` that is not used again.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_free(cp: *mut ocpp_cp) {
    if !cp.is_null() {
        // SAFETY: made by `Box::into_raw` in `ocpp_cp_new`, given back once.
        let _ = guard(|| {
            drop(unsafe { Box::from_raw(cp) });
            OCPP_CP_OK
        });
    }
}

// ----- the socket -----

/// What a [`ocpp_cp_poll_link`] asks of the host's socket.
#[repr(C)]
pub struct ocpp_cp_link_action {
    /// An `ocpp_cp_link_kind`.
    pub kind: u8,
    /// OPEN: host name or IP address (IPv6 without brackets).
    pub host: ocpp_cp_str,
    /// OPEN: TCP port.
    pub port: u16,
    /// OPEN: TLS on top (`wss://`).
    pub secure: bool,
}

/// The next thing to do with the socket: `OCPP_CP_OK` with `*out` filled, or `OCPP_CP_EMPTY`.
///
/// # Safety
/// `cp` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_poll_link(
    cp: *mut ocpp_cp,
    now_ms: u64,
    out: *mut ocpp_cp_link_action,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            if out.is_null() {
                return OCPP_CP_NULL_ARGUMENT;
            }
            let action = match h.station.poll_action(t(now_ms)) {
                None => return OCPP_CP_EMPTY,
                Some(LinkAction::Open { host, port, secure }) => {
                    let mut texts = Texts::new(&mut h.strings);
                    let at = texts.add(&host);
                    ocpp_cp_link_action {
                        kind: ocpp_cp_link_kind::OCPP_CP_LINK_OPEN as u8,
                        host: texts.get(at),
                        port,
                        secure,
                    }
                }
                Some(LinkAction::Close) => ocpp_cp_link_action {
                    kind: ocpp_cp_link_kind::OCPP_CP_LINK_CLOSE as u8,
                    host: EMPTY_STR,
                    port: 0,
                    secure: false,
                },
            };
            put(out, action)
        })
    }
}

/// The socket the last OPEN asked for is open (and TLS established, for `secure`).
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_socket_opened(cp: *mut ocpp_cp, now_ms: u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            h.station.handle_socket_open(t(now_ms));
            OCPP_CP_OK
        })
    }
}

/// The socket could not be opened, or it closed (EOF, error).
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_socket_closed(cp: *mut ocpp_cp, now_ms: u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            h.station.handle_socket_closed(t(now_ms));
            OCPP_CP_OK
        })
    }
}

/// Bytes the socket read.
///
/// # Safety
/// `cp` is NULL or a live handle; `data` is NULL (with `len` 0) or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_receive(cp: *mut ocpp_cp, now_ms: u64, data: *const u8, len: usize) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            if len == 0 {
                return OCPP_CP_OK;
            }
            if data.is_null() {
                return OCPP_CP_NULL_ARGUMENT;
            }
            let bytes = core::slice::from_raw_parts(data, len);
            h.station.handle_bytes(t(now_ms), bytes);
            OCPP_CP_OK
        })
    }
}

/// Bytes to write to the socket: `*data` and `*len` are set and `OCPP_CP_OK` returned, or
/// `OCPP_CP_EMPTY` when there are none. Valid until the next call on the handle; tell
/// [`ocpp_cp_consume`] how many were written.
///
/// # Safety
/// `cp` is NULL or a live handle; `data` and `len` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_outgoing(cp: *mut ocpp_cp, data: *mut *const u8, len: *mut usize) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            if data.is_null() || len.is_null() {
                return OCPP_CP_NULL_ARGUMENT;
            }
            let out = h.station.outgoing();
            if out.is_empty() {
                return OCPP_CP_EMPTY;
            }
            data.write(out.as_ptr());
            len.write(out.len());
            OCPP_CP_OK
        })
    }
}

/// `n` bytes of what [`ocpp_cp_outgoing`] gave were written (more than there are: all).
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_consume(cp: *mut ocpp_cp, n: usize) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            let n = n.min(h.station.outgoing().len());
            h.station.consume_outgoing(n);
            OCPP_CP_OK
        })
    }
}

/// Closes the WebSocket session gracefully (close frame 1000) and stays offline: for a
/// shutdown. Keep driving the socket until `ocpp_cp_poll_link` says CLOSE.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_close(cp: *mut ocpp_cp, now_ms: u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            h.station.disconnect(t(now_ms));
            OCPP_CP_OK
        })
    }
}

/// Connects again after `ocpp_cp_close` (or now, skipping a reconnect wait).
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_reconnect(cp: *mut ocpp_cp, now_ms: u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            h.station.reconnect_now(t(now_ms));
            OCPP_CP_OK
        })
    }
}

/// Runs the timers that are due (heartbeat, retries, meter samples, reconnects, pings); call
/// it from every loop, or at the instant [`ocpp_cp_next_deadline`] gives.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_tick(cp: *mut ocpp_cp, now_ms: u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            h.station.handle_timeout(t(now_ms));
            OCPP_CP_OK
        })
    }
}

/// The earliest instant (ms) at which [`ocpp_cp_tick`] has work; `OCPP_CP_EMPTY`: none.
///
/// # Safety
/// `cp` is NULL or a live handle; `out_ms` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_next_deadline(cp: *const ocpp_cp, out_ms: *mut u64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    match h.station.poll_timeout() {
        // SAFETY: the caller's promise.
        Some(at) => unsafe { put(out_ms, at.as_millis()) },
        None => OCPP_CP_EMPTY,
    }
}

// ----- inputs -----

/// Runs an input on the charge point, then moves what it queued to the link.
///
/// # Safety
/// `cp` is NULL or a live handle.
unsafe fn input(
    cp: *mut ocpp_cp,
    now_ms: u64,
    f: impl FnOnce(&mut ChargePoint, Instant) -> ocpp_cp_result,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            let now = t(now_ms);
            let r = f(h.station.cp_mut(), now);
            h.station.pump(now);
            r
        })
    }
}

/// An OCPP name argument, parsed by `parse`; NULL -> `default` (or NULL_ARGUMENT).
///
/// # Safety
/// `p` is NULL or NUL-terminated and readable.
unsafe fn name<T>(p: *const c_char, parse: fn(&str) -> Option<T>, default: Option<T>) -> Result<T, ocpp_cp_result> {
    // SAFETY: the caller's promise.
    match unsafe { opt_str(p) }? {
        Some(s) => parse(s).ok_or(OCPP_CP_INVALID_ARGUMENT),
        None => default.ok_or(OCPP_CP_NULL_ARGUMENT),
    }
}

/// The EV's cable was plugged in (`plugged`) or pulled out.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_plugged(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    plugged: bool,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| {
            done(if plugged {
                c.plug(now, connector)
            } else {
                c.unplug(now, connector)
            })
        })
    }
}

/// The EV paused (`suspended`) or resumed taking energy.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_ev_suspended(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    suspended: bool,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe { input(cp, now_ms, |c, now| done(c.set_ev_suspended(now, connector, suspended))) }
}

/// A fault (`error_code` an OCPP ChargePointErrorCode such as "GroundFailure"; "NoError"
/// clears it) with optional `info` (at most 50 characters). Connector 0 is the whole charger.
///
/// # Safety
/// `cp` is NULL or a live handle; strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_fault(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    error_code: *const c_char,
    info: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let (code, info) = match unsafe { (name(error_code, ChargePointErrorCode::from_wire, None), opt_str(info)) } {
        (Ok(c), Ok(i)) => (c, i),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe { input(cp, now_ms, |c, now| done(c.set_fault(now, connector, code, info))) }
}

/// A meter reading. `measurand` is an OCPP name ("Energy.Active.Import.Register",
/// "Power.Active.Import", "Current.Import", "Voltage", "Current.Offered", "Power.Offered",
/// "Temperature", "SoC", "Frequency", "Power.Factor", ...); `phase` NULL or "L1", "L2", "L3",
/// "N", "L1-N", ...; `value` in Wh, W, A, V, Celsius, Percent, Hz or a plain number. NaN
/// means the sensor has no value now: the reading is forgotten and not sent until a new one
/// comes. Infinity is refused (`OCPP_CP_INVALID_ARGUMENT`). Connector 0 is the main meter.
///
/// # Safety
/// `cp` is NULL or a live handle; strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_meter(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    measurand: *const c_char,
    phase: *const c_char,
    value: f64,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let m = match unsafe { name(measurand, Measurand::from_wire, None) } {
        Ok(m) => m,
        Err(r) => return r,
    };
    // SAFETY: the caller's promise.
    let phase = match unsafe { opt_str(phase) } {
        Ok(None) => None,
        Ok(Some(p)) => match Phase::from_wire(p) {
            Some(p) => Some(p),
            None => return OCPP_CP_INVALID_ARGUMENT,
        },
        Err(r) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| {
            done(if value.is_nan() {
                c.clear_meter(connector, m, phase)
            } else {
                c.set_meter(now, connector, m, phase, value)
            })
        })
    }
}

/// An id tag (RFID card) was presented: it stops its own transaction, or starts one on a
/// free connector (Authorize first).
///
/// # Safety
/// `cp` is NULL or a live handle; `id_tag` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_present_id_tag(
    cp: *mut ocpp_cp,
    now_ms: u64,
    id_tag: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let tag = match unsafe { req_str(id_tag) } {
        Ok(s) => s,
        Err(r) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe { input(cp, now_ms, |c, now| done(c.present_id_tag(now, tag))) }
}

/// Starts a transaction for `id_tag` on `connector`: Authorize (or the local list / cache),
/// then StartTransaction once the cable is plugged.
///
/// # Safety
/// `cp` is NULL or a live handle; `id_tag` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_begin_transaction(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    id_tag: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let tag = match unsafe { req_str(id_tag) } {
        Ok(s) => s,
        Err(r) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe { input(cp, now_ms, |c, now| done(c.begin_transaction(now, connector, tag))) }
}

/// Ends the transaction on `connector`: `reason` an OCPP Reason ("Local" when NULL,
/// "EVDisconnected", ...), `id_tag` the tag that ended it or NULL.
///
/// # Safety
/// `cp` is NULL or a live handle; strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_end_transaction(
    cp: *mut ocpp_cp,
    now_ms: u64,
    connector: u32,
    reason: *const c_char,
    id_tag: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let (reason, tag) = match unsafe { (name(reason, Reason::from_wire, Some(Reason::Local)), opt_str(id_tag)) } {
        (Ok(r), Ok(t)) => (r, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| {
            done(c.end_transaction(now, connector, reason, tag))
        })
    }
}

/// Sets a configuration key as the host (validated as ChangeConfiguration is): `OCPP_CP_OK`
/// (Accepted), `OCPP_CP_REBOOT_REQUIRED`, `OCPP_CP_REJECTED` or `OCPP_CP_NOT_SUPPORTED`.
///
/// # Safety
/// `cp` is NULL or a live handle; strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_configuration(
    cp: *mut ocpp_cp,
    now_ms: u64,
    key: *const c_char,
    value: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let (key, value) = match unsafe { (req_str(key), req_str(value)) } {
        (Ok(k), Ok(v)) => (k, v),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| match c.set_configuration(now, key, value) {
            ConfigurationStatus::Accepted => OCPP_CP_OK,
            ConfigurationStatus::RebootRequired => OCPP_CP_REBOOT_REQUIRED,
            ConfigurationStatus::Rejected => OCPP_CP_REJECTED,
            ConfigurationStatus::NotSupported => OCPP_CP_NOT_SUPPORTED,
        })
    }
}

/// Copies a configuration key's value, NUL-terminated, into `buf` (`cap` bytes) and sets
/// `*len` to its length without the NUL. `OCPP_CP_NOT_SUPPORTED`: no such key;
/// `OCPP_CP_EMPTY`: write-only (AuthorizationKey); `OCPP_CP_BUFFER_TOO_SMALL`: `*len` is
/// set to the length needed and `buf` is untouched.
///
/// # Safety
/// `cp` is NULL or a live handle; `key` NUL-terminated; `buf` writable for `cap` bytes;
/// `len` writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_get_configuration(
    cp: *const ocpp_cp,
    key: *const c_char,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    // SAFETY: the caller's promise.
    let key = match unsafe { req_str(key) } {
        Ok(k) => k,
        Err(r) => return r,
    };
    if buf.is_null() || len.is_null() {
        return OCPP_CP_NULL_ARGUMENT;
    }
    guard(|| {
        let (found, _) = h.station.cp().configuration().get(&[key]);
        let Some(entry) = found.into_iter().next() else {
            return OCPP_CP_NOT_SUPPORTED;
        };
        let Some(value) = entry.value else {
            return OCPP_CP_EMPTY;
        };
        // SAFETY: `len` is writable; `buf` has `cap` bytes, checked before copying.
        unsafe {
            len.write(value.len());
            if value.len() >= cap {
                return OCPP_CP_BUFFER_TOO_SMALL;
            }
            core::ptr::copy_nonoverlapping(value.as_ptr(), buf.cast::<u8>(), value.len());
            buf.add(value.len()).write(0);
        }
        OCPP_CP_OK
    })
}

/// The wall clock, milliseconds since 1970 UTC (from SNTP, an RTC or ESPHome's `time:`);
/// the central system's time (BootNotification, Heartbeat) corrects it later.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_set_wall_clock(cp: *mut ocpp_cp, now_ms: u64, unix_ms: i64) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| {
            c.set_wall_clock(now, DateTime::from_unix_millis(unix_ms));
            OCPP_CP_OK
        })
    }
}

/// Sends a DataTransfer to the central system; the answer comes as
/// `OCPP_CP_EVENT_DATA_TRANSFER_RESULT`.
///
/// # Safety
/// `cp` is NULL or a live handle; strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_send_data_transfer(
    cp: *mut ocpp_cp,
    now_ms: u64,
    vendor_id: *const c_char,
    message_id: *const c_char,
    data: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let (vendor, message, data) = match unsafe { (req_str(vendor_id), opt_str(message_id), opt_str(data)) } {
        (Ok(v), Ok(m), Ok(d)) => (v, m, d),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    // SAFETY: the caller's promise.
    unsafe {
        input(cp, now_ms, |c, now| {
            done(c.send_data_transfer(now, vendor, message, data))
        })
    }
}

/// Firmware update progress, an OCPP FirmwareStatus ("Downloading", "Downloaded",
/// "Installing", "Installed", "DownloadFailed", "InstallationFailed").
///
/// # Safety
/// `cp` is NULL or a live handle; `status` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_firmware_status(
    cp: *mut ocpp_cp,
    now_ms: u64,
    status: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let s = match unsafe { name(status, crate::messages::FirmwareStatus::from_wire, None) } {
        Ok(s) => s,
        Err(r) => return r,
    };
    #[cfg(feature = "firmware-management")]
    {
        // SAFETY: the caller's promise.
        unsafe { input(cp, now_ms, |c, now| done(c.firmware_status(now, s))) }
    }
    #[cfg(not(feature = "firmware-management"))]
    {
        let _ = (cp, now_ms, s);
        OCPP_CP_NOT_SUPPORTED
    }
}

/// Diagnostics upload progress, an OCPP DiagnosticsStatus ("Uploading", "Uploaded",
/// "UploadFailed").
///
/// # Safety
/// `cp` is NULL or a live handle; `status` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_diagnostics_status(
    cp: *mut ocpp_cp,
    now_ms: u64,
    status: *const c_char,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let s = match unsafe { name(status, crate::messages::DiagnosticsStatus::from_wire, None) } {
        Ok(s) => s,
        Err(r) => return r,
    };
    #[cfg(feature = "firmware-management")]
    {
        // SAFETY: the caller's promise.
        unsafe { input(cp, now_ms, |c, now| done(c.diagnostics_status(now, s))) }
    }
    #[cfg(not(feature = "firmware-management"))]
    {
        let _ = (cp, now_ms, s);
        OCPP_CP_NOT_SUPPORTED
    }
}

// ----- queries -----

const STATUS_NAMES: [(ChargePointStatus, &CStr); 9] = [
    (ChargePointStatus::Available, c"Available"),
    (ChargePointStatus::Preparing, c"Preparing"),
    (ChargePointStatus::Charging, c"Charging"),
    (ChargePointStatus::SuspendedEVSE, c"SuspendedEVSE"),
    (ChargePointStatus::SuspendedEV, c"SuspendedEV"),
    (ChargePointStatus::Finishing, c"Finishing"),
    (ChargePointStatus::Reserved, c"Reserved"),
    (ChargePointStatus::Unavailable, c"Unavailable"),
    (ChargePointStatus::Faulted, c"Faulted"),
];

/// A connector's last reported OCPP status ("Available", "Charging", ...; connector 0 is
/// the charge point), a static string; NULL for an unknown connector or none reported yet.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_connector_status(cp: *const ocpp_cp, connector: u32) -> *const c_char {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return core::ptr::null();
    };
    let Some(status) = h.station.cp().status(connector) else {
        return core::ptr::null();
    };
    STATUS_NAMES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(core::ptr::null(), |(_, n)| n.as_ptr())
}

/// The central system's id of the transaction on `connector`: `OCPP_CP_EMPTY` when none
/// runs or the central system has not given its id yet.
///
/// # Safety
/// `cp` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_transaction_id(cp: *const ocpp_cp, connector: u32, out: *mut i32) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    match h.station.cp().transaction_id(connector) {
        // SAFETY: the caller's promise.
        Some(id) => unsafe { put(out, id) },
        None => OCPP_CP_EMPTY,
    }
}

/// Whether a transaction runs on `connector` (begun here, with or without its id yet).
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_has_transaction(cp: *const ocpp_cp, connector: u32) -> bool {
    // SAFETY: the caller's promise.
    unsafe { with_ref(cp) }.is_some_and(|h| h.station.cp().has_transaction(connector))
}

/// Where the link stands, as the original component's `connection_state` text sensor said
/// it: "disconnected", "connecting", "handshaking", "connected", "ready" (BootNotification
/// accepted) or "closing". A static string; NULL for a NULL handle.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_connection_state(cp: *const ocpp_cp) -> *const c_char {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return core::ptr::null();
    };
    let s: &'static CStr = match h.station.link_state() {
        LinkState::Disconnected => c"disconnected",
        LinkState::Connecting => c"connecting",
        LinkState::Handshaking => c"handshaking",
        LinkState::Connected => c"connected",
        LinkState::Ready => c"ready",
        LinkState::Closing => c"closing",
    };
    s.as_ptr()
}

/// Whether the central system accepted BootNotification.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_is_registered(cp: *const ocpp_cp) -> bool {
    // SAFETY: the caller's promise.
    unsafe { with_ref(cp) }.is_some_and(|h| h.station.cp().registration() == Registration::Accepted)
}

/// The effective smart-charging limit of `connector`: A per phase and W; `OCPP_CP_EMPTY`
/// when no limit applies (or SmartCharging is not built in).
///
/// # Safety
/// `cp` is NULL or a live handle; `amps` and `watts` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_limit(
    cp: *const ocpp_cp,
    connector: u32,
    amps: *mut f64,
    watts: *mut f64,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    if amps.is_null() || watts.is_null() {
        return OCPP_CP_NULL_ARGUMENT;
    }
    #[cfg(feature = "smart-charging")]
    if let Some(l) = h.station.cp().limit(connector) {
        // SAFETY: both are writable (checked non-NULL).
        unsafe {
            amps.write(l.amps);
            watts.write(l.watts);
        }
        return OCPP_CP_OK;
    }
    let _ = (h, connector);
    OCPP_CP_EMPTY
}

/// Energy delivered in the transaction on `connector` so far, Wh; `OCPP_CP_EMPTY` when no
/// transaction runs or the energy register has no fresh reading.
///
/// # Safety
/// `cp` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_session_energy_wh(
    cp: *const ocpp_cp,
    now_ms: u64,
    connector: u32,
    out: *mut f64,
) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    let Some(h) = (unsafe { with_ref(cp) }) else {
        return OCPP_CP_NULL_ARGUMENT;
    };
    match h.station.cp().session_energy_wh(t(now_ms), connector) {
        // SAFETY: the caller's promise.
        Some(wh) => unsafe { put(out, f64::from(wh)) },
        None => OCPP_CP_EMPTY,
    }
}

/// How many of our messages wait for delivery or for their answer (all kinds, the one in
/// flight included): 0 means everything reached the central system.
///
/// # Safety
/// `cp` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_queued_messages(cp: *const ocpp_cp) -> usize {
    // SAFETY: the caller's promise.
    unsafe { with_ref(cp) }.map_or(0, |h| h.station.cp().pending_calls())
}

// ----- events -----

/// Something the host should act on or show. Which fields a kind fills is said with each
/// `ocpp_cp_event_kind`; the others are -1 (numbers), false or empty strings.
#[repr(C)]
pub struct ocpp_cp_event {
    /// An `ocpp_cp_event_kind`.
    pub kind: u8,
    /// The connector, or -1 (not about a connector, or not given).
    pub connector: i32,
    /// The central system's transaction id, or -1.
    pub transaction_id: i32,
    /// ENERGY_OFFERED: on; AVAILABILITY: operative; SENT / RECEIVED: a CALL.
    pub flag: bool,
    /// LIMIT: current per phase, A; 0 = pause charging; -1 = no limit.
    pub amps: f64,
    /// LIMIT: power, W; 0 = pause charging; -1 = no limit.
    pub watts: f64,
    /// LIMIT: phases to use, or -1 when the schedule does not say.
    pub phases: i32,
    /// UPDATE_FIRMWARE / GET_DIAGNOSTICS: retries allowed, or -1.
    pub retries: i32,
    /// UPDATE_FIRMWARE / GET_DIAGNOSTICS: seconds between retries, or -1.
    pub retry_interval: i32,
    /// TRANSACTION_*, AUTHORIZATION, REMOTE_START: the id tag.
    pub id_tag: ocpp_cp_str,
    /// BOOT: registration status; STATUS: ChargePointStatus; AUTHORIZATION: AuthorizationStatus;
    /// DATA_TRANSFER / _RESULT: DataTransferStatus.
    pub status: ocpp_cp_str,
    /// STATUS: ChargePointErrorCode.
    pub error_code: ocpp_cp_str,
    /// TRANSACTION_STOPPED: Reason; DISCONNECTED: why; ERROR: what happened.
    pub reason: ocpp_cp_str,
    /// RESET: Hard or Soft; TRIGGER_MESSAGE: the requested message; CONFIGURATION_CHANGED:
    /// the key; SENT / RECEIVED: the action.
    pub name: ocpp_cp_str,
    /// CONFIGURATION_CHANGED: the new value.
    pub value: ocpp_cp_str,
    /// DATA_TRANSFER: vendor id.
    pub vendor_id: ocpp_cp_str,
    /// DATA_TRANSFER, SENT, RECEIVED: message id.
    pub message_id: ocpp_cp_str,
    /// DATA_TRANSFER / _RESULT: data.
    pub data: ocpp_cp_str,
    /// UPDATE_FIRMWARE / GET_DIAGNOSTICS: where to download from / upload to.
    pub location: ocpp_cp_str,
    /// GET_DIAGNOSTICS: the file name announced.
    pub file_name: ocpp_cp_str,
    /// GET_DIAGNOSTICS: oldest log time wanted (RFC 3339), or empty.
    pub start_time: ocpp_cp_str,
    /// GET_DIAGNOSTICS: newest log time wanted (RFC 3339), or empty.
    pub stop_time: ocpp_cp_str,
}

/// Strings copied back to back, each NUL-terminated, into the handle's buffer; pointers are
/// taken only after every string is in (the buffer does not move afterwards).
struct Texts<'a> {
    buf: &'a mut Vec<u8>,
}

/// Where a string sits in [`Texts`] (start, length); `None`: empty.
type At = Option<(usize, usize)>;

impl<'a> Texts<'a> {
    fn new(buf: &'a mut Vec<u8>) -> Self {
        buf.clear();
        Texts { buf }
    }

    fn add(&mut self, s: &str) -> At {
        if s.is_empty() {
            return None;
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        Some((start, s.len()))
    }

    fn get(&self, at: At) -> ocpp_cp_str {
        match at.and_then(|(start, len)| Some((self.buf.get(start..start + len)?, len))) {
            Some((bytes, len)) => ocpp_cp_str {
                ptr: bytes.as_ptr().cast(),
                len,
            },
            None => EMPTY_STR,
        }
    }
}

/// The text fields of an event, before they are copied for C.
#[derive(Default)]
struct EventText<'a> {
    id_tag: &'a str,
    status: &'a str,
    error_code: &'a str,
    reason: &'a str,
    name: &'a str,
    value: &'a str,
    vendor_id: &'a str,
    message_id: &'a str,
    data: &'a str,
    location: &'a str,
    file_name: &'a str,
    start_time: &'a str,
    stop_time: &'a str,
}

fn blank_event(kind: ocpp_cp_event_kind) -> ocpp_cp_event {
    ocpp_cp_event {
        kind: kind as u8,
        connector: -1,
        transaction_id: -1,
        flag: false,
        amps: -1.0,
        watts: -1.0,
        phases: -1,
        retries: -1,
        retry_interval: -1,
        id_tag: EMPTY_STR,
        status: EMPTY_STR,
        error_code: EMPTY_STR,
        reason: EMPTY_STR,
        name: EMPTY_STR,
        value: EMPTY_STR,
        vendor_id: EMPTY_STR,
        message_id: EMPTY_STR,
        data: EMPTY_STR,
        location: EMPTY_STR,
        file_name: EMPTY_STR,
        start_time: EMPTY_STR,
        stop_time: EMPTY_STR,
    }
}

fn conn(c: u32) -> i32 {
    i32::try_from(c).unwrap_or(-1)
}

/// Turns `ev` into its C form, the strings copied into `strings`.
fn to_c(ev: &StationEvent, strings: &mut Vec<u8>) -> ocpp_cp_event {
    use ocpp_cp_event_kind::*;
    let mut text = EventText::default();
    let owned: String;
    let owned2: String;
    let mut e;
    match ev {
        StationEvent::Connected => e = blank_event(OCPP_CP_EVENT_CONNECTED),
        StationEvent::Disconnected { reason } => {
            e = blank_event(OCPP_CP_EVENT_DISCONNECTED);
            text.reason = reason;
        }
        StationEvent::LinkError(err) => {
            e = blank_event(OCPP_CP_EVENT_ERROR);
            owned = err.to_string();
            text.reason = &owned;
        }
        StationEvent::ChargePoint(ev) => match ev {
            Event::Boot { status } => {
                e = blank_event(OCPP_CP_EVENT_BOOT);
                text.status = status.as_str();
            }
            Event::Status {
                connector,
                status,
                error_code,
            } => {
                e = blank_event(OCPP_CP_EVENT_STATUS);
                e.connector = conn(*connector);
                text.status = status.as_str();
                text.error_code = error_code.as_str();
            }
            Event::EnergyOffered { connector, on } => {
                e = blank_event(OCPP_CP_EVENT_ENERGY_OFFERED);
                e.connector = conn(*connector);
                e.flag = *on;
            }
            Event::TransactionBegun { connector, id_tag } => {
                e = blank_event(OCPP_CP_EVENT_TRANSACTION_BEGUN);
                e.connector = conn(*connector);
                text.id_tag = id_tag;
            }
            Event::TransactionStarted {
                connector,
                transaction_id,
                id_tag,
            } => {
                e = blank_event(OCPP_CP_EVENT_TRANSACTION_STARTED);
                e.connector = conn(*connector);
                e.transaction_id = *transaction_id;
                text.id_tag = id_tag;
            }
            Event::TransactionStopped {
                connector,
                transaction_id,
                reason,
            } => {
                e = blank_event(OCPP_CP_EVENT_TRANSACTION_STOPPED);
                e.connector = conn(*connector);
                e.transaction_id = transaction_id.unwrap_or(-1);
                text.reason = reason.as_str();
            }
            Event::Limit {
                connector,
                amps,
                watts,
                phases,
            } => {
                e = blank_event(OCPP_CP_EVENT_LIMIT);
                e.connector = conn(*connector);
                e.amps = amps.unwrap_or(-1.0);
                e.watts = watts.unwrap_or(-1.0);
                e.phases = phases.map_or(-1, i32::from);
            }
            Event::Authorization { id_tag, status } => {
                e = blank_event(OCPP_CP_EVENT_AUTHORIZATION);
                text.id_tag = id_tag;
                text.status = status.as_str();
            }
            Event::RemoteStart { connector, id_tag } => {
                e = blank_event(OCPP_CP_EVENT_REMOTE_START);
                e.connector = conn(*connector);
                text.id_tag = id_tag;
            }
            Event::RemoteStop {
                connector,
                transaction_id,
            } => {
                e = blank_event(OCPP_CP_EVENT_REMOTE_STOP);
                e.connector = conn(*connector);
                e.transaction_id = *transaction_id;
            }
            Event::Reset { kind } => {
                e = blank_event(OCPP_CP_EVENT_RESET);
                text.name = kind.as_str();
            }
            Event::Unlock { connector } => {
                e = blank_event(OCPP_CP_EVENT_UNLOCK);
                e.connector = conn(*connector);
            }
            Event::DataTransfer {
                vendor_id,
                message_id,
                data,
                status,
            } => {
                e = blank_event(OCPP_CP_EVENT_DATA_TRANSFER);
                text.vendor_id = vendor_id;
                text.message_id = message_id.as_deref().unwrap_or("");
                text.data = data.as_deref().unwrap_or("");
                text.status = status.as_str();
            }
            Event::DataTransferResult { status, data } => {
                e = blank_event(OCPP_CP_EVENT_DATA_TRANSFER_RESULT);
                text.status = status.map_or("", |s| s.as_str());
                text.data = data.as_deref().unwrap_or("");
            }
            Event::ConfigurationChanged { key, value } => {
                e = blank_event(OCPP_CP_EVENT_CONFIGURATION_CHANGED);
                text.name = key;
                text.value = value;
            }
            Event::TriggerMessage { requested, connector } => {
                e = blank_event(OCPP_CP_EVENT_TRIGGER_MESSAGE);
                e.connector = connector.map_or(-1, conn);
                text.name = requested.as_str();
            }
            Event::Availability { connector, operative } => {
                e = blank_event(OCPP_CP_EVENT_AVAILABILITY);
                e.connector = conn(*connector);
                e.flag = *operative;
            }
            Event::UpdateFirmware {
                location,
                retries,
                retry_interval,
            } => {
                e = blank_event(OCPP_CP_EVENT_UPDATE_FIRMWARE);
                e.retries = retries.unwrap_or(-1);
                e.retry_interval = retry_interval.unwrap_or(-1);
                text.location = location;
            }
            Event::GetDiagnostics {
                location,
                file_name,
                start_time,
                stop_time,
                retries,
                retry_interval,
            } => {
                e = blank_event(OCPP_CP_EVENT_GET_DIAGNOSTICS);
                e.retries = retries.unwrap_or(-1);
                e.retry_interval = retry_interval.unwrap_or(-1);
                text.location = location;
                text.file_name = file_name;
                owned = start_time.map(|d| d.to_string()).unwrap_or_default();
                owned2 = stop_time.map(|d| d.to_string()).unwrap_or_default();
                text.start_time = &owned;
                text.stop_time = &owned2;
            }
            Event::Sent {
                action,
                message_id,
                call,
            } => {
                e = blank_event(OCPP_CP_EVENT_SENT);
                e.flag = *call;
                text.name = action.as_str();
                text.message_id = message_id;
            }
            Event::Received {
                action,
                message_id,
                call,
            } => {
                e = blank_event(OCPP_CP_EVENT_RECEIVED);
                e.flag = *call;
                text.name = action.map_or("", |a| a.as_str());
                text.message_id = message_id;
            }
            Event::Error { message } => {
                e = blank_event(OCPP_CP_EVENT_ERROR);
                text.reason = message;
            }
        },
    }
    let mut t = Texts::new(strings);
    let at = [
        t.add(text.id_tag),
        t.add(text.status),
        t.add(text.error_code),
        t.add(text.reason),
        t.add(text.name),
        t.add(text.value),
        t.add(text.vendor_id),
        t.add(text.message_id),
        t.add(text.data),
        t.add(text.location),
        t.add(text.file_name),
        t.add(text.start_time),
        t.add(text.stop_time),
    ];
    let [id_tag, status, error_code, reason, name, value, vendor_id, message_id, data, location, file_name, start_time, stop_time] =
        at;
    e.id_tag = t.get(id_tag);
    e.status = t.get(status);
    e.error_code = t.get(error_code);
    e.reason = t.get(reason);
    e.name = t.get(name);
    e.value = t.get(value);
    e.vendor_id = t.get(vendor_id);
    e.message_id = t.get(message_id);
    e.data = t.get(data);
    e.location = t.get(location);
    e.file_name = t.get(file_name);
    e.start_time = t.get(start_time);
    e.stop_time = t.get(stop_time);
    e
}

/// The next event, oldest first: `OCPP_CP_OK` with `*out` filled, or `OCPP_CP_EMPTY`. Its
/// strings stay valid until the next call on the handle.
///
/// # Safety
/// `cp` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ocpp_cp_poll_event(cp: *mut ocpp_cp, out: *mut ocpp_cp_event) -> ocpp_cp_result {
    // SAFETY: the caller's promise.
    unsafe {
        with(cp, |h| {
            if out.is_null() {
                return OCPP_CP_NULL_ARGUMENT;
            }
            let Some(ev) = h.station.poll_event() else {
                return OCPP_CP_EMPTY;
            };
            put(out, to_c(&ev, &mut h.strings))
        })
    }
}
