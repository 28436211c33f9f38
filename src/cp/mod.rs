//! The charge point: boot, heartbeat, connectors, transactions, authorization,
//! configuration, remote control and triggers (OCPP 1.6 Core + RemoteTrigger).
//!
//! [`ChargePoint`] performs no I/O and reads no clock. Its methods come in four kinds:
//! - getters (`status`, `transaction_id`, `configuration`, ...);
//! - inputs, `handle_*` and the charger-side commands (`plug`, `present_id_tag`, `set_meter`,
//!   ...), each taking the current [`Instant`];
//! - outputs, `poll_transmit` (text frames for the WebSocket) and `poll_event` ([`Event`]s
//!   for the host);
//! - `poll_timeout`: the instant at which `handle_timeout` wants to be called next.

#[cfg(feature = "local-auth-list")]
pub mod auth_store;
pub mod config;
pub mod connector;
pub mod event;
#[cfg(feature = "firmware-management")]
pub mod firmware;
pub mod keys;
#[cfg(feature = "smart-charging")]
mod limits;
pub mod outbox;
pub mod persist;
#[cfg(feature = "smart-charging")]
pub mod smart_charging;

mod requests;
#[cfg(feature = "reservation")]
mod reservation;
mod transactions;

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

pub use config::Config;
pub use connector::Connector;
pub use event::Event;
pub use keys::{Configuration, Key, VendorKey};

use crate::json::ToJson;
use crate::log::Level;
use crate::messages::{
    Action, BootNotificationReq, ChargePointErrorCode, ChargePointStatus, CiString, CiString20, CiString50,
    DataTransferReq, DiagnosticsStatusNotificationReq, FirmwareStatusNotificationReq, HeartbeatReq, Measurand,
    MeterValue, MeterValuesReq, Phase, Profile, ReadingContext, Reason, StatusNotificationReq,
};
use crate::meter::MeterInputs;
use crate::ocpp_log;
use crate::rpc::{self, Frame};
use crate::time::{DateTime, Instant};
use connector::{Fault, Transaction};
use outbox::{AuthPurpose, Item, Outbox, Payload};

/// Why the charge point refused an input from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpError {
    /// The connector number is 0 or larger than the number of connectors.
    UnknownConnector,
    /// The id tag is empty or longer than 20 characters.
    InvalidIdTag,
    /// The connector already has a transaction, is faulted or unavailable.
    ConnectorBusy,
    /// The connector has no transaction.
    NoTransaction,
    /// The transaction queue has no room for another StartTransaction and StopTransaction.
    QueueFull,
    /// A reset is under way.
    ResetPending,
    /// A meter value is NaN or infinite.
    NotFinite,
    /// A Config string is too long for its OCPP field.
    InvalidConfig(&'static str),
    /// The storage could not be opened.
    Storage,
}

impl fmt::Display for CpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CpError::UnknownConnector => f.write_str("no such connector"),
            CpError::InvalidIdTag => f.write_str("id tag must be 1 to 20 characters"),
            CpError::ConnectorBusy => f.write_str("connector is busy, faulted or unavailable"),
            CpError::NoTransaction => f.write_str("no transaction on this connector"),
            CpError::QueueFull => f.write_str("transaction queue is full: not starting a transaction"),
            CpError::ResetPending => f.write_str("a reset is under way"),
            CpError::NotFinite => f.write_str("meter value is not a finite number"),
            CpError::InvalidConfig(what) => write!(f, "invalid configuration: {what}"),
            CpError::Storage => f.write_str("the storage could not be opened"),
        }
    }
}

/// Where registration with the central system stands (1.6 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registration {
    /// No BootNotification answered yet.
    Unknown,
    /// Pending: the central system will tell us more; only answers may be sent.
    Pending,
    /// Rejected: retry BootNotification after the interval.
    Rejected,
    /// Accepted: all messages may flow.
    Accepted,
}

/// The CALL of ours that waits for its answer.
#[derive(Debug)]
struct InFlight {
    /// Its message id.
    id: MessageId,
    action: Action,
    item: Item,
    deadline: Instant,
}

/// An OCPP 1.6 charge point. See the [module documentation](self).
pub struct ChargePoint {
    cfg: Config,
    keys: Configuration,
    boot: BootNotificationReq,
    registration: Registration,
    connected: bool,
    /// (instant, wall clock at that instant), once known.
    clock: Option<(Instant, DateTime)>,
    connectors: Vec<Connector>,
    meter: MeterInputs,
    outbox: Outbox,
    in_flight: Option<InFlight>,
    /// A MeterValues that was sent and answered, kept to be filled again.
    spare_meter: Option<MeterValuesReq>,
    transmit: Transmit,
    events: VecDeque<Event>,
    next_message: u32,
    next_local_tx: u32,
    /// Transaction ids the central system gave, by local number, while messages may need them.
    tx_ids: Vec<(u32, i32)>,
    boot_at: Option<Instant>,
    heartbeat_at: Option<Instant>,
    aligned_at: Option<Instant>,
    reset: Option<(crate::messages::ResetType, Instant)>,
    #[cfg(feature = "firmware-management")]
    firmware: firmware::FirmwareState,
    #[cfg(feature = "local-auth-list")]
    auth_list: auth_store::LocalAuthList,
    #[cfg(feature = "local-auth-list")]
    auth_cache: auth_store::AuthCache,
    #[cfg(feature = "smart-charging")]
    profiles: smart_charging::ProfileStore,
    /// When the charging limits must be evaluated again.
    #[cfg(feature = "smart-charging")]
    limit_check_at: Option<Instant>,
    /// Storage for what survives a power cut (`None`: RAM only).
    persist: Option<persist::Persist>,
    /// What [`Self::poll_timeout`] returned since the timers last changed (`None`: to be
    /// computed again); every input ends in [`Self::service`], which forgets it.
    next_timeout: Cell<Option<Option<Instant>>>,
}

