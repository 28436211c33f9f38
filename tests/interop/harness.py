"""Blocking drivers for interop tests: the charge point simulator as a subprocess, and a
central system either in-process (server/dev_csms.py) or as a subprocess (node csms.mjs).

Both central systems speak the same command language (server/README.md), so a test
talks to either through `command(line)` and `wait(what, since=..., **fields)`.
Every wait is bounded; `stop()` always ends what `start()` began.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import IO, Any, TextIO

from dev_csms import CommandError, CsmsConfig, DevCsms

ROOT = Path(__file__).resolve().parents[2]
NODE_CSMS = ROOT / "tests" / "interop" / "node" / "csms.mjs"
Record = dict[str, Any]


class LineCollector:
    """Reads a text stream on a thread; lets callers wait for a line matching a predicate."""

    def __init__(
        self,
        stream: IO[str],
        parse: Callable[[str], Any] = json.loads,
        copy_to: IO[str] | None = None,
    ) -> None:
        self.items: list[Any] = []
        self.closed = False
        self._cond = threading.Condition()
        self._parse = parse
        self._copy_to = copy_to
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: IO[str]) -> None:
        for line in stream:
            if self._copy_to is not None:
                self._copy_to.write(line)
                self._copy_to.flush()
            try:
                item = self._parse(line)
            except ValueError:
                item = {"event": "unparsable_line", "line": line.rstrip("\n")}
            with self._cond:
                self.items.append(item)
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(
        self, predicate: Callable[[Any], bool], since: int, timeout: float, what: str = "line"
    ) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for item in self.items[since:]:
                    if predicate(item):
                        return item
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    state = "stream closed" if self.closed else f"{timeout:g} s passed"
                    raise AssertionError(f"no {what} ({state}); last lines: {self.items[-5:]}")
                self._cond.wait(left)

    def join(self, timeout: float) -> None:
        """Wait for the reader to reach end of stream (after the writer exited)."""
        self._thread.join(timeout)

    def snapshot(self) -> list[Any]:
        with self._cond:
            return list(self.items)


def _close_pipes(proc: subprocess.Popen[str], reader: LineCollector) -> None:
    """After the child exited: let the reader drain stdout, then close both pipes."""
    reader.join(5)
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:  # stdin of a dead child: nothing left to flush
                pass


def _matches(record: Record, fields: dict[str, Any]) -> bool:
    return all(record.get(k) == v for k, v in fields.items())


# ---------------------------------------------------------------------- the simulator
def sim_binary() -> Path | None:
    """Path from env OCPP_SIM_BIN (default target/debug/ocpp-sim) if it exists."""
    path = Path(os.environ.get("OCPP_SIM_BIN", str(ROOT / "target" / "debug" / "ocpp-sim")))
    if not path.is_absolute():
        path = ROOT / path
    return path if path.is_file() else None


class SimProcess:
    """`ocpp-sim` as a child process: commands on stdin, JSON events from stdout."""

    def __init__(
        self, binary: Path, url: str, cp_id: str, args: list[str], stderr_path: Path
    ) -> None:
        cmd = [str(binary), "--url", url, "--id", cp_id, *args]
        if binary.suffix == ".py":  # the Python stand-in used to test these tests
            cmd.insert(0, sys.executable)
        self._stderr = open(stderr_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdout is not None
        self.events = LineCollector(self.proc.stdout)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def mark(self) -> int:
        return len(self.events.snapshot())

    def wait_event(
        self, event: str, since: int = 0, timeout: float = 15.0, **fields: Any
    ) -> Record:
        def match(r: Any) -> bool:
            return isinstance(r, dict) and r.get("event") == event and _matches(r, fields)

        return self.events.wait(match, since, timeout, f"sim event {event} {fields}")

    def all_events(self, event: str | None = None) -> list[Record]:
        return [e for e in self.events.snapshot() if event is None or e.get("event") == event]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
        _close_pipes(self.proc, self.events)
        self._stderr.close()


# ---------------------------------------------------------------------- central systems
class CsmsDriver:
    """What a test needs from a central system; both drivers implement it."""

    name = "csms"

    def url(self, cp_id: str) -> str:
        raise NotImplementedError

    def command(self, line: str, timeout: float = 40.0) -> Record:
        raise NotImplementedError

    def records(self) -> list[Record]:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def mark(self) -> int:
        return len(self.records())

    def wait(
        self,
        what: str,
        since: int | None = None,
        timeout: float = 15.0,
        cp: str | None = None,
        **fields: Any,
    ) -> Record:
        """`wait_for` through the command language: a CP-initiated action or an event name."""
        words = ["wait_for", what, f"timeout={timeout:g}"]
        if since is not None:
            words.append(f"since={since}")
        if cp is not None:
            words.append(f"cp={cp}")
        words += [f"{k}={v}" for k, v in fields.items()]
        return self.command(" ".join(words), timeout=timeout + 10)

    def call(self, line: str, timeout: float = 40.0) -> Record:
        """Run a CS-initiated call command; the `call_done` record must say `result`."""
        done = self.command(line, timeout)
        assert done.get("event") == "call_done" and done.get("status") == "result", (line, done)
        return done

    def validation_errors(self) -> list[Record]:
        return [r for r in self.records() if r["event"] == "validation_error"]


class PyCsmsDriver(CsmsDriver):
    """server/dev_csms.py running in-process on its own event-loop thread."""

    name = "python"

    def __init__(
        self,
        tags: set[str],
        log_path: Path,
        transcript_path: Path | None = None,
        auth_key: str | None = None,
    ) -> None:
        # The transcript (what a person reads) goes to a file the driver closes in stop().
        self._transcript: TextIO | None = (
            open(transcript_path, "w", encoding="utf-8") if transcript_path else None  # noqa: SIM115
        )
        self.csms = DevCsms(
            CsmsConfig(
                port=0,
                tags=set(tags),
                log_path=log_path,
                transcript=self._transcript,
                auth_key=auth_key,
            )
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._run(self.csms.start(), 10)

    def _run(self, coro: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise AssertionError(f"dev CSMS did not finish within {timeout:g} s") from None

    def url(self, cp_id: str) -> str:
        return self.csms.url(cp_id)

    def command(self, line: str, timeout: float = 40.0) -> Record:
        try:
            result = self._run(self.csms.run_command(line), timeout)
        except CommandError as exc:
            raise AssertionError(f"{line}: {exc}") from None
        assert result is not None, line
        return result

    def records(self) -> list[Record]:
        return list(self.csms.records)

    def stop(self) -> None:
        try:
            self._run(self.csms.stop(), 10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
            if self._transcript is not None:
                self._transcript.close()


class NodeCsmsDriver(CsmsDriver):
    """tests/interop/node/csms.mjs (ocpp-rpc, strictMode) as a child process."""

    name = "node"

    def __init__(
        self, tags: set[str], log_path: Path, stderr_path: Path, extra_args: tuple[str, ...] = ()
    ) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node not found")
        self.log_path = log_path
        self._stderr = open(stderr_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                node,
                str(NODE_CSMS),
                "--port",
                "0",
                "--tags",
                ",".join(sorted(tags)),
                "--log",
                str(log_path),
                *extra_args,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdout is not None
        self.out = LineCollector(self.proc.stdout)
        try:
            listening = self.out.wait(
                lambda r: r.get("event") == "listening", 0, 15, "listening line"
            )
        except AssertionError:
            self.stop()
            raise
        self.port = int(listening["port"])

    def url(self, cp_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{cp_id}"

    def command(self, line: str, timeout: float = 40.0) -> Record:
        since = len(self.out.snapshot())
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        result = self.out.wait(lambda r: True, since, timeout, f"result of {line!r}")
        if result.get("event") == "command_error":
            raise AssertionError(f"{line}: {result.get('error')}")
        return result

    def records(self) -> list[Record]:
        if not self.log_path.exists():
            return []
        return [json.loads(x) for x in self.log_path.read_text(encoding="utf-8").splitlines() if x]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        _close_pipes(self.proc, self.out)
        self._stderr.close()


def node_ready() -> str | None:
    """Why the node CSMS cannot run here, or None if it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_CSMS.parent / "node_modules" / "ocpp-rpc").is_dir():
        return "tests/interop/node/node_modules missing: run scripts/setup.sh"
    return None
