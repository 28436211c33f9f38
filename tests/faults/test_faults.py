"""Fault injection (issue [4]): `ocpp-sim` against the Python dev CSMS through a proxy that cuts
the link at random points, SIGKILL + restart on the same state directory at random points, over
many charging sessions; the central system's log must show every transaction exactly once,
complete, in order (see analysis.py for the rules, driver.py for the run).

The big test needs the simulator (env OCPP_SIM_BIN, default target/debug/ocpp-sim) and takes
about two minutes. Env: FAULTS_SEED (default: random, printed with the figures),
FAULTS_SESSIONS (default 30), FAULTS_KILLS=0 (link cuts only). A longer run:
`tools/faults.sh --sessions 200 --seed N`. The other tests check the proxy, the dev CSMS's
StartTransaction dedup and the analysis itself on hand-written logs.
"""

from __future__ import annotations

import asyncio
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from analysis import analyse, halve
from dev_csms import CsmsConfig, DevCsms
from driver import FaultConfig, run
from harness import sim_binary
from proxy import DOWN, UP, CutProxy, FrameTracker

SIM = sim_binary()
HEAD = b"GET /CP_1 HTTP/1.1\r\nHost: x\r\n\r\n"
# A masked text frame "hello" (RFC 6455 §5.7) and an unmasked one with a 16-bit length.
FRAME_A = bytes([0x81, 0x85, 1, 2, 3, 4]) + bytes(
    b ^ m for b, m in zip(b"hello", b"\x01\x02\x03\x04\x01", strict=True)
)
FRAME_B = bytes([0x81, 126, 0, 130]) + b"x" * 130


# ---------------------------------------------------------------------- the proxy
def test_frame_tracker_knows_frame_boundaries_in_any_chunking() -> None:
    stream = HEAD + FRAME_A + FRAME_B
    boundaries = {len(HEAD), len(HEAD) + len(FRAME_A), len(stream)}
    for chunk in (1, 3, 7, 64):
        tracker = FrameTracker()
        seen = set()
        for i in range(0, len(stream), chunk):
            tracker.feed(stream[i : i + chunk])
            if tracker.at_boundary():
                seen.add(min(i + chunk, len(stream)))
        # Every boundary that a chunk ends on is recognised, and nothing else is.
        assert seen == {b for b in boundaries if b % chunk == 0 or b == len(stream)}, chunk


async def _echo_upstream(received: bytearray) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(1024):
                received.extend(data)
                writer.write(data)
        except ConnectionResetError:
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])


async def _read_all(reader: asyncio.StreamReader) -> bytes:
    """Everything until the link ends (FIN or RST)."""
    out = b""
    try:
        while data := await asyncio.wait_for(reader.read(1024), 5):
            out += data
    except ConnectionResetError:
        pass
    return out


def test_proxy_cuts_mid_frame_at_the_byte_offset() -> None:
    async def body() -> None:
        received = bytearray()
        server, port = await _echo_upstream(received)
        proxy = CutProxy("127.0.0.1", port)
        await proxy.start()
        try:
            # Armed before the link exists: it applies to the next one.
            proxy.arm(UP, len(HEAD) + 3)
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(HEAD + FRAME_A + FRAME_B)
            await writer.drain()
            echoed = await _read_all(reader)
            writer.close()
            assert bytes(received) == HEAD + FRAME_A[:3]
            assert bytes(received).startswith(echoed)  # the echo races the cut
            (cut,) = proxy.cuts
            assert (cut.kind, cut.direction, cut.offset, cut.mid_frame) == (
                "bytes",
                UP,
                len(HEAD) + 3,
                True,
            )

            # On a frame boundary of the answers: not mid-frame.
            received.clear()
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(HEAD)
            await writer.drain()
            assert await asyncio.wait_for(reader.readexactly(len(HEAD)), 5) == HEAD
            proxy.arm(DOWN, len(FRAME_A))
            writer.write(FRAME_A + FRAME_B)
            await writer.drain()
            assert await _read_all(reader) == FRAME_A
            writer.close()
            assert proxy.cuts[-1].mid_frame is False and proxy.cuts[-1].offset == len(HEAD) + len(
                FRAME_A
            )
        finally:
            await proxy.stop()
            server.close()
            await server.wait_closed()

    asyncio.run(body())