fn ci<const N: usize>(s: &Option<String>, what: &'static str) -> Result<Option<CiString<N>>, CpError> {
    s.as_ref()
        .map(|v| CiString::new(v.clone()).map_err(|_| CpError::InvalidConfig(what)))
        .transpose()
}

fn id_tag(tag: &str) -> Result<CiString20, CpError> {
    if tag.is_empty() {
        return Err(CpError::InvalidIdTag);
    }
    CiString20::new(tag).map_err(|_| CpError::InvalidIdTag)
}

fn same_tag(a: &CiString20, b: &CiString20) -> bool {
    a.eq_ignore_case(b.as_str())
}

impl ChargePoint {
    /// A charge point with `config`; it is offline until [`Self::handle_connected`].
    pub fn new(config: Config) -> Result<Self, CpError> {
        if config.connectors == 0 || config.connectors > 64 {
            return Err(CpError::InvalidConfig("connectors must be 1 to 64"));
        }
        let boot = BootNotificationReq {
            charge_point_vendor: CiString::new(config.vendor.clone())
                .map_err(|_| CpError::InvalidConfig("vendor is longer than 20 characters"))?,
            charge_point_model: CiString::new(config.model.clone())
                .map_err(|_| CpError::InvalidConfig("model is longer than 20 characters"))?,
            charge_point_serial_number: ci(&config.serial_number, "serial number is longer than 25 characters")?,
            charge_box_serial_number: None,
            firmware_version: ci(
                &config.firmware_version,
                "firmware version is longer than 50 characters",
            )?,
            iccid: None,
            imsi: None,
            meter_type: ci(&config.meter_type, "meter type is longer than 25 characters")?,
            meter_serial_number: ci(
                &config.meter_serial_number,
                "meter serial number is longer than 25 characters",
            )?,
        };
        let n = config.connectors;
        let mut keys = Configuration::new(n, &supported_profiles());
        keys.set_fact(Key::ConnectorSwitch3to1PhaseSupported, config.phase_switching_supported);
        Ok(ChargePoint {
            keys,
            boot,
            registration: Registration::Unknown,
            connected: false,
            clock: None,
            connectors: (0..=n).map(|_| Connector::new()).collect(),
            meter: MeterInputs::new(n),
            outbox: Outbox::default(),
            in_flight: None,
            spare_meter: None,
            transmit: Transmit::default(),
            events: VecDeque::new(),
            next_message: 1,
            next_local_tx: 1,
            tx_ids: Vec::new(),
            boot_at: None,
            heartbeat_at: None,
            aligned_at: None,
            reset: None,
            #[cfg(feature = "firmware-management")]
            firmware: firmware::FirmwareState::default(),
            #[cfg(feature = "local-auth-list")]
            auth_list: auth_store::LocalAuthList::new(),
            #[cfg(feature = "local-auth-list")]
            auth_cache: auth_store::AuthCache::new(config.auth_cache_capacity),
            #[cfg(feature = "smart-charging")]
            profiles: {
                let mut p = smart_charging::ProfileStore::new();
                p.set_max_current(config.max_current_a);
                p
            },
            #[cfg(feature = "smart-charging")]
            limit_check_at: None,
            persist: None,
            next_timeout: Cell::new(None),
            cfg: config,
        })
    }

    // ----- getters -----

    /// Where registration stands.
    pub fn registration(&self) -> Registration {
        self.registration
    }

    /// Whether the host reported the link up.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The last reported status of a connector (0 = the charge point).
    pub fn status(&self, connector: u32) -> Option<ChargePointStatus> {
        self.connector(connector)?.reported.map(|(s, _)| s)
    }

    /// The central system's id of the transaction on a connector, if it gave one.
    pub fn transaction_id(&self, connector: u32) -> Option<i32> {
        self.connector(connector)?.tx.as_ref()?.id
    }

    /// Whether a transaction runs on a connector.
    pub fn has_transaction(&self, connector: u32) -> bool {
        self.connector(connector).is_some_and(|c| c.tx.is_some())
    }

    /// Energy delivered in the transaction on a connector so far, Wh (the energy register now
    /// minus its reading at the start), if a transaction runs and the register is fresh.
    pub fn session_energy_wh(&self, now: Instant, connector: u32) -> Option<i32> {
        let start = self.connector(connector)?.tx.as_ref()?.meter_start;
        let register = self.meter.energy_wh(connector, now, self.cfg.meter_max_age_ms)?;
        Some(register.saturating_sub(start))
    }

    /// The effective smart-charging limit of a connector (`None`: no limit).
    #[cfg(feature = "smart-charging")]
    pub fn limit(&self, connector: u32) -> Option<smart_charging::Limit> {
        self.connector(connector)?.limit
    }

    /// The AuthorizationKey (security profile 1: the Basic-auth password), if one is set.
    /// Write-only towards the central system; the host's transport needs it.
    pub fn authorization_key(&self) -> Option<&str> {
        Some(self.keys.text(Key::AuthorizationKey)).filter(|k| !k.is_empty())
    }

    /// The configuration keys.
    pub fn configuration(&self) -> &Configuration {
        &self.keys
    }

    /// The wall clock at `now`, if known (from the central system or the host).
    pub fn wall_clock(&self, now: Instant) -> Option<DateTime> {
        self.clock
            .map(|(at, wall)| wall.plus_millis(i64::try_from(now.millis_since(at)).unwrap_or(i64::MAX)))
    }

