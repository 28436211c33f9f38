//! Scenario tests: the charge point against a scripted central system in virtual time.

mod common;

use common::{config, Reply, Sim};
use ocpp_cp::cp::{Config, Event};
use ocpp_cp::messages::{ChargePointErrorCode, Measurand, Phase, Reason, ResetType};
use serde_json::{json, Value};

const TEST_CONFIG_KEYS: &[(&str, &str)] = &[("MeterValueSampleInterval", "60")];

fn sim(name: &str) -> Sim {
    let mut s = Sim::new(name);
    for (k, v) in TEST_CONFIG_KEYS {
        s.cp.set_configuration(s.now, k, v);
    }
    s.settle();
    s
}

/// Sets the energy register and power of a connector.
fn meter(s: &mut Sim, c: u32, wh: f64, w: f64) {
    s.cp.set_meter(s.now, c, Measurand::EnergyActiveImportRegister, None, wh)
        .unwrap();
    s.cp.set_meter(s.now, c, Measurand::PowerActiveImport, None, w).unwrap();
}

/// Plug, tap TAG, get to Charging; returns the transaction id.
fn start_session(s: &mut Sim, c: u32) -> i64 {
    meter(s, c, 1000.0, 7000.0);
    s.cp.plug(s.now, c).unwrap();
    s.settle();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    let start = s.csms.last("StartTransaction").expect("StartTransaction sent");
    assert_eq!(start.payload["connectorId"], c);
    s.cp.transaction_id(c).expect("transaction id") as i64
}

fn has_event(s: &Sim, f: impl Fn(&Event) -> bool) -> bool {
    s.events.iter().any(f)
}

// ---------- boot, heartbeat, clock ----------

#[test]
fn boot_accepted_reports_every_connector_and_sets_the_clock() {
    let s = Sim::new("boot_accepted");
    let boot = &s.csms.calls[0];
    assert_eq!(boot.action, "BootNotification");
    assert_eq!(
        boot.payload,
        json!({"chargePointVendor":"ocpp-cp","chargePointModel":"sim","firmwareVersion":"0.1.0"})
    );
    assert_eq!(s.statuses(0), ["Available"]);
    assert_eq!(s.statuses(1), ["Available"]);
    assert_eq!(s.statuses(2), ["Available"]);
    assert_eq!(s.csms.calls.len(), 4);
    let wall = s.cp.wall_clock(s.now).unwrap().to_string();
    assert!(wall.starts_with("2026-01-01T00:00:00"), "{wall}");
    assert_eq!(s.cp.configuration().int(ocpp_cp::cp::Key::HeartbeatInterval), 300);
}

#[test]
fn an_hour_of_heartbeats_in_virtual_time() {
    let mut s = Sim::new("heartbeats");
    s.run_secs(3600);
    assert_eq!(s.csms.count("Heartbeat"), 12);
    let hb = s.csms.of("Heartbeat");
    // A full interval after the previous exchange ended (the answer took 5 ms).
    assert_eq!(hb[1].at.millis_since(hb[0].at), 300_005);
}

#[test]
fn pending_boot_sends_only_answers_and_retries_after_interval() {
    let mut s = Sim::offline("boot_pending", config());
    let mut n = 0;
    s.csms.on("BootNotification", move |_| {
        n += 1;
        let status = if n < 3 { "Pending" } else { "Accepted" };
        Reply::Result(json!({"status": status, "currentTime": "2026-01-01T00:00:00Z", "interval": 20}))
    });
    s.connect();
    s.cp.plug(s.now, 1).unwrap();
    s.settle();
    // While Pending the central system may ask; the charge point answers but sends nothing else.
    let conf = s.call_ok("GetConfiguration", json!({"key": ["HeartbeatInterval"]}));
    assert_eq!(conf["configurationKey"][0]["key"], "HeartbeatInterval");
    s.run_secs(19);
    assert_eq!(s.csms.calls.len(), 1);
    s.run_secs(1);
    assert_eq!(s.csms.count("BootNotification"), 2);
    s.run_secs(20);
    assert_eq!(s.csms.count("BootNotification"), 3);
    assert_eq!(s.statuses(1), ["Preparing"]);
    assert!(has_event(
        &s,
        |e| matches!(e, Event::Boot { status } if status.as_str() == "Pending")
    ));
}

