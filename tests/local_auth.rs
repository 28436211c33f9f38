//! Local Authorization List and Authorization Cache in virtual time (1.6 §3.5, §5.10, §5.15, §5.4).
#![cfg(feature = "local-auth-list")]

mod common;

use common::{config, Reply, Sim};
use ocpp_cp::cp::{Config, Event};
use serde_json::json;

fn sim(name: &str) -> Sim {
    Sim::with(
        name,
        Config {
            connectors: 1,
            ..config()
        },
    )
}

fn list(s: &mut Sim, version: i32, kind: &str, entries: serde_json::Value) -> String {
    let conf = s.call_ok(
        "SendLocalList",
        json!({"listVersion": version, "updateType": kind, "localAuthorizationList": entries}),
    );
    conf["status"].as_str().unwrap().to_string()
}

fn version(s: &mut Sim) -> i64 {
    s.call_ok("GetLocalListVersion", json!({}))["listVersion"]
        .as_i64()
        .unwrap()
}

/// Offline: plug and tap; true if a transaction started.
fn offline_start(s: &mut Sim, tag: &str) -> bool {
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, tag).unwrap();
    s.settle();
    let started = s.cp.has_transaction(1);
    if started {
        s.cp.end_transaction(s.now, 1, ocpp_cp::messages::Reason::Local, None)
            .unwrap();
    }
    s.cp.unplug(s.now, 1).unwrap();
    s.settle();
    started
}

#[test]
fn full_and_differential_updates_with_versions() {
    let mut s = sim("local_list_versions");
    assert_eq!(version(&mut s), 0);
    let full = json!([{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}, {"idTag": "BLOCK1", "idTagInfo": {"status": "Blocked"}}]);
    assert_eq!(list(&mut s, 1, "Full", full), "Accepted");
    assert_eq!(version(&mut s), 1);
    assert_eq!(
        list(
            &mut s,
            1,
            "Differential",
            json!([{"idTag": "LOCAL2", "idTagInfo": {"status": "Accepted"}}])
        ),
        "VersionMismatch"
    );
    assert_eq!(
        list(
            &mut s,
            2,
            "Differential",
            json!([{"idTag": "LOCAL2", "idTagInfo": {"status": "Accepted"}}, {"idTag": "LOCAL1"}])
        ),
        "Accepted"
    );
    assert_eq!(version(&mut s), 2);
    let too_many: Vec<_> = (0..33)
        .map(|i| json!({"idTag": format!("T{i}"), "idTagInfo": {"status": "Accepted"}}))
        .collect();
    assert_eq!(list(&mut s, 3, "Full", json!(too_many)), "Failed");
    assert_eq!(version(&mut s), 2, "a failed update changes nothing");
    // Offline, the list decides (LocalAuthorizeOffline is on by default).
    s.disconnect();
    assert!(offline_start(&mut s, "local2"), "case-insensitive");
    assert!(!offline_start(&mut s, "LOCAL1"), "removed by the differential update");
    assert!(!offline_start(&mut s, "BLOCK1"));
    assert!(!offline_start(&mut s, "NOBODY"));
}

#[test]
fn the_cache_learns_from_answers_and_clear_cache_forgets_only_it() {
    let mut s = sim("auth_cache");
    list(
        &mut s,
        1,
        "Full",
        json!([{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}]),
    );
    // TAG is authorized online once: the answer goes into the cache.
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.unplug(s.now, 1).unwrap();
    s.run_ms(50);
    s.disconnect();
    assert!(offline_start(&mut s, "TAG"), "known from the cache");
    s.connect();
    assert_eq!(s.call_ok("ClearCache", json!({})), json!({"status": "Accepted"}));
    s.disconnect();
    assert!(!offline_start(&mut s, "TAG"), "the cache was cleared");
    assert!(offline_start(&mut s, "LOCAL1"), "the local list was not");
}

#[test]
fn expired_cache_entries_are_not_trusted() {
    let mut s = sim("auth_cache_expiry");
    // Every answer about TAG carries the same expiry date (each one updates the cache).
    let info = json!({"status": "Accepted", "expiryDate": "2026-01-01T00:05:00Z"});
    let i = info.clone();
    s.csms
        .on("Authorize", move |_| Reply::Result(json!({ "idTagInfo": i })));
    let i = info.clone();
    s.csms.on("StartTransaction", move |_| {
        Reply::Result(json!({"transactionId": 1, "idTagInfo": i}))
    });
    s.csms
        .on("StopTransaction", move |_| Reply::Result(json!({ "idTagInfo": info })));
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.cp.unplug(s.now, 1).unwrap();
    s.run_ms(50);
    s.disconnect();
    assert!(offline_start(&mut s, "TAG"));
    s.run_secs(600);
    assert!(!offline_start(&mut s, "TAG"), "expired at 00:05");
}

#[test]
fn local_pre_authorize_starts_without_asking() {
    let mut s = sim("local_pre_authorize");
    s.cp.set_configuration(s.now, "LocalPreAuthorize", "true");
    list(
        &mut s,
        1,
        "Full",
        json!([{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}]),
    );
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "LOCAL1").unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.count("Authorize"), 0);
    assert_eq!(s.csms.last("StartTransaction").unwrap().payload["idTag"], "LOCAL1");
    assert!(s
        .events
        .iter()
        .any(|e| matches!(e, Event::Authorization { id_tag, .. } if id_tag == "LOCAL1")));
}

#[test]
fn a_disabled_local_list_says_so() {
    let mut s = sim("local_list_disabled");
    s.call_ok(
        "ChangeConfiguration",
        json!({"key": "LocalAuthListEnabled", "value": "false"}),
    );
    assert_eq!(version(&mut s), -1);
    assert_eq!(list(&mut s, 1, "Full", json!([])), "NotSupported");
}

#[test]
fn offline_group_stop_uses_the_parent_from_the_list() {
    let mut s = sim("offline_group_stop");
    let entries = json!([
        {"idTag": "KID1", "idTagInfo": {"status": "Accepted", "parentIdTag": "FAMILY"}},
        {"idTag": "KID2", "idTagInfo": {"status": "Accepted", "parentIdTag": "FAMILY"}}
    ]);
    list(&mut s, 1, "Full", entries);
    s.disconnect();
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "KID1").unwrap();
    s.settle();
    assert!(s.cp.has_transaction(1));
    s.cp.present_id_tag(s.now, "KID2").unwrap();
    s.settle();
    assert!(!s.cp.has_transaction(1), "KID2 is of the same group");
}