    /// The monotonic instant at which the wall clock reads `wall` (now or later), if the
    /// wall clock is known.
    #[cfg_attr(not(any(feature = "reservation", feature = "firmware-management")), allow(dead_code))]
    fn instant_of(&self, wall: DateTime) -> Option<Instant> {
        let (at, base) = self.clock?;
        Some(at.plus_millis(u64::try_from(wall.millis_since(base)).unwrap_or(0)))
    }

    /// The charge point identity it was created with.
    pub fn charge_point_id(&self) -> &str {
        &self.cfg.charge_point_id
    }

    /// Where its log lines go.
    pub fn logger(&self) -> Option<crate::log::LogFn> {
        self.cfg.logger
    }

    /// The number of connectors.
    pub fn connectors(&self) -> u32 {
        self.cfg.connectors
    }

    /// How many CALLs of ours wait for delivery or for their answer (all kinds).
    pub fn pending_calls(&self) -> usize {
        self.outbox.iter().count() + usize::from(self.in_flight.is_some())
    }

    /// How many transaction messages wait for delivery (in flight included).
    pub fn queued_tx_messages(&self) -> usize {
        self.outbox.tx_len() + usize::from(self.in_flight.as_ref().is_some_and(|f| f.item.payload.is_tx()))
    }

    // ----- outputs -----

    /// The next text frame to send over the WebSocket, borrowed until the next call (the
    /// frames live in one buffer that is reused once all of them have been taken, so sending
    /// allocates nothing).
    pub fn poll_transmit(&mut self) -> Option<&str> {
        self.transmit.pop()
    }