#[test]
fn trigger_message_boot_while_pending() {
    let mut s = Sim::offline("boot_pending_trigger", config());
    let mut n = 0;
    s.csms.on("BootNotification", move |_| {
        n += 1;
        let status = if n < 2 { "Pending" } else { "Accepted" };
        Reply::Result(json!({"status": status, "currentTime": "2026-01-01T00:00:00Z", "interval": 3600}))
    });
    s.connect();
    let conf = s.call_ok("TriggerMessage", json!({"requestedMessage": "BootNotification"}));
    assert_eq!(conf, json!({"status": "Accepted"}));
    s.run_ms(100);
    assert_eq!(s.csms.count("BootNotification"), 2);
    assert_eq!(s.statuses(0), ["Available"]);
}

#[test]
fn rejected_boot_retries_and_boot_timeout_retries() {
    let mut s = Sim::offline("boot_rejected", config());
    let mut n = 0;
    s.csms.on("BootNotification", move |_| {
        n += 1;
        match n {
            1 => Reply::Result(json!({"status": "Rejected", "currentTime": "2026-01-01T00:00:00Z", "interval": 100})),
            2 => Reply::Silence,
            _ => Reply::Result(json!({"status": "Accepted", "currentTime": "2026-01-01T00:00:00Z", "interval": 100})),
        }
    });
    s.connect();
    s.run_secs(99);
    assert_eq!(s.csms.count("BootNotification"), 1);
    s.run_secs(2);
    assert_eq!(s.csms.count("BootNotification"), 2);
    // No answer: the call times out (30 s) and boot is retried after boot_retry_s (60 s).
    s.run_secs(95);
    assert_eq!(s.csms.count("BootNotification"), 3);
    assert_eq!(s.cp.registration(), ocpp_cp::cp::Registration::Accepted);
}

#[test]
fn reconnect_does_not_reboot_and_resends_changed_status() {
    let mut s = sim("reconnect");
    s.disconnect();
    s.cp.plug(s.now, 1).unwrap();
    s.run_secs(10);
    s.connect();
    assert_eq!(s.csms.count("BootNotification"), 1);
    assert_eq!(s.statuses(1), ["Available", "Preparing"]);
    assert_eq!(s.statuses(2), ["Available"]);
}

// ---------- sessions ----------

#[test]
fn rfid_session_plug_first_with_meter_values() {
    let mut s = sim("rfid_plug_first");
    meter(&mut s, 1, 1000.0, 7000.0);
    s.cp.plug(s.now, 1).unwrap();
    s.settle();
    assert_eq!(s.statuses(1).last().unwrap(), "Preparing");
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.last("Authorize").unwrap().payload, json!({"idTag": "TAG"}));
    let start = s.csms.last("StartTransaction").unwrap().payload.clone();
    assert_eq!(start["meterStart"], 1000);
    assert_eq!(start["idTag"], "TAG");
    assert_eq!(s.statuses(1).last().unwrap(), "Charging");
    assert!(has_event(&s, |e| matches!(
        e,
        Event::EnergyOffered { connector: 1, on: true }
    )));
    assert!(has_event(&s, |e| matches!(
        e,
        Event::TransactionStarted {
            connector: 1,
            transaction_id: 1,
            ..
        }
    )));
    for i in 1..=5 {
        meter(&mut s, 1, 1000.0 + 100.0 * i as f64, 7000.0);
        s.run_secs(60);
    }
    let mvs = s.csms.of("MeterValues");
    assert_eq!(mvs.len(), 5);
    let last = &mvs[4].payload;
    assert_eq!(last["transactionId"], 1);
    let sv = &last["meterValue"][0]["sampledValue"];
    assert_eq!(
        sv[0],
        json!({"value":"1500","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"})
    );
    assert_eq!(sv[1]["measurand"], "Power.Active.Import");
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    let stop = s.csms.last("StopTransaction").unwrap().payload.clone();
    assert_eq!(stop["transactionId"], 1);
    assert_eq!(stop["meterStop"], 1500);
    assert_eq!(stop["idTag"], "TAG");
    assert!(stop.get("reason").is_none(), "Local is left out: {stop}");
    assert_eq!(s.statuses(1).last().unwrap(), "Finishing");
    s.cp.unplug(s.now, 1).unwrap();
    s.settle();
    assert_eq!(
        s.statuses(1),
        ["Available", "Preparing", "Charging", "Finishing", "Available"]
    );
}

