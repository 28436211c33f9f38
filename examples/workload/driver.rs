//! The standard workload (docs/performance.md, "The workload") replayed against the charge
//! point's public API on a virtual clock, with the canned central system in the same process.
//!
//! Shared by the benchmark binary (`examples/workload/main.rs`: heap counts, timings, and
//! the target of the callgrind runs in `tools/bench.sh`) and by its volume checks
//! (`tests/workload.rs`). Every call into the charge point goes through one `#[inline(never)]`
//! function in [`api`], so callgrind can count the charge point's instructions apart from the
//! harness (`--toggle-collect='*driver::api::*'`), and every phase is one `#[inline(never)]`
//! method (`phase_*`), so `--dump-after` can cut the run into phases.
#![allow(dead_code)]

use ocpp_cp::cp::{ChargePoint, Config};
use ocpp_cp::messages::Measurand;
use ocpp_cp::time::Instant;

/// The phases of the workload, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Create the charge point and give it its inputs.
    Init,
    /// The link comes up; BootNotification and the first statuses.
    Boot,
    /// ChangeConfiguration MeterValueSampleInterval = 10.
    Setup,
    /// 1000 loop steps with the clock frozen.
    Idle,
    /// Plug, then a transaction for "TAG".
    TxStart,
    /// 1000 MeterValues cycles of 10 s.
    Meter,
    /// 100 x (ChangeConfiguration, GetConfiguration).
    Config,
    /// End the transaction locally, then unplug.
    TxStop,
    /// Drop the charge point.
    Deinit,
}

impl Phase {
    /// Every phase, in the order the workload runs them.
    pub const ALL: [Phase; 9] = [
        Phase::Init,
        Phase::Boot,
        Phase::Setup,
        Phase::Idle,
        Phase::TxStart,
        Phase::Meter,
        Phase::Config,
        Phase::TxStop,
        Phase::Deinit,
    ];

    /// The phase's name as the workload description spells it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Init => "init",
            Phase::Boot => "boot",
            Phase::Setup => "setup",
            Phase::Idle => "idle",
            Phase::TxStart => "txstart",
            Phase::Meter => "meter",
            Phase::Config => "config",
            Phase::TxStop => "txstop",
            Phase::Deinit => "deinit",
        }
    }
}

/// The fake clock starts here (milliseconds).
pub const START_MS: u64 = 100_000;
/// Energy input at the start, Wh.
pub const ENERGY_START_WH: f64 = 1000.0;
/// Energy added per MeterValues cycle, Wh.
pub const ENERGY_STEP_WH: f64 = 30.0;
/// Power input, W.
pub const POWER_W: f64 = 10_800.0;
/// MeterValues cycles in the meter phase.
pub const METER_CYCLES: u32 = 1000;
/// Loop steps in the idle phase.
pub const IDLE_STEPS: u32 = 1000;
/// ChangeConfiguration + GetConfiguration rounds in the config phase.
pub const CONFIG_ROUNDS: u32 = 100;
/// A settle that takes this many steps is a livelock: the run fails.
const MAX_SETTLE_STEPS: u32 = 1000;

/// Canned CALLRESULT payloads of the central system, by action (the workload's answer table).
fn answer_payload(action: &str) -> &'static str {
    match action {
        "BootNotification" => r#"{"status":"Accepted","currentTime":"2024-01-01T00:00:00.000Z","interval":86400}"#,
        "Authorize" => r#"{"idTagInfo":{"status":"Accepted"}}"#,
        "StartTransaction" => r#"{"transactionId":1,"idTagInfo":{"status":"Accepted"}}"#,
        "StopTransaction" => r#"{"idTagInfo":{"status":"Accepted"}}"#,
        "Heartbeat" => r#"{"currentTime":"2024-01-01T00:00:00.000Z"}"#,
        _ => "{}",
    }
}

/// The configuration keys GetConfiguration asks for in the config phase.
pub const GC_KEYS: [&str; 4] = [
    "ConnectionTimeOut",
    "HeartbeatInterval",
    "MeterValueSampleInterval",
    "MeterValuesSampledData",
];

/// Hooks a measuring binary puts around the charge point's code.
pub trait Probe {
    /// The charge point's code is about to run.
    fn enter(&mut self) {}
    /// The charge point's code returned.
    fn exit(&mut self) {}
    /// One MeterValues cycle of the meter phase ended.
    fn cycle_end(&mut self) {}
}

