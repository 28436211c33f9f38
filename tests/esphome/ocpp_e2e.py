"""Drivers for the ocpp component's end-to-end tests: the dev central system as a subprocess
(server/dev_csms.py under the project's .venv, which has the `ocpp` package: the esphome venv
does not need it) and the firmware's native API on a background asyncio loop.

Every wait is bounded; `stop()` / `close()` end what the constructor started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aioesphomeapi import (
    APIClient,
    BinarySensorState,
    ButtonInfo,
    NumberInfo,
    SensorState,
    SwitchInfo,
    TextSensorState,
)

ROOT = Path(__file__).resolve().parents[2]
CSMS_PYTHON = ROOT / ".venv" / "bin" / "python"
DEV_CSMS = ROOT / "server" / "dev_csms.py"
Record = dict[str, Any]


class Csms:
    """server/dev_csms.py on 127.0.0.1 (port chosen by the OS), commands on stdin, one JSON
    result line per command on stdout, every message in `log_path` (JSONL)."""

    def __init__(self, workdir: Path, tags: str = "TAG1", extra: tuple[str, ...] = ()) -> None:
        if not CSMS_PYTHON.is_file():
            raise AssertionError(f"{CSMS_PYTHON} missing: run scripts/setup.sh (it has `ocpp`)")
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "csms.jsonl"
        self._stderr = open(workdir / "csms.transcript", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(CSMS_PYTHON),
                str(DEV_CSMS),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--tags",
                tags,
                "--log",
                str(self.log_path),
                *extra,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self._lines: list[Record] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = int(self._next_line(0, 20.0)["port"])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                item = json.loads(line)
            except ValueError:
                item = {"event": "unparsable_line", "line": line}
            with self._cond:
                self._lines.append(item)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _next_line(self, index: int, timeout: float) -> Record:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._lines) <= index:
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    raise AssertionError(
                        f"central system: no output line {index} in {timeout} s "
                        f"(exit {self.proc.poll()}); transcript in {self._stderr.name}"
                    )
                self._cond.wait(min(left, 0.5))
            return self._lines[index]

    def url(self, cp_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{cp_id}"

    def command(self, line: str, timeout: float = 45.0) -> Record:
        """One command (server/README.md); its result line. A command_error fails the test."""
        with self._cond:
            index = len(self._lines)
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        result = self._next_line(index, timeout)
        if result.get("event") == "command_error":
            raise AssertionError(f"central system: {line!r} failed: {result.get('error')}")
        return result

    def call(self, line: str, timeout: float = 45.0) -> Record:
        """A call command; its answer's payload (fails unless the charge point answered)."""
        done = self.command(line, timeout)
        assert done.get("status") == "result", f"{line!r}: {done}"
        return done["result"]

    def wait_for(self, what: str, timeout: float = 30.0, **fields: Any) -> Record:
        """The next CALL `what` from the charge point (or event) after the last one matched."""
        words = ["wait_for", what, f"timeout={timeout:g}"]
        words += [f"{k}={v}" for k, v in fields.items()]
        return self.command(" ".join(shlex.quote(w) for w in words), timeout + 15)

    def records(self) -> list[Record]:
        if not self.log_path.is_file():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def calls(self, action: str) -> list[Record]:
        """Every CALL `action` the charge point sent, oldest first."""
        return [
            r
            for r in self.records()
            if r.get("event") == "message"
            and r.get("direction") == "in"
            and r.get("type") == "CALL"
            and r.get("action") == action
        ]

    def validation_errors(self) -> list[Record]:
        return [r for r in self.records() if r.get("event") == "validation_error"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self._reader.join(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        self._stderr.close()


class Api:
    """The firmware's native API on a private event loop thread: entity states by name,
    switch / number / button commands, bounded waits for a state."""

    def __init__(self, port: int, timeout: float = 20.0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._cond = threading.Condition()
        self.states: dict[str, Any] = {}
        self._client: APIClient | None = None
        self._keys: dict[str, tuple[type, int]] = {}
        self._names: dict[int, str] = {}
        self._run(self._connect(port), timeout)

    def _run(self, coro: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self, port: int) -> None:
        # The client binds to the running loop: make it on this loop's thread.
        self._client = APIClient("127.0.0.1", port, None, client_info="ocpp-cp e2e test")
        await self._client.connect(login=True)
        entities, _ = await self._client.list_entities_services()
        for e in entities:
            self._keys[e.name] = (type(e), e.key)
            self._names[e.key] = e.name
        self._client.subscribe_states(self._on_state)

    def _on_state(self, state: Any) -> None:
        if not isinstance(state, (SensorState, TextSensorState, BinarySensorState)):
            return
        name = self._names.get(state.key)
        if name is None:
            return
        value = state.state
        # No state / NaN ("unknown" in Home Assistant) both read as None.
        if getattr(state, "missing_state", False) or (
            isinstance(value, float) and math.isnan(value)
        ):
            value = None
        with self._cond:
            self.states[name] = value
            self._cond.notify_all()

    def _key(self, name: str, kind: type) -> int:
        found = self._keys.get(name)
        assert found is not None and found[0] is kind, f"no {kind.__name__} named {name!r}"
        return found[1]

    def set_switch(self, name: str, on: bool) -> None:
        key = self._key(name, SwitchInfo)
        self._loop.call_soon_threadsafe(self._client.switch_command, key, on)

    def set_number(self, name: str, value: float) -> None:
        key = self._key(name, NumberInfo)
        self._loop.call_soon_threadsafe(self._client.number_command, key, value)

    def press(self, name: str) -> None:
        key = self._key(name, ButtonInfo)
        self._loop.call_soon_threadsafe(self._client.button_command, key)

    def wait_state(
        self, name: str, want: Any | Callable[[Any], bool], timeout: float = 20.0
    ) -> Any:
        """The state of `name` once it equals `want` (or `want(state)` holds)."""
        test = want if callable(want) else (lambda v: v == want)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if name in self.states and test(self.states[name]):
                    return self.states[name]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"entity {name!r} is {self.states.get(name)!r}, not {want!r}, after {timeout} s"
                    )
                self._cond.wait(min(left, 0.5))

    def close(self) -> None:
        # The firmware may be gone already: nothing to disconnect from then.
        with contextlib.suppress(Exception):
            if self._client is not None:
                self._run(self._client.disconnect(), 5.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


def sampled(record: Record) -> dict[tuple[str, str | None], dict[str, Any]]:
    """{(measurand, phase): sampledValue} of a MeterValues / StopTransaction record."""
    payload = record.get("payload", record)
    values = payload.get("meterValue") or payload.get("transactionData") or []
    out = {}
    for mv in values:
        for sv in mv.get("sampledValue", []):
            out[(sv.get("measurand", "Energy.Active.Import.Register"), sv.get("phase"))] = sv
    return out


def make_test_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it:
    (ca.pem, server.pem, server.key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ocpp-cp test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
    )
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


class TlsProxy:
    """TLS on 127.0.0.1 (port chosen by the OS) in front of a plain TCP port: a wss:// central
    system made of the dev CSMS. `sessions` counts completed TLS handshakes."""

    def __init__(self, target_port: int, cert: Path, key: Path) -> None:
        import ssl

        self._target = target_port
        self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ctx.load_cert_chain(str(cert), str(key))
        self.sessions = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _start(self) -> asyncio.Server:
        return await asyncio.start_server(self._client, "127.0.0.1", 0, ssl=self._ctx)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(4096):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):  # best effort at teardown
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
