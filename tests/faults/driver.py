#!/usr/bin/env python3
"""The fault-injection run of issue [4]: many charging sessions of `ocpp-sim` against the
Python dev central system (server/dev_csms.py, in-process) through a proxy that cuts the link
at random points, while the simulator is killed with SIGKILL and restarted on the same state
directory at random points. Afterwards `analysis.analyse` judges the central system's log.

    .venv/bin/python tests/faults/driver.py --sessions 200 --seed 7 [--no-kills] [--no-cuts]
                                            [--long] [--workdir DIR] [--sim target/debug/ocpp-sim]

Each session: plug, tap the session's own tag (`F00007`: the log then tells sessions apart),
charge a random time, stop (tap, unplug or RemoteStopTransaction), unplug. Fault points: before
the plug, after it, just after the tap (0-300 ms), during charging, just after the stop; at each
one the seeded RNG decides on a SIGKILL + restart or a cut: now (FIN or RST), after a delay on
the proxy's own clock, at a byte offset of the coming traffic in one direction (mid-frame
included), inside the central system's answer to a StartTransaction (so it must be sent again),
an outage (new connections dropped for a while), or a stall (a silent link that only the
WebSocket pong watchdog notices). Some of these are planned into random sessions of every run
(`plan_forced`), so every run has them. Random cuts are skipped while the charge point's
reconnect backoff would already exceed `max_backoff_s` (it doubles with every failure and
restarts only after a link that lasted 60 s or a reboot), which keeps the run short. The same
seed gives the same decisions; the interleaving with the processes' timing is not reproducible.
`--long` adds charges past StopTxnSampledData's 32 values (halving) and outages past the
64-message queue (thinning; a refused session then waits for the link to come back).

The work directory keeps `csms.jsonl` (the log the analysis reads), `csms.transcript`,
`sim-N.stderr` per simulator process, `sim-events.jsonl` and `run.json` (sessions, kills, cuts).
Every wait is bounded; `Run.close()` kills the simulator and closes the proxy and the CSMS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for _p in (ROOT / "server", ROOT / "tests" / "interop", HERE):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from analysis import Report, analyse
from dev_csms import CsmsConfig, DevCsms
from harness import SimProcess
from proxy import DOWN, UP, ProxyThread

CP = "CP_1"
# A CALLRESULT carrying a transactionId: the answer to a StartTransaction (the central system's
# frames are not masked, RFC 6455 §5.1).
START_ANSWER = (b"[3,", b'"transactionId"')
CONNECTOR = 1
Record = dict[str, Any]


def tag_of(session: int) -> str:
    """The idTag of one session (idTag is CiString20)."""
    return f"F{session:05d}"


def wall_ms() -> int:
    """Now as Unix milliseconds (the charge point's clock comes from the CSMS on this host)."""
    return int(datetime.now(UTC).timestamp() * 1000)


@dataclass
class FaultConfig:
    """What one run does. Probabilities are per fault point unless said otherwise."""

    sessions: int = 30
    seed: int = 1
    kills: bool = True
    cuts: bool = True
    p_kill: float = 0.05
    p_cut: float = 0.25
    # Faults per second of charging (checked at random instants while charging).
    charge_kill_rate: float = 0.05
    charge_cut_rate: float = 0.2
    charge_s: tuple[float, float] = (1.0, 4.0)
    # --long: sometimes charge past StopTxnSampledData's capacity (32 values: halving) and
    # sometimes lose the link for longer than the transaction queue holds (64: thinning).
    p_long_charge: float = 0.0
    long_charge_s: tuple[float, float] = (36.0, 45.0)
    p_long_outage: float = 0.0
    long_outage_s: tuple[float, float] = (70.0, 90.0)
    max_backoff_s: float = 8.0
    restart_delay_s: tuple[float, float] = (0.0, 1.0)
    step_timeout_s: float = 20.0
    # A tap on a link that died silently waits in the queue until the charge point notices
    # (ping interval + 10 s pong timeout) and reconnects (backoff): a patient driver.
    tap_timeout_s: float = 50.0
    drain_timeout_s: float = 60.0
    settle_s: float = 2.0
    sample_interval_s: int = 1
    ping_interval_s: int = 2


@dataclass
class Kill:
    """One SIGKILL: when (wall ms), in which session and phase, and when the sim was back."""

    session: int
    phase: str
    at_ms: int
    restarted_ms: int = 0
    proxy_t: float = 0.0


@dataclass
class Session:
    """What the driver did and saw in one session (the sim's stdout is the ground truth of what
    the charge point did locally)."""

    index: int
    tag: str
    began: bool = False  # the sim reported energy on after the tap (a local transaction)
    stop_method: str | None = None
    stop_reason: str | None = None  # the sim's tx_stopped reason, seen before any kill
    tx_ids: list[int] = field(default_factory=list)  # from the sim's tx_started events
    kills: list[str] = field(default_factory=list)  # phases of kills in this session
    killed_before_begin_seen: bool = False  # killed after the tap, before energy on was seen
    killed_in_tx: bool = False  # killed after energy on and before tx_stopped was seen
    refused: bool = False  # the charge point's queue was full: no transaction (thinning rule)
    tap_s: float | None = None  # from the tap to energy on (or the refusal)
    started_ms: int = 0  # wall clock, the session's first step
    ended_ms: int = 0  # wall clock, unplugged and Available again
    notes: list[str] = field(default_factory=list)


class CsmsThread:
    """server/dev_csms.py in-process on its own event-loop thread, with blocking helpers."""

    def __init__(self, tags: set[str], log_path: Path, transcript_path: Path) -> None:
        self._transcript = open(transcript_path, "w", encoding="utf-8")  # noqa: SIM115
        # A short call timeout: a RemoteStop cut in flight must not hold the driver for 30 s.
        self.csms = DevCsms(
            CsmsConfig(
                port=0,
                tags=set(tags),
                log_path=log_path,
                transcript=self._transcript,
                call_timeout=5.0,
            )
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="csms", daemon=True)
        self._thread.start()
        self.run(self.csms.start(), 10)

    def run(self, coro: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise AssertionError(f"dev CSMS did not finish within {timeout:g} s") from None

    def on_loop(self, fn: Callable[[], Any]) -> Any:
        """Runs `fn` on the CSMS loop (its dicts change there)."""

        async def call() -> Any:
            return fn()

        return self.run(call(), 10)

    @property
    def port(self) -> int:
        assert self.csms.port is not None
        return self.csms.port

    def records(self) -> list[Record]:
        return list(self.on_loop(lambda: list(self.csms.records)))

    def connected(self) -> bool:
        return bool(self.on_loop(lambda: CP in self.csms.sessions))

    def transaction_of(self, tag: str) -> int | None:
        """The newest transaction id handed out for this idTag that is still open."""

        def find() -> int | None:
            ids = [
                t for t, tx in self.csms.transactions.items() if tx["id_tag"] == tag and tx["open"]
            ]
            return max(ids) if ids else None

        found = self.on_loop(find)
        return int(found) if found is not None else None

    def call(self, action: str, payload: dict[str, Any]) -> Record:
        timeout = self.csms.config.call_timeout + 10
        return dict(self.run(self.csms.call(CP, action, payload), timeout))

    def stop(self) -> None:
        try:
            self.run(self.csms.stop(), 10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
            self._transcript.close()


class Run:
    """One fault-injection run: the CSMS, the proxy, the simulator (restarted after kills)."""

    def __init__(self, config: FaultConfig, workdir: Path, sim_bin: Path) -> None:
        self.cfg = config
        self.dir = workdir
        self.sim_bin = sim_bin
        self.rng = random.Random(config.seed)
        self.sessions: list[Session] = []
        self.kills: list[Kill] = []
        self.skipped_cuts = 0
        self.anomalies: list[str] = []
        self.plugged = False
        self.started_ms = wall_ms()
        self.t0 = time.monotonic()
        self.log_path = workdir / "csms.jsonl"
        self.state_dir = workdir / "state"
        self.sim_events: list[Record] = []  # every event of every simulator process, in order
        self.retired: list[Record] = []  # the events of the last process that ended
        self.links: list[dict[str, Any]] = []
        self.cut_records: list[dict[str, Any]] = []
        self.processes = 0
        self.csms = CsmsThread(
            {tag_of(i) for i in range(config.sessions)}, self.log_path, workdir / "csms.transcript"
        )
        self.forced = self.plan_forced()
        self.proxy: ProxyThread | None = None
        self.sim: SimProcess | None = None
        self.sim_started_proxy_t = 0.0
        self.long_outage_until = 0.0  # monotonic; a session charging then charges through it
        try:
            self.proxy = ProxyThread("127.0.0.1", self.csms.port)
            self.spawn()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ processes
    def spawn(self) -> None:
        assert self.proxy is not None
        args = [
            "--connectors",
            "1",
            "--state-dir",
            str(self.state_dir),
            "--config",
            f"MeterValueSampleInterval={self.cfg.sample_interval_s}",
            # Transaction.Begin/End and the periodic values in StopTransaction: the halving rule.
            "--config",
            "StopTxnSampledData=Energy.Active.Import.Register",
            # Offline taps start transactions (1.6 §9.1.1), so sessions go on during outages.
            "--config",
            "AllowOfflineTxForUnknownId=true",
            # A silent link is noticed after ping interval + pong timeout (10 s).
            "--config",
            f"WebSocketPingInterval={self.cfg.ping_interval_s}",
        ]
        self.sim_started_proxy_t = self.proxy.now()
        self.sim = SimProcess(
            self.sim_bin,
            self.proxy.url(CP),
            CP,
            args,
            self.dir / f"sim-{self.processes}.stderr",
        )
        self.processes += 1

    def send(self, line: str) -> None:
        assert self.sim is not None
        try:
            self.sim.send(line)
        except OSError as exc:  # the process died by itself: a finding, and go on
            self.anomaly(f"sending {line!r} to the simulator failed: {exc}")

    def kill_restart(self, session: Session, phase: str) -> None:
        """SIGKILL the simulator (a power cut), keep the power off a moment, start it again on
        the same state directory; the cable stays where it was."""
        assert self.sim is not None and self.proxy is not None
        kill = Kill(session=session.index, phase=phase, at_ms=wall_ms(), proxy_t=self.proxy.now())
        self.sim.proc.send_signal(signal.SIGKILL)
        try:
            self.sim.proc.wait(timeout=5)
        except Exception as exc:  # noqa: BLE001 - a process that ignores SIGKILL is a finding
            self.anomaly(f"simulator did not die on SIGKILL: {exc}")
        self.retire_sim()
        session.kills.append(phase)
        time.sleep(self.rng.uniform(*self.cfg.restart_delay_s))
        self.spawn()
        kill.restarted_ms = wall_ms()
        self.kills.append(kill)
        if self.plugged:
            self.send(f"plug {CONNECTOR}")

    def retire_sim(self) -> None:
        """Stops the current process (if still running) and keeps its events."""
        if self.sim is None:
            return
        self.sim.stop()  # drains stdout after the exit, closes the pipes
        self.retired = self.sim.events.snapshot()
        self.sim_events.extend(e for e in self.retired if isinstance(e, dict))
        self.sim = None

    # ------------------------------------------------------------------ waiting on the sim
    def wait_sim(self, pred: Callable[[Record], bool], since: int, timeout: float) -> Record | None:
        """The first event of the current process at index >= since matching `pred`, or None."""
        assert self.sim is not None
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.sim.events.snapshot()[since:]:
                if isinstance(ev, dict) and pred(ev):
                    return ev
            if time.monotonic() >= deadline or self.sim.proc.poll() is not None:
                return None
            time.sleep(0.02)

    def wait_for_link(self) -> None:
        """After a refusal (queue full): the next driver waits until the charger is back
        online and has had a moment to deliver, instead of being refused too."""
        deadline = time.monotonic() + 200
        while not self.csms.connected():
            if time.monotonic() >= deadline:
                self.anomaly("the charge point did not come back online within 200 s")
                return
            time.sleep(0.25)
        time.sleep(2.0)

    def ensure_alive(self) -> None:
        """A simulator that exited by itself (a crash) is a finding; start it again and go on."""
        assert self.sim is not None
        code = self.sim.proc.poll()
        if code is not None:
            self.anomaly(f"the simulator exited by itself (status {code}); restarted")
            self.retire_sim()
            self.spawn()
            if self.plugged:
                self.send(f"plug {CONNECTOR}")

    def anomaly(self, text: str) -> None:
        self.anomalies.append(f"{self.elapsed():7.1f}s {text}")

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    # ------------------------------------------------------------------ faults
    def backoff_streak(self) -> int:
        """Links of the current process that ended since it started or since one lasted 60 s:
        the charge point's next reconnect waits about 2^streak s (ConnectionConfig)."""
        assert self.proxy is not None
        links, _ = self.proxy.snapshot()
        streak = 0
        for link in links:
            if link.opened < self.sim_started_proxy_t or link.closed is None:
                continue
            streak = 0 if link.closed - link.opened >= 60 else streak + 1
        return streak

    def cut(self, session: Session, phase: str, forced: str | None = None) -> None:
        """One cut of a random kind (or the `forced` one: `kind` or `bytes:up`), unless the
        charge point's backoff is already long (forced cuts happen anyway)."""
        assert self.proxy is not None
        rng = self.rng
        kind = rng.choices(
            ["now", "timer", "bytes", "answer", "outage", "stall"], weights=[3, 2, 4, 1, 2, 0.4]
        )[0]
        if rng.random() < self.cfg.p_long_outage:
            kind = "long_outage"
        reset = rng.random() < 0.4
        # Draw everything first: the RNG sequence does not depend on the skip decision.
        delay = rng.uniform(0.0, 2.0)
        direction = rng.choice([UP, DOWN])
        offset = rng.randrange(0, 700)
        outage = rng.uniform(0.5, 3.0)
        long_outage = rng.uniform(*self.cfg.long_outage_s)
        if forced is not None:
            kind, _, forced_direction = forced.partition(":")
            direction = forced_direction or direction
        else:
            streak = self.backoff_streak() + (1 if self.proxy.armed() else 0)
            if (1 << streak) > self.cfg.max_backoff_s and kind != "long_outage":
                self.skipped_cuts += 1
                return
        if kind == "now":
            self.proxy.cut_now(reset)
        elif kind == "timer":
            self.proxy.cut_later(delay, reset)
        elif kind == "bytes":
            self.proxy.arm(direction, offset, reset)
        elif kind == "outage":
            self.proxy.outage(outage, reset)
        elif kind == "answer":
            self.proxy.arm_match(DOWN, START_ANSWER)
        elif kind == "stall":
            self.proxy.stall()
        else:
            self.proxy.outage(long_outage, reset)
            self.long_outage_until = time.monotonic() + long_outage
        session.notes.append(
            f"{phase}: cut {kind}" + (f" {direction} {offset}" if kind == "bytes" else "")
        )

    def fault_point(self, session: Session, phase: str, kill_p: float, cut_p: float) -> bool:
        """Maybe a fault here; True if the simulator was killed (and restarted)."""
        kill = self.rng.random() < kill_p
        cut = self.rng.random() < cut_p
        forced = self.forced.pop((session.index, phase), None)
        if forced == "kill" or (kill and self.cfg.kills):
            self.kill_restart(session, phase)
            return True
        if forced is not None:
            self.cut(session, phase, forced)
        elif cut and self.cfg.cuts:
            self.cut(session, phase)
        return False

    def plan_forced(self) -> dict[tuple[int, str], str]:
        """Faults every run has, each in a random session, so that a run always covers the
        dangerous points: kills just after a tap, while charging and just after the stop, and
        cuts mid-frame both ways, an outage and a silent link."""
        wanted: list[tuple[str, str]] = []
        if self.cfg.kills:
            wanted += [
                ("tapped", "kill"),
                ("charging", "kill"),
                ("stopping", "kill"),
                ("plugged", "kill"),
            ]
        if self.cfg.cuts:
            wanted += [
                ("plugged", "bytes:up"),
                ("plugged", "answer"),
                ("charging", "bytes:down"),
                ("charging", "outage"),
                ("tapped", "now"),
                ("stopping", "timer"),
                ("idle", "stall"),
            ]
        slots = self.rng.sample(range(self.cfg.sessions), min(len(wanted), self.cfg.sessions))
        return {(i, phase): action for i, (phase, action) in zip(slots, wanted, strict=False)}

    def point(self, session: Session, phase: str, delay: float = 0.0) -> bool:
        if delay > 0:
            time.sleep(delay)
        return self.fault_point(session, phase, self.cfg.p_kill, self.cfg.p_cut)

    # ------------------------------------------------------------------ sessions
    def run_sessions(self) -> None:
        assert self.sim is not None
        # The first boot happens before the first session (later boots are random).
        if self.wait_sim(lambda e: e.get("event") == "boot", 0, 30) is None:
            self.anomaly("no BootNotification answer in 30 s at the start")
        for i in range(self.cfg.sessions):
            session = Session(i, tag_of(i), started_ms=wall_ms())
            self.sessions.append(session)
            self.ensure_alive()
            self.session(session)
            session.ended_ms = wall_ms()
            if session.refused:
                self.wait_for_link()
            # A planned fault the session never reached (a kill ended it early) moves on.
            for key in [k for k in self.forced if k[0] == i]:
                if i + 1 < self.cfg.sessions and (i + 1, key[1]) not in self.forced:
                    self.forced[(i + 1, key[1])] = self.forced.pop(key)

    def session(self, s: Session) -> None:
        rng, cfg = self.rng, self.cfg
        tap_delay = rng.uniform(0.0, 0.3)
        charge = rng.uniform(*cfg.charge_s)
        if rng.random() < cfg.p_long_charge:
            charge = rng.uniform(*cfg.long_charge_s)
        method = rng.choice(["tap", "unplug", "remote"])
        stop_delay = rng.uniform(0.0, 0.3)

        self.point(s, "idle")
        self.send(f"plug {CONNECTOR}")
        self.plugged = True
        self.point(s, "plugged", rng.uniform(0.0, 0.5))
        assert self.sim is not None
        mark = self.sim.mark()
        self.send(f"tap {s.tag}")
        if self.point(s, "tapped", tap_delay):
            # Whether the tap became a transaction before the kill shows in the dead one's events.
            s.began = any(_energy(True)(e) for e in self.retired[mark:])
            s.killed_before_begin_seen = not s.began
            s.killed_in_tx = s.began
            self.finish(s)
            return
        tapped_at = time.monotonic()
        begin = self.wait_sim(lambda e: _energy(True)(e) or _queue_full(e), mark, cfg.tap_timeout_s)
        s.tap_s = round(time.monotonic() - tapped_at, 2)
        if begin is None or _queue_full(begin):
            # The thinning rule's other half: a new transaction needs room for its Start and
            # Stop in the queue, or the charge point refuses it (README, Behaviour).
            if begin is None:
                self.anomaly(f"session {s.index}: no transaction began after the tap")
            else:
                s.refused = True
            self.finish(s)
            return
        s.began = True
        # The charging time in steps drawn up front: the same seed makes the same decisions
        # however long each step of the driver really takes.
        steps: list[float] = []
        while (left := charge - sum(steps)) > 1e-3:
            steps.append(min(rng.uniform(0.2, 1.5), left))
        if time.monotonic() < self.long_outage_until:
            # Charge through the long outage: periodic MeterValues then find the queue full,
            # and the thinning rule has to drop some (README, Behaviour).
            extra = self.long_outage_until - time.monotonic() + 5.0
            steps.append(extra)
            charge += extra
            s.notes.append("charged through a long outage")
        # A long charge gets no more faults than a 6 s one: it is there to fill transactionData.
        scale = min(1.0, 6.0 / charge)
        end = time.monotonic() + charge
        for step in steps:
            time.sleep(max(0.0, min(step, end - time.monotonic())))
            if self.fault_point(
                s,
                "charging",
                cfg.charge_kill_rate * step * scale,
                cfg.charge_cut_rate * step * scale,
            ):
                s.killed_in_tx = True
                self.finish(s)
                return
        self.stop(s, method)
        if self.point(s, "stopping", stop_delay) and s.stop_reason is None:
            s.killed_in_tx = True
        self.finish(s)

    def stop(self, s: Session, method: str) -> None:
        """Ends the transaction; the sim's energy-off and tx_stopped events confirm it."""
        assert self.sim is not None
        mark = self.sim.mark()
        s.stop_method = method
        if method == "remote":
            tx = self.csms.transaction_of(s.tag)
            done: Record = (
                self.csms.call("RemoteStopTransaction", {"transactionId": tx})
                if tx is not None
                else {"status": "no_transaction"}
            )
            result = done.get("result")
            accepted = (
                done.get("status") == "result"
                and isinstance(result, dict)
                and result.get("status") == "Accepted"
            )
            # A RemoteStop whose answer was lost may still have stopped it: look before tapping.
            stopped = self.wait_sim(_energy(False), mark, 5.0 if accepted else 1.0)
            if stopped is None:
                s.stop_method = "remote->tap"
                self.send(f"tap {s.tag}")
        elif method == "tap":
            self.send(f"tap {s.tag}")
        else:
            self.send(f"unplug {CONNECTOR}")
            self.plugged = False
        if self.wait_sim(_energy(False), mark, self.cfg.step_timeout_s) is None:
            self.anomaly(f"session {s.index}: the transaction did not stop ({s.stop_method})")
            return
        stopped_ev = self.wait_sim(
            lambda e: e.get("event") == "tx_stopped" and e.get("connector") == CONNECTOR, mark, 2.0
        )
        if stopped_ev is not None:
            s.stop_reason = str(stopped_ev.get("reason"))

    def finish(self, s: Session) -> None:
        """Unplugs (if still plugged) and waits until the connector is Available again."""
        assert self.sim is not None
        if self.plugged:
            self.send(f"unplug {CONNECTOR}")
            self.plugged = False
        deadline = time.monotonic() + self.cfg.step_timeout_s
        while not self.available_now():
            if time.monotonic() >= deadline or self.sim.proc.poll() is not None:
                self.anomaly(f"session {s.index}: connector not Available after unplug")
                return
            time.sleep(0.02)

    def available_now(self) -> bool:
        """Whether the current process's last status of the connector is Available."""
        assert self.sim is not None
        statuses = [
            e.get("status")
            for e in self.sim.events.snapshot()
            if e.get("event") == "status" and e.get("connector") == CONNECTOR
        ]
        return bool(statuses) and statuses[-1] == "Available"

    # ------------------------------------------------------------------ the end
    def drain(self) -> float:
        """Heals the link and waits (bounded) until the CSMS log shows every transaction
        closed and every locally begun one delivered; returns the seconds it took."""
        assert self.proxy is not None
        t = time.monotonic()
        self.proxy.heal()
        deadline = t + self.cfg.drain_timeout_s
        quiet_since: float | None = None
        last_count = -1
        while time.monotonic() < deadline:
            records = self.csms.records()
            pending = pending_work(records, self.sessions)
            count = sum(1 for r in records if r["event"] == "message" and r["direction"] == "in")
            if pending or not self.csms.connected():
                quiet_since = None
            elif count != last_count or quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= self.cfg.settle_s:
                return time.monotonic() - t
            last_count = count
            time.sleep(0.2)
        records = self.csms.records()
        self.anomaly(
            f"drain: not settled after {self.cfg.drain_timeout_s:g} s: "
            f"{pending_work(records, self.sessions)}"
        )
        return time.monotonic() - t

    def close(self) -> None:
        """Stops everything this run started (also after a failure)."""
        if self.sim is not None:
            try:
                self.sim.send("quit")
            except OSError:
                pass
            self.retire_sim()
        if self.proxy is not None:
            links, cuts = self.proxy.snapshot()
            self.links = [asdict(x) for x in links]
            self.cut_records = [asdict(x) for x in cuts]
            self.proxy.stop()
            self.proxy = None
        self.csms.stop()

    def collect_tx_events(self) -> None:
        """Folds the sim's tx_started ids into the sessions (by idTag)."""
        by_tag = {s.tag: s for s in self.sessions}
        for ev in self.sim_events:
            if ev.get("event") == "tx_started" and ev.get("id_tag") in by_tag:
                by_tag[ev["id_tag"]].tx_ids.append(int(ev["transaction_id"]))


def _queue_full(e: Record) -> bool:
    return e.get("event") == "error" and "queue is full" in str(e.get("message"))


def _energy(on: bool) -> Callable[[Record], bool]:
    def match(e: Record) -> bool:
        return e.get("event") == "energy" and e.get("connector") == CONNECTOR and e.get("on") is on

    return match


def pending_work(records: list[Record], sessions: list[Session]) -> list[str]:
    """What the CSMS log still lacks: a StopTransaction for a handed-out id, or any
    StartTransaction for a session whose transaction began locally."""
    handed: set[int] = set()
    stopped: set[int] = set()
    tags: set[str] = set()
    for r in records:
        if r["event"] != "message":
            continue
        payload = r.get("payload") or {}
        if (
            r["direction"] == "out"
            and r["type"] == "CALLRESULT"
            and r["action"] == "StartTransaction"
        ):
            if isinstance(payload.get("transactionId"), int):
                handed.add(payload["transactionId"])
        elif r["direction"] == "in" and r["type"] == "CALL" and r["action"] == "StartTransaction":
            tags.add(str(payload.get("idTag")))
        elif (
            r["direction"] == "in"
            and r["type"] == "CALL"
            and r["action"] == "StopTransaction"
            and isinstance(payload.get("transactionId"), int)
        ):
            stopped.add(payload["transactionId"])
    missing = [f"no StopTransaction for {tx}" for tx in sorted(handed - stopped)]
    missing += [
        f"no StartTransaction for {s.tag}" for s in sessions if s.began and s.tag not in tags
    ]
    return missing


def run(config: FaultConfig, workdir: Path, sim_bin: Path) -> tuple[Report, Run]:
    """Runs the sessions, drains, stops everything, analyses the CSMS's JSONL log."""
    started = time.monotonic()
    r = Run(config, workdir, sim_bin)
    drain_s = 0.0
    try:
        r.run_sessions()
        drain_s = r.drain()
    finally:
        r.close()
    r.collect_tx_events()
    assert r.proxy is None
    # For a post-mortem: what the driver did and what the simulators said.
    with open(workdir / "sim-events.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(e) + "\n" for e in r.sim_events)
    (workdir / "run.json").write_text(
        json.dumps(
            {
                "config": asdict(config),
                "sessions": [asdict(s) for s in r.sessions],
                "kills": [asdict(k) for k in r.kills],
                "cuts": r.cut_records,
                "links": r.links,
                "anomalies": r.anomalies,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    records = [json.loads(x) for x in r.log_path.read_text(encoding="utf-8").splitlines() if x]
    report = analyse(
        records=records,
        sessions=[asdict(s) for s in r.sessions],
        kills=[asdict(k) for k in r.kills],
        cuts=r.cut_records,
        sim_events=r.sim_events,
        anomalies=r.anomalies,
        run_start_ms=r.started_ms,
    )
    report.figures.update(
        seed=config.seed,
        skipped_cuts=r.skipped_cuts,
        processes=r.processes,
        drain_s=round(drain_s, 1),
        elapsed_s=round(time.monotonic() - started, 1),
    )
    return report, r


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="fault-injection run of ocpp-sim (issue [4])")
    p.add_argument("--sessions", type=int, default=30)
    p.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    p.add_argument("--no-kills", action="store_true", help="link cuts only")
    p.add_argument("--no-cuts", action="store_true", help="kills only")
    p.add_argument(
        "--long",
        action="store_true",
        help="also charge past 32 values (halving) and lose the link past 64 queued (thinning)",
    )
    p.add_argument(
        "--workdir", type=Path, help="keep logs here (default: a temp dir, removed on success)"
    )
    p.add_argument(
        "--sim",
        type=Path,
        default=Path(os.environ.get("OCPP_SIM_BIN", ROOT / "target" / "debug" / "ocpp-sim")),
    )
    return p.parse_args(argv)


def config_from_args(ns: argparse.Namespace) -> FaultConfig:
    seed = ns.seed if ns.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    cfg = FaultConfig(sessions=ns.sessions, seed=seed, kills=not ns.no_kills, cuts=not ns.no_cuts)
    if ns.long:
        cfg.p_long_charge = 0.05
        cfg.p_long_outage = 0.03  # of the cuts
        cfg.drain_timeout_s = 200.0
    return cfg


def _stop_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through Run.close(): no simulator left behind


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)  # also when started in the background
    ns = parse_args(argv)
    cfg = config_from_args(ns)
    sim = ns.sim if ns.sim.is_absolute() else ROOT / ns.sim
    if not sim.is_file():
        print(
            f"ocpp-sim not found at {sim} (cargo build --bin ocpp-sim, or --sim)", file=sys.stderr
        )
        return 2
    keep = ns.workdir is not None
    workdir = ns.workdir or Path(tempfile.mkdtemp(prefix="ocpp-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"fault run: seed {cfg.seed}, {cfg.sessions} sessions, logs in {workdir}", flush=True)
    report, _ = run(cfg, workdir, sim)
    print(report.text())
    if report.problems:
        print(f"FAILED: {len(report.problems)} problems; logs kept in {workdir}")
        return 1
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
