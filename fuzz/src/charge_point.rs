//! Target `charge_point`: a connected, booted [`ChargePoint`] driven by a script of frames
//! from the central system and host inputs, on a virtual clock. It covers everything after
//! the WebSocket: OCPP-J parsing, CALLERROR mapping, every CALL handler, CALLRESULT handling
//! of our own CALLs, timers, transactions, smart charging, reservations, local list.
//!
//! Input: text, one step per line (`\n`); invalid UTF-8 is replaced. A line is either a
//! frame the central system sends (`$ID` in it is replaced by the id of the charge point's
//! last CALL, so answers can reach the CALL in flight), or a host command:
//!
//! | line | effect |
//! |---|---|
//! | `@t <seconds>` | time passes; every timer on the way fires |
//! | `@ok` | the central system answers our last CALL with a valid, accepting payload |
//! | `@plug <c>` / `@unplug <c>` | cable in / out on connector `c` |
//! | `@tag <idTag>` | an RFID card is presented |
//! | `@meter <c> <Wh>` | energy register reading on connector `c` |
//! | `@fault <c>` / `@clear <c>` | GroundFailure on / off |
//! | `@down` / `@up` | the WebSocket closes / opens again |
//! | `@reboot` | power cut: a new charge point restores itself from the same storage, boots |
//!
//! The charge point keeps its state in a RAM storage of 48 KiB (so "storage full" is
//! reachable), which `@reboot` hands to its successor. Before each frame 100 ms pass.
//!
//! Invariants, checked after every step:
//! - every frame the charge point sends is valid OCPP-J that our own strict types read
//!   ([`crate::check::sent_frame`]), and no CALL goes out while the link is down;
//! - every CALL (anything `rpc::frame::parse` reads as a CALL or refuses with an answer) is
//!   answered by exactly one CALLRESULT or CALLERROR, sent before any other frame of that
//!   step, with the frame's own id (or `"-1"` when it has none); a CALLRESULT payload is
//!   read by the action's confirmation type; nothing else gets an answer;
//! - after `handle_timeout(now)` no timer is still due (`poll_timeout() > now`), or the host
//!   would spin;
//! - the queue of CALLs stays bounded.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use ocpp_cp::cp::outbox::OTHER_CAPACITY;
use ocpp_cp::cp::{ChargePoint, Config};
use ocpp_cp::log::Level;
use ocpp_cp::messages::{Action, ChargePointErrorCode, Measurand};
use ocpp_cp::rpc::frame::{self, Frame, UNKNOWN_MESSAGE_ID};
use ocpp_cp::store::{MemStorage, Storage, StorageError};
use ocpp_cp::time::{DateTime, Instant};
use serde_json::Value;

use crate::check::{payload_of, sent_frame, typed, Sent};

/// Most timer wake-ups one input runs; after that time jumps without them (bounds the work
/// of one input: a day of 1-second meter samples would otherwise take 86 400 rounds).
const MAX_WAKEUPS: usize = 5_000;

/// Bytes the RAM storage holds at most.
const STORAGE_BYTES: usize = 48 * 1024;

/// Most lines of one input that run.
const MAX_STEPS: usize = 256;

/// Where the virtual clock starts, and the central system's wall clock then.
const T0: Instant = Instant::from_millis(1_000_000);
const WALL0: &str = "2026-01-01T00:00:00Z";

/// Whether to print the whole exchange to stderr (`OCPP_FUZZ_TRACE=1`), for reading a
/// reproducer: `OCPP_FUZZ_TRACE=1 target/.../charge_point crash-file`.
fn trace() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("OCPP_FUZZ_TRACE").is_some())
}

/// Whether the invariant `name` is switched off (`OCPP_FUZZ_SKIP=name,...`): lets a long
/// run look for other bugs while a known one is still open. Names: `timer`.
fn skip(name: &str) -> bool {
    static SKIP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SKIP.get_or_init(|| std::env::var("OCPP_FUZZ_SKIP").unwrap_or_default())
        .split(',')
        .any(|s| s == name)
}

