//! The FirmwareManagement profile in virtual time (1.6 §3.12, §5.8, §5.19).
#![cfg(feature = "firmware-management")]

mod common;

use common::Sim;
use ocpp_cp::cp::Event;
use ocpp_cp::messages::{DiagnosticsStatus, FirmwareStatus};
use serde_json::json;

#[test]
fn update_firmware_waits_for_retrieve_date_and_reports_progress() {
    let mut s = Sim::new("firmware_update");
    let conf = s.call_ok(
        "UpdateFirmware",
        json!({"location": "http://127.0.0.1/fw.bin", "retrieveDate": "2026-01-01T00:10:00Z", "retries": 2, "retryInterval": 30}),
    );
    assert_eq!(conf, json!({}));
    s.run_secs(9 * 60);
    assert!(!s.events.iter().any(|e| matches!(e, Event::UpdateFirmware { .. })));
    s.run_secs(61);
    let ev = s
        .events
        .iter()
        .find(|e| matches!(e, Event::UpdateFirmware { .. }))
        .cloned();
    assert_eq!(
        ev,
        Some(Event::UpdateFirmware {
            location: "http://127.0.0.1/fw.bin".into(),
            retries: Some(2),
            retry_interval: Some(30)
        })
    );
    for st in [
        FirmwareStatus::Downloading,
        FirmwareStatus::Downloaded,
        FirmwareStatus::Installing,
    ] {
        s.cp.firmware_status(s.now, st).unwrap();
    }
    s.run_ms(100);
    // While busy, TriggerMessage reports the ongoing state.
    s.call_ok(
        "TriggerMessage",
        json!({"requestedMessage": "FirmwareStatusNotification"}),
    );
    s.run_ms(50);
    let sent: Vec<String> = s
        .csms
        .of("FirmwareStatusNotification")
        .iter()
        .map(|c| c.payload["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, ["Downloading", "Downloaded", "Installing", "Installing"]);
    s.cp.firmware_status(s.now, FirmwareStatus::Installed).unwrap();
    s.run_ms(50);
    s.call_ok(
        "TriggerMessage",
        json!({"requestedMessage": "FirmwareStatusNotification"}),
    );
    s.run_ms(50);
    assert_eq!(
        s.csms.last("FirmwareStatusNotification").unwrap().payload,
        json!({"status": "Idle"})
    );
}

#[test]
fn get_diagnostics_names_the_file_and_reports_upload() {
    let mut s = Sim::new("diagnostics");
    let conf = s.call_ok(
        "GetDiagnostics",
        json!({"location": "ftp://127.0.0.1/upload/", "startTime": "2025-12-31T00:00:00Z"}),
    );
    let name = conf["fileName"].as_str().unwrap().to_string();
    assert!(
        name.starts_with("diagnostics-CP_1-") && name.ends_with(".log"),
        "{name}"
    );
    assert!(s
        .events
        .iter()
        .any(|e| matches!(e, Event::GetDiagnostics { file_name, start_time: Some(_), .. } if *file_name == name)));
    s.cp.diagnostics_status(s.now, DiagnosticsStatus::Uploading).unwrap();
    s.run_ms(50);
    s.call_ok(
        "TriggerMessage",
        json!({"requestedMessage": "DiagnosticsStatusNotification"}),
    );
    s.run_ms(50);
    s.cp.diagnostics_status(s.now, DiagnosticsStatus::Uploaded).unwrap();
    s.run_ms(50);
    let sent: Vec<String> = s
        .csms
        .of("DiagnosticsStatusNotification")
        .iter()
        .map(|c| c.payload["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, ["Uploading", "Uploading", "Uploaded"]);
    let bad = s.call(
        "UpdateFirmware",
        json!({"location": "http://x/", "retrieveDate": "yesterday"}),
    );
    assert_eq!(bad[2], "PropertyConstraintViolation");
}
