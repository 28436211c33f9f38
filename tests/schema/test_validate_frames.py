"""Tests of tests/schema/validate_frames.py with real frames."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "validate_frames.py"

GOOD = [
    {
        "test": "boot",
        "action": "BootNotification",
        "kind": "req",
        "payload": {"chargePointVendor": "ocpp-cp", "chargePointModel": "sim"},
    },
    {
        "test": "boot",
        "action": "StatusNotification",
        "kind": "req",
        "payload": {
            "connectorId": 0,
            "errorCode": "NoError",
            "status": "Available",
            "timestamp": "2026-01-01T00:00:00Z",
        },
    },
    {
        "test": "tx",
        "action": "StartTransaction",
        "kind": "req",
        "payload": {
            "connectorId": 1,
            "idTag": "TAG1",
            "meterStart": 0,
            "timestamp": "2026-01-01T00:00:00.123+01:00",
        },
    },
    {
        "test": "tx",
        "action": "MeterValues",
        "kind": "req",
        "payload": {
            "connectorId": 1,
            "transactionId": 7,
            "meterValue": [
                {
                    "timestamp": "2026-01-01T00:01:00Z",
                    "sampledValue": [
                        {"value": "12.5", "measurand": "Current.Import", "unit": "A", "phase": "L1"}
                    ],
                }
            ],
        },
    },
    {
        "test": "remote",
        "action": "RemoteStartTransaction",
        "kind": "conf",
        "payload": {"status": "Accepted"},
    },
    {
        "test": "smart",
        "action": "GetCompositeSchedule",
        "kind": "conf",
        "payload": {
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": "2026-01-01T00:00:00Z",
            "chargingSchedule": {
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 3700.1}],
            },
        },
    },
]


def run(tmp_path: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "frames.jsonl").write_text("\n".join(lines) + "\n")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_valid_frames_pass_with_a_summary(tmp_path: Path) -> None:
    proc = run(tmp_path, [json.dumps(f) for f in GOOD])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 frames, 0 errors" in proc.stdout
    assert any(
        line.split() == ["StartTransaction", "req", "1"] for line in proc.stdout.splitlines()
    )


def test_each_kind_of_error_is_reported_with_its_test(tmp_path: Path) -> None:
    bad = [
        {
            "test": "t_missing",
            "action": "BootNotification",
            "kind": "req",
            "payload": {"chargePointVendor": "x"},
        },
        {
            "test": "t_enum",
            "action": "StatusNotification",
            "kind": "req",
            "payload": {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"},
        },
        {
            "test": "t_zone",
            "action": "StopTransaction",
            "kind": "req",
            "payload": {"meterStop": 5, "timestamp": "2026-01-01T00:00:00", "transactionId": 1},
        },
        {"test": "t_conf", "action": "Reset", "kind": "conf", "payload": {"status": "Maybe"}},
        {"test": "t_extra", "action": "Heartbeat", "kind": "req", "payload": {"now": 1}},
        {"test": "t_action", "action": "Frobnicate", "kind": "req", "payload": {}},
        {"test": "t_kind", "action": "Heartbeat", "kind": "resp", "payload": {}},
        {
            "test": "t_decimal",
            "action": "GetCompositeSchedule",
            "kind": "conf",
            "payload": {
                "status": "Accepted",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.25}],
                },
            },
        },
    ]
    proc = run(tmp_path, [json.dumps(f) for f in GOOD + bad] + ["{not json"])
    assert proc.returncode == 1
    errors = [line for line in proc.stdout.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == len(bad) + 1
    for frame in bad:
        assert any(str(frame["test"]) in e for e in errors), frame["test"]
    zone = next(e for e in errors if "t_zone" in e)
    assert "timestamp" in zone and "date-time" in zone
    assert any("not JSON" in e for e in errors)


def test_no_frames_is_a_failure(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "no frame found" in proc.stderr
