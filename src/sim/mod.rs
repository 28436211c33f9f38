//! `ocpp-sim`: a simulated charger and EV on Linux, driven over stdin, reporting JSON Lines
//! on stdout (see README "Simulator"). It wires the sans-IO pieces together the way firmware
//! does: a [`Station`] (the [`crate::cp::ChargePoint`] and its connection) over a
//! [`crate::ws::HostLink`] socket, and a physical model ([`model`]).

pub mod command;
pub mod http;
pub mod model;

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use serde_json::{json, Value};

use crate::cp::{ChargePoint, Config, Event};
use crate::log::Level;
use crate::messages::{ChargePointErrorCode, DiagnosticsStatus, FirmwareStatus, Measurand};
use crate::rand::{Random, XorShift32};
use crate::station::{Station, StationEvent};
use crate::store::FileStorage;
use crate::time::Instant;
use crate::ws::{ClientConfig, ConnectionConfig, HostLink, LinkAction, TlsSettings, Url};
use command::Command;
use model::Outlet;

/// The command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Central system URL, charge point id included.
    pub url: Url,
    /// Charge point id (default: the URL's last path segment).
    pub id: String,
    /// Number of connectors.
    pub connectors: u32,
    /// AuthorizationKey for HTTP Basic auth.
    pub auth_key: Option<String>,
    /// Where persistent state lives.
    pub state_dir: Option<PathBuf>,
    /// Configuration keys set at boot.
    pub config: Vec<(String, String)>,
    /// The charger's maximum power, W.
    pub power_w: f64,
    /// CA file for wss://.
    pub ca_file: Option<PathBuf>,
}

/// The usage text.
pub const USAGE: &str = "usage: ocpp-sim --url ws://127.0.0.1:9000/CP_1 [--id CP_1] [--connectors N] [--auth-key KEY]
                [--state-dir DIR] [--config KEY=VALUE]... [--power-w W] [--ca-file F]";

impl Options {
    /// Parses the arguments (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut url = None;
        let mut o = Options {
            url: Url::parse("ws://127.0.0.1/").map_err(|e| e.to_string())?,
            id: String::new(),
            connectors: 1,
            auth_key: None,
            state_dir: None,
            config: Vec::new(),
            power_w: 7400.0,
            ca_file: None,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--url" => url = Some(Url::parse(&value()?).map_err(|e| format!("--url: {e}"))?),
                "--id" => o.id = value()?,
                "--connectors" => {
                    o.connectors = value()?
                        .parse()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or("--connectors must be 1 to 64")?
                }
                "--auth-key" => o.auth_key = Some(value()?),
                "--state-dir" => o.state_dir = Some(PathBuf::from(value()?)),
                "--config" => {
                    let kv = value()?;
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| format!("--config wants KEY=VALUE, got {kv:?}"))?;
                    o.config.push((k.to_string(), v.to_string()));
                }
                "--power-w" => {
                    o.power_w = value()?
                        .parse()
                        .ok()
                        .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                        .ok_or("--power-w must be a number of watts")?
                }
                "--ca-file" => o.ca_file = Some(PathBuf::from(value()?)),
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        o.url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
        if o.id.is_empty() {
            o.id = o
                .url
                .path
                .rsplit('/')
                .find(|s| !s.is_empty())
                .unwrap_or("CP_1")
                .to_string();
        }
        Ok(o)
    }
}

/// Writes one JSON event line to stdout.
fn emit(event: &str, mut fields: Value) {
    if let Value::Object(map) = &mut fields {
        map.insert("event".into(), json!(event));
    }
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{fields}");
    let _ = out.flush();
}

fn log_stderr(level: Level, args: std::fmt::Arguments<'_>) {
    eprintln!("[{}] {}", level.as_str(), args);
}

/// What survives a power cut, kept in `--state-dir`.
struct State {
    dir: Option<PathBuf>,
}

impl State {
    fn path(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(name))
    }

    fn read_lines(&self, name: &str) -> Vec<(String, String)> {
        let Some(p) = self.path(name) else { return Vec::new() };
        let text = std::fs::read_to_string(p).unwrap_or_default();
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Replaces a file atomically (write, fsync, rename).
    fn write_lines(&self, name: &str, lines: &[(String, String)]) {
        let Some(p) = self.path(name) else { return };
        let tmp = p.with_extension("tmp");
        let body: String = lines.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        let result = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(body.as_bytes()).and_then(|_| f.sync_all()))
            .and_then(|_| std::fs::rename(&tmp, &p));
        if let Err(e) = result {
            emit("error", json!({"message": format!("state dir: {e}")}));
        }
    }
}