    /// The next event for the host.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The instant at which [`Self::handle_timeout`] wants to be called, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if let Some(known) = self.next_timeout.get() {
            return known;
        }
        let t = self.earliest_timer();
        self.next_timeout.set(Some(t));
        t
    }

    /// The earliest of every timer (see [`Self::poll_timeout`]).
    fn earliest_timer(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut add = |i: Option<Instant>| {
            if let Some(i) = i {
                t = Some(t.map_or(i, |t| t.min(i)));
            }
        };
        add(self.in_flight.as_ref().map(|f| f.deadline));
        if self.connected {
            add(self.boot_at);
            if self.in_flight.is_none() {
                add(self.outbox.next_ready(self.registration == Registration::Accepted));
            }
            if self.registration == Registration::Accepted {
                add(self.heartbeat_at);
            }
        }
        add(self.aligned_at);
        add(self.reset.map(|(_, at)| at));
        #[cfg(feature = "reservation")]
        add(self.next_reservation_expiry());
        #[cfg(feature = "firmware-management")]
        add(self.firmware_deadline());
        #[cfg(feature = "smart-charging")]
        add(self.limit_check_at);
        let min_status = self.keys.secs(Key::MinimumStatusDuration).saturating_mul(1000);
        for c in &self.connectors {
            add(c.authorized.as_ref().map(|a| a.until));
            add(c.candidate.as_ref().map(|(_, since)| since.plus_millis(min_status)));
            add(c.tx.as_ref().and_then(|t| t.next_sample));
        }
        t
    }

    // ----- inputs: link and time -----

    /// The WebSocket is open.
    pub fn handle_connected(&mut self, now: Instant) {
        self.connected = true;
        if self.registration != Registration::Accepted {
            // 1.6 §4.2: BootNotification first; not resent on reconnect once accepted.
            self.boot_at = Some(now);
        } else {
            self.heartbeat_at = Some(now.plus_secs(self.keys.secs(Key::HeartbeatInterval)));
        }
        self.service(now);
    }

    /// The WebSocket closed. The CALL in flight goes back to the queue, unanswered.
    pub fn handle_disconnected(&mut self, now: Instant) {
        self.connected = false;
        if let Some(f) = self.in_flight.take() {
            self.log(
                Level::Info,
                format_args!("link down while {} was in flight", f.action.as_str()),
            );
            self.call_failed(now, f, false);
        }
        self.service(now);
    }

    /// Sets the wall clock (e.g. from SNTP); BootNotification and Heartbeat answers set it too.
    pub fn set_wall_clock(&mut self, now: Instant, wall: DateTime) {
        self.next_timeout.set(None);
        self.clock = Some((now, wall));
        self.schedule_aligned(now);
        #[cfg(feature = "smart-charging")]
        self.limits_changed(now);
    }

    /// A deadline from [`Self::poll_timeout`] passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.in_flight.as_ref().is_some_and(|f| f.deadline <= now) {
            if let Some(f) = self.in_flight.take() {
                self.log(
                    Level::Warn,
                    format_args!("{} {} timed out", f.action.as_str(), f.id.as_str()),
                );
                self.call_failed(now, f, true);
            }
        }
        self.service(now);
    }

    /// A text frame arrived from the central system.
    pub fn handle_text(&mut self, now: Instant, text: &str) {
        match rpc::frame::parse(text) {
            Ok(Frame::Call { id, action, payload }) => self.handle_call(now, &id, &action, payload),
            Ok(Frame::Result { id, payload }) => self.handle_result(now, &id, payload),
            Ok(Frame::Error { id, code, description }) => self.handle_error(now, &id, code, &description),
            Err(e) => {
                self.log(Level::Warn, format_args!("bad frame: {e}"));
                if e.answer {
                    rpc::frame::write_error(self.transmit.begin(), &e.id, e.code, &e.description);
                    self.transmit.commit();
                }
            }
        }
        self.service(now);
    }

    // ----- inputs: the charger -----

    /// The EV's cable was plugged in.
    pub fn plug(&mut self, now: Instant, connector: u32) -> Result<(), CpError> {
        let c = self.connector_mut(connector)?;
        c.plugged = true;
        if c.authorized.is_some() && c.tx.is_none() {
            self.begin_authorized(now, connector);
        }
        self.service(now);
        Ok(())
    }

    /// The EV's cable was unplugged.
    pub fn unplug(&mut self, now: Instant, connector: u32) -> Result<(), CpError> {
        let c = self.connector_mut(connector)?;
        c.plugged = false;
        c.finishing = false;
        c.ev_suspended = false;
        let had_tx = c.tx.is_some();
        self.meter.clear(connector, Measurand::SoC);
        if had_tx && self.keys.bool(Key::StopTransactionOnEVSideDisconnect) {
            self.end_tx(now, connector, Reason::EVDisconnected, None);
        }
        if had_tx && self.keys.bool(Key::UnlockConnectorOnEVSideDisconnect) && self.cfg.unlock_supported {
            self.events.push_back(Event::Unlock { connector });
        }
        self.service(now);
        Ok(())
    }

    /// The EV paused (true) or resumed (false) taking energy.
    pub fn set_ev_suspended(&mut self, now: Instant, connector: u32, suspended: bool) -> Result<(), CpError> {
        self.connector_mut(connector)?.ev_suspended = suspended;
        self.service(now);
        Ok(())
    }

    /// The host detected a fault (`code` other than NoError) or cleared it (NoError).
    /// Connector 0 is the charge point as a whole.
    pub fn set_fault(
        &mut self,
        now: Instant,
        connector: u32,
        code: ChargePointErrorCode,
        info: Option<&str>,
    ) -> Result<(), CpError> {
        let c = self
            .connectors
            .get_mut(connector as usize)
            .ok_or(CpError::UnknownConnector)?;
        c.fault = (code != ChargePointErrorCode::NoError).then(|| Fault {
            code,
            info: info.and_then(|i| CiString50::new(i).ok()),
        });
        self.service(now);
        Ok(())
    }

    /// A meter reading, in the unit [`crate::meter::unit_of`] gives for the measurand
    /// (Wh, W, A, V, Celsius, Percent). Connector 0 is the main meter.
    pub fn set_meter(
        &mut self,
        now: Instant,
        connector: u32,
        measurand: Measurand,
        phase: Option<Phase>,
        value: f64,
    ) -> Result<(), CpError> {
        self.meter
            .set(now, connector, measurand, phase, value)
            .map_err(|e| match e {
                crate::meter::MeterError::NotFinite => CpError::NotFinite,
                crate::meter::MeterError::UnknownConnector => CpError::UnknownConnector,
            })
    }

    /// Forgets a meter reading (the sensor became unavailable): it is not sent until a new
    /// one comes. `phase` as given to [`ChargePoint::set_meter`].
    pub fn clear_meter(&mut self, connector: u32, measurand: Measurand, phase: Option<Phase>) -> Result<(), CpError> {
        if self.connector(connector).is_none() {
            return Err(CpError::UnknownConnector);
        }
        self.meter.forget(connector, measurand, phase);
        Ok(())
    }

    /// An id tag (RFID card) was presented. It stops the transaction it started (or one of
    /// its group, after Authorize), or authorizes a new one on a free connector.
    pub fn present_id_tag(&mut self, now: Instant, tag: &str) -> Result<(), CpError> {
        let tag = id_tag(tag)?;
        let own = (1..=self.cfg.connectors).find(|&c| {
            self.connector(c)
                .and_then(|c| c.tx.as_ref())
                .is_some_and(|t| same_tag(&t.id_tag, &tag))
        });
        if let Some(c) = own {
            self.end_tx(now, c, Reason::Local, Some(tag));
            self.service(now);
            return Ok(());
        }
        #[cfg(feature = "reservation")]
        if let Some(c) = self
            .reserved_for(tag.as_str())
            .filter(|&c| self.connector(c).is_some_and(|c| c.is_free()))
        {
            return self.begin_transaction(now, c, tag.as_str());
        }
        let free_plugged = (1..=self.cfg.connectors).find(|&c| {
            self.connector(c)
                .is_some_and(|c| c.is_free() && c.plugged && c.authorized.is_none())
        });
        let busy = (1..=self.cfg.connectors).find(|&c| self.has_transaction(c));
        let free = (1..=self.cfg.connectors)
            .find(|&c| self.connector(c).is_some_and(|c| c.is_free() && c.authorized.is_none()));
        match (free_plugged, busy, free) {
            (Some(c), _, _) | (None, None, Some(c)) => self.begin_transaction(now, c, tag.as_str()),
            (None, Some(c), _) => {
                self.authorize(now, tag, AuthPurpose::Stop(c));
                self.service(now);
                Ok(())
            }
            (None, None, None) => Err(CpError::ConnectorBusy),
        }
    }

    /// Starts a transaction for `tag` on `connector` (the original component's
    /// `start_transaction`): Authorize first, then StartTransaction once the cable is plugged.
    pub fn begin_transaction(&mut self, now: Instant, connector: u32, tag: &str) -> Result<(), CpError> {
        let tag = id_tag(tag)?;
        if self.reset.is_some() {
            return Err(CpError::ResetPending);
        }
        let c = self.connector_mut(connector)?;
        if !c.is_free() {
            return Err(CpError::ConnectorBusy);
        }
        self.authorize(now, tag, AuthPurpose::Start(connector));
        self.service(now);
        Ok(())
    }

    /// Ends the transaction on `connector` (the original's `end_transaction`), with the tag
    /// that ended it if any.
    pub fn end_transaction(
        &mut self,
        now: Instant,
        connector: u32,
        reason: Reason,
        tag: Option<&str>,
    ) -> Result<(), CpError> {
        let tag = tag.map(id_tag).transpose()?;
        if self.connector_mut(connector)?.tx.is_none() {
            return Err(CpError::NoTransaction);
        }
        self.end_tx(now, connector, reason, tag);
        self.service(now);
        Ok(())
    }

    /// Changes a configuration key as the host (same validation as ChangeConfiguration).
    pub fn set_configuration(&mut self, now: Instant, key: &str, value: &str) -> crate::messages::ConfigurationStatus {
        let status = self.change_configuration(now, key, value);
        self.service(now);
        status
    }

    /// Declares a vendor-specific configuration key.
    pub fn declare_vendor_key(&mut self, key: VendorKey) {
        self.keys.declare_vendor_key(key);
    }

    /// Sends a DataTransfer to the central system; the answer comes as
    /// [`Event::DataTransferResult`].
    pub fn send_data_transfer(
        &mut self,
        now: Instant,
        vendor_id: &str,
        message_id: Option<&str>,
        data: Option<&str>,
    ) -> Result<(), CpError> {
        let req = DataTransferReq {
            vendor_id: CiString::new(vendor_id).map_err(|_| CpError::InvalidConfig("vendor id too long"))?,
            message_id: message_id
                .map(CiString::new)
                .transpose()
                .map_err(|_| CpError::InvalidConfig("message id too long"))?,
            data: data.map(String::from),
        };
        self.enqueue(now, Payload::DataTransfer(req));
        self.service(now);
        Ok(())
    }

    // ----- internals -----

    fn connector(&self, connector: u32) -> Option<&Connector> {
        self.connectors.get(usize::try_from(connector).ok()?)
    }

    /// A real connector (1..=N).
    fn connector_mut(&mut self, connector: u32) -> Result<&mut Connector, CpError> {
        if connector == 0 {
            return Err(CpError::UnknownConnector);
        }
        self.connectors
            .get_mut(connector as usize)
            .ok_or(CpError::UnknownConnector)
    }

    #[cfg_attr(not(feature = "log"), allow(unused_variables))]
    fn log(&self, level: Level, args: fmt::Arguments<'_>) {
        ocpp_log!(self.cfg.logger, level, "{}", args);
    }

    fn now_wall(&self, now: Instant) -> DateTime {
        // Before any clock is known, time counts from the epoch (documented in the README).
        self.wall_clock(now)
            .unwrap_or_else(|| DateTime::from_unix_millis(i64::try_from(now.as_millis()).unwrap_or(0)))
    }

    fn error_event(&mut self, message: String) {
        self.log(Level::Error, format_args!("{message}"));
        self.events.push_back(Event::Error { message });
    }

    fn enqueue(&mut self, now: Instant, payload: Payload) {
        let seq = self.journal_append(&payload);
        if let Err(p) = self.outbox.push(payload, now, seq) {
            self.error_event(format!("message queue full, dropped {:?}", p.local_tx()));
        }
    }

    /// Runs everything that is due and sends what may be sent; the end of every input.
    fn service(&mut self, now: Instant) {
        self.run_timers(now);
        #[cfg(feature = "smart-charging")]
        self.refresh_limits(now);
        self.refresh_connectors(now);
        self.check_reset(now);
        self.pump(now);
        // Any input may have moved a timer.
        self.next_timeout.set(None);
    }

    fn run_timers(&mut self, now: Instant) {
        if self.connected && self.boot_at.is_some_and(|t| t <= now) {
            self.boot_at = None;
            if !self.outbox.contains(|p| matches!(p, Payload::Boot)) {
                self.enqueue(now, Payload::Boot);
            }
        }
        if self.connected && self.registration == Registration::Accepted && self.heartbeat_at.is_some_and(|t| t <= now)
        {
            let interval = self.keys.secs(Key::HeartbeatInterval);
            self.heartbeat_at = (interval > 0).then(|| now.plus_secs(interval));
            if !self.outbox.contains(|p| matches!(p, Payload::Heartbeat)) {
                self.enqueue(now, Payload::Heartbeat);
            }
        }
        for c in 1..=self.cfg.connectors {
            let Some(conn) = self.connectors.get_mut(c as usize) else {
                continue;
            };
            if conn.authorized.as_ref().is_some_and(|a| a.until <= now) {
                // 1.6 §9.1.8 ConnectionTimeOut: nobody plugged in; back to Available.
                conn.authorized = None;
            }
            if conn.tx.as_ref().and_then(|t| t.next_sample).is_some_and(|t| t <= now) {
                self.sample_tx(now, c);
            }
        }
        if self.aligned_at.is_some_and(|t| t <= now) {
            self.sample_aligned(now);
            self.schedule_aligned(now);
        }
        #[cfg(feature = "reservation")]
        self.expire_reservations(now);
        #[cfg(feature = "firmware-management")]
        self.firmware_due(now);
    }

    /// Whether reservations let `tag` start on connector `c`, and which one it uses.
    fn reservation_gate(&self, c: u32, tag: &str, parent: Option<&CiString20>) -> Result<Option<i32>, String> {
        #[cfg(feature = "reservation")]
        return self.reservation_check(c, tag, parent);
        #[cfg(not(feature = "reservation"))]
        {
            let _ = (c, tag, parent);
            Ok(None)
        }
    }

    /// MeterValueSampleInterval during a transaction (1.6 §4.7).
    fn sample_tx(&mut self, now: Instant, c: u32) {
        let interval = self.keys.secs(Key::MeterValueSampleInterval);
        let wall = self.now_wall(now);
        let max_age = self.cfg.meter_max_age_ms;
        let (req, sampled, stop_data) = self.take_samples(now, wall, c, SAMPLED_KEYS);
        let Some(tx) = self.connectors.get_mut(c as usize).and_then(|c| c.tx.as_mut()) else {
            self.spare_meter = Some(req);
            return;
        };
        tx.next_sample = (interval > 0).then(|| {
            let next = tx.next_sample.unwrap_or(now).plus_secs(interval);
            if next <= now {
                now.plus_secs(interval)
            } else {
                next
            }
        });
        let local = tx.local;
        push_tx_data(tx, stop_data, self.cfg.tx_data_capacity);
        if let Some(wh) = self.meter.energy_wh(c, now, max_age) {
            self.save_open_tx(c, wh, wall);
        }
        if sampled {
            self.enqueue_tx_meter(now, local, req);
        } else {
            self.spare_meter = Some(req);
        }
    }

    /// One sampling of connector `c` under `keys` (the measurand keys of the MeterValues and of
    /// the transaction data, and their context): the MeterValues to send, filled in the spare
    /// one, whether it holds any reading, and the readings for StopTransaction's
    /// transactionData.
    fn take_samples(
        &mut self,
        now: Instant,
        wall: DateTime,
        c: u32,
        (sent, stop, context): SampleKeys,
    ) -> (MeterValuesReq, bool, Option<MeterValue>) {
        let max_age = self.cfg.meter_max_age_ms;
        let mut req = self.take_spare_meter(c, wall);
        let sampled = req.meter_value.first_mut().is_some_and(|mv| {
            self.meter
                .sample_into(c, self.keys.measurands(sent), context, now, max_age, mv)
        });
        let stop_data = self
            .meter
            .sample(c, self.keys.measurands(stop), context, now, max_age, wall);
        (req, sampled, stop_data)
    }

    /// A MeterValues of connector `c` with one (empty) meter value taken at `wall`: the spare
    /// one when there is, whose vectors and strings keep their room, so that a periodic
    /// sample allocates nothing.
    fn take_spare_meter(&mut self, c: u32, wall: DateTime) -> MeterValuesReq {
        let mut req = self.spare_meter.take().unwrap_or(MeterValuesReq {
            connector_id: c,
            transaction_id: None,
            meter_value: Vec::new(),
        });
        req.connector_id = c;
        req.transaction_id = None;
        req.meter_value.truncate(1);
        match req.meter_value.first_mut() {
            Some(mv) => mv.timestamp = wall,
            None => req.meter_value.push(MeterValue {
                timestamp: wall,
                sampled_value: Vec::new(),
            }),
        }
        req
    }

    /// A message that was dealt with: a MeterValues is kept as the spare (see
    /// [`Self::take_spare_meter`]).
    fn recycle(&mut self, payload: Payload) {
        if let Payload::Meter(r) | Payload::TxMeter(_, r) = payload {
            if self.spare_meter.is_none() {
                self.spare_meter = Some(r);
            }
        }
    }

    fn enqueue_tx_meter(&mut self, now: Instant, local: u32, req: MeterValuesReq) {
        let full = self.queued_tx_messages() >= self.cfg.tx_queue_capacity
            || self.persist.as_ref().is_some_and(|p| !p.has_room(1));
        // Thinning rule: when full, the oldest queued periodic MeterValues makes room.
        let thinned = if full { self.outbox.thin_tx_meter() } else { None };
        if let Some(item) = thinned {
            self.journal_remove(item.seq);
            self.recycle(item.payload);
        } else if full {
            self.log(
                Level::Warn,
                format_args!("transaction queue full: periodic meter value not queued"),
            );
            self.recycle(Payload::Meter(req));
            return;
        }
        self.enqueue(now, Payload::TxMeter(local, req));
    }

    fn schedule_aligned(&mut self, now: Instant) {
        let interval = self.keys.secs(Key::ClockAlignedDataInterval);
        self.aligned_at = match self.wall_clock(now) {
            Some(wall) if interval > 0 => {
                // 1.6 §9.1.2: intervals are aligned to midnight.
                let ms_of_day = u64::from(wall.seconds_of_day()) * 1000
                    + u64::try_from(wall.unix_millis().rem_euclid(1000)).unwrap_or(0);
                let step = interval.saturating_mul(1000);
                let wait = step - ms_of_day % step;
                Some(now.plus_millis(wait))
            }
            _ => None,
        };
    }

    /// ClockAlignedDataInterval: MeterValuesAlignedData for every connector, StopTxnAlignedData
    /// into running transactions.
    fn sample_aligned(&mut self, now: Instant) {
        let wall = self.now_wall(now);
        for c in 0..=self.cfg.connectors {
            let (req, sampled, stop_data) = self.take_samples(now, wall, c, ALIGNED_KEYS);
            let tx_local = match self.connectors.get_mut(c as usize).and_then(|c| c.tx.as_mut()) {
                Some(tx) => {
                    push_tx_data(tx, stop_data, self.cfg.tx_data_capacity);
                    Some(tx.local)
                }
                None => None,
            };
            match (sampled, tx_local) {
                (true, Some(local)) => self.enqueue_tx_meter(now, local, req),
                (true, None) => self.enqueue(now, Payload::Meter(req)),
                (false, _) => self.spare_meter = Some(req),
            }
        }
    }

    /// Derives every connector's status, reports changes and switches energy.
    fn refresh_connectors(&mut self, now: Instant) {
        let min_ms = self.keys.secs(Key::MinimumStatusDuration).saturating_mul(1000);
        let cp_operative = self.connectors.first().is_none_or(|c| c.operative);
        for i in 0..self.connectors.len() {
            let Some(c) = self.connectors.get_mut(i) else {
                continue;
            };
            let connector = i as u32;
            let wants = i != 0 && c.wants_energy();
            if wants != c.energy_on {
                c.energy_on = wants;
                self.events.push_back(Event::EnergyOffered { connector, on: wants });
            }
            let Some(c) = self.connectors.get_mut(i) else {
                continue;
            };
            let mut current = c.status(cp_operative);
            if i == 0 && current.0 == ChargePointStatus::Reserved {
                // Connector 0 reports only Available, Unavailable or Faulted (1.6 §4.9).
                current.0 = ChargePointStatus::Available;
            }
            if c.reported == Some(current) {
                c.candidate = None;
                continue;
            }
            // 1.6 §9.1.17 MinimumStatusDuration: report only a status that lasted.
            let due = match c.candidate {
                _ if min_ms == 0 || c.reported.is_none() => true,
                Some((pair, since)) if pair == current => now.millis_since(since) >= min_ms,
                _ => {
                    c.candidate = Some((current, now));
                    false
                }
            };
            if due {
                c.candidate = None;
                c.reported = Some(current);
                self.report_status(now, connector);
            }
        }
    }

    fn report_status(&mut self, now: Instant, connector: u32) {
        let Some(c) = self.connector(connector) else {
            return;
        };
        let Some((status, error_code)) = c.reported else {
            return;
        };
        let info = c.fault.as_ref().and_then(|f| f.info.clone());
        self.events.push_back(Event::Status {
            connector,
            status,
            error_code,
        });
        if self.registration == Registration::Accepted {
            let req = StatusNotificationReq {
                connector_id: connector,
                error_code,
                info,
                status,
                timestamp: Some(self.now_wall(now)),
                vendor_id: None,
                vendor_error_code: None,
            };
            self.enqueue(now, Payload::Status(req));
        }
    }

    fn check_reset(&mut self, now: Instant) {
        let Some((kind, deadline)) = self.reset else {
            return;
        };
        // Also wait for the answer to a CALL in flight: a central system still busy answering
        // it when the link drops may lose the Reset.conf it already has (seen with the Python
        // `ocpp` library, whose receive loop ends when it answers into a closed link).
        let idle = self.queued_tx_messages() == 0 && self.in_flight.is_none();
        if idle || deadline <= now {
            self.reset = None;
            self.log(
                Level::Info,
                format_args!("reset {}: handing over to the host", kind.as_str()),
            );
            self.events.push_back(Event::Reset { kind });
        }
    }

    /// The id of our next CALL.
    fn new_message_id(&mut self) -> MessageId {
        let n = self.next_message;
        self.next_message = self.next_message.wrapping_add(1);
        MessageId::new(self.cfg.message_id_nonce, n)
    }

    /// Sends the next CALL if none is in flight.
    fn pump(&mut self, now: Instant) {
        while self.connected && self.in_flight.is_none() {
            let booted = self.registration == Registration::Accepted;
            let Some(mut item) = self.outbox.take_ready(now, booted) else {
                return;
            };
            let id = self.new_message_id();
            let Some(action) = self.frame(&id, &mut item) else {
                continue;
            };
            if self.cfg.trace_messages {
                self.events.push_back(Event::Sent {
                    action,
                    message_id: String::from(id.as_str()),
                    call: true,
                });
            }
            let deadline = now.plus_millis(self.cfg.call_timeout_ms);
            self.in_flight = Some(InFlight {
                id,
                action,
                item,
                deadline,
            });
        }
    }

    fn tx_id(&self, local: u32) -> Option<i32> {
        self.tx_ids.iter().find(|(l, _)| *l == local).map(|(_, id)| *id)
    }

    /// Writes the CALL frame of a queued message (message id number `id`) for the host, with
    /// its transaction id patched in place; `None` drops the message (loudly: a
    /// StopTransaction whose StartTransaction was never answered cannot name its transaction).
    fn frame(&mut self, id: &MessageId, item: &mut Item) -> Option<Action> {
        match &mut item.payload {
            Payload::StopTx(local, r) => match self.tx_id(*local) {
                Some(tx) => r.transaction_id = tx,
                None => {
                    let local = *local;
                    self.error_event(format!(
                        "StopTransaction of local transaction {local} dropped: its StartTransaction was never answered"
                    ));
                    self.item_done(item);
                    return None;
                }
            },
            Payload::TxMeter(local, r) => {
                r.transaction_id = self.tx_id(*local);
                if r.transaction_id.is_none() {
                    let local = *local;
                    self.log(
                        Level::Warn,
                        format_args!("meter values of local transaction {local} sent without transaction id"),
                    );
                }
            }
            _ => {}
        }
        let heartbeat = HeartbeatReq {};
        let diagnostics;
        let firmware;
        let (action, payload): (Action, &dyn ToJson) = match &item.payload {
            Payload::Boot => (Action::BootNotification, &self.boot),
            Payload::Heartbeat => (Action::Heartbeat, &heartbeat),
            Payload::Status(r) => (Action::StatusNotification, r),
            Payload::Authorize(r, _) => (Action::Authorize, r),
            Payload::DataTransfer(r) => (Action::DataTransfer, r),
            Payload::Diagnostics(s) => {
                diagnostics = DiagnosticsStatusNotificationReq { status: *s };
                (Action::DiagnosticsStatusNotification, &diagnostics)
            }
            Payload::Firmware(s) => {
                firmware = FirmwareStatusNotificationReq { status: *s };
                (Action::FirmwareStatusNotification, &firmware)
            }
            Payload::Meter(r) | Payload::TxMeter(_, r) => (Action::MeterValues, r),
            Payload::StartTx(_, r) => (Action::StartTransaction, r),
            Payload::StopTx(_, r) => (Action::StopTransaction, r),
        };
        rpc::frame::write_own_call(self.transmit.begin(), id.as_bytes(), action.as_str(), payload);
        self.transmit.commit();
        Some(action)
    }
}

