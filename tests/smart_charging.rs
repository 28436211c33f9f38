//! The SmartCharging profile through the charge point, in virtual time (1.6 §3.13, §5.5,
//! §5.7, §5.16). The schedule arithmetic has its own unit tests in `cp::smart_charging`.
#![cfg(feature = "smart-charging")]

mod common;

use common::{config, Sim};
use ocpp_cp::cp::{Config, Event};
use serde_json::{json, Value};

fn sim(name: &str) -> Sim {
    Sim::with(
        name,
        Config {
            connectors: 1,
            ..config()
        },
    )
}

fn profile(id: i32, purpose: &str, unit: &str, periods: Value, extra: Value) -> Value {
    let mut p = json!({
        "chargingProfileId": id, "stackLevel": 0, "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {"chargingRateUnit": unit, "chargingSchedulePeriod": periods}
    });
    if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            p.insert(k.clone(), v.clone());
        }
    }
    p
}

fn set(s: &mut Sim, connector: u32, p: Value) -> String {
    let conf = s.call_ok(
        "SetChargingProfile",
        json!({"connectorId": connector, "csChargingProfiles": p}),
    );
    conf["status"].as_str().unwrap().to_string()
}

fn limits(s: &Sim) -> Vec<(Option<f64>, Option<f64>)> {
    s.events
        .iter()
        .filter_map(|e| match e {
            Event::Limit { amps, watts, .. } => Some((*amps, *watts)),
            _ => None,
        })
        .collect()
}

fn start(s: &mut Sim) {
    s.cp.set_meter(
        s.now,
        1,
        ocpp_cp::messages::Measurand::EnergyActiveImportRegister,
        None,
        0.0,
    )
    .unwrap();
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
}

#[test]
fn evcc_disables_charging_with_zero_watts_and_enables_again() {
    let mut s = sim("sc_evcc_zero");
    start(&mut s);
    assert_eq!(s.statuses(1).last().unwrap(), "Charging");
    let zero = profile(
        1,
        "TxDefaultProfile",
        "W",
        json!([{"startPeriod": 0, "limit": 0}]),
        json!({}),
    );
    assert_eq!(set(&mut s, 1, zero), "Accepted");
    s.run_ms(50);
    assert_eq!(
        limits(&s),
        [(Some(0.0), Some(0.0))],
        "a limit of 0 is a limit, not 'no limit'"
    );
    assert_eq!(s.statuses(1).last().unwrap(), "SuspendedEVSE");
    assert!(s.events.iter().any(|e| matches!(
        e,
        Event::EnergyOffered {
            connector: 1,
            on: false
        }
    )));
    let on = profile(
        1,
        "TxDefaultProfile",
        "W",
        json!([{"startPeriod": 0, "limit": 11040}]),
        json!({}),
    );
    assert_eq!(set(&mut s, 1, on), "Accepted");
    s.run_ms(50);
    assert_eq!(
        limits(&s).last(),
        Some(&(Some(48.0), Some(11040.0))),
        "one phase at 230 V"
    );
    assert_eq!(s.statuses(1).last().unwrap(), "Charging");
    assert_eq!(
        s.call_ok("ClearChargingProfile", json!({"id": 1}))["status"],
        "Accepted"
    );
    s.run_ms(50);
    assert_eq!(limits(&s).last(), Some(&(None, None)));
    assert_eq!(s.call_ok("ClearChargingProfile", json!({"id": 1}))["status"], "Unknown");
}

#[test]
fn tx_profile_needs_a_transaction_and_ends_with_it() {
    let mut s = sim("sc_tx_profile");
    let tx = profile(7, "TxProfile", "A", json!([{"startPeriod": 0, "limit": 10}]), json!({}));
    assert_eq!(set(&mut s, 1, tx.clone()), "Rejected", "no transaction");
    assert_eq!(set(&mut s, 0, tx.clone()), "Rejected", "TxProfile on connector 0");
    assert_eq!(set(&mut s, 2, tx.clone()), "Rejected", "no such connector");
    start(&mut s);
    assert_eq!(set(&mut s, 1, tx), "Accepted");
    s.run_ms(50);
    assert_eq!(limits(&s), [(Some(10.0), Some(2300.0))]);
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    assert_eq!(
        limits(&s).last(),
        Some(&(None, None)),
        "the TxProfile left with its transaction"
    );
}