/// No measuring (the volume checks).
pub struct NoProbe;
impl Probe for NoProbe {}

/// The calls into the charge point, one non-inlined function each, so callgrind can tell the
/// charge point's instructions from the harness's.
pub mod api {
    use super::*;
    use ocpp_cp::cp::{CpError, Event};
    use ocpp_cp::messages::{Phase as MeterPhase, Reason};

    /// `ChargePoint::new` with the workload's configuration (built here, so its heap counts).
    #[inline(never)]
    pub fn new() -> Result<ChargePoint, CpError> {
        ChargePoint::new(Config {
            charge_point_id: "CP_1".into(),
            vendor: "ocpp-cp".into(),
            model: "workload".into(),
            connectors: 1,
            ..Config::default()
        })
    }
    /// `ChargePoint::handle_connected`.
    #[inline(never)]
    pub fn handle_connected(cp: &mut ChargePoint, now: Instant) {
        cp.handle_connected(now)
    }
    /// `ChargePoint::handle_text`.
    #[inline(never)]
    pub fn handle_text(cp: &mut ChargePoint, now: Instant, text: &str) {
        cp.handle_text(now, text)
    }
    /// `ChargePoint::poll_timeout`.
    #[inline(never)]
    pub fn poll_timeout(cp: &ChargePoint) -> Option<Instant> {
        cp.poll_timeout()
    }
    /// `ChargePoint::handle_timeout`.
    #[inline(never)]
    pub fn handle_timeout(cp: &mut ChargePoint, now: Instant) {
        cp.handle_timeout(now)
    }
    /// `ChargePoint::poll_transmit` (the frame is borrowed from the charge point's buffer).
    #[inline(never)]
    pub fn poll_transmit(cp: &mut ChargePoint) -> Option<&str> {
        cp.poll_transmit()
    }
    /// `ChargePoint::poll_event`.
    #[inline(never)]
    pub fn poll_event(cp: &mut ChargePoint) -> Option<Event> {
        cp.poll_event()
    }
    /// Dropping an event the host has handled.
    #[inline(never)]
    pub fn drop_event(ev: Event) {
        drop(ev)
    }
    /// `ChargePoint::set_meter` without a phase.
    #[inline(never)]
    pub fn set_meter(cp: &mut ChargePoint, now: Instant, m: Measurand, value: f64) -> Result<(), CpError> {
        cp.set_meter(now, 1, m, None::<MeterPhase>, value)
    }
    /// `ChargePoint::plug`.
    #[inline(never)]
    pub fn plug(cp: &mut ChargePoint, now: Instant) -> Result<(), CpError> {
        cp.plug(now, 1)
    }
    /// `ChargePoint::unplug`.
    #[inline(never)]
    pub fn unplug(cp: &mut ChargePoint, now: Instant) -> Result<(), CpError> {
        cp.unplug(now, 1)
    }
    /// `ChargePoint::begin_transaction` for "TAG".
    #[inline(never)]
    pub fn begin_transaction(cp: &mut ChargePoint, now: Instant) -> Result<(), CpError> {
        cp.begin_transaction(now, 1, "TAG")
    }
    /// `ChargePoint::end_transaction`, Local.
    #[inline(never)]
    pub fn end_transaction(cp: &mut ChargePoint, now: Instant) -> Result<(), CpError> {
        cp.end_transaction(now, 1, Reason::Local, None)
    }
    /// Dropping the charge point.
    #[inline(never)]
    pub fn drop_cp(cp: ChargePoint) {
        drop(cp)
    }
}

/// Frames and loop steps of one phase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Loop steps (the "loop/poll entry point" calls).
    pub loops: u64,
    /// Frames the charge point sent.
    pub sent_frames: u64,
    /// Their bytes.
    pub sent_bytes: u64,
    /// Frames the central system sent.
    pub recv_frames: u64,
    /// Their bytes.
    pub recv_bytes: u64,
}

impl Traffic {
    fn add(&mut self, o: &Traffic) {
        self.loops += o.loops;
        self.sent_frames += o.sent_frames;
        self.sent_bytes += o.sent_bytes;
        self.recv_frames += o.recv_frames;
        self.recv_bytes += o.recv_bytes;
    }
}

