"""Tests of server/dev_csms.py against a fake charge point made with the `ocpp` library."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from dev_csms import CommandError, CsmsConfig, DevCsms
from fake_cp import now, running_cp
from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from ocpp_schemas import is_rfc3339

ROOT = Path(__file__).resolve().parents[2]
TEST_TIMEOUT = 30.0


def run_with_csms(body: Callable[[DevCsms], Awaitable[None]], **config: Any) -> DevCsms:
    """Start a CSMS on a free port, run the test body, always stop the CSMS."""

    async def main() -> DevCsms:
        csms = DevCsms(CsmsConfig(port=0, **config))
        await csms.start()
        try:
            await asyncio.wait_for(body(csms), TEST_TIMEOUT)
        finally:
            await csms.stop()
        return csms

    return asyncio.run(main())


def frames(csms: DevCsms, **fields: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in csms.records
        if r["event"] == "message" and all(r.get(k) == v for k, v in fields.items())
    ]


def boot_call() -> call.BootNotification:
    return call.BootNotification(charge_point_vendor="Acme", charge_point_model="Fake")


def test_boot_heartbeat_status_are_answered_and_logged() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            boot = await cp.call(boot_call())
            assert boot.status == "Accepted" and boot.interval == 42
            assert is_rfc3339(boot.current_time) and boot.current_time.endswith("Z")
            beat = await cp.call(call.Heartbeat())
            assert is_rfc3339(beat.current_time)
            await cp.call(
                call.StatusNotification(
                    connector_id=1, error_code="NoError", status="Available", timestamp=now()
                )
            )
            await csms.wait_message("StatusNotification", "CP_1", status="Available", timeout=2)

    csms = run_with_csms(body, heartbeat_interval=42)
    connect = next(r for r in csms.records if r["event"] == "connect")
    assert connect["cp"] == "CP_1" and connect["subprotocol"] == "ocpp1.6"
    ins = frames(csms, direction="in", type="CALL")
    assert [r["action"] for r in ins] == ["BootNotification", "Heartbeat", "StatusNotification"]
    outs = frames(csms, direction="out", type="CALLRESULT")
    assert [r["action"] for r in outs] == ["BootNotification", "Heartbeat", "StatusNotification"]
    assert outs[0]["id"] == ins[0]["id"] and outs[0]["payload"]["interval"] == 42
    assert csms.validation_errors() == []
    assert any(r["event"] == "disconnect" and r["cp"] == "CP_1" for r in csms.records)


def test_authorize_and_transactions_count_up() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_7"), "CP_7") as cp:
            await cp.call(boot_call())
            good = await cp.call(call.Authorize(id_tag="GOOD"))
            bad = await cp.call(call.Authorize(id_tag="NOPE"))
            assert good.id_tag_info["status"] == "Accepted"
            assert bad.id_tag_info["status"] == "Invalid"
            first = await cp.call(
                call.StartTransaction(connector_id=1, id_tag="GOOD", meter_start=0, timestamp=now())
            )
            second = await cp.call(
                call.StartTransaction(connector_id=2, id_tag="NOPE", meter_start=5, timestamp=now())
            )
            assert (first.transaction_id, second.transaction_id) == (100, 101)
            assert first.id_tag_info["status"] == "Accepted"
            assert second.id_tag_info["status"] == "Invalid"
            assert csms.open_transaction_of("CP_7") == 101
            stop = await cp.call(
                call.StopTransaction(
                    meter_stop=1500, timestamp=now(), transaction_id=101, id_tag="NOPE"
                )
            )
            assert stop.id_tag_info["status"] == "Invalid"
            assert csms.open_transaction_of("CP_7") == 100

    csms = run_with_csms(body, tags={"GOOD"}, first_transaction_id=100)
    assert csms.transactions[101]["meter_stop"] == 1500
    assert csms.validation_errors() == []


def test_every_cp_initiated_message_is_answered() -> None:
    calls = [
        call.DataTransfer(vendor_id="acme", message_id="hello", data="x"),
        call.DiagnosticsStatusNotification(status="Uploaded"),
        call.FirmwareStatusNotification(status="Installed"),
        call.MeterValues(
            connector_id=1,
            transaction_id=1,
            meter_value=[
                {
                    "timestamp": now(),
                    "sampledValue": [
                        {
                            "value": "1234",
                            "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh",
                        }
                    ],
                }
            ],
        ),
        call.SecurityEventNotification(type="StartupOfTheDevice", timestamp=now(), tech_info=None),
        call.LogStatusNotification(status="Idle", request_id=None),
    ]

    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            for request in calls:
                result = await cp.call(request, suppress=False)
                assert result is not None

    csms = run_with_csms(body)
    answered = [r["action"] for r in frames(csms, direction="out", type="CALLRESULT")]
    assert answered == [type(c).__name__ for c in calls]
    assert frames(csms, type="CALLERROR") == []
    assert csms.validation_errors() == []


def test_schema_violation_is_recorded_and_answered_with_callerror() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            bad = call.StatusNotification(
                connector_id=1, error_code="NoError", status="Sleeping", timestamp=now()
            )
            with pytest.raises(OCPPError):
                await cp.call(bad, suppress=False, skip_schema_validation=True)

    csms = run_with_csms(body)
    errors = csms.validation_errors()
    assert len(errors) == 1
    assert errors[0]["source"] == "schema" and errors[0]["action"] == "StatusNotification"
    assert "Sleeping" in errors[0]["error"]
    callerror = frames(csms, direction="out", type="CALLERROR")
    assert len(callerror) == 1 and callerror[0]["action"] == "StatusNotification"
    assert callerror[0]["id"] == errors[0]["id"]


def test_date_time_without_zone_is_a_validation_error() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            start = call.StartTransaction(
                connector_id=1, id_tag="T", meter_start=0, timestamp="2026-01-01T10:00:00"
            )
            result = await cp.call(start)  # the library itself does not check formats
            assert result.transaction_id == 1
            await cp.call(call.Heartbeat())

    csms = run_with_csms(body)
    errors = csms.validation_errors()
    assert [(e["source"], e["action"]) for e in errors] == [("date-time", "StartTransaction")]
    assert "timestamp" in errors[0]["error"]


def test_unknown_action_from_cp_is_recorded() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            await cp._send(json.dumps([2, "x1", "Reset", {"type": "Soft"}]))
            await csms.wait_record(
                lambda r: r["event"] == "message" and r["type"] == "CALLERROR", timeout=5
            )

    csms = run_with_csms(body)
    errors = csms.validation_errors()
    assert [(e["source"], e["action"]) for e in errors] == [("action", "Reset")]
    assert frames(csms, type="CALLERROR")[0]["payload"]["errorCode"] == "NotImplemented"


COMMANDS = [
    ("remote_start CP_1 TAG1 1", "RemoteStartTransaction", {"idTag": "TAG1", "connectorId": 1}),
    ("remote_stop CP_1 17", "RemoteStopTransaction", {"transactionId": 17}),
    ("reset CP_1 Soft", "Reset", {"type": "Soft"}),
    ("unlock CP_1 1", "UnlockConnector", {"connectorId": 1}),
    (
        "change_availability CP_1 0 Inoperative",
        "ChangeAvailability",
        {"connectorId": 0, "type": "Inoperative"},
    ),
    (
        "get_configuration CP_1 HeartbeatInterval Foo",
        "GetConfiguration",
        {"key": ["HeartbeatInterval", "Foo"]},
    ),
    ("get_configuration CP_1", "GetConfiguration", {}),
    (
        "change_configuration CP_1 HeartbeatInterval 60",
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
    ),
    ("clear_cache CP_1", "ClearCache", {}),
    (
        "data_transfer CP_1 acme greet hi",
        "DataTransfer",
        {"vendorId": "acme", "messageId": "greet", "data": "hi"},
    ),
    (
        "trigger CP_1 StatusNotification 1",
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
    ),
    (
        (
            'set_charging_profile CP_1 1 \'{"chargingProfileId":1,"stackLevel":0,'
            '"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",'
            '"chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":'
            '[{"startPeriod":0,"limit":3700.5}]}}\''
        ),
        "SetChargingProfile",
        None,
    ),
    (
        "clear_charging_profile CP_1 id=1 purpose=TxDefaultProfile",
        "ClearChargingProfile",
        {"id": 1, "chargingProfilePurpose": "TxDefaultProfile"},
    ),
    (
        "get_composite_schedule CP_1 1 3600 A",
        "GetCompositeSchedule",
        {"connectorId": 1, "duration": 3600, "chargingRateUnit": "A"},
    ),
    ("send_local_list CP_1 3 Full TAG1 TAG2:Blocked", "SendLocalList", None),
    ("get_local_list_version CP_1", "GetLocalListVersion", {}),
    ("reserve_now CP_1 1 TAG1 5", "ReserveNow", None),
    ("cancel_reservation CP_1 5", "CancelReservation", {"reservationId": 5}),
    ("update_firmware CP_1 http://example.invalid/fw.bin", "UpdateFirmware", None),
    (
        "get_diagnostics CP_1 ftp://example.invalid/up",
        "GetDiagnostics",
        {"location": "ftp://example.invalid/up"},
    ),
    ("call CP_1 UnlockConnector '{\"connectorId\": 2}'", "UnlockConnector", {"connectorId": 2}),
]


def test_every_cs_initiated_command_reaches_the_cp() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            for line, action, payload in COMMANDS:
                done = await csms.run_command(line)
                assert done is not None and done["status"] == "result", (line, done)
                assert done["action"] == action
                if payload is not None:
                    assert done["request"] == payload
            assert [a for a, _ in cp.received] == [a for _, a, _ in COMMANDS]

    csms = run_with_csms(body)
    done = [r for r in csms.records if r["event"] == "call_done"]
    by_action = {r["action"]: r for r in done}
    assert (
        by_action["GetConfiguration"]["result"]["configurationKey"][0]["key"] == "HeartbeatInterval"
    )
    assert by_action["GetDiagnostics"]["result"] == {"fileName": "diag.log"}
    assert by_action["ReserveNow"]["request"]["expiryDate"].endswith("Z")
    assert by_action["SendLocalList"]["request"]["localAuthorizationList"] == [
        {"idTag": "TAG1", "idTagInfo": {"status": "Accepted"}},
        {"idTag": "TAG2", "idTagInfo": {"status": "Blocked"}},
    ]
    # every CS call is logged in both directions with the same id and action
    for r in done:
        out = frames(csms, direction="out", type="CALL", id=r["id"])
        back = frames(csms, direction="in", type="CALLRESULT", id=r["id"])
        assert len(out) == 1 and len(back) == 1 and back[0]["action"] == r["action"]
    assert csms.validation_errors() == []


def test_call_outcomes_error_timeout_invalid() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1", hang={"ClearCache"}, bad_reset=True):
            # the fake CP has no handler: it answers with a CALLERROR
            err = await csms.call(
                "CP_1",
                "GetInstalledCertificateIds",
                {"certificateType": "CentralSystemRootCertificate"},
            )
            assert err["status"] == "error" and err["error"]["errorCode"] == "NotImplemented"
            bad = await csms.call("CP_1", "Reset", {"type": "Soft"})
            assert bad["status"] == "invalid_response" and bad["result"] == {"status": "Maybe"}
            ours = await csms.call("CP_1", "Reset", {"type": "Warm"})
            assert ours["status"] == "invalid_request"
            hung = await csms.call("CP_1", "ClearCache")
            assert hung["status"] == "timeout"
            gone = await csms.call("CP_9", "ClearCache")
            assert gone["status"] == "not_connected"
            nope = await csms.call("CP_1", "Frobnicate")
            assert nope["status"] == "unknown_action"

    csms = run_with_csms(body, call_timeout=0.5)
    sources = [(e["source"], e["direction"], e["action"]) for e in csms.validation_errors()]
    assert sources == [("schema", "in", "Reset"), ("schema", "out", "Reset")]


def test_basic_auth_checks_id_and_key() -> None:
    key = "0123456789abcdef0123"

    async def body(csms: DevCsms) -> None:
        for cp_id, given in (("CP_1", None), ("CP_1", "wrong-key-0000000"), ("CP_2", key)):
            with pytest.raises(websockets.InvalidStatus) as info:
                async with running_cp(csms.url("CP_1"), cp_id, auth_key=given):
                    pass
            assert info.value.response.status_code == 401
        async with running_cp(csms.url("CP_1"), "CP_1", auth_key=key) as cp:
            assert (await cp.call(boot_call())).status == "Accepted"

    csms = run_with_csms(body, auth_key=key)
    assert len([r for r in csms.records if r["event"] == "auth_rejected"]) == 3
    assert len([r for r in csms.records if r["event"] == "connect"]) == 1


def test_scripted_wait_for_moves_a_cursor() -> None:
    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            for status in ("Available", "Preparing"):
                await cp.call(
                    call.StatusNotification(
                        connector_id=1, error_code="NoError", status=status, timestamp=now()
                    )
                )
            first = await csms.run_command("wait_for StatusNotification timeout=1")
            second = await csms.run_command("wait_for StatusNotification cp=CP_1 timeout=1")
            assert first and second
            assert (first["payload"]["status"], second["payload"]["status"]) == (
                "Available",
                "Preparing",
            )
            with pytest.raises(CommandError):
                await csms.run_command("wait_for StatusNotification timeout=0.2")
            with pytest.raises(CommandError):  # the connect lies behind the cursor now
                await csms.run_command("wait_for connect cp=CP_1 timeout=0.2")

    run_with_csms(body)


def test_bad_command_lines_are_errors() -> None:
    async def body(csms: DevCsms) -> None:
        for line in (
            "frobnicate CP_1",
            "unlock CP_1 one",
            "remote_stop CP_1",
            "wait soon",
            "set_charging_profile CP_1 1 {nope",
            "unlock",
        ):
            with pytest.raises(CommandError):
                await csms.run_command(line)
        assert await csms.run_command("# comment only") is None

    run_with_csms(body)


def test_jsonl_log_has_one_line_per_message(tmp_path: Path) -> None:
    log = tmp_path / "csms.jsonl"

    async def body(csms: DevCsms) -> None:
        async with running_cp(csms.url("CP_1"), "CP_1") as cp:
            await cp.call(boot_call())
            await csms.run_command("clear_cache CP_1")

    run_with_csms(body, log_path=log)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    msgs = [x for x in lines if x["event"] == "message"]
    assert [(m["direction"], m["type"], m["action"]) for m in msgs] == [
        ("in", "CALL", "BootNotification"),
        ("out", "CALLRESULT", "BootNotification"),
        ("out", "CALL", "ClearCache"),
        ("in", "CALLRESULT", "ClearCache"),
    ]
    for m in msgs:
        assert {"ts", "cp", "id", "payload"} <= m.keys() and is_rfc3339(m["ts"])
    done = [x for x in lines if x["event"] == "call_done"]
    assert done[0]["result"] == {"status": "Accepted"}


def test_command_line_script_runs_and_exits(tmp_path: Path) -> None:
    """The CLI: listening line on stdout, script commands, non-zero exit on a failed wait_for."""
    script = tmp_path / "s.txt"
    script.write_text("wait 0.05\nwait_for connect timeout=0.3\nquit\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "server" / "dev_csms.py"),
            "--port",
            "0",
            "--quiet",
            "--script",
            str(script),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert out[0]["event"] == "listening" and out[0]["port"] > 0
    assert out[1] == {"event": "waited", "seconds": 0.05}
    assert out[2]["event"] == "command_error" and proc.returncode == 1

    script.write_text("wait 0\nquit\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "server" / "dev_csms.py"),
            "--port",
            "0",
            "--script",
            str(script),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["event"] for x in proc.stdout.splitlines()] == [
        "listening",
        "waited",
        "quit",
    ]
    assert "listening" in proc.stderr  # the transcript
