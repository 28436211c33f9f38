"""Interop: the `ocpp-sim` binary against the Python dev CSMS (in-process) and the npm
ocpp-rpc CSMS (strictMode, subprocess).

The simulator comes from env OCPP_SIM_BIN (default target/debug/ocpp-sim); these tests are
skipped when it is missing. `OCPP_SIM_BIN=tests/interop/fake_sim.py` runs them against the
Python stand-in. Every wait is bounded; both processes are stopped in teardown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from harness import CsmsDriver, NodeCsmsDriver, PyCsmsDriver, SimProcess, node_ready, sim_binary
from ocpp_schemas import Kind, date_time_errors

SIM = sim_binary()
pytestmark = pytest.mark.skipif(
    SIM is None, reason="ocpp-sim not built (cargo build --bin ocpp-sim)"
)

CP = "CP_1"
TAG = "TAG1"
BOOT_TIMEOUT = 30.0
STEP_TIMEOUT = 20.0


@dataclass
class Rig:
    csms: CsmsDriver
    sim: SimProcess

    def result_of(self, request: dict[str, Any]) -> dict[str, Any]:
        """The CALLRESULT payload the CSMS sent for a recorded CP CALL (waits for it)."""
        answer = self.csms.wait(
            "message",
            since=request["seq"],
            timeout=STEP_TIMEOUT,
            direction="out",
            type="CALLRESULT",
            id=request["id"],
        )
        return answer["payload"]

    def status(self, connector: int, status: str, since: int) -> dict[str, Any]:
        return self.csms.wait(
            "StatusNotification",
            since=since,
            timeout=STEP_TIMEOUT,
            cp=CP,
            connectorId=connector,
            status=status,
        )


def start_csms(kind: str, tmp_path: Path) -> CsmsDriver:
    if kind == "node":
        return NodeCsmsDriver({TAG}, tmp_path / "csms-node.jsonl", tmp_path / "csms-node.stderr")
    return PyCsmsDriver({TAG}, tmp_path / "csms-python.jsonl", tmp_path / "csms-python.transcript")


@pytest.fixture(params=["python", "node"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    if request.param == "node" and node_ready() is not None:
        pytest.skip(str(node_ready()))
    assert SIM is not None
    csms = start_csms(request.param, tmp_path)
    sim = None
    try:
        sim = SimProcess(
            SIM,
            csms.url(CP),
            CP,
            [
                "--connectors",
                "1",
                "--state-dir",
                str(tmp_path / "state"),
                "--config",
                "MeterValueSampleInterval=1",
            ],
            tmp_path / "sim.stderr",
        )
        boot = csms.wait("BootNotification", since=0, timeout=BOOT_TIMEOUT, cp=CP)
        # before Accepted a charge point sends nothing else (1.6 §4.2)
        assert boot["seq"] == min(
            r["seq"] for r in csms.records() if r["event"] == "message" and r["direction"] == "in"
        )
        csms.wait(
            "StatusNotification", since=boot["seq"], timeout=STEP_TIMEOUT, cp=CP, connectorId=1
        )
        yield Rig(csms, sim)
    finally:
        if sim is not None:
            sim.stop()
        csms.stop()


def assert_clean(rig: Rig) -> None:
    """Zero validation errors, every CP date-time RFC 3339 with zone, no sim error events."""
    assert rig.csms.validation_errors() == []
    for r in rig.csms.records():
        if (
            r["event"] == "message"
            and r["direction"] == "in"
            and r["type"] != "CALLERROR"
            and r["action"]
        ):
            kind: Kind = "req" if r["type"] == "CALL" else "conf"
            assert date_time_errors(r["action"], kind, r["payload"]) == [], r
    assert [
        r for r in rig.csms.records() if r["event"] == "message" and r["type"] == "CALLERROR"
    ] == []
    assert rig.sim.all_events("error") == []


def test_boot_and_status(rig: Rig) -> None:
    records = rig.csms.records()
    connect = next(r for r in records if r["event"] == "connect")
    assert connect["cp"] == CP and connect["subprotocol"] == "ocpp1.6"
    boot = next(r for r in records if r["event"] == "message" and r["action"] == "BootNotification")
    assert boot["payload"]["chargePointVendor"] and boot["payload"]["chargePointModel"]
    assert rig.result_of(boot)["status"] == "Accepted"
    rig.sim.wait_event("boot", timeout=STEP_TIMEOUT, status="Accepted")
    rig.sim.wait_event("connection", timeout=STEP_TIMEOUT)
    # 1.6 §4.9: after boot the charge point reports every connector, 0 included
    rig.csms.wait("StatusNotification", since=0, timeout=STEP_TIMEOUT, cp=CP, connectorId=0)
    assert_clean(rig)


def test_rfid_session(rig: Rig) -> None:
    m = rig.csms.mark()
    rig.sim.send("plug 1")
    rig.status(1, "Preparing", m)
    rig.sim.send(f"tap {TAG}")
    start = rig.csms.wait(
        "StartTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, connectorId=1, idTag=TAG
    )
    tx = rig.result_of(start)["transactionId"]
    rig.status(1, "Charging", m)
    rig.sim.wait_event("tx_started", timeout=STEP_TIMEOUT, connector=1, transaction_id=tx)

    first = rig.csms.wait(
        "MeterValues", since=start["seq"], timeout=STEP_TIMEOUT, cp=CP, transactionId=tx
    )
    second = rig.csms.wait(
        "MeterValues", since=first["seq"] + 1, timeout=STEP_TIMEOUT, cp=CP, transactionId=tx
    )
    for mv in (first, second):
        assert mv["payload"]["connectorId"] == 1 and mv["payload"]["meterValue"]

    m = rig.csms.mark()
    rig.sim.send(f"tap {TAG}")
    stop = rig.csms.wait("StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, transactionId=tx)
    assert stop["payload"].get("reason", "Local") == "Local"
    assert stop["payload"]["meterStop"] >= start["payload"]["meterStart"]
    rig.status(1, "Finishing", m)
    rig.sim.wait_event("tx_stopped", timeout=STEP_TIMEOUT, connector=1, transaction_id=tx)
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
        "StartTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, connectorId=1, idTag=TAG
    )
    tx = rig.result_of(start)["transactionId"]
    rig.status(1, "Charging", m)

    m = rig.csms.mark()
    done = rig.csms.call(f"remote_stop {CP} {tx}")
    assert done["result"]["status"] == "Accepted"
    rig.sim.wait_event("remote_stop", timeout=STEP_TIMEOUT)
    stop = rig.csms.wait("StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, transactionId=tx)
    assert stop["payload"]["reason"] == "Remote"
    rig.sim.send("unplug 1")
    rig.status(1, "Available", m)
    assert_clean(rig)


def test_core_cs_initiated_messages(rig: Rig) -> None:
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"change_availability {CP} 1 Inoperative")["result"]["status"] == "Accepted"
    )
    rig.status(1, "Unavailable", m)
    assert rig.csms.call(f"change_availability {CP} 1 Operative")["result"]["status"] == "Accepted"
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
    one = rig.csms.call(f"get_configuration {CP} HeartbeatInterval NoSuchKeyAnywhere")["result"]
    assert [k["key"] for k in one["configurationKey"]] == ["HeartbeatInterval"]
    assert one["unknownKey"] == ["NoSuchKeyAnywhere"]

    assert rig.csms.call(f"clear_cache {CP}")["result"]["status"] in ("Accepted", "Rejected")
    s = rig.sim.mark()
    rig.csms.call(f"data_transfer {CP} com.example.test ping hello")  # status: schema-checked enum
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
        "StatusNotification", since=boot["seq"], timeout=STEP_TIMEOUT, cp=CP, connectorId=1
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
        line = f"trigger {CP} {message}" + (f" {connector}" if connector is not None else "")
        status = rig.csms.call(line)["result"]["status"]
        if message in FIRMWARE_TRIGGERS and "FirmwareManagement" not in profiles:
            # 1.6 §7.51: a message of a profile this build lacks is NotImplemented.
            assert status == "NotImplemented", message
            continue
        assert status == "Accepted", message
        # 1.6 §5.17: the requested message follows the TriggerMessage.conf
        rig.csms.wait(message, since=m, timeout=STEP_TIMEOUT, cp=CP, **fields)
    assert_clean(rig)