/// Our message ids, `<nonce in hex>-<counter>` (unique across reboots with a random nonce,
/// OCPP-J §4.1.3), formatted on the stack.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MessageId {
    buf: [u8; 20],
    len: u8,
}

impl MessageId {
    /// The id of CALL number `n` under `nonce`.
    pub(crate) fn new(nonce: u32, n: u32) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 20];
        let nibbles = (32 - nonce.leading_zeros()).div_ceil(4).max(1) as usize;
        for (i, slot) in buf.iter_mut().take(nibbles).enumerate() {
            let shift = 4 * (nibbles - 1 - i);
            *slot = HEX.get(((nonce >> shift) & 0xf) as usize).copied().unwrap_or(b'0');
        }
        let mut len = nibbles;
        if let Some(slot) = buf.get_mut(len) {
            *slot = b'-';
        }
        len += 1;
        let digits = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
        let mut v = n;
        for k in (0..digits).rev() {
            if let Some(slot) = buf.get_mut(len + k) {
                *slot = b'0' + (v % 10) as u8;
            }
            v /= 10;
        }
        len += digits;
        MessageId { buf, len: len as u8 }
    }

    /// The id's bytes (ASCII).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

/// Frames waiting for the host, in one buffer that keeps its capacity (up to
/// [`TRANSMIT_KEEP`] bytes): once it has grown to the longest batch of frames, writing a frame
/// allocates nothing.
#[derive(Debug, Default)]
struct Transmit {
    buf: String,
    /// The end offset of each frame not yet taken, in order.
    ends: VecDeque<usize>,
    /// Where the next frame to take starts.
    read: usize,
}

