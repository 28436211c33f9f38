//! The Reservation profile in virtual time (1.6 §3.11, §5.13, §5.3).
#![cfg(feature = "reservation")]

mod common;

use common::{config, Sim};
use ocpp_cp::cp::{Config, Event};
use serde_json::json;

fn sim(name: &str) -> Sim {
    Sim::new(name)
}

/// The clock is set to 2026-01-01T00:00:00Z at boot; `mins` after that.
fn at(mins: u32) -> String {
    format!("2026-01-01T{:02}:{:02}:00Z", mins / 60, mins % 60)
}

#[test]
fn reserve_use_and_the_reservation_id_goes_into_start_transaction() {
    let mut s = sim("reserve_use");
    let conf = s.call_ok(
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": at(30), "idTag": "TAG", "reservationId": 5}),
    );
    assert_eq!(conf, json!({"status": "Accepted"}));
    assert_eq!(s.statuses(1).last().unwrap(), "Reserved");
    // Another tag may not use it; the reserved one may.
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG2").unwrap();
    s.run_ms(50);
    assert!(!s.cp.has_transaction(1));
    assert!(s
        .events
        .iter()
        .any(|e| matches!(e, Event::Error { message } if message.contains("reserved"))));
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    let start = s.csms.last("StartTransaction").unwrap().payload.clone();
    assert_eq!(start["reservationId"], 5);
    assert_eq!(start["connectorId"], 1);
    assert_eq!(
        s.call_ok("CancelReservation", json!({"reservationId": 5}))["status"],
        "Rejected",
        "used up"
    );
}

#[test]
fn reservation_expires_and_can_be_cancelled() {
    let mut s = sim("reserve_expire");
    s.call_ok(
        "ReserveNow",
        json!({"connectorId": 2, "expiryDate": at(10), "idTag": "TAG", "reservationId": 1}),
    );
    s.call_ok(
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": at(60), "idTag": "TAG", "reservationId": 2}),
    );
    assert_eq!(s.statuses(2).last().unwrap(), "Reserved");
    s.run_secs(9 * 60);
    assert_eq!(s.statuses(2).last().unwrap(), "Reserved");
    s.run_secs(61);
    assert_eq!(s.statuses(2).last().unwrap(), "Available");
    assert_eq!(
        s.call_ok("CancelReservation", json!({"reservationId": 2}))["status"],
        "Accepted"
    );
    s.settle();
    assert_eq!(s.statuses(1).last().unwrap(), "Available");
    assert_eq!(
        s.call_ok("CancelReservation", json!({"reservationId": 99}))["status"],
        "Rejected"
    );
}

#[test]
fn occupied_faulted_unavailable_rejected() {
    let mut s = sim("reserve_refusals");
    let reserve = |s: &mut Sim, c: u32, id: i32| {
        s.call_ok(
            "ReserveNow",
            json!({"connectorId": c, "expiryDate": at(30), "idTag": "TAG", "reservationId": id}),
        )["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    s.cp.plug(s.now, 1).unwrap();
    assert_eq!(reserve(&mut s, 1, 1), "Occupied");
    s.cp.set_fault(s.now, 2, ocpp_cp::messages::ChargePointErrorCode::HighTemperature, None)
        .unwrap();
    assert_eq!(reserve(&mut s, 2, 2), "Faulted");
    s.cp.set_fault(s.now, 2, ocpp_cp::messages::ChargePointErrorCode::NoError, None)
        .unwrap();
    s.call_ok("ChangeAvailability", json!({"connectorId": 2, "type": "Inoperative"}));
    assert_eq!(reserve(&mut s, 2, 3), "Unavailable");
    assert_eq!(reserve(&mut s, 7, 4), "Rejected");
    // Expired already: rejected.
    let past = s.call_ok(
        "ReserveNow",
        json!({"connectorId": 2, "expiryDate": "2025-01-01T00:00:00Z", "idTag": "TAG", "reservationId": 5}),
    );
    assert_eq!(past["status"], "Rejected");
}

#[test]
fn parent_tag_may_use_the_reservation_and_same_id_replaces() {
    let mut s = Sim::with(
        "reserve_parent",
        Config {
            connectors: 1,
            ..config()
        },
    );
    s.call_ok(
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": at(30), "idTag": "TAG", "reservationId": 3}),
    );
    let conf = s.call_ok(
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": at(40), "idTag": "OTHER", "parentIdTag": "PARENT", "reservationId": 3}),
    );
    assert_eq!(conf["status"], "Accepted", "same id replaces");
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "CHILD1").unwrap();
    s.run_ms(50);
    assert_eq!(s.csms.last("StartTransaction").unwrap().payload["reservationId"], 3);
}

#[test]
fn connector_zero_keeps_one_connector_free() {
    let mut s = sim("reserve_zero");
    let conf = s.call_ok(
        "ReserveNow",
        json!({"connectorId": 0, "expiryDate": at(30), "idTag": "TAG", "reservationId": 9}),
    );
    assert_eq!(conf["status"], "Accepted");
    assert_eq!(
        s.statuses(0).last().unwrap(),
        "Available",
        "connector 0 never reports Reserved"
    );
    // TAG2 takes connector 1; then connector 2 is the last free one, kept for TAG.
    s.cp.plug(s.now, 1).unwrap();
    s.cp.present_id_tag(s.now, "TAG2").unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(1));
    s.cp.plug(s.now, 2).unwrap();
    s.cp.present_id_tag(s.now, "CHILD1").unwrap();
    s.run_ms(50);
    assert!(!s.cp.has_transaction(2));
    s.cp.present_id_tag(s.now, "TAG").unwrap();
    s.run_ms(50);
    assert!(s.cp.has_transaction(2));
    assert_eq!(s.csms.last("StartTransaction").unwrap().payload["reservationId"], 9);
}

#[test]
fn remote_start_respects_reservations() {
    let mut s = Sim::with(
        "reserve_remote",
        Config {
            connectors: 1,
            ..config()
        },
    );
    s.call_ok(
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": at(30), "idTag": "TAG", "reservationId": 4}),
    );
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG2", "connectorId": 1}))["status"],
        "Rejected"
    );
    assert_eq!(
        s.call_ok("RemoteStartTransaction", json!({"idTag": "TAG", "connectorId": 1}))["status"],
        "Accepted"
    );
}
