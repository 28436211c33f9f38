//! Nothing lost across power cuts: the journal, open transactions and persisted settings,
//! in virtual time, with a storage that outlives the charge point. The last test cuts the
//! power at every single storage write of a whole session and checks the central system's view.

mod common;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use common::{config, Reply, SharedStorage, Sim};
use ocpp_cp::cp::{Config, Event};
use ocpp_cp::messages::{Measurand, Reason};
use ocpp_cp::store::{Fault, Faulty, MemStorage};
use serde_json::json;

type Disk = SharedStorage<Faulty<MemStorage>>;

fn disk() -> Disk {
    SharedStorage(Rc::new(RefCell::new(Faulty::new(MemStorage::new()))))
}

fn cfg() -> Config {
    Config {
        connectors: 1,
        ..config()
    }
}

fn booted(name: &str, d: &Disk) -> Sim {
    let mut s = Sim::offline_with_storage(name, cfg(), Box::new(d.clone()));
    s.connect();
    s
}

fn reboot(s: &mut Sim, d: &Disk, c: Config) {
    d.0.borrow_mut().power_on();
    s.power_cycle(c, Box::new(d.clone()));
}

fn energy(s: &mut Sim, wh: f64) {
    s.cp.set_meter(s.now, 1, Measurand::EnergyActiveImportRegister, None, wh)
        .unwrap();
}

fn start(s: &mut Sim) {
    energy(s, 1000.0);
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
}

#[test]
fn an_open_transaction_is_stopped_with_power_loss_after_reboot() {
    let d = disk();
    let mut s = booted("pc_open_tx", &d);
    s.cp.set_configuration(s.now, "MeterValueSampleInterval", "60");
    start(&mut s);
    let tx = s.cp.transaction_id(1).unwrap();
    energy(&mut s, 1500.0);
    s.run_secs(61);
    energy(&mut s, 1600.0); // never sampled: lost with the power
    reboot(&mut s, &d, cfg());
    assert!(s.events.iter().any(|e| matches!(
        e,
        Event::TransactionStopped {
            reason: Reason::PowerLoss,
            ..
        }
    )));
    s.connect();
    let stop = s
        .csms
        .last("StopTransaction")
        .expect("StopTransaction after boot")
        .payload
        .clone();
    assert_eq!(stop["transactionId"], tx);
    assert_eq!(stop["reason"], "PowerLoss");
    assert_eq!(stop["meterStop"], 1500, "the last energy the journal saw");
    assert_eq!(s.csms.count("StartTransaction"), 1);
    assert!(!s.cp.has_transaction(1));
}

#[test]
fn queued_messages_survive_and_get_their_transaction_id() {
    let d = disk();
    let mut s = booted("pc_offline_queue", &d);
    s.cp.set_configuration(s.now, "AllowOfflineTxForUnknownId", "true");
    s.cp.set_configuration(s.now, "MeterValueSampleInterval", "60");
    s.disconnect();
    start(&mut s);
    for i in 1..=3 {
        energy(&mut s, 1000.0 + 10.0 * i as f64);
        s.run_secs(60);
    }
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.settle();
    assert_eq!(s.cp.queued_tx_messages(), 5);
    reboot(&mut s, &d, cfg());
    assert_eq!(s.cp.queued_tx_messages(), 5, "all five came back from the journal");
    s.csms.next_tx = 41;
    s.connect();
    s.run_secs(1);
    let order: Vec<&str> = s
        .csms
        .calls
        .iter()
        .map(|c| c.action.as_str())
        .filter(|a| a.ends_with("Transaction") || *a == "MeterValues")
        .collect();
    assert_eq!(
        order,
        [
            "StartTransaction",
            "MeterValues",
            "MeterValues",
            "MeterValues",
            "StopTransaction"
        ]
    );
    assert_eq!(s.csms.last("StopTransaction").unwrap().payload["transactionId"], 41);
    assert!(s
        .csms
        .of("MeterValues")
        .iter()
        .all(|m| m.payload["transactionId"] == 41));
    // Delivered means gone: another reboot sends nothing again.
    reboot(&mut s, &d, cfg());
    assert_eq!(s.cp.queued_tx_messages(), 0);
}