#[test]
fn identification_first_then_connection_timeout() {
    let mut s = sim("id_first_timeout");
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    assert_eq!(s.statuses(1).last().unwrap(), "Preparing");
    s.run_secs(61);
    assert_eq!(s.statuses(1).last().unwrap(), "Available");
    assert_eq!(s.csms.count("StartTransaction"), 0);
    // Within the timeout, plugging starts the transaction.
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_secs(30);
    s.cp.plug(s.now, 1).unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.count("StartTransaction"), 1);
}

#[test]
fn invalid_tag_does_not_start() {
    let mut s = sim("invalid_tag");
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "NOBODY").unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.count("StartTransaction"), 0);
    assert!(has_event(
        &s,
        |e| matches!(e, Event::Authorization { status, .. } if status.as_str() == "Invalid")
    ));
    assert_eq!(s.cp.present_id_tag(s.now, ""), Err(ocpp_cp::cp::CpError::InvalidIdTag));
    assert_eq!(
        s.cp.present_id_tag(s.now, "123456789012345678901"),
        Err(ocpp_cp::cp::CpError::InvalidIdTag)
    );
}

#[test]
fn a_tag_of_the_same_group_stops_the_transaction() {
    let mut s = Sim::with(
        "parent_tag_stop",
        Config {
            connectors: 1,
            ..config()
        },
    );
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "CHILD1").unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    s.cp.present_id_tag(s.now, "TAG").unwrap(); // no parent: does not stop
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    s.cp.present_id_tag(s.now, "CHILD2").unwrap();
    s.run_ms(50);
    assert!(!s.cp.has_transaction(1));
    assert_eq!(s.csms.last("StopTransaction").unwrap().payload["idTag"], "CHILD2");
}

#[test]
fn ev_side_disconnect_stops_or_suspends() {
    let mut s = sim("ev_disconnect");
    start_session(&mut s, 1);
    s.cp.unplug(s.now, 1).unwrap();
    s.run_ms(50);
    assert_eq!(
        s.csms.last("StopTransaction").unwrap().payload["reason"],
        "EVDisconnected"
    );
    assert!(has_event(&s, |e| matches!(e, Event::Unlock { connector: 1 })));
    assert_eq!(s.statuses(1).last().unwrap(), "Available");

    s.cp.set_configuration(s.now, "StopTransactionOnEVSideDisconnect", "false");
    start_session(&mut s, 1);
    s.cp.unplug(s.now, 1).unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    assert_eq!(s.statuses(1).last().unwrap(), "SuspendedEV");
}

#[test]
fn invalid_start_answer_deauthorizes_or_suspends() {
    let mut s = sim("start_invalid");
    s.csms.on("StartTransaction", |_| {
        Reply::Result(json!({"transactionId": 7, "idTagInfo": {"status": "Blocked"}}))
    });
    start_session_no_id(&mut s);
    s.run_ms(50);
    assert!(has_event(&s, |e| matches!(
        e,
        Event::TransactionStarted { transaction_id: 7, .. }
    )));
    assert_eq!(
        s.csms.last("StopTransaction").unwrap().payload["reason"],
        "DeAuthorized"
    );
    s.cp.unplug(s.now, 1).unwrap();
    s.cp.set_configuration(s.now, "StopTransactionOnInvalidId", "false");
    start_session(&mut s, 1);
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    assert_eq!(s.statuses(1).last().unwrap(), "SuspendedEVSE");
    assert!(has_event(&s, |e| matches!(
        e,
        Event::EnergyOffered {
            connector: 1,
            on: false
        }
    )));
}

#[test]
fn ev_suspends_and_faults_change_status() {
    let mut s = sim("suspend_fault");
    start_session(&mut s, 1);
    s.cp.set_ev_suspended(s.now, 1, true).unwrap();
    s.settle();
    assert_eq!(s.statuses(1).last().unwrap(), "SuspendedEV");
    s.cp.set_ev_suspended(s.now, 1, false).unwrap();
    s.cp.set_fault(s.now, 2, ChargePointErrorCode::GroundFailure, Some("RCD tripped"))
        .unwrap();
    s.run_ms(50);
    let last = s.csms.last("StatusNotification").unwrap().payload.clone();
    assert_eq!(last["connectorId"], 2);
    assert_eq!(last["status"], "Faulted");
    assert_eq!(last["errorCode"], "GroundFailure");
    assert_eq!(last["info"], "RCD tripped");
    s.cp.set_fault(s.now, 2, ChargePointErrorCode::NoError, None).unwrap();
    s.run_ms(50);
    assert_eq!(s.statuses(2).last().unwrap(), "Available");
    assert_eq!(s.statuses(1).last().unwrap(), "Charging");
}

