"""The C ABI end to end: tests/c_abi/session.c, built against include/ocpp_cp.h and the static
library under AddressSanitizer + LeakSanitizer + UBSan, runs a whole charging session against
the Python `ocpp` central system on 127.0.0.1, which plays its part (smart charging limits,
RemoteStopTransaction) while the C program reacts to the events.

Needs the static library: `cargo rustc --lib --crate-type staticlib --features ffi`
(scripts/test.sh builds it; OCPP_CP_STATICLIB names another one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from harness import PyCsmsDriver

ROOT = Path(__file__).resolve().parents[2]
LIB = Path(os.environ.get("OCPP_CP_STATICLIB", ROOT / "target" / "debug" / "libocpp_cp.a"))
CP = "CP_1"
STEP = 20.0


def _profile(limit: float) -> str:
    return json.dumps(
        {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}],
            },
        },
        separators=(",", ":"),
    )


@pytest.fixture(scope="module")
def session_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LIB.exists():
        pytest.fail(f"{LIB} missing: cargo rustc --lib --crate-type staticlib --features ffi")
    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc, "a C compiler is needed"
    out = tmp_path_factory.mktemp("c_abi") / "session"
    cmd = [
        cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O1",
        "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all",
        f"-I{ROOT / 'include'}", str(ROOT / "tests" / "c_abi" / "session.c"), str(LIB),
        "-lpthread", "-ldl", "-lm", "-o", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return out


class Lines:
    """A child's output, read on a thread so the test can wait for a line."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait(self, needle: str, timeout: float = STEP) -> str:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: any(needle in ln for ln in self.lines), timeout=timeout
            )
            assert ok, f"no line with {needle!r} in {timeout:g} s; last: {self.lines[-8:]}"
            return next(ln for ln in self.lines if needle in ln)

    def join(self) -> None:
        self._thread.join(timeout=10)


def test_c_session_under_asan(session_binary: Path, tmp_path: Path) -> None:
    csms = PyCsmsDriver({"TAG1"}, tmp_path / "csms.jsonl")
    proc = None
    try:
        env = dict(
            os.environ,
            ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23",
            UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
        )
        proc = subprocess.Popen(
            [str(session_binary), csms.url(CP)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        start = csms.wait("StartTransaction", timeout=STEP, cp=CP, connectorId=1, idTag="TAG1")
        tx = csms.wait(
            "message", since=start["seq"], timeout=STEP, direction="out", type="CALLRESULT", id=start["id"]
        )["payload"]["transactionId"]
        out.wait(f"EVENT 7 connector=1 tx={tx} id_tag=TAG1")  # TRANSACTION_STARTED
        m = csms.mark()
        meter = csms.wait("MeterValues", since=m, timeout=STEP, cp=CP, transactionId=tx)
        values = {
            v.get("measurand", "Energy.Active.Import.Register"): v
            for mv in meter["payload"]["meterValue"]
            for v in mv["sampledValue"]
        }
        assert values["Voltage"]["value"] == "231.5" and values["Voltage"]["unit"] == "V"
        assert values["Power.Active.Import"]["value"] == "7200"
        assert int(values["Energy.Active.Import.Register"]["value"]) > 1000

        # Smart charging reaches the C side as LIMIT events, 0 included (pause).
        assert csms.call(f"set_charging_profile {CP} 1 '{_profile(10)}'")["result"]["status"] == "Accepted"
        out.wait("EVENT 9 connector=1 tx=-1 amps=10.0 watts=2300.0")
        assert csms.call(f"set_charging_profile {CP} 1 '{_profile(0)}'")["result"]["status"] == "Accepted"
        out.wait("EVENT 9 connector=1 tx=-1 amps=0.0 watts=0.0")
        csms.wait("StatusNotification", since=m, timeout=STEP, cp=CP, connectorId=1, status="SuspendedEVSE")

        m = csms.mark()
        assert csms.call(f"remote_stop {CP} {tx}")["result"]["status"] == "Accepted"
        out.wait(f"EVENT 12 connector=1 tx={tx}")  # REMOTE_STOP
        stop = csms.wait("StopTransaction", since=m, timeout=STEP, cp=CP, transactionId=tx)
        assert stop["payload"]["reason"] == "Remote"
        out.wait("EVENT 8 ")  # TRANSACTION_STOPPED
        csms.wait("StatusNotification", since=m, timeout=STEP, cp=CP, connectorId=1, status="Available")

        rc = proc.wait(timeout=30)
        out.join()
        err.join()
        sanitizer = [
            ln for ln in err.lines if "Sanitizer" in ln or "runtime error" in ln
        ]
        assert not sanitizer, "\n".join(err.lines[-40:])
        assert rc == 0, "\n".join(out.lines[-10:] + err.lines[-20:])
        end = out.wait("END ")
        assert "status=Available queued=0" in end, end
        assert csms.validation_errors() == []
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        csms.stop()
