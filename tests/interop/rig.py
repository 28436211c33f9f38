"""The shared rig for the interop tests: `ocpp-sim` against the Python dev CSMS (in-process)
or the npm ocpp-rpc CSMS (strictMode, subprocess), started and stopped around each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from harness import (
    CsmsDriver,
    NodeCsmsDriver,
    PyCsmsDriver,
    SimProcess,
    node_ready,
    sim_binary,
)
from ocpp_schemas import Kind, date_time_errors

SIM = sim_binary()
NEEDS_SIM = pytest.mark.skipif(
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
        return NodeCsmsDriver(
            {TAG}, tmp_path / "csms-node.jsonl", tmp_path / "csms-node.stderr"
        )
    return PyCsmsDriver(
        {TAG}, tmp_path / "csms-python.jsonl", tmp_path / "csms-python.transcript"
    )


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
            r["seq"]
            for r in csms.records()
            if r["event"] == "message" and r["direction"] == "in"
        )
        csms.wait(
            "StatusNotification",
            since=boot["seq"],
            timeout=STEP_TIMEOUT,
            cp=CP,
            connectorId=1,
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
        r
        for r in rig.csms.records()
        if r["event"] == "message" and r["type"] == "CALLERROR"
    ] == []
    assert rig.sim.all_events("error") == []