#[test]
fn minimum_status_duration_hides_short_states() {
    let mut s = sim("min_status_duration");
    s.cp.set_configuration(s.now, "MinimumStatusDuration", "5");
    s.cp.plug(s.now, 1).unwrap();
    s.run_secs(2);
    s.cp.unplug(s.now, 1).unwrap();
    s.run_secs(10);
    assert_eq!(s.statuses(1), ["Available"]);
    s.cp.plug(s.now, 1).unwrap();
    s.run_secs(6);
    assert_eq!(s.statuses(1), ["Available", "Preparing"]);
}

// ---------- remote control ----------

#[test]
fn remote_start_and_stop() {
    let mut s = sim("remote_start_stop");
    let conf = s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG", "connectorId": 2}));
    assert_eq!(conf, json!({"status": "Accepted"}));
    assert!(has_event(&s, |e| matches!(e, Event::RemoteStart { connector: 2, .. })));
    assert_eq!(s.csms.count("Authorize"), 0, "AuthorizeRemoteTxRequests is false");
    assert_eq!(s.statuses(2).last().unwrap(), "Preparing");
    s.cp.plug(s.now, 2).unwrap();
    s.run_ms(50);
    let tx = s.cp.transaction_id(2).unwrap();
    // Busy connector: rejected.
    let conf = s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG2", "connectorId": 2}));
    assert_eq!(conf["status"], "Rejected");
    assert_eq!(
        s.call_ok("RemoteStopTransaction", json!({"transactionId": 999}))["status"],
        "Rejected"
    );
    assert_eq!(
        s.call_ok("RemoteStopTransaction", json!({"transactionId": tx}))["status"],
        "Accepted"
    );
    s.run_ms(50);
    assert_eq!(s.csms.last("StopTransaction").unwrap().payload["reason"], "Remote");
    assert!(has_event(&s, |e| matches!(e, Event::RemoteStop { connector: 2, .. })));
}

#[test]
fn remote_start_without_connector_or_zero_picks_a_free_one_and_can_authorize() {
    let mut s = sim("remote_start_any");
    s.cp.set_configuration(s.now, "AuthorizeRemoteTxRequests", "true");
    s.cp.plug(s.now, 2).unwrap();
    s.settle();
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG", "connectorId": 0}))["status"],
        "Accepted"
    );
    s.run_ms(50);
    assert_eq!(s.csms.count("Authorize"), 1);
    assert_eq!(s.csms.last("StartTransaction").unwrap().payload["connectorId"], 2);
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG"}))["status"],
        "Accepted"
    );
    assert!(has_event(&s, |e| matches!(e, Event::RemoteStart { connector: 1, .. })));
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG", "connectorId": 3}))["status"],
        "Rejected"
    );
}

#[test]
fn change_availability_now_and_scheduled() {
    let mut s = sim("change_availability");
    assert_eq!(
        s.call_ok("ChangeAvailability", json!({"connectorId": 2, "type": "Inoperative"}))["status"],
        "Accepted"
    );
    s.settle();
    assert_eq!(s.statuses(2).last().unwrap(), "Unavailable");
    assert_eq!(
        s.cp.begin_transaction(s.now, 2, "TAG"),
        Err(ocpp_cp::cp::CpError::ConnectorBusy)
    );
    start_session(&mut s, 1);
    assert_eq!(
        s.call_ok("ChangeAvailability", json!({"connectorId": 0, "type": "Inoperative"}))["status"],
        "Scheduled"
    );
    assert_eq!(s.statuses(0).last().unwrap(), "Unavailable");
    assert_eq!(s.statuses(1).last().unwrap(), "Charging");
    s.cp.end_transaction(s.now, 1, Reason::Local, None).unwrap();
    s.cp.unplug(s.now, 1).unwrap();
    s.run_ms(50);
    assert_eq!(s.statuses(1).last().unwrap(), "Unavailable");
    assert_eq!(
        s.call_ok("ChangeAvailability", json!({"connectorId": 0, "type": "Operative"}))["status"],
        "Accepted"
    );
    s.run_ms(50);
    assert_eq!(s.statuses(1).last().unwrap(), "Available");
    assert_eq!(
        s.call_ok("ChangeAvailability", json!({"connectorId": 9, "type": "Operative"}))["status"],
        "Rejected"
    );
}