fn entropy() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u32
}

/// The running simulator.
pub struct Simulator {
    opts: Options,
    state: State,
    /// The charge point and its connection; `None` while the power is off.
    station: Option<Station>,
    client: ClientConfig,
    link: Option<HostLink>,
    outlets: Vec<Outlet>,
    rng: XorShift32,
    start: std::time::Instant,
    last_model: Instant,
    net_up: bool,
    /// Progress of firmware downloads and diagnostics uploads running on threads.
    jobs: (mpsc::Sender<Job>, Receiver<Job>),
    /// The firmware version reported at boot (changes with an installed update).
    firmware_version: String,
    /// A reboot waiting for the charge point's queue to empty (after a firmware install).
    reboot_at: Option<Instant>,
}

/// Progress from a background firmware or diagnostics job.
enum Job {
    Firmware(FirmwareStatus),
    /// Installed: reboot with this version.
    Installed(String),
    Diagnostics(DiagnosticsStatus),
}

impl Simulator {
    /// A simulator with these options, powered on.
    pub fn new(opts: Options) -> Result<Simulator, String> {
        if let Some(d) = &opts.state_dir {
            std::fs::create_dir_all(d).map_err(|e| format!("--state-dir {}: {e}", d.display()))?;
        }
        let state = State {
            dir: opts.state_dir.clone(),
        };
        let mut client = ClientConfig::new(opts.url.clone());
        client.basic_auth = opts.auth_key.clone().map(|k| (opts.id.clone(), k));
        let energy = state.read_lines("meter");
        let outlets = (1..=opts.connectors)
            .map(|c| {
                let wh = energy
                    .iter()
                    .find(|(k, _)| *k == c.to_string())
                    .and_then(|(_, v)| v.parse().ok());
                Outlet::new(wh.unwrap_or(0.0))
            })
            .collect();
        let mut sim = Simulator {
            opts,
            state,
            station: None,
            client,
            link: None,
            outlets,
            rng: XorShift32::new(entropy()),
            start: std::time::Instant::now(),
            last_model: Instant::ZERO,
            net_up: true,
            jobs: mpsc::channel(),
            firmware_version: String::new(),
            reboot_at: None,
        };
        sim.firmware_version = sim
            .state
            .read_lines("firmware")
            .into_iter()
            .find(|(k, _)| k == "version")
            .map_or_else(|| env!("CARGO_PKG_VERSION").to_string(), |(_, v)| v);
        sim.power_on()?;
        Ok(sim)
    }

    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// Boots the charge point: configuration from the command line, then what was persisted.
    fn power_on(&mut self) -> Result<(), String> {
        let now = self.now();
        let config = Config {
            charge_point_id: self.opts.id.clone(),
            vendor: "ocpp-cp".into(),
            model: "ocpp-sim".into(),
            firmware_version: Some(self.firmware_version.clone()),
            connectors: self.opts.connectors,
            unlock_supported: true,
            data_transfer_vendor_ids: vec!["*".into()],
            trace_messages: true,
            message_id_nonce: self.rng.next_u32(),
            logger: Some(log_stderr),
            ..Config::default()
        };
        // Everything the firmware would persist (journal, open transactions, configuration,
        // local list, profiles) lives in <state-dir>/store, crash-consistently.
        let mut cp = match &self.opts.state_dir {
            Some(dir) => {
                let storage = FileStorage::new(dir.join("store")).map_err(|e| format!("--state-dir: {e}"))?;
                ChargePoint::with_storage(config, Box::new(storage))
            }
            None => ChargePoint::new(config),
        }
        .map_err(|e| e.to_string())?;
        // The host has a clock (firmware: SNTP or an RTC); the central system's time follows.
        if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            let ms = i64::try_from(d.as_millis()).unwrap_or(0);
            cp.set_wall_clock(now, crate::time::DateTime::from_unix_millis(ms));
        }
        // --auth-key is the first Basic-auth password (in `self.client`); a key the central
        // system set since (ChangeConfiguration, persisted in the state dir) wins: see Station.
        for (k, v) in &self.opts.config {
            let status = cp.set_configuration(now, k, v);
            if status.as_str() != "Accepted" {
                emit(
                    "error",
                    json!({"message": format!("--config {k}={v}: {}", status.as_str())}),
                );
            }
        }
        for (i, o) in self.outlets.iter_mut().enumerate() {
            o.energy_on = false;
            if o.plugged {
                let _ = cp.plug(now, i as u32 + 1);
            }
        }
        let mut station = Station::new(
            cp,
            self.client.clone(),
            ConnectionConfig::default(),
            self.rng.next_u32(),
        );
        if !self.net_up {
            station.disconnect(now);
        }
        self.station = Some(station);
        // Meter inputs are there from the first instant, as a real meter's would be.
        self.last_model = now;
        self.model(now);
        emit("power", json!({"state": "on"}));
        Ok(())
    }

    fn power_off(&mut self) {
        let now = self.now();
        if let Some(st) = self.station.as_mut() {
            st.disconnect(now);
        }
        self.drive_link(now);
        self.station = None;
        if let Some(l) = self.link.take() {
            l.shutdown();
        }
        for o in &mut self.outlets {
            o.energy_on = false;
        }
        self.save_meter();
        emit("power", json!({"state": "off"}));
    }

    fn save_meter(&self) {
        let lines: Vec<(String, String)> = self
            .outlets
            .iter()
            .enumerate()
            .map(|(i, o)| ((i + 1).to_string(), format!("{:.3}", o.energy_wh)))
            .collect();
        self.state.write_lines("meter", &lines);
    }

    /// Runs until `quit` or the end of stdin.
    pub fn run(mut self) {
        let rx = spawn_stdin();
        loop {
            let now = self.now();
            match rx.try_recv() {
                Ok(line) => {
                    if !self.command(&line) {
                        break;
                    }
                    continue;
                }
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {}
            }
            self.step(now);
        }
        self.save_meter();
        if let Some(l) = self.link.take() {
            l.shutdown();
        }
    }

    /// One round: socket, timers, outputs, model.
    fn step(&mut self, now: Instant) {
        self.drive_link(now);
        let mut buf = [0u8; 4096];
        let mut closed = false;
        if let Some(link) = self.link.as_mut() {
            // The read timeout is the loop's sleep: short, so stdin and timers stay lively.
            match link.read(&mut buf) {
                Ok(0) => closed = true,
                Ok(n) => {
                    let data = buf.get(..n).unwrap_or(&[]);
                    if let Some(st) = self.station.as_mut() {
                        st.handle_bytes(now, data);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    emit("error", json!({"message": format!("socket: {e}")}));
                    closed = true;
                }
            }
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some(st) = self.station.as_mut() {
            if closed {
                self.link = None;
                st.handle_socket_closed(now);
            }
            if st.poll_timeout().is_some_and(|t| t <= now) {
                st.handle_timeout(now);
            }
        }
        self.drain(now);
        self.drive_link(now);
        self.jobs(now);
        if let Some(deadline) = self.reboot_at {
            let idle = self.station.as_ref().is_none_or(|st| st.cp().pending_calls() == 0);
            if idle || deadline <= now {
                self.reboot_at = None;
                self.power_off();
                let _ = self.power_on();
            }
        }
        if now.millis_since(self.last_model) >= 1000 {
            self.model(now);
            // The register survives kill -9: saved before any sample can read the new value.
            self.save_meter();
        }
    }

    /// Opens/closes the socket as the connection asks and writes pending bytes.
    fn drive_link(&mut self, now: Instant) {
        while let Some(action) = self.station.as_mut().and_then(|st| st.poll_action(now)) {
            match action {
                LinkAction::Open { host, port, secure } => {
                    emit(
                        "connection",
                        json!({"state": "connecting", "url": self.opts.url.to_string()}),
                    );
                    let tls = TlsSettings {
                        ca_file: self.opts.ca_file.clone(),
                    };
                    match HostLink::connect(&host, port, secure, &tls, Duration::from_secs(10)) {
                        Ok(link) => {
                            self.link = Some(link);
                            if let Some(st) = self.station.as_mut() {
                                st.handle_socket_open(now);
                            }
                        }
                        Err(e) => {
                            emit("error", json!({"message": format!("connect {host}:{port}: {e}")}));
                            if let Some(st) = self.station.as_mut() {
                                st.handle_socket_closed(now);
                            }
                        }
                    }
                }
                LinkAction::Close => {
                    self.flush();
                    if let Some(l) = self.link.take() {
                        l.shutdown();
                    }
                }
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        let now = self.now();
        let (Some(link), Some(st)) = (self.link.as_mut(), self.station.as_mut()) else {
            return;
        };
        let out = st.outgoing();
        if out.is_empty() {
            return;
        }
        let n = out.len();
        match link.write_all(out) {
            Ok(()) => st.consume_outgoing(n),
            Err(e) => {
                emit("error", json!({"message": format!("socket write: {e}")}));
                self.link = None;
                st.handle_socket_closed(now);
            }
        }
    }

    /// Moves frames between link and charge point and acts on every event.
    fn drain(&mut self, now: Instant) {
        loop {
            let Some(st) = self.station.as_mut() else { return };
            st.pump(now);
            let Some(ev) = st.poll_event() else { return };
            match ev {
                StationEvent::Connected => emit("connection", json!({"state": "connected"})),
                StationEvent::Disconnected { reason } => {
                    emit("connection", json!({"state": "disconnected", "reason": reason}))
                }
                StationEvent::LinkError(e) => emit("error", json!({"message": e.to_string()})),
                StationEvent::ChargePoint(ev) => self.event(now, ev),
            }
        }
    }

    /// Turns a charge point event into a JSON line and acts on it.
    fn event(&mut self, now: Instant, ev: Event) {
        match ev {
            Event::Boot { status } => emit("boot", json!({"status": status.as_str()})),
            Event::Status {
                connector,
                status,
                error_code,
            } => emit(
                "status",
                json!({"connector": connector, "status": status.as_str(), "error_code": error_code.as_str()}),
            ),
            Event::EnergyOffered { connector, on } => {
                if let Some(o) = self.outlets.get_mut((connector as usize).wrapping_sub(1)) {
                    o.energy_on = on;
                }
                emit("energy", json!({"connector": connector, "on": on}));
            }
            Event::TransactionBegun { connector, id_tag } => {
                emit("tx_begun", json!({"connector": connector, "id_tag": id_tag}))
            }
            Event::TransactionStarted {
                connector,
                transaction_id,
                id_tag,
            } => emit(
                "tx_started",
                json!({"connector": connector, "transaction_id": transaction_id, "id_tag": id_tag}),
            ),
            Event::TransactionStopped {
                connector,
                transaction_id,
                reason,
            } => emit(
                "tx_stopped",
                json!({"connector": connector, "transaction_id": transaction_id, "reason": reason.as_str()}),
            ),
            Event::Limit {
                connector,
                amps,
                watts,
                phases,
            } => {
                // Power follows the effective limit (None = the charger's maximum).
                if let Some(o) = self.outlets.get_mut((connector as usize).wrapping_sub(1)) {
                    o.limit_w = watts;
                }
                emit(
                    "limit",
                    json!({"connector": connector, "amps": amps, "watts": watts, "phases": phases}),
                );
            }
            Event::Authorization { id_tag, status } => {
                emit("authorization", json!({"id_tag": id_tag, "status": status.as_str()}))
            }
            Event::RemoteStart { connector, id_tag } => {
                emit("remote_start", json!({"connector": connector, "id_tag": id_tag}))
            }
            Event::RemoteStop {
                connector,
                transaction_id,
            } => emit(
                "remote_stop",
                json!({"connector": connector, "transaction_id": transaction_id}),
            ),
            Event::Reset { kind } => {
                emit("reset", json!({"type": kind.as_str()}));
                // The charger reboots: what the firmware would persist is in the state dir.
                self.power_off();
                let _ = self.power_on();
            }
            Event::Unlock { connector } => emit("unlock", json!({"connector": connector})),
            Event::DataTransfer {
                vendor_id,
                message_id,
                data,
                status,
            } => emit(
                "data_transfer",
                json!({"vendor_id": vendor_id, "message_id": message_id, "data": data, "status": status.as_str()}),
            ),
            Event::DataTransferResult { status, data } => emit(
                "data_transfer_result",
                json!({"status": status.map(|s| s.as_str()), "data": data}),
            ),
            Event::ConfigurationChanged { key, value } => emit("config_changed", json!({"key": key, "value": value})),
            Event::TriggerMessage { requested, connector } => emit(
                "trigger_message",
                json!({"requested": requested.as_str(), "connector": connector}),
            ),
            Event::Availability { connector, operative } => {
                emit("availability", json!({"connector": connector, "operative": operative}))
            }
            Event::Sent {
                action,
                message_id,
                call,
            } => emit(
                "sent",
                json!({"action": action.as_str(), "message_id": message_id, "call": call}),
            ),
            Event::Received {
                action,
                message_id,
                call,
            } => emit(
                "received",
                json!({"action": action.map(|a| a.as_str()), "message_id": message_id, "call": call}),
            ),
            Event::Error { message } => emit("error", json!({"message": message})),
            Event::UpdateFirmware {
                location,
                retries,
                retry_interval,
            } => {
                emit("update_firmware", json!({"location": location}));
                let tx = self.jobs.0.clone();
                let attempts = retries.unwrap_or(0).max(0) as u32 + 1;
                let wait = Duration::from_secs(retry_interval.unwrap_or(10).clamp(0, 3600) as u64);
                std::thread::spawn(move || firmware_job(&location, attempts, wait, &tx));
            }
            Event::GetDiagnostics {
                location, file_name, ..
            } => {
                emit("get_diagnostics", json!({"location": location, "file_name": file_name}));
                let tx = self.jobs.0.clone();
                let body = format!("ocpp-sim diagnostics for {}\n", self.opts.id);
                std::thread::spawn(move || {
                    let _ = tx.send(Job::Diagnostics(DiagnosticsStatus::Uploading));
                    let url = format!("{}/{file_name}", location.trim_end_matches('/'));
                    let done = match http::put(&url, body.as_bytes()) {
                        Ok(()) => DiagnosticsStatus::Uploaded,
                        Err(_) => DiagnosticsStatus::UploadFailed,
                    };
                    let _ = tx.send(Job::Diagnostics(done));
                });
            }
        }
        let _ = now;
    }

    /// Reports what the background jobs did; an installed firmware reboots the charger.
    fn jobs(&mut self, now: Instant) {
        while let Ok(job) = self.jobs.1.try_recv() {
            let Some(cp) = self.station.as_mut().map(Station::cp_mut) else {
                continue;
            };
            let result = match job {
                Job::Firmware(s) => cp.firmware_status(now, s),
                Job::Diagnostics(s) => cp.diagnostics_status(now, s),
                Job::Installed(version) => {
                    self.firmware_version = version.clone();
                    self.state.write_lines("firmware", &[("version".into(), version)]);
                    // 1.6 §5.19: reboot into the new firmware once the notifications are out.
                    self.reboot_at = Some(now.plus_secs(10));
                    cp.firmware_status(now, FirmwareStatus::Installed)
                }
            };
            if let Err(e) = result {
                emit("error", json!({"message": e.to_string()}));
            }
            self.drain(now);
        }
    }

    /// Advances the EV model and feeds the meter inputs.
    fn model(&mut self, now: Instant) {
        let dt = now.millis_since(self.last_model);
        self.last_model = now;
        let max_w = self.opts.power_w;
        let Some(cp) = self.station.as_mut().map(Station::cp_mut) else {
            return;
        };
        for (i, o) in self.outlets.iter_mut().enumerate() {
            o.advance(dt, max_w);
            let c = i as u32 + 1;
            for (m, v) in o.readings(max_w) {
                let _ = cp.set_meter(now, c, m, None, v);
            }
        }
    }

    /// Runs one stdin command; false on `quit`.
    fn command(&mut self, line: &str) -> bool {
        let cmd = match command::parse(line) {
            Ok(Some(c)) => c,
            Ok(None) => return true,
            Err(e) => {
                emit("error", json!({"message": e, "line": line}));
                return true;
            }
        };
        let now = self.now();
        if self.station.is_none()
            && !matches!(
                cmd,
                Command::PowerOn | Command::Quit | Command::NetDown | Command::NetUp
            )
        {
            emit("error", json!({"message": "power is off", "line": line}));
            return true;
        }
        let n = self.opts.connectors;
        let result = match cmd {
            Command::Quit => return false,
            Command::PowerOn => {
                if self.station.is_none() {
                    if let Err(e) = self.power_on() {
                        emit("error", json!({"message": e}));
                    }
                }
                Ok(())
            }
            Command::PowerOff => {
                self.power_off();
                Ok(())
            }
            Command::NetDown => {
                self.net_up = false;
                if let Some(st) = self.station.as_mut() {
                    st.disconnect(now);
                }
                Ok(())
            }
            Command::NetUp => {
                self.net_up = true;
                if let Some(st) = self.station.as_mut() {
                    st.reconnect_now(now);
                }
                Ok(())
            }
            cmd => self.charger_command(now, cmd, n),
        };
        if let Err(e) = result {
            emit("error", json!({"message": e, "line": line}));
        }
        self.drain(now);
        true
    }

    fn charger_command(&mut self, now: Instant, cmd: Command, n: u32) -> Result<(), String> {
        let outlet = |c: u32| {
            if (1..=n).contains(&c) {
                Ok(c as usize - 1)
            } else {
                Err(format!("no connector {c}"))
            }
        };
        let cp = self.station.as_mut().ok_or("power is off")?.cp_mut();
        match cmd {
            Command::Plug(c) => {
                let i = outlet(c)?;
                cp.plug(now, c).map_err(|e| e.to_string())?;
                if let Some(o) = self.outlets.get_mut(i) {
                    o.plugged = true;
                }
            }
            Command::Unplug(c) => {
                let i = outlet(c)?;
                if let Some(o) = self.outlets.get_mut(i) {
                    o.plugged = false;
                    o.suspended = false;
                }
                cp.unplug(now, c).map_err(|e| e.to_string())?;
            }
            Command::Tap(tag) => cp.present_id_tag(now, &tag).map_err(|e| e.to_string())?,
            Command::Suspend(c) | Command::Resume(c) => {
                let i = outlet(c)?;
                let s = matches!(cmd, Command::Suspend(_));
                if let Some(o) = self.outlets.get_mut(i) {
                    o.suspended = s;
                }
                cp.set_ev_suspended(now, c, s).map_err(|e| e.to_string())?;
            }
            Command::Fault(c, code) => cp.set_fault(now, c, code, None).map_err(|e| e.to_string())?,
            Command::Clear(c) => cp
                .set_fault(now, c, ChargePointErrorCode::NoError, None)
                .map_err(|e| e.to_string())?,
            Command::Set(c, m, v) => {
                let i = outlet(c)?;
                if let Some(o) = self.outlets.get_mut(i) {
                    o.overrides.insert(m.as_str(), v);
                    if m == Measurand::EnergyActiveImportRegister {
                        o.energy_wh = v;
                    }
                }
                cp.set_meter(now, c, m, None, v).map_err(|e| e.to_string())?;
            }
            Command::Quit | Command::PowerOn | Command::PowerOff | Command::NetDown | Command::NetUp => {}
        }
        Ok(())
    }
}

/// Downloads firmware (with retries) and "installs" it: its first line is the new version.
fn firmware_job(location: &str, attempts: u32, wait: Duration, tx: &mpsc::Sender<Job>) {
    for attempt in 1..=attempts {
        let _ = tx.send(Job::Firmware(FirmwareStatus::Downloading));
        match http::get(location) {
            Ok(image) => {
                let _ = tx.send(Job::Firmware(FirmwareStatus::Downloaded));
                let _ = tx.send(Job::Firmware(FirmwareStatus::Installing));
                let first = String::from_utf8_lossy(&image)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let version: String = first.chars().filter(|c| c.is_ascii_graphic()).take(50).collect();
                if version.is_empty() {
                    let _ = tx.send(Job::Firmware(FirmwareStatus::InstallationFailed));
                } else {
                    let _ = tx.send(Job::Installed(version));
                }
                return;
            }
            Err(e) => {
                emit("error", json!({"message": format!("firmware download: {e}")}));
                if attempt == attempts {
                    let _ = tx.send(Job::Firmware(FirmwareStatus::DownloadFailed));
                    return;
                }
                std::thread::sleep(wait);
            }
        }
    }
}

/// Reads stdin lines on a thread; the channel closes at end of input.
fn spawn_stdin() -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_parse_and_refuse() {
        let o = Options::parse(args(
            "--url ws://127.0.0.1:9000/ocpp/CP_7 --connectors 2 --config A=1 --config B=x=y",
        ))
        .unwrap();
        assert_eq!(o.id, "CP_7");
        assert_eq!(o.connectors, 2);
        assert_eq!(o.config, [("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        for (bad, want) in [
            ("", "--url is required"),
            ("--url http://x/", "--url"),
            ("--url ws://x/ --connectors 0", "1 to 64"),
            ("--url ws://x/ --power-w lots", "watts"),
            ("--url ws://x/ --config nokey", "KEY=VALUE"),
            ("--url ws://x/ --bogus", "unknown argument"),
            ("--url", "needs a value"),
        ] {
            let e = Options::parse(args(bad)).expect_err(bad);
            assert!(e.contains(want), "{bad}: {e}");
        }
    }
}
