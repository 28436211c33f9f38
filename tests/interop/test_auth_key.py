"""Security profile 1 key rotation: the central system changes AuthorizationKey with
ChangeConfiguration; the charge point keeps its session, and its next connection (and every one
after a restart, from its state dir) authenticates with the new key."""

from __future__ import annotations

from pathlib import Path

from harness import PyCsmsDriver, SimProcess
from rig import CP, NEEDS_SIM, SIM, STEP_TIMEOUT, TAG

OLD = "0123456789abcdef"
NEW = "fedcba9876543210fedc"


@NEEDS_SIM
def test_rotated_authorization_key_is_used_from_the_next_connection(tmp_path: Path) -> None:
    assert SIM is not None
    csms = PyCsmsDriver({TAG}, tmp_path / "csms.jsonl", auth_key=OLD)
    sims: list[SimProcess] = []
    try:
        args = ["--auth-key", OLD, "--state-dir", str(tmp_path / "state")]
        sims.append(SimProcess(SIM, csms.url(CP), CP, args, tmp_path / "sim1.stderr"))
        csms.wait("BootNotification", since=0, timeout=STEP_TIMEOUT, cp=CP)
        done = csms.call(f"change_configuration {CP} AuthorizationKey {NEW}")
        assert done["result"]["status"] == "Accepted"
        # The server now knows only the new key; the open session is not disturbed.
        csms.csms.config.auth_key = NEW
        m = csms.mark()
        sims[0].send("net down")
        sims[0].send("net up")
        csms.wait("connect", since=m, timeout=STEP_TIMEOUT, cp=CP)
        # The new session carries OCPP both ways (nothing needs to be queued to prove it).
        assert csms.call(f"trigger {CP} Heartbeat")["result"]["status"] == "Accepted"
        csms.wait("Heartbeat", since=m, timeout=STEP_TIMEOUT, cp=CP)
        assert [r for r in csms.records()[m:] if r["event"] == "auth_rejected"] == []
        # A restart keeps the rotated key (persisted), though the command line still says OLD.
        sims[0].stop()
        m = csms.mark()
        sims.append(SimProcess(SIM, csms.url(CP), CP, args, tmp_path / "sim2.stderr"))
        csms.wait("BootNotification", since=m, timeout=STEP_TIMEOUT, cp=CP)
        assert [r for r in csms.records()[m:] if r["event"] == "auth_rejected"] == []
    finally:
        for sim in sims:
            sim.stop()
        csms.stop()