impl Transmit {
    /// The buffer to append one frame to (emptied first when every frame has been taken);
    /// [`Self::commit`] ends the frame.
    fn begin(&mut self) -> &mut String {
        if self.ends.is_empty() {
            self.buf.clear();
            self.read = 0;
        }
        &mut self.buf
    }

    /// The frame appended since [`Self::begin`] is complete.
    fn commit(&mut self) {
        self.ends.push_back(self.buf.len());
    }

    /// The next frame. When every frame has been taken, a buffer that grew beyond
    /// [`TRANSMIT_KEEP`] (an answer to a huge frame) is given back.
    fn pop(&mut self) -> Option<&str> {
        let Some(end) = self.ends.pop_front() else {
            if self.buf.capacity() > TRANSMIT_KEEP {
                self.buf = String::new();
            }
            self.buf.clear();
            self.read = 0;
            return None;
        };
        let start = core::mem::replace(&mut self.read, end);
        self.buf.get(start..end)
    }
}

/// The most bytes of frame buffer kept between batches of frames.
const TRANSMIT_KEEP: usize = 4096;

/// Adds a StopTxn*Data value, halving the resolution of periodic values when full.
/// The keys naming what a sampling measures, for the MeterValues and for the transaction
/// data, and the context of its readings.
type SampleKeys = (Key, Key, ReadingContext);

