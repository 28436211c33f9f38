//! The standard workload's volume checks (docs/performance.md): the benchmark's run, without
//! its timings or heap counts, plus a JSON check of every frame it exchanged.

#[path = "../examples/workload/driver.rs"]
mod driver;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use driver::{split_frame, Dir, NoProbe, Parts, Phase, Probe, Workload};
use serde_json::{json, Value};

/// The system allocator, counting per thread the allocations made while `COUNTING` is set.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn counted() {
    // try_with: the allocator also runs while a thread's locals are torn down.
    if COUNTING.try_with(Cell::get) == Ok(true) {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call goes unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Counts the charge point's allocations (inside its calls) per MeterValues cycle.
#[derive(Default)]
struct AllocProbe {
    at_cycle_start: u64,
    per_cycle: Vec<u64>,
}

impl Probe for AllocProbe {
    fn enter(&mut self) {
        COUNTING.with(|c| c.set(true));
    }
    fn exit(&mut self) {
        COUNTING.with(|c| c.set(false));
    }
    fn cycle_end(&mut self) {
        let now = ALLOCS.with(Cell::get);
        self.per_cycle.push(now - self.at_cycle_start);
        self.at_cycle_start = now;
    }
}

fn run() -> Workload<NoProbe> {
    let mut w = Workload::new(NoProbe, true);
    if let Err(e) = w.run() {
        panic!("workload failed: {e}");
    }
    w
}

/// The charge point's CALLs in order: (action, payload).
fn calls(w: &Workload<NoProbe>) -> Vec<(String, Value)> {
    w.transcript
        .iter()
        .filter(|(d, _)| *d == Dir::FromCp)
        .map(|(_, t)| serde_json::from_str::<Value>(t).expect("charge point frame is JSON"))
        .filter(|f| f[0] == 2)
        .map(|f| (f[2].as_str().expect("action").to_string(), f[3].clone()))
        .collect()
}

#[test]
fn volumes_match_the_workload() {
    let w = run();
    let v = &w.volumes;
    assert_eq!(v.count("MeterValues"), 1000);
    assert_eq!(v.count("StartTransaction"), 1);
    assert_eq!(v.count("StopTransaction"), 1);
    assert_eq!(v.cc_accepted, 101);
    assert_eq!(v.gc_results, 100);
    assert_eq!(v.call_errors, 0);
    let t = w.total();
    assert_eq!((t.sent_frames, t.recv_frames), (1211, 1211), "1211 frames each way");
    // Idle: 1000 loop steps, nothing moves.
    let idle = w.traffic_of(Phase::Idle);
    assert_eq!((idle.loops, idle.sent_frames, idle.recv_frames), (1000, 0, 0));
    // Config: 200 CALLs from the central system, each answered in the step that delivers it.
    let config = w.traffic_of(Phase::Config);
    assert_eq!((config.sent_frames, config.recv_frames, config.loops), (200, 200, 600));
}

/// The goal of docs/performance.md: a MeterValues cycle in the steady state (every cycle
/// after the first, which sizes the buffers) allocates nothing.
#[test]
fn a_steady_state_meter_values_cycle_allocates_nothing() {
    let mut w = Workload::new(AllocProbe::default(), false);
    for p in Phase::ALL {
        if p == Phase::Meter {
            w.probe.at_cycle_start = ALLOCS.with(Cell::get);
        }
        w.run_phase(p).unwrap_or_else(|e| panic!("{e}"));
    }
    let cycles = &w.probe.per_cycle;
    assert_eq!(cycles.len(), 1000);
    let steady: u64 = cycles.iter().skip(1).sum();
    assert_eq!(steady, 0, "allocations in cycles 2..=1000: {:?}", &cycles[..10]);
}

#[test]
fn every_frame_is_json_and_in_workload_order() {
    let w = run();
    let mut answered = 0;
    for (dir, text) in &w.transcript {
        let f: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let parts = split_frame(text).unwrap_or_else(|| panic!("harness cannot split {text}"));
        assert_eq!(f[1].as_str(), Some(parts.id), "{text}");
        if *dir == Dir::FromCp && f[0] == 3 {
            answered += 1;
        }
    }
    assert_eq!(answered, 201);

    let calls = calls(&w);
    let actions: Vec<&str> = calls.iter().map(|(a, _)| a.as_str()).collect();
    let mut want = vec![
        "BootNotification",
        "StatusNotification",
        "StatusNotification",
        "StatusNotification",
        "Authorize",
        "StartTransaction",
        "StatusNotification",
    ];
    want.extend(std::iter::repeat_n("MeterValues", 1000));
    want.extend(["StopTransaction", "StatusNotification", "StatusNotification"]);
    assert_eq!(actions, want);

    let status = |i: usize| (calls[i].1["connectorId"].clone(), calls[i].1["status"].clone());
    assert_eq!(status(1), (json!(0), json!("Available")));
    assert_eq!(status(2), (json!(1), json!("Available")));
    assert_eq!(status(3), (json!(1), json!("Preparing")));
    assert_eq!(calls[4].1, json!({"idTag": "TAG"}));
    let start = &calls[5].1;
    assert_eq!(
        (&start["connectorId"], &start["idTag"], &start["meterStart"]),
        (&json!(1), &json!("TAG"), &json!(1000))
    );
    assert_eq!(status(6), (json!(1), json!("Charging")));
    let stop = &calls[1007].1;
    assert_eq!(stop["meterStop"], 31000);
    assert_eq!(stop["transactionId"], 1);
    assert_eq!(stop["timestamp"], "2024-01-01T02:46:40Z");
    assert_eq!(status(1008), (json!(1), json!("Finishing")));
    assert_eq!(status(1009), (json!(1), json!("Available")));
}

#[test]
fn meter_values_carry_the_inputs_of_their_cycle() {
    let w = run();
    let calls = calls(&w);
    let mvs: Vec<&Value> = calls
        .iter()
        .filter(|(a, _)| a == "MeterValues")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(mvs.len(), 1000);
    for (k, mv) in mvs.iter().enumerate() {
        assert_eq!((&mv["connectorId"], &mv["transactionId"]), (&json!(1), &json!(1)));
        let values = mv["meterValue"].as_array().expect("meterValue");
        assert_eq!(values.len(), 1, "one meterValue per cycle: {mv}");
        let secs = 10 * (k + 1);
        let ts = format!("2024-01-01T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60);
        assert_eq!(values[0]["timestamp"], json!(ts));
        let sampled = values[0]["sampledValue"].as_array().expect("sampledValue");
        let energy = (1000 + 30 * (k + 1)).to_string();
        let find = |m: &str| {
            sampled
                .iter()
                .find(|s| s["measurand"] == m)
                .unwrap_or_else(|| panic!("{m} missing in {mv}"))
        };
        assert_eq!(sampled.len(), 2);
        assert_eq!(find("Energy.Active.Import.Register")["value"], json!(energy));
        assert_eq!(find("Power.Active.Import")["value"], json!("10800"));
        assert!(sampled.iter().all(|s| s["context"] == "Sample.Periodic"), "{mv}");
    }
}

#[test]
fn get_configuration_results_report_the_value_just_set() {
    let w = run();
    let results: Vec<Value> = w
        .transcript
        .iter()
        .filter(|(d, _)| *d == Dir::FromCp)
        .map(|(_, t)| serde_json::from_str::<Value>(t).expect("JSON"))
        .filter(|f| f[0] == 3 && f[1].as_str().is_some_and(|id| id.starts_with("gc-")))
        .collect();
    assert_eq!(results.len(), 100);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r[1], json!(format!("gc-{i}")));
        let keys = r[2]["configurationKey"].as_array().expect("configurationKey");
        assert_eq!(keys.len(), 4, "{r}");
        let timeout = keys
            .iter()
            .find(|k| k["key"] == "ConnectionTimeOut")
            .expect("ConnectionTimeOut");
        assert_eq!(timeout["value"], json!(if i % 2 == 1 { "30" } else { "60" }));
        let interval = keys
            .iter()
            .find(|k| k["key"] == "MeterValueSampleInterval")
            .expect("MeterValueSampleInterval");
        assert_eq!(interval["value"], "10");
        assert!(r[2].get("unknownKey").is_none(), "{r}");
    }
}

