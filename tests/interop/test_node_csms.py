"""Tests of the ocpp-rpc (strictMode) central system tests/interop/node/csms.mjs, driven
through its stdin/stdout command interface, against the `ocpp` library's fake charge point."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import websockets
from fake_cp import now, running_cp
from harness import NodeCsmsDriver, node_ready
from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from ocpp_schemas import is_rfc3339
from test_dev_csms import COMMANDS

pytestmark = pytest.mark.skipif(node_ready() is not None, reason=str(node_ready()))
KEY = "0123456789abcdef0123"


@pytest.fixture
def node(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[NodeCsmsDriver]:
    extra = getattr(request, "param", ())
    driver = NodeCsmsDriver(
        {"GOOD"}, tmp_path / "node.jsonl", tmp_path / "node.stderr", extra_args=extra
    )
    try:
        yield driver
    finally:
        driver.stop()


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(body(), 60))


def messages(node: NodeCsmsDriver, **fields: object) -> list[dict]:
    return [
        r
        for r in node.records()
        if r["event"] == "message" and all(r.get(k) == v for k, v in fields.items())
    ]


def test_cp_initiated_calls_are_answered(node: NodeCsmsDriver) -> None:
    async def body() -> None:
        async with running_cp(node.url("CP_1"), "CP_1") as cp:
            boot = await cp.call(
                call.BootNotification(charge_point_vendor="A", charge_point_model="B")
            )
            assert boot.status == "Accepted" and is_rfc3339(boot.current_time)
            assert (await cp.call(call.Authorize(id_tag="GOOD"))).id_tag_info[
                "status"
            ] == "Accepted"
            assert (await cp.call(call.Authorize(id_tag="BAD"))).id_tag_info["status"] == "Invalid"
            tx1 = await cp.call(
                call.StartTransaction(connector_id=1, id_tag="GOOD", meter_start=0, timestamp=now())
            )
            tx2 = await cp.call(
                call.StartTransaction(connector_id=2, id_tag="GOOD", meter_start=0, timestamp=now())
            )
            assert (tx1.transaction_id, tx2.transaction_id) == (1, 2)
            for request in (
                call.Heartbeat(),
                call.StatusNotification(
                    connector_id=1, error_code="NoError", status="Charging", timestamp=now()
                ),
                call.MeterValues(
                    connector_id=1,
                    transaction_id=1,
                    meter_value=[{"timestamp": now(), "sampledValue": [{"value": "10"}]}],
                ),
                call.StopTransaction(
                    meter_stop=10, timestamp=now(), transaction_id=1, id_tag="GOOD"
                ),
                call.DataTransfer(vendor_id="acme"),
                call.DiagnosticsStatusNotification(status="Idle"),
                call.FirmwareStatusNotification(status="Idle"),
            ):
                assert await cp.call(request, suppress=False) is not None

    run(body)
    node.wait("StopTransaction", since=0, timeout=5)
    ins = [r["action"] for r in messages(node, direction="in", type="CALL")]
    assert ins[:5] == [
        "BootNotification",
        "Authorize",
        "Authorize",
        "StartTransaction",
        "StartTransaction",
    ]
    assert len(messages(node, direction="out", type="CALLRESULT")) == len(ins) == 12
    assert node.validation_errors() == []
    assert node.command("remote_stop CP_1")["status"] == "not_connected"  # it left


def test_strict_mode_failure_is_recorded(node: NodeCsmsDriver) -> None:
    async def body() -> None:
        async with running_cp(node.url("CP_1"), "CP_1") as cp:
            bad = call.StatusNotification(
                connector_id=1, error_code="NoError", status="Sleeping", timestamp=now()
            )
            with pytest.raises(OCPPError):
                await cp.call(bad, suppress=False, skip_schema_validation=True)
            garbage = call.StartTransaction(
                connector_id=1, id_tag="T", meter_start=0, timestamp="yesterday"
            )
            with pytest.raises(OCPPError):  # strict mode checks date-time formats (ajv-formats)
                await cp.call(garbage, suppress=False)
            # ...but ajv-formats 2.x lets a date-time without zone through: our own check sees it
            no_zone = call.StartTransaction(
                connector_id=1, id_tag="T", meter_start=0, timestamp="2026-01-01T10:00:00"
            )
            assert (await cp.call(no_zone, suppress=False)).transaction_id == 1

    run(body)
    errors = [(e["source"], e["action"]) for e in node.validation_errors()]
    assert errors == [
        ("schema", "StatusNotification"),
        ("date-time", "StartTransaction"),
        ("schema", "StartTransaction"),
        ("date-time", "StartTransaction"),
    ]
    callerrors = messages(node, direction="out", type="CALLERROR")
    assert [c["action"] for c in callerrors] == ["StatusNotification", "StartTransaction"]


@pytest.mark.parametrize("node", [("--call-timeout", "0.5")], indirect=True)
def test_every_cs_command_and_outcomes(node: NodeCsmsDriver) -> None:
    async def body() -> None:
        async with running_cp(node.url("CP_1"), "CP_1", hang={"ClearCache"}, bad_reset=True) as cp:
            for line, action, payload in COMMANDS:
                if action in ("ClearCache", "Reset"):
                    continue
                done = await asyncio.to_thread(node.command, line)
                assert done["status"] == "result" and done["action"] == action, (line, done)
                if payload is not None:
                    assert done["request"] == payload
            err = await asyncio.to_thread(
                node.command,
                "call CP_1 GetInstalledCertificateIds "
                '\'{"certificateType":"CentralSystemRootCertificate"}\'',
            )
            assert err["status"] == "error" and err["error"]["errorCode"] == "NotImplemented"
            bad = await asyncio.to_thread(node.command, "reset CP_1 Soft")
            assert bad["status"] == "invalid_response" and bad["result"] == {"status": "Maybe"}
            ours = await asyncio.to_thread(node.command, "reset CP_1 Warm")
            assert ours["status"] == "invalid_request"
            hung = await asyncio.to_thread(node.command, "clear_cache CP_1")
            assert hung["status"] == "timeout"
            assert len(cp.received) == len(COMMANDS)  # 2 skipped above, Reset + ClearCache here

    run(body)
    sources = [(e["source"], e["direction"], e["action"]) for e in node.validation_errors()]
    assert sources == [("schema", "in", "Reset"), ("schema", "out", "Reset")]
    done = [r for r in node.records() if r["event"] == "call_done" and r["status"] == "result"]
    for r in done:
        back = messages(node, direction="in", type="CALLRESULT", id=r["id"])
        assert len(back) == 1 and back[0]["action"] == r["action"]


@pytest.mark.parametrize("node", [("--auth-key", KEY)], indirect=True)
def test_basic_auth(node: NodeCsmsDriver) -> None:
    async def body() -> None:
        with pytest.raises(websockets.InvalidStatus) as info:
            async with running_cp(node.url("CP_1"), "CP_1", auth_key="wrong-key-000000000"):
                pass
        assert info.value.response.status_code == 401
        async with running_cp(node.url("CP_1"), "CP_1", auth_key=KEY) as cp:
            await cp.call(call.Heartbeat())

    run(body)
    events = [r["event"] for r in node.records()]
    assert events.count("auth_rejected") == 1 and events.count("connect") == 1


def test_script_wait_for_and_log_lines(node: NodeCsmsDriver) -> None:
    async def body() -> None:
        async with running_cp(node.url("CP_3"), "CP_3") as cp:
            await cp.call(
                call.StatusNotification(
                    connector_id=2, error_code="NoError", status="Faulted", timestamp=now()
                )
            )
            found = await asyncio.to_thread(
                node.command, "wait_for StatusNotification cp=CP_3 connectorId=2 timeout=3"
            )
            assert found["payload"]["status"] == "Faulted"
            with pytest.raises(AssertionError):
                await asyncio.to_thread(node.command, "wait_for StatusNotification timeout=0.2")
            again = await asyncio.to_thread(
                node.command, "wait_for StatusNotification since=0 timeout=1"
            )
            assert again["seq"] == found["seq"]

    run(body)
    for line in node.log_path.read_text().splitlines():
        rec = json.loads(line)
        assert is_rfc3339(rec["ts"]) and isinstance(rec["seq"], int)