def test_proxy_cuts_inside_the_answer_that_matches() -> None:
    async def body() -> None:
        received = bytearray()
        server, port = await _echo_upstream(received)
        proxy = CutProxy("127.0.0.1", port)
        await proxy.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            proxy.arm_match(DOWN, (b"[3,", b'"transactionId"'))
            text = b'[3,"b",{"transactionId":7,"idTagInfo":{}}]'
            other = HEAD + bytes([0x81, 10]) + b'[3,"a",{}]'
            answer = bytes([0x81, len(text)]) + text
            writer.write(other)
            await writer.drain()
            assert await asyncio.wait_for(reader.readexactly(len(other)), 5) == other
            writer.write(answer)
            await writer.drain()
            # The echo of the answer (the "central system's" frame) stops mid-frame.
            assert await _read_all(reader) == answer[: answer.find(b'"transactionId"')]
            writer.close()
            (cut,) = proxy.cuts
            assert (cut.kind, cut.direction, cut.mid_frame) == ("answer", DOWN, True)
        finally:
            await proxy.stop()
            server.close()
            await server.wait_closed()

    asyncio.run(body())


def test_proxy_outage_drops_new_links_then_heals() -> None:
    async def body() -> None:
        received = bytearray()
        server, port = await _echo_upstream(received)
        proxy = CutProxy("127.0.0.1", port)
        await proxy.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(b"one")
            assert await asyncio.wait_for(reader.readexactly(3), 5) == b"one"
            assert proxy.outage(0.3, reset=True) == 1
            assert await _read_all(reader) == b""
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            assert await _read_all(reader) == b""  # refused during the outage
            await asyncio.sleep(0.35)
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(b"two")
            assert await asyncio.wait_for(reader.readexactly(3), 5) == b"two"
            writer.close()
            assert [c.kind for c in proxy.cuts] == ["outage", "refused"]
            assert proxy.cuts[0].reset is True
        finally:
            await proxy.stop()
            server.close()
            await server.wait_closed()

    asyncio.run(body())


# ---------------------------------------------------------------------- the dev CSMS
def test_dev_csms_gives_a_repeated_start_transaction_the_same_id() -> None:
    csms = DevCsms(CsmsConfig(port=0))
    first = csms.open_transaction("CP_1", 1, "T", 10, "2026-01-01T10:00:00.000Z")
    # The same start again (its answer was lost), the timestamp spelled with an offset.
    assert csms.open_transaction("CP_1", 1, "T", 10, "2026-01-01T10:00:00+00:00") == first
    # Anything different is a different transaction.
    assert csms.open_transaction("CP_1", 1, "T", 11, "2026-01-01T10:00:00.000Z") != first
    assert csms.open_transaction("CP_2", 1, "T", 10, "2026-01-01T10:00:00.000Z") != first
    assert csms.open_transaction("CP_1", 1, "T", 10) != csms.open_transaction("CP_1", 1, "T", 10)
    plain = DevCsms(CsmsConfig(port=0, dedupe_starts=False))
    a = plain.open_transaction("CP_1", 1, "T", 10, "2026-01-01T10:00:00.000Z")
    assert plain.open_transaction("CP_1", 1, "T", 10, "2026-01-01T10:00:00.000Z") == a + 1


# ---------------------------------------------------------------------- the analysis
def test_halving_follows_the_charge_points_rule() -> None:
    # Capacity 4: [B,1,2,3] is full when 4 comes: B and every second after it stay (B,1,3).
    assert halve([1, 2, 3, 4, 5, 6], capacity=4) == [1, 5, 6]
    assert halve(list(range(1, 32))) == list(range(1, 32))  # 31 + Begin fit in 32
    kept = halve(list(range(1, 41)))
    assert kept[0] == 1 and kept[-1] == 40 and len(kept) < 32


T0 = 1_800_000_000_000


def iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class Log:
    """A hand-written CSMS log: one charge point, records as dev_csms.py writes them."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.t = T0
        self.n = 0
        self.add("connect", cp="CP_1")

    def add(self, event: str, **fields: Any) -> None:
        self.records.append({"ts": iso(self.t), "seq": len(self.records), "event": event, **fields})

    def call(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any] | None = None
    ) -> None:
        self.n += 1
        mid = f"m{self.n}"
        base = {"cp": "CP_1", "action": action, "id": mid}
        self.add("message", direction="in", type="CALL", payload=payload, **base)
        self.add("message", direction="out", type="CALLRESULT", payload=answer or {}, **base)

    def at(self, ms: int) -> Log:
        self.t = T0 + ms
        return self

    def start(self, tx: int, ms: int = 0, tag: str = "F00000", meter: int = 0) -> None:
        payload = {"connectorId": 1, "idTag": tag, "meterStart": meter, "timestamp": iso(T0 + ms)}
        self.at(ms).call(
            "StartTransaction", payload, {"transactionId": tx, "idTagInfo": {"status": "Accepted"}}
        )

    def meter(self, tx: int, ms: int, wh: float) -> None:
        entry = {"timestamp": iso(T0 + ms), "sampledValue": [_sv(wh, "Sample.Periodic")]}
        self.at(ms).call(
            "MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": [entry]}
        )

    def stop(
        self, tx: int, ms: int, wh: int, data_ms: list[int], reason: str | None = None
    ) -> None:
        data = [{"timestamp": iso(T0), "sampledValue": [_sv(0, "Transaction.Begin")]}]
        data += [
            {"timestamp": iso(T0 + t), "sampledValue": [_sv(0, "Sample.Periodic")]} for t in data_ms
        ]
        data += [{"timestamp": iso(T0 + ms), "sampledValue": [_sv(wh, "Transaction.End")]}]
        payload = {
            "transactionId": tx,
            "meterStop": wh,
            "timestamp": iso(T0 + ms),
            "transactionData": data,
        }
        if reason:
            payload["reason"] = reason
        self.at(ms).call("StopTransaction", payload)

    def link_break(self, ms: int) -> None:
        self.at(ms).add("disconnect", cp="CP_1")
        self.add("connect", cp="CP_1")


def _sv(wh: float, context: str) -> dict[str, Any]:
    return {
        "value": str(wh),
        "context": context,
        "measurand": "Energy.Active.Import.Register",
        "unit": "Wh",
    }


def session(**over: Any) -> dict[str, Any]:
    s = {
        "index": 0,
        "tag": "F00000",
        "began": True,
        "stop_method": "tap",
        "stop_reason": "Local",
        "tx_ids": [1],
        "kills": [],
        "killed_before_begin_seen": False,
        "killed_in_tx": False,
    }
    return {**s, **over}


def judge(
    log: Log,
    sessions: list[dict[str, Any]] | None = None,
    kills: list[dict[str, Any]] | None = None,
) -> Any:
    return analyse(log.records, sessions or [session()], kills or [], [], [], [], T0)


def clean_log() -> Log:
    log = Log()
    log.start(1)
    log.meter(1, 1000, 2)
    log.meter(1, 2000, 4)
    log.stop(1, 2500, 5, [1000, 2000])
    return log


def test_analysis_passes_a_clean_transaction() -> None:
    report = judge(clean_log())
    assert report.problems == []
    assert (
        report.figures["transactions"],
        report.figures["lost"],
        report.figures["duplicated"],
    ) == (1, 0, 0)


def test_analysis_counts_a_repeat_after_a_link_break_and_flags_one_without() -> None:
    log = Log()
    log.start(1)
    log.meter(1, 1000, 2)
    log.link_break(1100)
    log.meter(1, 1000, 2)  # the answer was lost: sent again after the reconnect
    log.meter(1, 2000, 4)
    log.meter(1, 2000, 4)  # sent again with no break in between: a bug
    log.stop(1, 2500, 5, [1000, 2000])
    report = judge(log)
    assert report.figures["duplicated"] == 2
    assert len(report.problems) == 1 and "without a link break" in report.problems[0]


def test_analysis_flags_a_repeated_start_that_got_a_new_id() -> None:
    log = Log()
    log.start(1)
    log.link_break(100)
    log.start(2)  # the same StartTransaction again, and a CSMS that does not dedupe
    log.stop(2, 500, 1, [])
    text = "\n".join(judge(log, [session(tx_ids=[2])]).problems)
    assert "answered with transactionIds [1, 2]" in text
    assert "transaction 1: no StopTransaction" in text


def test_analysis_flags_missing_meter_values_unless_a_kill_explains_them() -> None:
    log = Log()
    log.start(1)
    log.meter(1, 1000, 2)
    log.meter(1, 4000, 8)  # 2000 and 3000 never came
    log.stop(1, 4500, 9, [1000, 4000])
    report = judge(log)
    assert report.figures["lost"] == 2
    assert any("2 periodic MeterValues missing" in p for p in report.problems)
    kill = {"session": 0, "phase": "charging", "at_ms": T0 + 1500, "restarted_ms": T0 + 2000}
    assert not any("missing" in p for p in judge(log, kills=[kill]).problems)


def test_analysis_counts_gaps_under_a_long_outage_as_thinning() -> None:
    log = Log()
    log.start(1)
    log.meter(1, 1000, 2)
    log.at(1500).add("disconnect", cp="CP_1")
    log.at(70_000).add("connect", cp="CP_1")  # 68.5 s offline: the queue may have filled
    log.meter(1, 50_000, 100)  # 2000 .. 49000 were thinned
    log.stop(1, 50_500, 101, [1000, 50_000])
    long_session = session(started_ms=T0, ended_ms=T0 + 51_000)
    report = judge(log, [long_session])
    assert report.problems == [] and report.figures["thinned"] == 48
    # The same gap in a session the outage did not overlap is loss.
    short_session = session(started_ms=T0 + 80_000, ended_ms=T0 + 90_000)
    assert judge(log, [short_session]).figures["lost"] == 48


def test_analysis_flags_unknown_ids_lost_stops_and_conflicting_starts() -> None:
    log = clean_log()
    log.meter(7, 3000, 6)  # an id the CSMS never handed out
    log.start(2, 4000, tag="F00001", meter=5)  # never stopped
    log.start(3, 4000, tag="F00001", meter=6)  # same connector, tag and time, other meterStart
    report = judge(log, [session(), session(index=1, tag="F00001", tx_ids=[2])])
    text = "\n".join(report.problems)
    assert "transaction id 7 the CSMS never handed out" in text
    assert "transaction 2: no StopTransaction" in text
    assert "two different StartTransactions for (connector, idTag, timestamp)" in text
    assert "session 1 (F00001" in text and "2 transactions" in text
    assert report.figures["lost"] == 2  # the StopTransactions of 2 and 3


def test_analysis_checks_the_stop_reason_and_the_halving_of_transaction_data() -> None:
    report = judge(clean_log(), [session(stop_method="unplug", stop_reason="EVDisconnected")])
    assert any("stop reason Local, expected ['EVDisconnected']" in p for p in report.problems)
    log = Log()
    log.start(1)
    log.meter(1, 1000, 2)
    log.meter(1, 2000, 4)
    log.stop(1, 2500, 5, [2000])  # the 1000 sample is missing from transactionData
    assert any("the halving rule keeps" in p for p in judge(log).problems)


# ---------------------------------------------------------------------- the run
@pytest.mark.skipif(SIM is None, reason="ocpp-sim not built (cargo build --bin ocpp-sim)")
def test_link_cuts_and_kills_over_many_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1, 1_000_000))
    sessions = int(os.environ.get("FAULTS_SESSIONS", "30"))
    kills = os.environ.get("FAULTS_KILLS", "1") != "0"
    assert SIM is not None
    report, _ = run(FaultConfig(sessions=sessions, seed=seed, kills=kills), tmp_path, SIM)
    with capsys.disabled():
        print(f"\n{report.text()}\n(logs: {tmp_path})")
    assert report.problems == [], report.text()
    figures = report.figures
    assert figures["lost"] == 0
    # The planned faults happened (four kills; cuts that found a link to cut).
    assert figures["kills"] >= (4 if kills else 0) and figures["cuts"] >= 3, report.text()
    assert figures["sessions_with_tx"] >= sessions * 3 // 4, report.text()
