//! `Sim`: a charge point and a scripted central system in one process, on a virtual clock.
//!
//! The clock jumps from one wake-up to the next, so an hour of heartbeats runs in
//! microseconds. Every frame the charge point sends is recorded; with `OCPP_FRAME_LOG=DIR`
//! they are also written to `DIR/<test>.jsonl` for schema validation by
//! `tests/schema/validate_frames.py`.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;

use ocpp_cp::cp::{ChargePoint, Config, Event};
use ocpp_cp::store::{Storage, StorageError};
use ocpp_cp::time::{DateTime, Instant};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The central system's reply to a CALL.
pub enum Reply {
    /// `[3, id, payload]`.
    Result(Value),
    /// `[4, id, code, "", {}]`.
    Error(&'static str),
    /// No answer at all (the CALL times out).
    Silence,
}

type Handler = Box<dyn FnMut(&Value) -> Reply>;

/// A CALL the charge point sent.
#[derive(Clone, Debug)]
pub struct Call {
    pub at: Instant,
    pub id: String,
    pub action: String,
    pub payload: Value,
}

/// The scripted central system.
pub struct Csms {
    pub calls: Vec<Call>,
    handlers: HashMap<String, Handler>,
    pub valid_tags: HashSet<String>,
    pub next_tx: i32,
    pub latency_ms: u64,
    /// (deliver at, frame) for the charge point.
    inbox: VecDeque<(Instant, String)>,
    /// Answers the charge point gave to our CALLs, by message id.
    pub answers: HashMap<String, Value>,
    next_id: u32,
    /// What the central system sent with each of its CALLs, by id.
    pub our_calls: HashMap<String, String>,
    /// Transaction ids by StartTransaction payload (repeats get the same id).
    pub started: HashMap<String, i32>,
}

impl Csms {
    fn new() -> Self {
        Csms {
            calls: Vec::new(),
            handlers: HashMap::new(),
            valid_tags: ["TAG", "TAG2", "CHILD1", "CHILD2"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            next_tx: 1,
            latency_ms: 5,
            inbox: VecDeque::new(),
            answers: HashMap::new(),
            next_id: 1,
            our_calls: HashMap::new(),
            started: HashMap::new(),
        }
    }

    /// Overrides the answer to `action`.
    pub fn on(&mut self, action: &str, f: impl FnMut(&Value) -> Reply + 'static) {
        self.handlers.insert(action.to_string(), Box::new(f));
    }

    /// How many CALLs of `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        self.calls.iter().filter(|c| c.action == action).count()
    }

    /// The CALLs of `action`, in order.
    pub fn of(&self, action: &str) -> Vec<&Call> {
        self.calls.iter().filter(|c| c.action == action).collect()
    }

    /// The last CALL of `action`.
    pub fn last(&self, action: &str) -> Option<&Call> {
        self.calls.iter().rev().find(|c| c.action == action)
    }

    fn default_reply(&mut self, action: &str, p: &Value, now: Instant) -> Reply {
        // The central system's clock: 2026-01-01T00:00:00Z when the sim starts (t = 100 s).
        let wall = DateTime::from_unix_secs(1_767_225_600)
            .plus_millis(now.as_millis() as i64 - 100_000)
            .to_string();
        let tag_info = |tags: &HashSet<String>, p: &Value| {
            let tag = p["idTag"].as_str().unwrap_or("");
            let status = if tags.contains(tag) { "Accepted" } else { "Invalid" };
            let mut info = json!({ "status": status });
            if tag.starts_with("CHILD") {
                info["parentIdTag"] = json!("PARENT");
            }
            info
        };
        Reply::Result(match action {
            "BootNotification" => json!({"status": "Accepted", "currentTime": wall, "interval": 300}),
            "Heartbeat" => json!({ "currentTime": wall }),
            "Authorize" => json!({ "idTagInfo": tag_info(&self.valid_tags, p) }),
            "StartTransaction" => {
                // Like SteVe, a repeated identical StartTransaction (sent again after a lost
                // answer) gets the transaction id it got the first time.
                let key = p.to_string();
                let id = match self.started.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = self.next_tx;
                        self.next_tx += 1;
                        self.started.insert(key, id);
                        id
                    }
                };
                json!({ "transactionId": id, "idTagInfo": tag_info(&self.valid_tags, p) })
            }
            "StopTransaction" => json!({ "idTagInfo": {"status": "Accepted"} }),
            "DataTransfer" => json!({ "status": "Accepted", "data": "pong" }),
            _ => json!({}),
        })
    }
}

