"""Interop for the optional profiles: `ocpp-sim` against the Python and the strict npm
central systems (schema-validated both ways), Reservation and FirmwareManagement here.

Firmware images and diagnostics uploads go through a small HTTP server on 127.0.0.1 that the
test starts and stops.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from rig import CP, NEEDS_SIM, STEP_TIMEOUT, TAG, Rig, assert_clean

pytestmark = NEEDS_SIM

NEW_VERSION = "9.9.9-interop"


class _Files(http.server.BaseHTTPRequestHandler):
    """GET serves `files`; PUT stores the body in `uploads`."""

    files: ClassVar[dict[str, bytes]] = {}
    uploads: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.uploads[self.path] = self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def files() -> Iterator[tuple[str, type[_Files]]]:
    handler = type("Files", (_Files,), {"files": {}, "uploads": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_reservation(rig: Rig) -> None:
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"reserve_now {CP} 1 {TAG} 42")["result"]["status"] == "Accepted"
    )
    rig.status(1, "Reserved", m)
    assert (
        rig.csms.call(f"reserve_now {CP} 1 OTHER 43")["result"]["status"] == "Occupied"
    )
    assert (
        rig.csms.call(f"cancel_reservation {CP} 77")["result"]["status"] == "Rejected"
    )
    m = rig.csms.mark()
    rig.sim.send("plug 1")
    rig.sim.send(f"tap {TAG}")
    start = rig.csms.wait(
        "StartTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, connectorId=1
    )
    assert start["payload"]["reservationId"] == 42
    # Used up by the transaction: nothing left to cancel.
    assert (
        rig.csms.call(f"cancel_reservation {CP} 42")["result"]["status"] == "Rejected"
    )
    m = rig.csms.mark()
    rig.sim.send(f"tap {TAG}")
    rig.csms.wait("StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP)
    m = rig.csms.mark()
    rig.sim.send("unplug 1")
    rig.status(1, "Available", m)
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"reserve_now {CP} 1 {TAG} 44")["result"]["status"] == "Accepted"
    )
    rig.status(1, "Reserved", m)
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"cancel_reservation {CP} 44")["result"]["status"] == "Accepted"
    )
    rig.status(1, "Available", m)
    assert_clean(rig)


def test_firmware_update_and_diagnostics(
    rig: Rig, files: tuple[str, type[_Files]]
) -> None:
    base, handler = files
    handler.files["/fw.bin"] = f"{NEW_VERSION}\nimage bytes\n".encode()
    m = rig.csms.mark()
    assert rig.csms.call(f"update_firmware {CP} {base}/fw.bin")["result"] == {}
    for status in ["Downloading", "Downloaded", "Installing", "Installed"]:
        rig.csms.wait(
            "FirmwareStatusNotification",
            since=m,
            timeout=STEP_TIMEOUT,
            cp=CP,
            status=status,
        )
    # The charger reboots into the new firmware and says so in BootNotification.
    boot = rig.csms.wait("BootNotification", since=m, timeout=STEP_TIMEOUT, cp=CP)
    assert boot["payload"]["firmwareVersion"] == NEW_VERSION
    m = rig.csms.mark()
    assert (
        rig.csms.call(f"trigger {CP} FirmwareStatusNotification")["result"]["status"]
        == "Accepted"
    )
    rig.csms.wait(
        "FirmwareStatusNotification",
        since=m,
        timeout=STEP_TIMEOUT,
        cp=CP,
        status="Idle",
    )

    m = rig.csms.mark()
    name = rig.csms.call(f"get_diagnostics {CP} {base}/upload")["result"]["fileName"]
    for status in ["Uploading", "Uploaded"]:
        rig.csms.wait(
            "DiagnosticsStatusNotification",
            since=m,
            timeout=STEP_TIMEOUT,
            cp=CP,
            status=status,
        )
    assert handler.uploads[f"/upload/{name}"].startswith(b"ocpp-sim diagnostics")

    assert_clean(rig)
    m = rig.csms.mark()
    rig.csms.call(f"update_firmware {CP} {base}/missing.bin")
    rig.csms.wait(
        "FirmwareStatusNotification",
        since=m,
        timeout=STEP_TIMEOUT,
        cp=CP,
        status="DownloadFailed",
    )
    assert [e["message"] for e in rig.sim.all_events("error")] == [
        f"firmware download: GET {base}/missing.bin: HTTP 404"
    ]


def test_firmware_download_failure_is_reported(rig: Rig, tmp_path: Path) -> None:
    m = rig.csms.mark()
    # Nothing listens on port 9 of 127.0.0.1 (discard): the download fails at once.
    rig.csms.call(f"update_firmware {CP} http://127.0.0.1:9/fw.bin")
    rig.csms.wait(
        "FirmwareStatusNotification",
        since=m,
        timeout=STEP_TIMEOUT,
        cp=CP,
        status="DownloadFailed",
    )
    errors = rig.sim.all_events("error")
    assert errors and all("firmware download" in e["message"] for e in errors)


def test_local_list_offline_start_then_deauthorized_online(rig: Rig) -> None:
    assert (
        rig.csms.call(f"send_local_list {CP} 1 Full LOCAL1 BLOCKED:Blocked")["result"][
            "status"
        ]
        == "Accepted"
    )
    assert rig.csms.call(f"get_local_list_version {CP}")["result"]["listVersion"] == 1
    s = rig.sim.mark()
    rig.sim.send("net down")
    rig.sim.wait_event(
        "connection", since=s, timeout=STEP_TIMEOUT, state="disconnected"
    )
    rig.sim.send("plug 1")
    rig.sim.send("tap BLOCKED")
    rig.sim.wait_event(
        "authorization",
        since=s,
        timeout=STEP_TIMEOUT,
        id_tag="BLOCKED",
        status="Blocked",
    )
    rig.sim.send("tap LOCAL1")
    rig.sim.wait_event("energy", since=s, timeout=STEP_TIMEOUT, connector=1, on=True)
    m = rig.csms.mark()
    rig.sim.send("net up")
    # Delivered after the reconnect; the central system does not know LOCAL1, so the
    # transaction ends DeAuthorized (StopTransactionOnInvalidId, 1.6 §9.1.32).
    start = rig.csms.wait(
        "StartTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, idTag="LOCAL1"
    )
    assert rig.result_of(start)["idTagInfo"]["status"] == "Invalid"
    rig.csms.wait(
        "StopTransaction", since=m, timeout=STEP_TIMEOUT, cp=CP, reason="DeAuthorized"
    )
    assert rig.csms.call(f"clear_cache {CP}")["result"]["status"] == "Accepted"
    assert rig.csms.call(f"get_local_list_version {CP}")["result"]["listVersion"] == 1
    assert_clean(rig)


def _profile(pid: int, purpose: str, unit: str, periods: list[dict[str, float]]) -> str:
    return json.dumps(
        {
            "chargingProfileId": pid,
            "stackLevel": 0,
            "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Relative",
            "chargingSchedule": {
                "chargingRateUnit": unit,
                "chargingSchedulePeriod": periods,
            },
        },
        separators=(",", ":"),
    )


def test_smart_charging_evcc_zero_watts_and_composite_schedule(rig: Rig) -> None:
    m = rig.csms.mark()
    s = rig.sim.mark()
    rig.sim.send("plug 1")
    rig.sim.send(f"tap {TAG}")
    rig.status(1, "Charging", m)
    # evcc disables charging with a 0 W TxDefaultProfile (and enables it again the same way).
    zero = _profile(1, "TxDefaultProfile", "W", [{"startPeriod": 0, "limit": 0}])
    assert (
        rig.csms.call(f"set_charging_profile {CP} 1 '{zero}'")["result"]["status"]
        == "Accepted"
    )
    rig.sim.wait_event(
        "limit", since=s, timeout=STEP_TIMEOUT, connector=1, watts=0.0, amps=0.0
    )
    rig.status(1, "SuspendedEVSE", m)
    s = rig.sim.mark()
    m = rig.csms.mark()
    two_steps = _profile(
        1,
        "TxDefaultProfile",
        "A",
        [{"startPeriod": 0, "limit": 16}, {"startPeriod": 600, "limit": 10}],
    )
    assert (
        rig.csms.call(f"set_charging_profile {CP} 1 '{two_steps}'")["result"]["status"]
        == "Accepted"
    )
    rig.sim.wait_event(
        "limit", since=s, timeout=STEP_TIMEOUT, connector=1, amps=16.0, watts=3680.0
    )
    rig.status(1, "Charging", m)
    # Relative to the start of the transaction: 16 A, then 10 A; one phase at 230 V.
    amps = rig.csms.call(f"get_composite_schedule {CP} 1 300 A")["result"]
    assert amps["status"] == "Accepted"
    assert amps["chargingSchedule"]["chargingRateUnit"] == "A"
    assert amps["chargingSchedule"]["chargingSchedulePeriod"][0] == {
        "startPeriod": 0,
        "limit": 16,
    }
    watts = rig.csms.call(f"get_composite_schedule {CP} 1 300 W")["result"]
    assert watts["chargingSchedule"]["chargingSchedulePeriod"][0] == {
        "startPeriod": 0,
        "limit": 3680,
    }
    # The 10 A step comes 600 s after the transaction started: within a 900 s window.
    later = rig.csms.call(f"get_composite_schedule {CP} 1 900 A")["result"][
        "chargingSchedule"
    ]
    steps = later["chargingSchedulePeriod"]
    assert [p["limit"] for p in steps] == [16, 10] and 590 <= steps[1][
        "startPeriod"
    ] <= 600, later
    assert (
        rig.csms.call(f"clear_charging_profile {CP} id=1")["result"]["status"]
        == "Accepted"
    )
    rig.sim.wait_event("limit", since=s, timeout=STEP_TIMEOUT, connector=1, amps=None)
    assert (
        rig.csms.call(f"get_composite_schedule {CP} 1 300")["result"]["status"]
        == "Rejected"
    )
    assert_clean(rig)