/// What MeterValueSampleInterval samples during a transaction.
const SAMPLED_KEYS: SampleKeys = (
    Key::MeterValuesSampledData,
    Key::StopTxnSampledData,
    ReadingContext::SamplePeriodic,
);

/// What ClockAlignedDataInterval samples.
const ALIGNED_KEYS: SampleKeys = (
    Key::MeterValuesAlignedData,
    Key::StopTxnAlignedData,
    ReadingContext::SampleClock,
);

fn push_tx_data(tx: &mut Transaction, mv: Option<MeterValue>, capacity: usize) {
    let Some(mv) = mv else { return };
    if tx.data.len() >= capacity.max(2) {
        halve(&mut tx.data);
    }
    tx.data.push(mv);
}

/// The thinning rule of transactionData: keep the first (Transaction.Begin) value and drop
/// every second one after it, halving the resolution.
fn halve(data: &mut Vec<MeterValue>) {
    let mut i = 0usize;
    data.retain(|_| {
        i += 1;
        i == 1 || i % 2 == 0
    });
}

/// The feature profiles this build supports.
pub fn supported_profiles_list() -> &'static [Profile] {
    &[
        Profile::Core,
        #[cfg(feature = "firmware-management")]
        Profile::FirmwareManagement,
        #[cfg(feature = "local-auth-list")]
        Profile::LocalAuthListManagement,
        #[cfg(feature = "reservation")]
        Profile::Reservation,
        #[cfg(feature = "smart-charging")]
        Profile::SmartCharging,
        Profile::RemoteTrigger,
    ]
}