/// Charge point + central system + virtual clock.
pub struct Sim {
    pub cp: ChargePoint,
    pub now: Instant,
    pub csms: Csms,
    pub events: Vec<Event>,
    /// Every frame the charge point sent, in order.
    pub sent: Vec<String>,
    pub online: bool,
    /// False once the power is cut: the charge point is dead, whatever it still computes is
    /// never seen (set by tests that cut the power at a storage write).
    pub power: Option<Box<dyn Fn() -> bool>>,
    log: Option<std::fs::File>,
    test: String,
}

/// A config for tests: two connectors unless changed.
pub fn config() -> Config {
    Config {
        charge_point_id: "CP_1".into(),
        vendor: "ocpp-cp".into(),
        model: "sim".into(),
        firmware_version: Some("0.1.0".into()),
        connectors: 2,
        data_transfer_vendor_ids: vec!["org.example".into()],
        message_id_nonce: 0xabc,
        unlock_supported: true,
        ..Config::default()
    }
}

impl Sim {
    /// A sim whose charge point is connected at t = 100 s and has settled.
    pub fn new(test: &str) -> Sim {
        Sim::with(test, config())
    }

    /// The same with a given config.
    pub fn with(test: &str, cfg: Config) -> Sim {
        let mut sim = Sim::offline(test, cfg);
        sim.connect();
        sim
    }

    /// A sim whose link is down.
    pub fn offline(test: &str, cfg: Config) -> Sim {
        let log = std::env::var_os("OCPP_FRAME_LOG").map(|dir| {
            std::fs::create_dir_all(&dir).expect("frame log dir");
            let path = std::path::Path::new(&dir).join(format!("{}.jsonl", test.replace("::", "_")));
            std::fs::File::create(path).expect("frame log file")
        });
        Sim {
            cp: ChargePoint::new(cfg).expect("valid config"),
            now: Instant::from_millis(100_000),
            csms: Csms::new(),
            events: Vec::new(),
            sent: Vec::new(),
            online: false,
            power: None,
            log,
            test: test.to_string(),
        }
    }

    /// A sim whose charge point keeps its state in `storage` (link down).
    pub fn offline_with_storage(test: &str, cfg: Config, storage: Box<dyn Storage>) -> Sim {
        let mut sim = Sim::offline(test, cfg.clone());
        sim.cp = ChargePoint::with_storage(cfg, storage).expect("storage opens");
        sim
    }

    /// A power cut: the charge point is gone; a new one boots from `storage` (link down).
    pub fn power_cycle(&mut self, cfg: Config, storage: Box<dyn Storage>) {
        self.online = false;
        self.csms.inbox.clear();
        self.cp = ChargePoint::with_storage(cfg, storage).expect("storage opens");
        self.drain();
    }

    /// Brings the link up and runs 100 ms (boot and first answers).
    pub fn connect(&mut self) {
        self.online = true;
        self.cp.handle_connected(self.now);
        self.run_ms(100);
    }

    /// Takes the link down.
    pub fn disconnect(&mut self) {
        self.online = false;
        self.csms.inbox.clear();
        self.cp.handle_disconnected(self.now);
        self.drain();
    }

    fn record(&mut self, kind: &str, action: &str, payload: &Value) {
        if let Some(f) = self.log.as_mut() {
            let line = json!({"test": self.test, "action": action, "kind": kind, "payload": payload});
            writeln!(f, "{line}").expect("frame log write");
        }
    }