/// Formats every log line, so `Display` impls reached only by logging run too.
fn log_sink(level: Level, args: fmt::Arguments<'_>) {
    let line = args.to_string();
    if trace() {
        eprintln!("    log {}: {line}", level.as_str());
    }
    std::hint::black_box(line);
}

/// The storage, shared between the charge point and its successor after `@reboot`.
#[derive(Clone)]
struct SharedStorage(Rc<RefCell<MemStorage>>);

impl Storage for SharedStorage {
    fn read(&mut self, key: &str, buf: &mut Vec<u8>) -> Result<bool, StorageError> {
        self.0.borrow_mut().read(key, buf)
    }
    fn write(&mut self, key: &str, data: &[u8]) -> Result<(), StorageError> {
        self.0.borrow_mut().write(key, data)
    }
    fn remove(&mut self, key: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().remove(key)
    }
}

struct Harness {
    cp: ChargePoint,
    config: Config,
    storage: SharedStorage,
    boots: u32,
    wakeups_left: usize,
    now: Instant,
    connected: bool,
    /// Id and action of the charge point's last CALL.
    last_call: Option<(String, Action)>,
    next_tx_id: i32,
}

impl Harness {
    fn new() -> Harness {
        let config = Config {
            connectors: 2,
            vendor: "FuzzVendor".into(),
            model: "FuzzModel".into(),
            serial_number: Some("SN-1".into()),
            firmware_version: Some("1.0.0".into()),
            data_transfer_vendor_ids: vec!["org.example".into()],
            unlock_supported: true,
            trace_messages: true,
            message_id_nonce: 0xF022,
            max_current_a: Some(32.0),
            logger: Some(log_sink),
            ..Config::default()
        };
        let storage = SharedStorage(Rc::new(RefCell::new(MemStorage::with_limit(STORAGE_BYTES))));
        let cp = ChargePoint::with_storage(config.clone(), Box::new(storage.clone())).expect("storage opens");
        let mut h = Harness {
            cp,
            config,
            storage,
            boots: 1,
            wakeups_left: MAX_WAKEUPS,
            now: T0,
            connected: true,
            last_call: None,
            next_tx_id: 1,
        };
        h.boot();
        h
    }

    /// Connects and boots: BootNotification accepted, then the first CALLs answered.
    fn boot(&mut self) {
        self.connected = true;
        self.cp.handle_connected(self.now);
        self.drain(None);
        for _ in 0..8 {
            if !self.answer_ok() {
                break;
            }
        }
        assert_eq!(
            self.cp.registration(),
            ocpp_cp::cp::Registration::Accepted,
            "harness boot"
        );
    }

    /// Power cut: the charge point is gone; a new one starts from the storage and boots.
    fn reboot(&mut self) {
        self.boots += 1;
        let mut config = self.config.clone();
        // A new nonce per boot, as the host would draw one, so message ids do not repeat.
        config.message_id_nonce = config.message_id_nonce.wrapping_add(self.boots);
        self.last_call = None;
        match ChargePoint::with_storage(config, Box::new(self.storage.clone())) {
            Ok(cp) => self.cp = cp,
            // What the charge point wrote itself must always read back.
            Err(e) => panic!("storage written by the charge point does not open: {e}"),
        }
        self.boot();
    }