#[test]
fn reset_stops_transactions_first() {
    for (kind, reason) in [("Soft", "SoftReset"), ("Hard", "HardReset")] {
        let mut s = sim(&format!("reset_{kind}"));
        start_session(&mut s, 1);
        s.take_events();
        assert_eq!(s.call_ok("Reset", json!({"type": kind}))["status"], "Accepted");
        s.run_ms(50);
        assert_eq!(s.csms.last("StopTransaction").unwrap().payload["reason"], reason);
        let want = if kind == "Soft" {
            ResetType::Soft
        } else {
            ResetType::Hard
        };
        let stop_pos = s
            .events
            .iter()
            .position(|e| matches!(e, Event::TransactionStopped { .. }))
            .unwrap();
        let reset_pos = s
            .events
            .iter()
            .position(|e| matches!(e, Event::Reset { kind } if *kind == want))
            .unwrap();
        assert!(stop_pos < reset_pos);
    }
}

#[test]
fn reset_waits_for_stop_delivery_at_most_the_grace_time() {
    let mut s = sim("reset_offline");
    start_session(&mut s, 1);
    s.disconnect();
    s.cp.handle_text(s.now, r#"[2,"r1","Reset",{"type":"Soft"}]"#);
    s.run_secs(9);
    assert!(!has_event(&s, |e| matches!(e, Event::Reset { .. })));
    s.run_secs(2);
    assert!(has_event(&s, |e| matches!(e, Event::Reset { .. })));
}

#[test]
fn reset_waits_for_the_answer_to_a_call_in_flight() {
    // A central system busy answering our CALL when the link drops may lose the Reset.conf it
    // already received (the Python `ocpp` library does): the reboot waits for that answer.
    let mut s = sim("reset_in_flight");
    s.csms.on("DataTransfer", |_| Reply::Silence);
    s.cp.send_data_transfer(s.now, "com.example", None, None).unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.count("DataTransfer"), 1);
    s.take_events();
    let sent = s.raw(r#"[2,"r1","Reset",{"type":"Soft"}]"#);
    assert_eq!(sent, vec![json!([3, "r1", {"status": "Accepted"}])]);
    s.run_secs(9);
    assert!(!has_event(&s, |e| matches!(e, Event::Reset { .. })));
    // No answer: at the end of the grace time (10 s) the reset goes ahead anyway.
    s.run_secs(2);
    assert!(has_event(&s, |e| matches!(e, Event::Reset { .. })));
}

#[test]
fn unlock_connector() {
    let mut s = sim("unlock");
    start_session(&mut s, 1);
    assert_eq!(
        s.call_ok("UnlockConnector", json!({"connectorId": 1}))["status"],
        "Unlocked"
    );
    s.run_ms(50);
    assert_eq!(
        s.csms.last("StopTransaction").unwrap().payload["reason"],
        "UnlockCommand"
    );
    assert!(has_event(&s, |e| matches!(e, Event::Unlock { connector: 1 })));
    assert_eq!(
        s.call_ok("UnlockConnector", json!({"connectorId": 5}))["status"],
        "NotSupported"
    );
    let mut s = Sim::with(
        "unlock_unsupported",
        Config {
            unlock_supported: false,
            ..config()
        },
    );
    assert_eq!(
        s.call_ok("UnlockConnector", json!({"connectorId": 1}))["status"],
        "NotSupported"
    );
}

#[test]
fn data_transfer_both_ways_and_clear_cache() {
    let mut s = sim("data_transfer");
    let conf = s.call_ok(
        "DataTransfer",
        json!({"vendorId": "org.example", "messageId": "ping", "data": "x"}),
    );
    assert_eq!(conf, json!({"status": "Accepted"}));
    assert!(has_event(
        &s,
        |e| matches!(e, Event::DataTransfer { vendor_id, data: Some(d), .. } if vendor_id == "org.example" && d == "x")
    ));
    assert_eq!(
        s.call_ok("DataTransfer", json!({"vendorId": "com.other"}))["status"],
        "UnknownVendorId"
    );
    s.cp.send_data_transfer(s.now, "org.example", Some("hello"), Some("{}"))
        .unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.last("DataTransfer").unwrap().payload["messageId"], "hello");
    assert!(has_event(
        &s,
        |e| matches!(e, Event::DataTransferResult { status: Some(_), data: Some(d) } if d == "pong")
    ));
    assert_eq!(s.call_ok("ClearCache", json!({})), json!({"status": "Accepted"}));
}

