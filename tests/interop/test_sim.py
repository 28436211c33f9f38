"""Interop: the `ocpp-sim` binary against the Python dev CSMS (in-process) and the npm
ocpp-rpc CSMS (strictMode, subprocess).

The simulator comes from env OCPP_SIM_BIN (default target/debug/ocpp-sim); these tests are
skipped when it is missing. `OCPP_SIM_BIN=tests/interop/fake_sim.py` runs them against the
Python stand-in. Every wait is bounded; both processes are stopped in teardown.
"""

from __future__ import annotations

import pytest
from rig import BOOT_TIMEOUT, CP, NEEDS_SIM, STEP_TIMEOUT, TAG, Rig, assert_clean

pytestmark = NEEDS_SIM


def test_boot_and_status(rig: Rig) -> None:
    records = rig.csms.records()
    connect = next(r for r in records if r["event"] == "connect")
    assert connect["cp"] == CP and connect["subprotocol"] == "ocpp1.6"
    boot = next(
        r
        for r in records
        if r["event"] == "message" and r["action"] == "BootNotification"
    )
    assert boot["payload"]["chargePointVendor"] and boot["payload"]["chargePointModel"]
    assert rig.result_of(boot)["status"] == "Accepted"
    rig.sim.wait_event("boot", timeout=STEP_TIMEOUT, status="Accepted")
    rig.sim.wait_event("connection", timeout=STEP_TIMEOUT)
    # 1.6 §4.9: after boot the charge point reports every connector, 0 included
    rig.csms.wait(
        "StatusNotification", since=0, timeout=STEP_TIMEOUT, cp=CP, connectorId=0
    )
    assert_clean(rig)


def test_rfid_session(rig: Rig) -> None:
    m = rig.csms.mark()
    rig.sim.send("plug 1")
    rig.status(1, "Preparing", m)
    rig.sim.send(f"tap {TAG}")
    start = rig.csms.wait(
        "StartTransaction",
        since=m,
        timeout=STEP_TIMEOUT,
        cp=CP,
        connectorId=1,
        idTag=TAG,
    )
    tx = rig.result_of(start)["transactionId"]
    rig.status(1, "Charging", m)
    rig.sim.wait_event(
        "tx_started", timeout=STEP_TIMEOUT, connector=1, transaction_id=tx
    )

    first = rig.csms.wait(
        "MeterValues", since=start["seq"], timeout=STEP_TIMEOUT, cp=CP, transactionId=tx
    )
    second = rig.csms.wait(
        "MeterValues",
        since=first["seq"] + 1,
        timeout=STEP_TIMEOUT,
        cp=CP,
        transactionId=tx,
    )
    for mv in (first, second):
        assert mv["payload"]["connectorId"] == 1 and mv["payload"]["meterValue"]

    m = rig.csms.mark()
    rig.sim.send(f"tap {TAG}")
    stop = rig.csms.wait(
        "StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, transactionId=tx
    )
    assert stop["payload"].get("reason", "Local") == "Local"
    assert stop["payload"]["meterStop"] >= start["payload"]["meterStart"]
    rig.status(1, "Finishing", m)
    rig.sim.wait_event(
        "tx_stopped", timeout=STEP_TIMEOUT, connector=1, transaction_id=tx
    )
    rig.sim.send("unplug 1")
    rig.status(1, "Available", m)
    assert_clean(rig)


def test_remote_session(rig: Rig) -> None:
    done = rig.csms.call(f"remote_start {CP} {TAG} 1")
    assert done["result"]["status"] == "Accepted"
    rig.sim.wait_event("remote_start", timeout=STEP_TIMEOUT)
    m = rig.csms.mark()
    rig.sim.send("plug 1")
    start = rig.csms.wait(
        "StartTransaction",
        since=m,
        timeout=STEP_TIMEOUT,
        cp=CP,
        connectorId=1,
        idTag=TAG,
    )
    tx = rig.result_of(start)["transactionId"]
    rig.status(1, "Charging", m)

    m = rig.csms.mark()
    done = rig.csms.call(f"remote_stop {CP} {tx}")
    assert done["result"]["status"] == "Accepted"
    rig.sim.wait_event("remote_stop", timeout=STEP_TIMEOUT)
    stop = rig.csms.wait(
        "StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, transactionId=tx
    )
    assert stop["payload"]["reason"] == "Remote"
    rig.sim.send("unplug 1")
    rig.status(1, "Available", m)
    assert_clean(rig)