    /// A valid, accepting answer for one of our actions.
    fn ok_payload(&mut self, action: Action) -> String {
        // The central system's clock: WALL0 at T0, running with the virtual clock.
        let since_t0 = i64::try_from(self.now.millis_since(T0)).unwrap_or(i64::MAX);
        let wall = DateTime::parse(WALL0).unwrap_or_default().plus_millis(since_t0);
        match action {
            Action::BootNotification => format!(r#"{{"status":"Accepted","currentTime":"{wall}","interval":300}}"#),
            Action::Heartbeat => format!(r#"{{"currentTime":"{wall}"}}"#),
            Action::Authorize => r#"{"idTagInfo":{"status":"Accepted"}}"#.into(),
            Action::StartTransaction => {
                self.next_tx_id += 1;
                format!(
                    r#"{{"idTagInfo":{{"status":"Accepted"}},"transactionId":{}}}"#,
                    self.next_tx_id
                )
            }
            Action::StopTransaction => r#"{"idTagInfo":{"status":"Accepted"}}"#.into(),
            Action::DataTransfer => r#"{"status":"Accepted"}"#.into(),
            _ => "{}".into(),
        }
    }

    /// Answers the last CALL with [`Self::ok_payload`]; false when there is none.
    fn answer_ok(&mut self) -> bool {
        let Some((id, action)) = self.last_call.take() else {
            return false;
        };
        let payload = self.ok_payload(action);
        let text = format!("[3,{},{payload}]", serde_json::Value::String(id));
        self.frame(&text);
        true
    }

    /// Takes and checks everything the charge point sent; `call` is the CALL just handled
    /// (its id as the answer must carry it, its action, and the id serde_json reads there).
    fn drain(&mut self, call: Option<(&str, Option<Action>, Option<&str>)>) {
        let mut answers = 0;
        let mut index = 0;
        while let Some(text) = self.cp.poll_transmit() {
            if trace() {
                eprintln!("{:>10} CP -> {text}", self.now.as_millis());
            }
            match sent_frame(&text) {
                Sent::Call { id, action } => {
                    assert!(self.connected, "sent a CALL while the link is down: {text}");
                    self.last_call = Some((id, action));
                }
                Sent::Answer { id, error } => {
                    let Some((expected_id, action, independent_id)) = call else {
                        panic!("answer to no CALL: {text}");
                    };
                    answers += 1;
                    assert_eq!(index, 0, "answer is not the first frame sent: {text}");
                    assert_eq!(id, expected_id, "answer id: {text}");
                    assert!(
                        id == UNKNOWN_MESSAGE_ID || independent_id.is_none_or(|i| i == id),
                        "answer id is not the frame's: {text}"
                    );
                    if !error {
                        let action = action.unwrap_or_else(|| panic!("CALLRESULT to an unknown action: {text}"));
                        if let Err(e) = typed(action, true, &payload_of(&text)) {
                            panic!("our {action:?} answer is refused by our own type ({e}): {text}");
                        }
                    }
                }
            }
            index += 1;
        }
        if call.is_some() {
            assert_eq!(answers, 1, "a CALL got {answers} answers");
        }
        while let Some(ev) = self.cp.poll_event() {
            let line = format!("{ev:?}");
            if trace() {
                eprintln!("{:>10}    event {line}", self.now.as_millis());
            }
            std::hint::black_box(line);
        }
        // Both outbox lanes full, and one CALL in flight.
        let max_pending = self.config.tx_queue_capacity + OTHER_CAPACITY + 1;
        assert!(
            self.cp.pending_calls() <= max_pending,
            "{} CALLs queued",
            self.cp.pending_calls()
        );
    }

    /// One frame from the central system.
    fn frame(&mut self, text: &str) {
        let expected = match frame::parse(text) {
            Ok(Frame::Call { id, action, .. }) => Some((id.into_owned(), Action::from_name(&action))),
            Ok(_) => None,
            Err(e) => e.answer.then_some((e.id, None)),
        };
        let independent: Option<String> = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get(1).and_then(Value::as_str).map(str::to_string));
        if trace() {
            eprintln!("{:>10} CS -> {text}", self.now.as_millis());
        }
        self.cp.handle_text(self.now, text);
        let call = expected
            .as_ref()
            .map(|(id, a)| (id.as_str(), *a, independent.as_deref()));
        self.drain(call);
    }

    /// Lets time pass up to `target`, firing every timer on the way.
    fn advance(&mut self, target: Instant) {
        while self.wakeups_left > 0 {
            match self.cp.poll_timeout() {
                Some(t) if t <= target => {
                    self.wakeups_left -= 1;
                    self.now = self.now.max(t);
                    if trace() {
                        eprintln!("{:>10} timeout", self.now.as_millis());
                    }
                    self.cp.handle_timeout(self.now);
                    self.drain(None);
                    if let Some(t) = self.cp.poll_timeout().filter(|_| !skip("timer")) {
                        assert!(
                            t > self.now,
                            "timer still due after handle_timeout: {t:?} <= {:?}",
                            self.now
                        );
                    }
                }
                _ => break,
            }
        }
        self.now = self.now.max(target);
    }

    fn command(&mut self, line: &str) {
        let mut words = line.split(' ');
        let cmd = words.next().unwrap_or("");
        let arg = words.next().unwrap_or("");
        let num = |s: &str| s.parse::<u32>().ok();
        let now = self.now;
        if trace() {
            eprintln!("{:>10} host {line}", self.now.as_millis());
        }
        // Refusals (CpError) are fine; only panics and broken invariants count.
        match cmd {
            "@t" => {
                if let Some(s) = num(arg) {
                    self.advance(now.plus_secs(u64::from(s)));
                }
            }
            "@ok" => drop(self.answer_ok()),
            "@plug" => drop(self.cp.plug(now, num(arg).unwrap_or(1))),
            "@unplug" => drop(self.cp.unplug(now, num(arg).unwrap_or(1))),
            "@tag" => drop(self.cp.present_id_tag(now, arg)),
            "@meter" => {
                let wh = words.next().and_then(|w| w.parse::<f64>().ok()).unwrap_or(0.0);
                let c = num(arg).unwrap_or(1);
                let _ = self
                    .cp
                    .set_meter(now, c, Measurand::EnergyActiveImportRegister, None, wh);
            }
            "@fault" => drop(self.cp.set_fault(
                now,
                num(arg).unwrap_or(1),
                ChargePointErrorCode::GroundFailure,
                Some("fuzz"),
            )),
            "@clear" => drop(
                self.cp
                    .set_fault(now, num(arg).unwrap_or(1), ChargePointErrorCode::NoError, None),
            ),
            "@down" => {
                self.connected = false;
                self.cp.handle_disconnected(now);
            }
            "@up" => {
                self.connected = true;
                self.cp.handle_connected(now);
            }
            "@reboot" => self.reboot(),
            _ => {}
        }
        self.drain(None);
    }
}

/// The `charge_point` fuzz target.
pub fn charge_point(data: &[u8]) {
    let script = String::from_utf8_lossy(data);
    let mut h = Harness::new();
    for line in script.split('\n').take(MAX_STEPS) {
        if line.starts_with('@') {
            h.command(line.trim_end());
            continue;
        }
        let target = h.now.plus_millis(100);
        h.advance(target);
        let id = h.last_call.as_ref().map(|(id, _)| id.clone()).unwrap_or_default();
        let text = line.replace("$ID", &id);
        h.frame(&text);
    }
    // Whatever the script did, the clock still runs: an hour passes without a broken invariant.
    let end = h.now.plus_secs(3_600);
    h.advance(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booted_harness_answers_calls() {
        charge_point(
            br#"[2,"a","Reset",{"type":"Soft"}]
[2,"b","Nope",{}]
not json
[3,"$ID",{}]
@tag TAG1
@ok
@plug 1
@ok
@ok
@meter 1 1500
@t 59
@meter 1 2500
@t 1
@ok
@unplug 1
@ok
@ok"#,
        );
    }

    #[test]
    fn every_frame_is_checked() {
        let r = std::panic::catch_unwind(|| sent_frame(r#"[2,"1","Reset",{}]"#));
        assert!(r.is_err(), "a central-system action sent by us must fail the check");
        assert!(DateTime::parse(WALL0).is_ok());
    }
}