#[test]
fn a_stop_queued_after_its_start_was_answered_keeps_the_id_across_reboot() {
    let d = disk();
    let mut s = booted("pc_ids", &d);
    start(&mut s);
    let tx = s.cp.transaction_id(1).unwrap();
    s.disconnect();
    s.cp.end_transaction(s.now, 1, Reason::Local, None).unwrap();
    reboot(&mut s, &d, cfg());
    s.connect();
    assert_eq!(s.csms.last("StopTransaction").unwrap().payload["transactionId"], tx);
}

#[test]
fn resume_after_power_loss_keeps_the_transaction() {
    let d = disk();
    let mut s = booted("pc_resume", &d);
    start(&mut s);
    let tx = s.cp.transaction_id(1).unwrap();
    reboot(
        &mut s,
        &d,
        Config {
            resume_after_power_loss: true,
            ..cfg()
        },
    );
    s.connect();
    assert!(s.cp.has_transaction(1));
    assert_eq!(s.cp.transaction_id(1), Some(tx));
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    let stop = s.csms.last("StopTransaction").unwrap().payload.clone();
    assert_eq!(
        (stop["transactionId"].clone(), stop.get("reason").cloned()),
        (json!(tx), None)
    );
}

#[test]
fn settings_survive_a_reboot() {
    let d = disk();
    let mut s = booted("pc_settings", &d);
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "HeartbeatInterval", "value": "123"}),
    );
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "MeterValuesSampledData", "value": "Voltage,SoC"}),
    );
    s.call_ok("ChangeAvailability", json!({"connectorId": 1, "type": "Inoperative"}));
    #[cfg(feature = "local-auth-list")]
    s.call_ok(
        "SendLocalList",
        json!({"listVersion": 7, "updateType": "Full", "localAuthorizationList": [{"idTag": "L1", "idTagInfo": {"status": "Accepted"}}]}),
    );
    #[cfg(feature = "smart-charging")]
    s.call_ok(
        "SetChargingProfile",
        json!({"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 5, "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
            "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}}}),
    );
    s.csms.on("BootNotification", |_| {
        Reply::Result(json!({"status": "Accepted", "currentTime": "2026-01-01T00:00:00Z", "interval": 0}))
    });
    reboot(&mut s, &d, cfg());
    s.connect();
    let keys = s.call_ok(
        "GetConfiguration",
        json!({"key": ["HeartbeatInterval", "MeterValuesSampledData"]}),
    );
    assert_eq!(keys["configurationKey"][0]["value"], "123");
    assert_eq!(keys["configurationKey"][1]["value"], "Voltage,SoC");
    assert_eq!(s.statuses(1).last().unwrap(), "Unavailable");
    #[cfg(feature = "local-auth-list")]
    assert_eq!(s.call_ok("GetLocalListVersion", json!({}))["listVersion"], 7);
    #[cfg(feature = "smart-charging")]
    assert!(s
        .events
        .iter()
        .any(|e| matches!(e, Event::Limit { amps: Some(a), .. } if *a == 6.0)));
}

/// One scripted session, with the power cut at storage write `cut`; then reboot and drain.
/// Returns what the central system saw: (action, transactionId or idTag) in order.
fn session_with_cut(cut: Option<u64>) -> (Vec<(String, String, String)>, Vec<String>, u64) {
    let d = disk();
    let mut s = booted("pc_matrix", &d);
    s.cp.set_configuration(s.now, "MeterValueSampleInterval", "30");
    if let Some(n) = cut {
        let written = d.0.borrow().writes();
        d.0.borrow_mut().inject(written + n, Fault::Cut);
        let probe = d.clone();
        s.power = Some(Box::new(move || !probe.0.borrow().is_off()));
    }
    // Online start, two samples, offline samples and stop, reconnect: many writes.
    start(&mut s);
    for i in 1..=2 {
        energy(&mut s, 1000.0 + 100.0 * i as f64);
        s.run_secs(30);
    }
    s.disconnect();
    energy(&mut s, 1300.0);
    s.run_secs(30);
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.unplug(s.now, 1).unwrap();
    s.settle();
    s.connect();
    s.run_secs(5);
    let writes = d.0.borrow().writes();
    // The power came back (or never went): reboot from whatever the storage holds.
    s.power = None;
    reboot(&mut s, &d, cfg());
    s.connect();
    s.run_secs(5);
    let seen = s
        .csms
        .calls
        .iter()
        .filter(|c| {
            matches!(
                c.action.as_str(),
                "StartTransaction" | "StopTransaction" | "MeterValues"
            )
        })
        .map(|c| {
            let key = c
                .payload
                .get("transactionId")
                .map_or_else(|| c.payload["idTag"].to_string(), |v| v.to_string());
            (c.action.clone(), key, c.payload.to_string())
        })
        .collect();
    let ids = s.csms.started.values().map(|id| id.to_string()).collect();
    (seen, ids, writes)
}

#[test]
fn a_power_cut_at_any_write_loses_no_transaction() {
    let (clean, _, writes) = session_with_cut(None);
    assert!(writes > 10, "the session writes: {writes}");
    assert_eq!(clean.iter().filter(|(a, _, _)| a == "StartTransaction").count(), 1);
    let (mut repeated, mut messages) = (0, 0);
    for n in 0..writes {
        let (seen, ids, _) = session_with_cut(Some(n));
        messages += seen.len();
        // Nothing arrives for a transaction id the central system never handed out.
        for (a, id, _) in &seen {
            if a != "StartTransaction" {
                assert!(
                    ids.contains(id),
                    "cut at write {n}: {a} for unknown transaction {id}: {seen:?}"
                );
            }
        }
        // Every transaction gets exactly one StopTransaction. A message whose answer was
        // lost with the power is sent again after boot (OCPP-J is at-least-once): the repeat
        // is byte-identical, so the central system recognises it; it is counted, not lost.
        for id in &ids {
            let stops: Vec<&String> = seen
                .iter()
                .filter(|(a, k, _)| a == "StopTransaction" && k == id)
                .map(|(_, _, p)| p)
                .collect();
            let distinct: HashSet<&String> = stops.iter().copied().collect();
            assert_eq!(
                distinct.len(),
                1,
                "cut at write {n}: transaction {id} stopped {} ways: {seen:?}",
                distinct.len()
            );
            repeated += stops.len() - 1;
            // Its meter values arrive in order (the register never goes back).
            let energy: Vec<f64> = seen
                .iter()
                .filter(|(a, k, _)| a == "MeterValues" && k == id)
                .filter_map(|(_, _, p)| {
                    let v: serde_json::Value = serde_json::from_str(p).ok()?;
                    v["meterValue"][0]["sampledValue"][0]["value"].as_str()?.parse().ok()
                })
                .collect();
            assert!(
                energy.windows(2).all(|w| w[0] <= w[1]),
                "cut at write {n}: meter values out of order: {energy:?}"
            );
        }
        let starts = seen.iter().filter(|(a, _, _)| a == "StartTransaction").count();
        repeated += starts.saturating_sub(ids.len());
    }
    println!(
        "power cut at each of {writes} storage writes: {writes} sessions, {messages} transaction messages, 0 lost, {repeated} repeated after a cut"
    );
}

#[test]
fn a_long_stop_transaction_is_thinned_to_fit_the_journal() {
    let d = disk();
    let mut s = booted("pc_long_stop", &d);
    s.cp.set_configuration(s.now, "MeterValueSampleInterval", "10");
    s.cp.set_configuration(
        s.now,
        "StopTxnSampledData",
        "Energy.Active.Import.Register,Power.Active.Import,Voltage,Current.Import",
    );
    start(&mut s);
    for i in 0..200 {
        energy(&mut s, 1000.0 + i as f64);
        for (m, v) in [
            (Measurand::PowerActiveImport, 7360.0),
            (Measurand::Voltage, 230.4),
            (Measurand::CurrentImport, 32.0),
        ] {
            s.cp.set_meter(s.now, 1, m, None, v).unwrap();
        }
        s.run_secs(10);
    }
    s.disconnect();
    s.cp.end_transaction(s.now, 1, Reason::Local, None).unwrap();
    s.settle();
    assert!(
        !s.events
            .iter()
            .any(|e| matches!(e, Event::Error { message } if message.contains("journal"))),
        "journaled"
    );
    reboot(&mut s, &d, cfg());
    s.connect();
    let stop = s
        .csms
        .last("StopTransaction")
        .expect("delivered after the reboot")
        .payload
        .clone();
    let data = stop["transactionData"].as_array().unwrap();
    assert!(stop.to_string().len() <= 4096, "{}", stop.to_string().len());
    assert!(data.len() > 4, "thinned, not emptied: {}", data.len());
    assert_eq!(data[0]["sampledValue"][0]["context"], "Transaction.Begin");
    assert_eq!(data[data.len() - 1]["sampledValue"][0]["context"], "Transaction.End");
}
