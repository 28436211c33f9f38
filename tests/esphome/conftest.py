"""Fixtures for tests of ESPHome `host` programs, built offline by tools/esphome-host.sh.

Run with the esphome venv (it has esphome, aioesphomeapi, pytest):
    scripts/setup-esphome.sh && .venv-esphome/bin/python -m pytest -q tests/esphome

    esphome_build(yaml, **substitutions) -> Path    build (bounded), the program's path
    host_program(program, args=())      -> HostProgram started now, always stopped at teardown
    free_port                            a free TCP port on 127.0.0.1
    esphome_data_dir                     where the builds go (tools/esphome-host.sh's default)

Every wait has a deadline; every process is started in its own session and its whole group is
killed if it does not stop on SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "esphome-host.sh"
# A first build is ~20 s on an idle 2-core machine (mostly ESPHome's api component); a loaded CI
# machine can take several times that. A rebuild of an unchanged YAML is ~1-2 s.
BUILD_TIMEOUT = 600.0
STOP_TIMEOUT = 5.0


@pytest.fixture
def esphome_data_dir() -> Path:
    """Where tools/esphome-host.sh puts builds (same default, same override)."""
    return Path(os.environ.get("ESPHOME_DATA_DIR", ROOT / "target-esphome")).resolve()


@pytest.fixture
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after STOP_TIMEOUT."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)
    except ProcessLookupError:
        proc.wait(timeout=STOP_TIMEOUT)


def run_tool(args: list[str], timeout: float) -> str:
    """tools/esphome-host.sh ARGS in its own process group; its stdout, or a failure with both
    outputs. The group is killed on timeout (esphome, PlatformIO, SCons, g++ with it)."""
    proc = subprocess.Popen(
        [str(TOOL), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate(timeout=STOP_TIMEOUT)
        what = " ".join(args)
        pytest.fail(f"esphome-host.sh {what}: no result in {timeout:.0f} s\n{err[-4000:]}")
    finally:
        _kill_group(proc)
    if proc.returncode != 0:
        pytest.fail(f"esphome-host.sh {' '.join(args)} exited {proc.returncode}\n{err[-6000:]}")
    return out


def build(yaml: Path, **substitutions: object) -> Path:
    args = ["build", str(yaml)]
    for key, value in substitutions.items():
        args += ["-s", key, str(value)]
    program = Path(run_tool(args, BUILD_TIMEOUT).strip().splitlines()[-1])
    assert program.is_absolute() and os.access(program, os.X_OK), program
    return program


@pytest.fixture
def esphome_build() -> Callable[..., Path]:
    return build


def loopback_shim() -> str:
    """The LD_PRELOAD shim that makes the program's ANY binds loopback binds (see the tool)."""
    return run_tool(["shim"], 60.0).strip().splitlines()[-1]


def listen_addresses(port: int) -> set[str]:
    """Addresses with a TCP socket in LISTEN on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            addr, hexport = fields[1].split(":")
            if fields[3] == "0A" and int(hexport, 16) == port and len(addr) == width:
                raw = bytes.fromhex(addr)
                if width == 8:  # one little-endian 32-bit word
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:  # four little-endian 32-bit words
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


class HostProgram:
    """An ESPHome host program: its own HOME (so its prefs file is private), the loopback shim
    preloaded, stdout line-buffered (stdbuf) and collected line by line, stderr merged into it."""

    def __init__(self, program: Path, workdir: Path, args: tuple[str, ...] = ()) -> None:
        home = workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, HOME=str(home))
        env["LD_PRELOAD"] = ":".join(filter(None, [loopback_shim(), env.get("LD_PRELOAD")]))
        self.prefs_dir = home / ".esphome" / "prefs"
        self.log_path = workdir / f"{program.parent.name}.log"
        # closed in stop()
        self._log = open(self.log_path, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", str(program), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._log.write(line)
            self._log.flush()
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def tail(self, n: int = 40) -> str:
        with self._cond:
            return "\n".join(self.lines[-n:])

    def wait_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first output line matching `pattern` (ANSI colours stripped)."""
        regex = re.compile(pattern)
        ansi = re.compile(r"\x1b\[[0-9;]*m")
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if m := regex.search(ansi.sub("", line)):
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    break
                self._cond.wait(min(left, 0.5))
        status = self.proc.poll()
        pytest.fail(f"no line /{pattern}/ within {timeout} s (exit {status}):\n{self.tail()}")

    def wait_listening(self, port: int, timeout: float) -> set[str]:
        """Addresses the program listens on at `port`, once it does (polls /proc, no connect)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                status = self.proc.returncode
                pytest.fail(f"program exited {status} before listening:\n{self.tail()}")
            if addresses := listen_addresses(port):
                return addresses
            time.sleep(0.05)
        pytest.fail(f"nothing listens on port {port} after {timeout} s:\n{self.tail()}")

    def stop(self) -> int:
        """SIGTERM (the program flushes its prefs and exits 0), SIGKILL after STOP_TIMEOUT.
        Idempotent: the fixture calls it again at teardown."""
        _kill_group(self.proc)
        self._reader.join(timeout=STOP_TIMEOUT)
        if not self._reader.is_alive():
            assert self.proc.stdout is not None
            self.proc.stdout.close()
            self._log.close()
        return self.proc.returncode


@pytest.fixture
def host_program(tmp_path: Path) -> Iterator[Callable[..., HostProgram]]:
    started: list[HostProgram] = []

    def start(program: Path, args: tuple[str, ...] = ()) -> HostProgram:
        p = HostProgram(program, tmp_path / f"run{len(started)}", args)
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()