#[test]
fn periods_take_effect_at_their_start_in_virtual_time() {
    let mut s = sim("sc_periods");
    start(&mut s);
    // The clock reads 2026-01-01T00:00:00Z at boot; the schedule starts at 00:10.
    let p = profile(
        3,
        "TxDefaultProfile",
        "A",
        json!([{"startPeriod": 0, "limit": 16}, {"startPeriod": 1800, "limit": 8, "numberPhases": 1}]),
        json!({"chargingSchedule": {"chargingRateUnit": "A", "startSchedule": "2026-01-01T00:10:00Z", "duration": 3600,
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}, {"startPeriod": 1800, "limit": 8}]}}),
    );
    assert_eq!(set(&mut s, 1, p), "Accepted");
    s.run_secs(9 * 60);
    assert!(limits(&s).is_empty(), "not before startSchedule: {:?}", limits(&s));
    s.run_secs(61);
    assert_eq!(limits(&s), [(Some(16.0), Some(3680.0))]);
    s.run_secs(30 * 60);
    assert_eq!(limits(&s).last(), Some(&(Some(8.0), Some(1840.0))));
    s.run_secs(30 * 60);
    assert_eq!(limits(&s).last(), Some(&(None, None)), "duration over");
}

#[test]
fn daily_recurring_profile_over_midnight_and_charge_point_max() {
    let mut s = sim("sc_daily");
    // Night tariff: 32 A from 22:00 for 8 h, 6 A otherwise; the grid caps everything at 20 A.
    let night = json!({
        "chargingProfileId": 11, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Recurring", "recurrencyKind": "Daily",
        "chargingSchedule": {"chargingRateUnit": "A", "startSchedule": "2025-12-31T22:00:00Z", "duration": 86400,
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}, {"startPeriod": 28800, "limit": 6}]}
    });
    assert_eq!(set(&mut s, 1, night), "Accepted");
    let grid = profile(
        12,
        "ChargePointMaxProfile",
        "A",
        json!([{"startPeriod": 0, "limit": 20}]),
        json!({}),
    );
    assert_eq!(set(&mut s, 0, grid), "Accepted");
    s.run_ms(50);
    assert_eq!(
        limits(&s).last(),
        Some(&(Some(20.0), Some(4600.0))),
        "00:00: night rate, capped by the grid"
    );
    s.run_secs(6 * 3600 + 60);
    assert_eq!(limits(&s).last(), Some(&(Some(6.0), Some(1380.0))), "06:00: day rate");
    s.run_secs(16 * 3600);
    assert_eq!(limits(&s).last(), Some(&(Some(20.0), Some(4600.0))), "22:00 again");
    // GetCompositeSchedule at 22:01 for 9 h, in A and in W, checked by hand.
    let conf = s.call_ok(
        "GetCompositeSchedule",
        json!({"connectorId": 1, "duration": 32400, "chargingRateUnit": "A"}),
    );
    assert_eq!(conf["status"], "Accepted");
    let periods = &conf["chargingSchedule"]["chargingSchedulePeriod"];
    assert_eq!(
        periods,
        &json!([{"startPeriod": 0, "limit": 20}, {"startPeriod": 28740, "limit": 6}]),
        "{conf}"
    );
    let conf = s.call_ok(
        "GetCompositeSchedule",
        json!({"connectorId": 1, "duration": 32400, "chargingRateUnit": "W"}),
    );
    let periods = &conf["chargingSchedule"]["chargingSchedulePeriod"];
    assert_eq!(
        periods,
        &json!([{"startPeriod": 0, "limit": 4600}, {"startPeriod": 28740, "limit": 1380}]),
        "{conf}"
    );
    assert_eq!(
        s.call_ok("GetCompositeSchedule", json!({"connectorId": 5, "duration": 60}))["status"],
        "Rejected"
    );
}

#[test]
fn remote_start_with_a_charging_profile() {
    let mut s = sim("sc_remote_start");
    let p = profile(
        21,
        "TxProfile",
        "W",
        json!([{"startPeriod": 0, "limit": 3680}]),
        json!({}),
    );
    let conf = s.call_ok(
        "RemoteStartTransaction",
        json!({"idTag": "TAG", "connectorId": 1, "chargingProfile": p}),
    );
    assert_eq!(conf["status"], "Accepted");
    s.cp.plug(s.now, 1).unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    assert_eq!(limits(&s).last(), Some(&(Some(16.0), Some(3680.0))));
    let bad = profile(
        22,
        "TxDefaultProfile",
        "W",
        json!([{"startPeriod": 0, "limit": 3680}]),
        json!({}),
    );
    let conf = s.call_ok(
        "RemoteStartTransaction",
        json!({"idTag": "TAG2", "connectorId": 1, "chargingProfile": bad}),
    );
    assert_eq!(conf["status"], "Rejected");
}