    /// Moves frames and events; answers CALLs due by now.
    fn drain(&mut self) -> bool {
        let mut moved = false;
        if self.power.as_ref().is_some_and(|on| !on()) {
            while self.cp.poll_event().is_some() {}
            while self.cp.poll_transmit().is_some() {}
            return false;
        }
        while let Some(ev) = self.cp.poll_event() {
            self.events.push(ev);
        }
        while let Some(text) = self.cp.poll_transmit().map(String::from) {
            moved = true;
            self.sent.push(text.clone());
            if !self.online {
                continue;
            }
            let frame: Value = serde_json::from_str(&text).expect("charge point sent invalid JSON");
            let arr = frame.as_array().expect("frame is an array");
            match arr[0].as_u64() {
                Some(2) => {
                    let id = arr[1].as_str().expect("id").to_string();
                    assert!(id.len() <= 36, "message id too long: {id}");
                    let action = arr[2].as_str().expect("action").to_string();
                    let payload = arr[3].clone();
                    self.record("req", &action, &payload);
                    self.csms.calls.push(Call {
                        at: self.now,
                        id: id.clone(),
                        action: action.clone(),
                        payload: payload.clone(),
                    });
                    let reply = match self.csms.handlers.get_mut(&action) {
                        Some(h) => h(&payload),
                        None => self.csms.default_reply(&action, &payload, self.now),
                    };
                    let at = self.now.plus_millis(self.csms.latency_ms);
                    match reply {
                        Reply::Result(v) => self.csms.inbox.push_back((at, json!([3, id, v]).to_string())),
                        Reply::Error(code) => self
                            .csms
                            .inbox
                            .push_back((at, json!([4, id, code, "scripted", {}]).to_string())),
                        Reply::Silence => {}
                    }
                }
                Some(3) => {
                    let id = arr[1].as_str().expect("id").to_string();
                    if let Some(action) = self.csms.our_calls.get(&id).cloned() {
                        self.record("conf", &action, &arr[2]);
                    }
                    self.csms.answers.insert(id, frame.clone());
                }
                Some(4) => {
                    let id = arr[1].as_str().expect("id").to_string();
                    self.csms.answers.insert(id, frame.clone());
                }
                other => panic!("bad message type {other:?}"),
            }
        }
        while let Some(ev) = self.cp.poll_event() {
            self.events.push(ev);
        }
        moved
    }

    /// Runs until nothing happens without the clock moving.
    pub fn settle(&mut self) {
        if self.power.as_ref().is_some_and(|on| !on()) {
            return; // a dead charge point does nothing
        }
        for _ in 0..10_000 {
            let mut moved = self.drain();
            while self.csms.inbox.front().is_some_and(|(at, _)| *at <= self.now) {
                let (_, text) = self.csms.inbox.pop_front().expect("front");
                self.cp.handle_text(self.now, &text);
                moved = true;
            }
            if self.cp.poll_timeout().is_some_and(|t| t <= self.now) {
                self.cp.handle_timeout(self.now);
                moved = true;
            }
            moved |= self.drain();
            if !moved {
                return;
            }
        }
        panic!("sim did not settle");
    }

    /// Advances the virtual clock by `ms`, waking at every deadline on the way.
    pub fn run_ms(&mut self, ms: u64) {
        let end = self.now.plus_millis(ms);
        loop {
            if self.power.as_ref().is_some_and(|on| !on()) {
                self.now = end;
                return;
            }
            self.settle();
            let next_reply = self.csms.inbox.front().map(|(at, _)| *at);
            let next = [self.cp.poll_timeout(), next_reply].into_iter().flatten().min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                }
                _ => {
                    self.now = end;
                    self.settle();
                    return;
                }
            }
        }
    }

    /// Advances the virtual clock by `s` seconds.
    pub fn run_secs(&mut self, s: u64) {
        self.run_ms(s * 1000);
    }

    /// The central system sends a CALL; returns the charge point's answer frame.
    pub fn call(&mut self, action: &str, payload: Value) -> Value {
        let id = format!("cs-{}", self.csms.next_id);
        self.csms.next_id += 1;
        self.csms.our_calls.insert(id.clone(), action.to_string());
        let text = json!([2, id, action, payload]).to_string();
        self.cp.handle_text(self.now, &text);
        self.settle();
        self.csms
            .answers
            .get(&id)
            .cloned()
            .unwrap_or_else(|| panic!("no answer to {action}"))
    }

    /// The payload of a CALLRESULT answer (panics on CALLERROR).
    pub fn call_ok(&mut self, action: &str, payload: Value) -> Value {
        let answer = self.call(action, payload);
        assert_eq!(answer[0], 3, "{action} answered with {answer}");
        answer[2].clone()
    }

    /// Feeds raw text; returns the frames the charge point sent right away.
    pub fn raw(&mut self, text: &str) -> Vec<Value> {
        let before = self.sent.len();
        self.cp.handle_text(self.now, text);
        self.drain();
        self.sent[before..]
            .iter()
            .map(|t| serde_json::from_str(t).expect("json"))
            .collect()
    }

    /// The events so far, cleared.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Statuses reported for a connector, in order.
    pub fn statuses(&self, connector: u32) -> Vec<String> {
        self.csms
            .of("StatusNotification")
            .iter()
            .filter(|c| c.payload["connectorId"] == connector)
            .map(|c| c.payload["status"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

/// A storage the test keeps a handle to, so it outlives the charge point (a power cut).
#[derive(Clone, Default)]
pub struct SharedStorage<S>(pub Rc<RefCell<S>>);

impl<S: Storage> Storage for SharedStorage<S> {
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