#[test]
fn trigger_message_every_target() {
    let mut s = sim("trigger_message");
    meter(&mut s, 1, 500.0, 0.0);
    let before = s.csms.calls.len();
    for what in ["Heartbeat", "StatusNotification", "MeterValues", "BootNotification"] {
        assert_eq!(
            s.call_ok("TriggerMessage", json!({"requestedMessage": what}))["status"],
            "Accepted",
            "{what}"
        );
        s.run_ms(50);
        assert!(
            s.csms.calls[before..].iter().any(|c| c.action == what),
            "{what} not sent"
        );
    }
    assert_eq!(
        s.call_ok(
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 2})
        )["status"],
        "Accepted"
    );
    assert_eq!(
        s.call_ok(
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 3})
        )["status"],
        "Rejected"
    );
    let mv = s.csms.last("MeterValues").unwrap().payload.clone();
    assert_eq!(mv["meterValue"][0]["sampledValue"][0]["context"], "Trigger");
    // Notifications of the FirmwareManagement profile: sent when it is built in.
    let built = ocpp_cp::cp::supported_profiles_list().contains(&ocpp_cp::messages::Profile::FirmwareManagement);
    for what in ["DiagnosticsStatusNotification", "FirmwareStatusNotification"] {
        let status = s.call_ok("TriggerMessage", json!({"requestedMessage": what}))["status"].clone();
        assert_eq!(status, if built { "Accepted" } else { "NotImplemented" }, "{what}");
        s.run_ms(50);
        assert_eq!(s.csms.last(what).is_some(), built, "{what}");
    }
}

// ---------- configuration ----------

#[test]
fn get_and_change_configuration() {
    let mut s = sim("configuration");
    let all = s.call_ok("GetConfiguration", json!({}));
    let keys: Vec<&str> = all["configurationKey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    for k in [
        "HeartbeatInterval",
        "MeterValuesSampledData",
        "NumberOfConnectors",
        "SupportedFeatureProfiles",
        "WebSocketPingInterval",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    let conf = s.call_ok("GetConfiguration", json!({"key": ["NumberOfConnectors", "Bogus"]}));
    assert_eq!(
        conf["configurationKey"],
        json!([{"key": "NumberOfConnectors", "readonly": true, "value": "2"}])
    );
    assert_eq!(conf["unknownKey"], json!(["Bogus"]));
    let rows = [
        ("MeterValueSampleInterval", "30", "Accepted"),
        ("MeterValueSampleInterval", "abc", "Rejected"),
        ("NumberOfConnectors", "4", "Rejected"),
        ("Bogus", "1", "NotSupported"),
        ("MeterValuesSampledData", "Voltage,Current.Import,Hertz", "Rejected"),
        ("AuthorizationKey", "0011223344556677", "Accepted"),
    ];
    for (k, v, want) in rows {
        assert_eq!(
            s.call_ok("ChangeConfiguration", json!({"key": k, "value": v}))["status"],
            want,
            "{k}={v}"
        );
    }
    let conf = s.call_ok("GetConfiguration", json!({"key": ["AuthorizationKey"]}));
    assert!(
        !conf.to_string().contains("0011223344556677"),
        "write-only key leaked: {conf}"
    );
    assert!(has_event(
        &s,
        |e| matches!(e, Event::ConfigurationChanged { key, value } if key == "MeterValueSampleInterval" && value == "30")
    ));
    assert!(has_event(
        &s,
        |e| matches!(e, Event::ConfigurationChanged { key, value } if key == "AuthorizationKey" && value.is_empty())
    ));
}

#[test]
fn heartbeat_interval_change_takes_effect() {
    let mut s = sim("heartbeat_change");
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "HeartbeatInterval", "value": "60"}),
    );
    s.run_secs(601);
    assert_eq!(s.csms.count("Heartbeat"), 10);
}

// ---------- meter values ----------