def test_core_cs_initiated_messages(rig: Rig) -> None:
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"change_availability {CP} 1 Inoperative")["result"]["status"]
        == "Accepted"
    )
    rig.status(1, "Unavailable", m)
    assert (
        rig.csms.call(f"change_availability {CP} 1 Operative")["result"]["status"]
        == "Accepted"
    )
    rig.status(1, "Available", m)

    s = rig.sim.mark()
    done = rig.csms.call(f"change_configuration {CP} MeterValueSampleInterval 30")
    assert done["result"]["status"] == "Accepted"
    rig.sim.wait_event("config_changed", since=s, timeout=STEP_TIMEOUT)
    done = rig.csms.call(f"change_configuration {CP} NoSuchKeyAnywhere 1")
    assert done["result"]["status"] == "NotSupported"  # 1.6 §5.3: unknown key

    keys = rig.csms.call(f"get_configuration {CP}")["result"]["configurationKey"]
    values = {k["key"]: k.get("value") for k in keys}
    assert values["MeterValueSampleInterval"] == "30" and "HeartbeatInterval" in values
    one = rig.csms.call(f"get_configuration {CP} HeartbeatInterval NoSuchKeyAnywhere")[
        "result"
    ]
    assert [k["key"] for k in one["configurationKey"]] == ["HeartbeatInterval"]
    assert one["unknownKey"] == ["NoSuchKeyAnywhere"]

    assert rig.csms.call(f"clear_cache {CP}")["result"]["status"] in (
        "Accepted",
        "Rejected",
    )
    s = rig.sim.mark()
    rig.csms.call(
        f"data_transfer {CP} com.example.test ping hello"
    )  # status: schema-checked enum
    rig.sim.wait_event("data_transfer", since=s, timeout=STEP_TIMEOUT)
    s = rig.sim.mark()
    assert rig.csms.call(f"unlock {CP} 1")["result"]["status"] in (
        "Unlocked",
        "UnlockFailed",
        "NotSupported",
    )
    rig.sim.wait_event("unlock", since=s, timeout=STEP_TIMEOUT)
    assert_clean(rig)


@pytest.mark.parametrize("kind", ["Soft", "Hard"])
def test_reset_reboots(rig: Rig, kind: str) -> None:
    m = rig.csms.mark()
    s = rig.sim.mark()
    assert rig.csms.call(f"reset {CP} {kind}")["result"]["status"] == "Accepted"
    rig.sim.wait_event("reset", since=s, timeout=STEP_TIMEOUT, type=kind)
    boot = rig.csms.wait("BootNotification", since=m, timeout=BOOT_TIMEOUT, cp=CP)
    assert rig.result_of(boot)["status"] == "Accepted"
    rig.csms.wait(
        "StatusNotification",
        since=boot["seq"],
        timeout=STEP_TIMEOUT,
        cp=CP,
        connectorId=1,
    )
    assert_clean(rig)


TRIGGERS = [
    ("BootNotification", None, {}),
    ("Heartbeat", None, {}),
    ("StatusNotification", 1, {"connectorId": 1}),
    ("MeterValues", 1, {"connectorId": 1}),
    ("DiagnosticsStatusNotification", None, {}),
    ("FirmwareStatusNotification", None, {}),
]


FIRMWARE_TRIGGERS = {"DiagnosticsStatusNotification", "FirmwareStatusNotification"}


def test_trigger_message_for_each_target(rig: Rig) -> None:
    got = rig.csms.call(f"get_configuration {CP} SupportedFeatureProfiles")["result"]
    profiles = got["configurationKey"][0]["value"].split(",")
    for message, connector, fields in TRIGGERS:
        m = rig.csms.mark()
        line = f"trigger {CP} {message}" + (
            f" {connector}" if connector is not None else ""
        )
        status = rig.csms.call(line)["result"]["status"]
        if message in FIRMWARE_TRIGGERS and "FirmwareManagement" not in profiles:
            # 1.6 §7.51: a message of a profile this build lacks is NotImplemented.
            assert status == "NotImplemented", message
            continue
        assert status == "Accepted", message
        # 1.6 §5.17: the requested message follows the TriggerMessage.conf
        rig.csms.wait(message, since=m, timeout=STEP_TIMEOUT, cp=CP, **fields)
    assert_clean(rig)