/// The counts the run is judged by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Volumes {
    /// CALLs the charge point sent, by action (in order of first appearance).
    pub calls: Vec<(String, u64)>,
    /// ChangeConfiguration answered Accepted.
    pub cc_accepted: u64,
    /// GetConfiguration answered with every asked key, the just-set ConnectionTimeOut value
    /// and no unknown key.
    pub gc_results: u64,
    /// CALLERRORs the charge point sent.
    pub call_errors: u64,
    /// Events the host received.
    pub events: u64,
    /// Length of the message ids of the charge point's CALLs, added up (each id travels
    /// twice: in the CALL and in its answer).
    pub cp_call_id_bytes: u64,
}

impl Volumes {
    /// How many CALLs of `action` were sent.
    pub fn count(&self, action: &str) -> u64 {
        self.calls.iter().find(|(a, _)| a == action).map_or(0, |(_, n)| *n)
    }

    fn bump(&mut self, action: &str) {
        match self.calls.iter_mut().find(|(a, _)| a == action) {
            Some((_, n)) => *n += 1,
            None => self.calls.push((action.to_string(), 1)),
        }
    }
}

/// Who sent a frame of the transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// The charge point.
    FromCp,
    /// The central system.
    FromCsms,
}

/// The parts of an OCPP-J frame the harness needs, read without a JSON parser (the harness
/// must stay cheap next to what it measures); `tests/workload.rs` checks every frame with one.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// 2, 3 or 4.
    pub kind: u8,
    /// The message id.
    pub id: &'a str,
    /// The action of a CALL, the error code of a CALLERROR.
    pub action: &'a str,
    /// The payload of a CALL or CALLRESULT (raw JSON).
    pub payload: &'a str,
}

/// Splits `[2,"id","Action",{..}]`, `[3,"id",{..}]` or `[4,"id","Code",..]` as the charge point
/// writes them (no spaces, ids and actions without escapes).
pub fn split_frame(text: &str) -> Option<Parts<'_>> {
    let body = text.strip_prefix('[')?.strip_suffix(']')?;
    let (kind, rest) = body.split_once(',')?;
    let kind: u8 = kind.parse().ok()?;
    let rest = rest.strip_prefix('"')?;
    let (id, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(',')?;
    match kind {
        2 | 4 => {
            let rest = rest.strip_prefix('"')?;
            let (action, rest) = rest.split_once('"')?;
            let payload = rest.strip_prefix(',')?;
            Some(Parts {
                kind,
                id,
                action,
                payload,
            })
        }
        3 => Some(Parts {
            kind,
            id,
            action: "",
            payload: rest,
        }),
        _ => None,
    }
}

/// What the central system expects back for a CALL of its own.
#[derive(Clone, Debug)]
enum Expect {
    /// ChangeConfiguration: Accepted.
    Accepted,
    /// GetConfiguration: all of [`GC_KEYS`], ConnectionTimeOut with this value.
    Config(&'static str),
}

/// The workload: charge point, canned central system, virtual clock, counters.
pub struct Workload<P: Probe> {
    /// The charge point (None before init and after deinit).
    pub cp: Option<ChargePoint>,
    /// The virtual clock.
    pub now: Instant,
    /// Energy input, Wh.
    pub energy_wh: f64,
    /// Traffic per phase, in [`Phase::ALL`] order.
    pub traffic: [Traffic; 9],
    /// The counts the run is judged by.
    pub volumes: Volumes,
    /// Every frame in order, when recording.
    pub transcript: Vec<(Dir, String)>,
    /// The measuring hooks.
    pub probe: P,
    record: bool,
    phase: usize,
    /// Frames for the charge point, delivered at the start of the next step.
    inbox: Vec<String>,
    /// The central system's CALLs awaiting the charge point's answer.
    pending: Vec<(String, Expect)>,
    /// MeterValues sent in the current meter cycle.
    cycle_meter_values: u64,
    /// The host's copy of the frame the charge point sent last.
    frame: String,
}

impl<P: Probe> Workload<P> {
    /// A workload before init; `record` keeps every frame in [`Self::transcript`].
    pub fn new(probe: P, record: bool) -> Self {
        Workload {
            cp: None,
            now: Instant::from_millis(START_MS),
            energy_wh: ENERGY_START_WH,
            traffic: [Traffic::default(); 9],
            volumes: Volumes::default(),
            transcript: Vec::new(),
            probe,
            record,
            phase: 0,
            inbox: Vec::with_capacity(4),
            pending: Vec::with_capacity(2),
            cycle_meter_values: 0,
            frame: String::with_capacity(1024),
        }
    }