#[test]
fn meter_values_per_phase_stale_and_nan() {
    let mut s = sim("meter_phases");
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "MeterValuesSampledData", "value": "Voltage,Current.Import,SoC,Temperature"}),
    );
    start_session(&mut s, 1);
    for (p, v) in [(Phase::L1N, 230.1), (Phase::L2N, 229.0), (Phase::L3N, 231.0)] {
        s.cp.set_meter(s.now, 1, Measurand::Voltage, Some(p), v).unwrap();
    }
    s.cp.set_meter(s.now, 1, Measurand::SoC, None, 55.0).unwrap();
    assert_eq!(
        s.cp.set_meter(s.now, 1, Measurand::CurrentImport, None, f64::NAN),
        Err(ocpp_cp::cp::CpError::NotFinite)
    );
    s.cp.set_meter(s.now, 1, Measurand::Temperature, None, 41.5).unwrap();
    s.run_secs(60);
    let sv = s.csms.last("MeterValues").unwrap().payload["meterValue"][0]["sampledValue"].clone();
    let svs = sv.as_array().unwrap();
    assert_eq!(svs.len(), 5, "{sv}");
    assert_eq!(
        svs[0],
        json!({"value":"230.1","context":"Sample.Periodic","measurand":"Voltage","phase":"L1-N","unit":"V"})
    );
    assert_eq!(
        svs[3],
        json!({"value":"55","context":"Sample.Periodic","measurand":"SoC","location":"EV","unit":"Percent"})
    );
    assert_eq!(svs[4]["location"], "Body");
    // Stale after meter_max_age (300 s): nothing is sent rather than old numbers.
    let before = s.csms.count("MeterValues");
    s.run_secs(400);
    let after = s.csms.count("MeterValues");
    assert!(after - before <= 4, "stale values kept being sent");
    assert!(!s.sent.iter().any(|f| f.contains("NaN") || f.contains("null")));
}

#[test]
fn stop_txn_sampled_data_goes_into_stop_transaction() {
    let mut s = sim("stop_txn_data");
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "StopTxnSampledData", "value": "Energy.Active.Import.Register"}),
    );
    let tx = start_session(&mut s, 1);
    for i in 1..=3 {
        meter(&mut s, 1, 1000.0 + 10.0 * i as f64, 7000.0);
        s.run_secs(60);
    }
    s.cp.end_transaction(s.now, 1, Reason::EmergencyStop, None).unwrap();
    s.run_ms(50);
    let stop = s.csms.last("StopTransaction").unwrap().payload.clone();
    assert_eq!(stop["transactionId"], tx);
    assert_eq!(stop["reason"], "EmergencyStop");
    let data = stop["transactionData"].as_array().unwrap();
    assert_eq!(data.len(), 5);
    assert_eq!(data[0]["sampledValue"][0]["context"], "Transaction.Begin");
    assert_eq!(data[4]["sampledValue"][0]["context"], "Transaction.End");
    assert_eq!(data[4]["sampledValue"][0]["value"], "1030");
}

#[test]
fn clock_aligned_data_at_quarter_hours() {
    let mut s = sim("clock_aligned");
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "MeterValuesAlignedData", "value": "Energy.Active.Import.Register"}),
    );
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "ClockAlignedDataInterval", "value": "900"}),
    );
    s.cp.set_configuration(s.now, "HeartbeatInterval", "0");
    s.run_secs(850);
    meter(&mut s, 1, 42.0, 0.0);
    meter(&mut s, 2, 43.0, 0.0);
    s.run_secs(49);
    let before = s.csms.count("MeterValues");
    // The clock was set to midnight at boot; the first aligned sample is at 00:15.
    s.run_secs(2);
    assert_eq!(s.csms.count("MeterValues") - before, 2);
    let mv = s.csms.last("MeterValues").unwrap().payload.clone();
    assert!(
        mv["meterValue"][0]["timestamp"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-01T00:15:00"),
        "{mv}"
    );
    assert_eq!(mv["meterValue"][0]["sampledValue"][0]["context"], "Sample.Clock");
}

// ---------- offline, retries, ordering ----------

#[test]
fn offline_transaction_is_delivered_in_order_with_the_real_id() {
    let mut s = sim("offline_tx");
    s.cp.set_configuration(s.now, "AllowOfflineTxForUnknownId", "true");
    s.disconnect();
    meter(&mut s, 1, 100.0, 7000.0);
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    assert!(s.cp.has_transaction(1));
    for i in 1..=3 {
        meter(&mut s, 1, 100.0 + i as f64, 7000.0);
        s.run_secs(60);
    }
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.unplug(s.now, 1).unwrap();
    s.run_secs(5);
    assert_eq!(s.cp.queued_tx_messages(), 5);
    s.csms.next_tx = 77;
    s.connect();
    s.run_secs(1);
    let order: Vec<&str> = s
        .csms
        .calls
        .iter()
        .map(|c| c.action.as_str())
        .filter(|a| *a != "StatusNotification")
        .collect();
    assert_eq!(
        &order[order.len() - 5..],
        [
            "StartTransaction",
            "MeterValues",
            "MeterValues",
            "MeterValues",
            "StopTransaction"
        ]
    );
    assert_eq!(s.csms.last("StopTransaction").unwrap().payload["transactionId"], 77);
    assert!(s
        .csms
        .of("MeterValues")
        .iter()
        .all(|m| m.payload["transactionId"] == 77));
    assert_eq!(s.cp.queued_tx_messages(), 0);
}