/// The feature profiles this build supports, as SupportedFeatureProfiles lists them.
pub fn supported_profiles() -> String {
    let mut s = String::new();
    for (i, p) in supported_profiles_list().iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(p.as_str());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_nonce_dash_counter() {
        assert_eq!(MessageId::new(0, 0).as_str(), "0-0");
        assert_eq!(MessageId::new(0, 8).as_str(), "0-8");
        assert_eq!(MessageId::new(0xabc, 12).as_str(), "abc-12");
        assert_eq!(MessageId::new(u32::MAX, u32::MAX).as_str(), "ffffffff-4294967295");
        assert_eq!(MessageId::new(0x10, 100).as_bytes(), b"10-100");
    }

    #[test]
    fn transmit_reuses_one_buffer_and_gives_back_a_big_one() {
        let mut t = Transmit::default();
        t.begin().push_str("[3,\"a\",{}]");
        t.commit();
        t.begin().push_str("[3,\"b\",{}]");
        t.commit();
        assert_eq!(t.pop(), Some("[3,\"a\",{}]"));
        assert_eq!(t.pop(), Some("[3,\"b\",{}]"));
        assert_eq!(t.pop(), None);
        let room = t.buf.capacity();
        t.begin().push('x');
        t.commit();
        assert_eq!((t.buf.as_str(), t.buf.capacity()), ("x", room));
        assert_eq!(t.pop(), Some("x"));
        t.begin().push_str(&"y".repeat(TRANSMIT_KEEP + 1));
        t.commit();
        assert!(t.pop().is_some());
        assert_eq!(t.pop(), None);
        assert_eq!(t.buf.capacity(), 0);
    }
}