    /// Runs the whole workload and checks its volumes.
    pub fn run(&mut self) -> Result<(), String> {
        for p in Phase::ALL {
            self.run_phase(p)?;
        }
        self.check()
    }

    /// Runs one phase (phases must run in [`Phase::ALL`] order).
    pub fn run_phase(&mut self, p: Phase) -> Result<(), String> {
        self.phase = Phase::ALL.iter().position(|q| *q == p).unwrap_or(0);
        match p {
            Phase::Init => self.phase_init(),
            Phase::Boot => self.phase_boot(),
            Phase::Setup => self.phase_setup(),
            Phase::Idle => self.phase_idle(),
            Phase::TxStart => self.phase_txstart(),
            Phase::Meter => self.phase_meter(),
            Phase::Config => self.phase_config(),
            Phase::TxStop => self.phase_txstop(),
            Phase::Deinit => self.phase_deinit(),
        }
    }

    /// All phases' traffic added up.
    pub fn total(&self) -> Traffic {
        let mut t = Traffic::default();
        for p in &self.traffic {
            t.add(p);
        }
        t
    }

    /// The traffic of one phase.
    pub fn traffic_of(&self, p: Phase) -> Traffic {
        let i = Phase::ALL.iter().position(|q| *q == p).unwrap_or(0);
        self.traffic.get(i).copied().unwrap_or_default()
    }

    fn cp(&mut self) -> Result<&mut ChargePoint, String> {
        self.cp.as_mut().ok_or_else(|| "no charge point".to_string())
    }

    fn tally(&mut self) -> &mut Traffic {
        let i = self.phase.min(self.traffic.len() - 1);
        &mut self.traffic[i]
    }

    /// Runs a charge point call between the probe's enter and exit.
    fn with_cp<R>(&mut self, f: impl FnOnce(&mut ChargePoint, Instant) -> R) -> Result<R, String> {
        let now = self.now;
        let cp = self.cp.as_mut().ok_or_else(|| "no charge point".to_string())?;
        self.probe.enter();
        let r = f(cp, now);
        self.probe.exit();
        Ok(r)
    }

    #[inline(never)]
    fn phase_init(&mut self) -> Result<(), String> {
        self.probe.enter();
        let cp = api::new();
        self.probe.exit();
        self.cp = Some(cp.map_err(|e| format!("ChargePoint::new: {e}"))?);
        self.set_inputs()
    }

    /// Energy and power, pushed (MicroOcpp pulls its inputs on every sample).
    fn set_inputs(&mut self) -> Result<(), String> {
        let e = self.energy_wh;
        self.with_cp(|cp, now| api::set_meter(cp, now, Measurand::EnergyActiveImportRegister, e))?
            .map_err(|e| format!("set_meter energy: {e}"))?;
        self.with_cp(|cp, now| api::set_meter(cp, now, Measurand::PowerActiveImport, POWER_W))?
            .map_err(|e| format!("set_meter power: {e}"))
    }

    #[inline(never)]
    fn phase_boot(&mut self) -> Result<(), String> {
        self.with_cp(api::handle_connected)?;
        self.settle()
    }

    #[inline(never)]
    fn phase_setup(&mut self) -> Result<(), String> {
        self.csms_call(
            "setup-1",
            r#"[2,"setup-1","ChangeConfiguration",{"key":"MeterValueSampleInterval","value":"10"}]"#.to_string(),
            Expect::Accepted,
        );
        self.settle()
    }

    #[inline(never)]
    fn phase_idle(&mut self) -> Result<(), String> {
        for _ in 0..IDLE_STEPS {
            self.step()?;
        }
        Ok(())
    }

    #[inline(never)]
    fn phase_txstart(&mut self) -> Result<(), String> {
        self.with_cp(api::plug)?.map_err(|e| format!("plug: {e}"))?;
        self.settle()?;
        self.with_cp(api::begin_transaction)?
            .map_err(|e| format!("begin_transaction: {e}"))?;
        self.settle()
    }

    #[inline(never)]
    fn phase_meter(&mut self) -> Result<(), String> {
        for cycle in 0..METER_CYCLES {
            self.now = self.now.plus_millis(10_000);
            self.energy_wh += ENERGY_STEP_WH;
            self.set_inputs()?;
            self.cycle_meter_values = 0;
            self.settle()?;
            if self.cycle_meter_values != 1 {
                return Err(format!(
                    "meter cycle {cycle}: {} MeterValues instead of 1",
                    self.cycle_meter_values
                ));
            }
            self.probe.cycle_end();
        }
        Ok(())
    }