#[test]
fn transaction_messages_are_retried_with_growing_waits_and_others_overtake() {
    let mut s = sim("tx_retry");
    let mut fails = 2;
    s.csms.on("StopTransaction", move |_| {
        if fails > 0 {
            fails -= 1;
            Reply::Error("InternalError")
        } else {
            Reply::Result(json!({}))
        }
    });
    start_session(&mut s, 1);
    s.cp.end_transaction(s.now, 1, Reason::Local, None).unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.count("StopTransaction"), 1);
    // A heartbeat is not blocked behind the waiting StopTransaction.
    s.call_ok("TriggerMessage", json!({"requestedMessage": "Heartbeat"}));
    s.run_ms(50);
    let hb = s.csms.calls.iter().rposition(|c| c.action == "Heartbeat").unwrap();
    let st = s
        .csms
        .calls
        .iter()
        .rposition(|c| c.action == "StopTransaction")
        .unwrap();
    assert!(hb > st);
    s.run_secs(59);
    assert_eq!(s.csms.count("StopTransaction"), 1);
    s.run_secs(2); // 60 s x 1 attempt
    assert_eq!(s.csms.count("StopTransaction"), 2);
    s.run_secs(118);
    assert_eq!(s.csms.count("StopTransaction"), 2);
    s.run_secs(2); // 60 s x 2 attempts
    assert_eq!(s.csms.count("StopTransaction"), 3);
    assert_eq!(s.cp.queued_tx_messages(), 0);
}

#[test]
fn a_transaction_message_that_always_fails_is_given_up_loudly() {
    let mut s = sim("tx_give_up");
    s.csms.on("StartTransaction", |_| Reply::Error("InternalError"));
    start_session_no_id(&mut s);
    s.run_secs(600);
    assert_eq!(s.csms.count("StartTransaction"), 3);
    assert!(has_event(
        &s,
        |e| matches!(e, Event::Error { message } if message.contains("TransactionMessageAttempts"))
    ));
}

fn start_session_no_id(s: &mut Sim) {
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
}

#[test]
fn a_full_transaction_queue_refuses_new_transactions() {
    let mut s = Sim::offline(
        "queue_full",
        Config {
            tx_queue_capacity: 4,
            connectors: 1,
            ..config()
        },
    );
    s.cp.set_configuration(s.now, "AllowOfflineTxForUnknownId", "true");
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.settle();
    assert_eq!(s.cp.queued_tx_messages(), 4);
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.settle();
    assert!(!s.cp.has_transaction(1));
    assert!(has_event(
        &s,
        |e| matches!(e, Event::Error { message } if message.contains("queue is full"))
    ));
}

#[test]
fn call_timeout_frees_the_line() {
    let mut s = sim("call_timeout");
    s.csms.on("DataTransfer", |_| Reply::Silence);
    s.cp.send_data_transfer(s.now, "org.example", None, None).unwrap();
    s.run_secs(31);
    assert!(has_event(&s, |e| matches!(
        e,
        Event::DataTransferResult { status: None, .. }
    )));
    s.call_ok("TriggerMessage", json!({"requestedMessage": "Heartbeat"}));
    s.run_ms(50);
    assert!(s.csms.count("Heartbeat") >= 1);
}

#[test]
fn message_ids_are_unique_and_timestamps_rfc3339() {
    let mut s = sim("ids_and_times");
    start_session(&mut s, 1);
    for i in 0..10 {
        meter(&mut s, 1, 1000.0 + i as f64, 7000.0);
        s.run_secs(60);
    }
    let ids: std::collections::HashSet<&str> = s.csms.calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), s.csms.calls.len());
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "timestamp" || k == "currentTime" {
                        out.push(v.as_str().unwrap().to_string());
                    }
                    walk(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut stamps = Vec::new();
    for c in &s.csms.calls {
        walk(&c.payload, &mut stamps);
    }
    assert!(stamps.len() > 10);
    for t in stamps {
        let ok = t.len() >= 20 && t.ends_with('Z') && t.as_bytes()[10] == b'T';
        assert!(ok, "{t}");
    }
}