#[test]
fn a_run_without_the_setup_phase_fails_its_checks() {
    // Without MeterValueSampleInterval = 10 the first 10 s cycle sends no MeterValues.
    let mut w = Workload::new(NoProbe, false);
    let mut err = None;
    for p in Phase::ALL.into_iter().filter(|p| *p != Phase::Setup) {
        if let Err(e) = w.run_phase(p) {
            err = Some(e);
            break;
        }
    }
    let err = err.expect("the meter phase must fail");
    assert!(err.contains("meter cycle 0: 0 MeterValues"), "{err}");
}

#[test]
fn split_frame_reads_the_three_frame_types() {
    assert_eq!(
        split_frame(r#"[2,"0-7","MeterValues",{"connectorId":1}]"#),
        Some(Parts {
            kind: 2,
            id: "0-7",
            action: "MeterValues",
            payload: r#"{"connectorId":1}"#
        })
    );
    assert_eq!(
        split_frame(r#"[3,"gc-1",{}]"#),
        Some(Parts {
            kind: 3,
            id: "gc-1",
            action: "",
            payload: "{}"
        })
    );
    assert_eq!(
        split_frame(r#"[4,"-1","FormationViolation","bad",{}]"#).map(|p| (p.kind, p.action)),
        Some((4, "FormationViolation"))
    );
    assert_eq!(split_frame(r#"[5,"x",{}]"#), None);
    assert_eq!(split_frame("not a frame"), None);
}