    #[inline(never)]
    fn phase_config(&mut self) -> Result<(), String> {
        for i in 0..CONFIG_ROUNDS {
            let value = if i % 2 == 1 { "30" } else { "60" };
            self.config_cc(i, value)?;
            self.config_gc(i, value)?;
        }
        Ok(())
    }

    /// ChangeConfiguration ConnectionTimeOut = `value`, then settle.
    #[inline(never)]
    fn config_cc(&mut self, i: u32, value: &'static str) -> Result<(), String> {
        let id = format!("cc-{i}");
        let frame = format!(r#"[2,"{id}","ChangeConfiguration",{{"key":"ConnectionTimeOut","value":"{value}"}}]"#);
        self.csms_call(&id, frame, Expect::Accepted);
        self.settle()
    }

    /// GetConfiguration of the four keys (ConnectionTimeOut must read `value`), then settle.
    #[inline(never)]
    fn config_gc(&mut self, i: u32, value: &'static str) -> Result<(), String> {
        let id = format!("gc-{i}");
        let frame = format!(
            r#"[2,"{id}","GetConfiguration",{{"key":["ConnectionTimeOut","HeartbeatInterval","MeterValueSampleInterval","MeterValuesSampledData"]}}]"#
        );
        self.csms_call(&id, frame, Expect::Config(value));
        self.settle()
    }

    #[inline(never)]
    fn phase_txstop(&mut self) -> Result<(), String> {
        self.with_cp(api::end_transaction)?
            .map_err(|e| format!("end_transaction: {e}"))?;
        self.settle()?;
        self.with_cp(api::unplug)?.map_err(|e| format!("unplug: {e}"))?;
        self.settle()
    }

    #[inline(never)]
    fn phase_deinit(&mut self) -> Result<(), String> {
        let cp = self.cp.take().ok_or_else(|| "no charge point".to_string())?;
        self.probe.enter();
        api::drop_cp(cp);
        self.probe.exit();
        Ok(())
    }

    /// The central system sends a CALL (delivered at the start of the next step).
    fn csms_call(&mut self, id: &str, frame: String, expect: Expect) {
        self.pending.push((id.to_string(), expect));
        self.inbox.push(frame);
    }

    /// Steps until two steps in a row neither sent nor received a frame.
    fn settle(&mut self) -> Result<(), String> {
        let mut quiet = 0;
        for _ in 0..MAX_SETTLE_STEPS {
            if self.step()? {
                quiet = 0;
            } else {
                quiet += 1;
                if quiet == 2 {
                    return Ok(());
                }
            }
        }
        Err(format!("no settle after {MAX_SETTLE_STEPS} steps"))
    }

    /// One loop step: deliver due frames, run a due timeout, drain frames and events.
    /// Returns whether a frame moved.
    fn step(&mut self) -> Result<bool, String> {
        self.tally().loops += 1;
        let mut moved = false;
        let mut inbox = core::mem::take(&mut self.inbox);
        for frame in inbox.drain(..) {
            moved = true;
            let t = self.tally();
            t.recv_frames += 1;
            t.recv_bytes += frame.len() as u64;
            self.with_cp(|cp, now| api::handle_text(cp, now, &frame))?;
            if self.record {
                self.transcript.push((Dir::FromCsms, frame));
            }
        }
        self.inbox = inbox;
        let due = self.with_cp(|cp, _| api::poll_timeout(cp))?;
        if due.is_some_and(|t| t <= self.now) {
            self.with_cp(api::handle_timeout)?;
        }
        // The charge point lends each frame from its buffer; the host copies it out, as it
        // would into its socket (outside the charge point's calls), for the central system.
        let mut frame = std::mem::take(&mut self.frame);
        loop {
            let cp = self.cp.as_mut().ok_or_else(|| "no charge point".to_string())?;
            self.probe.enter();
            let text = api::poll_transmit(cp);
            self.probe.exit();
            let Some(text) = text else { break };
            frame.clear();
            frame.push_str(text);
            moved = true;
            if let Err(e) = self.receive_from_cp(&frame) {
                self.frame = frame;
                return Err(e);
            }
        }
        self.frame = frame;
        while let Some(ev) = self.with_cp(|cp, _| api::poll_event(cp))? {
            self.volumes.events += 1;
            self.probe.enter();
            api::drop_event(ev);
            self.probe.exit();
        }
        Ok(moved)
    }

    /// The central system reads a frame of the charge point.
    fn receive_from_cp(&mut self, text: &str) -> Result<(), String> {
        let t = self.tally();
        t.sent_frames += 1;
        t.sent_bytes += text.len() as u64;
        if self.record {
            self.transcript.push((Dir::FromCp, text.to_string()));
        }
        let parts = split_frame(text).ok_or_else(|| format!("unreadable frame {text}"))?;
        match parts.kind {
            2 => {
                self.volumes.bump(parts.action);
                self.volumes.cp_call_id_bytes += parts.id.len() as u64;
                if parts.action == "MeterValues" {
                    self.check_meter_values(parts.payload)?;
                }
                let answer = format!(r#"[3,"{}",{}]"#, parts.id, answer_payload(parts.action));
                self.inbox.push(answer);
            }
            3 => {
                let i = self
                    .pending
                    .iter()
                    .position(|(id, _)| id == parts.id)
                    .ok_or_else(|| format!("answer to an unknown CALL: {text}"))?;
                let (_, expect) = self.pending.swap_remove(i);
                match expect {
                    Expect::Accepted if parts.payload == r#"{"status":"Accepted"}"# => self.volumes.cc_accepted += 1,
                    Expect::Config(v) if config_result_ok(parts.payload, v) => self.volumes.gc_results += 1,
                    _ => return Err(format!("unexpected answer {text}")),
                }
            }
            4 => {
                self.volumes.call_errors += 1;
                return Err(format!("CALLERROR from the charge point: {text}"));
            }
            _ => return Err(format!("unknown frame type: {text}")),
        }
        Ok(())
    }

    /// A MeterValues of the meter phase. Its content (the transaction, both measurands,
    /// Sample.Periodic) is checked only when recording: substring searches would cost more
    /// instructions than the charge point spends on the frame (tests/workload.rs checks it
    /// again with a JSON parser).
    fn check_meter_values(&mut self, payload: &str) -> Result<(), String> {
        if Phase::ALL.get(self.phase) != Some(&Phase::Meter) {
            return Err(format!("MeterValues outside the meter phase: {payload}"));
        }
        self.cycle_meter_values += 1;
        if !self.record {
            return Ok(());
        }
        let ok = payload.contains(r#""transactionId":1"#)
            && payload.contains(r#""measurand":"Energy.Active.Import.Register""#)
            && payload.contains(r#""measurand":"Power.Active.Import""#)
            && payload.matches(r#""context":"Sample.Periodic""#).count() == 2;
        if ok {
            Ok(())
        } else {
            Err(format!(
                "MeterValues lacks a measurand, the context or the transaction: {payload}"
            ))
        }
    }

    /// The run's verdict: the workload's volumes.
    pub fn check(&self) -> Result<(), String> {
        let v = &self.volumes;
        let want = [
            ("MeterValues", 1000),
            ("StartTransaction", 1),
            ("StopTransaction", 1),
            ("BootNotification", 1),
            ("Authorize", 1),
            ("StatusNotification", 6),
        ];
        for (action, n) in want {
            if v.count(action) != n {
                return Err(format!("{action}: {} sent, want {n}", v.count(action)));
            }
        }
        let known = v.calls.iter().all(|(a, _)| want.iter().any(|(w, _)| w == a));
        if !known {
            return Err(format!("unexpected CALLs: {:?}", v.calls));
        }
        if v.cc_accepted != 101 || v.gc_results != 100 || v.call_errors != 0 {
            return Err(format!(
                "ChangeConfiguration Accepted {} (want 101), GetConfiguration results {} (want 100), CALLERRORs {} (want 0)",
                v.cc_accepted, v.gc_results, v.call_errors
            ));
        }
        if !self.pending.is_empty() {
            return Err(format!("unanswered central system CALLs: {}", self.pending.len()));
        }
        if self.cp.is_some() {
            return Err("the charge point was not torn down".to_string());
        }
        Ok(())
    }
}

/// A GetConfiguration result with every asked key, ConnectionTimeOut = `value`, nothing unknown.
fn config_result_ok(payload: &str, value: &str) -> bool {
    let keys_ok = GC_KEYS.iter().all(|k| payload.contains(&format!(r#""key":"{k}""#)));
    let value_ok = payload.contains(&format!(
        r#"{{"key":"ConnectionTimeOut","readonly":false,"value":"{value}"}}"#
    ));
    keys_ok && value_ok && !payload.contains("unknownKey")
}
