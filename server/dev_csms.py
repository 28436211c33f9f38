#!/usr/bin/env python3
"""Development central system (OCPP 1.6J) built on the PyPI `ocpp` library.

    python server/dev_csms.py [--host 127.0.0.1] [--port 9000] [--tags TAG1,TAG2]
                              [--auth-key KEY] [--log FILE.jsonl] [--script FILE]

Accepts any charge point id from the URL path (ws://HOST:PORT/<id>), answers every
charge-point-initiated 1.6 message, and sends central-system-initiated messages from
commands read from --script and then stdin (see server/README.md for the command set).

Output: one JSON line per message in either direction (and per event) to --log; a human
transcript to stderr; command results and a `listening` line as JSON lines on stdout.
The library's schema validation stays on in both directions; every validation failure
and every date-time that is not RFC 3339 with a zone is recorded as
`{"event": "validation_error", ...}`.

For tests: `DevCsms(CsmsConfig(port=0))`, `await start()`, `url(cp_id)`,
`await call(cp_id, action, payload)`, `await wait_message(action, ...)`, `await stop()`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import itertools
import json
import shlex
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

import websockets
from ocpp.charge_point import camel_to_snake_case
from ocpp.exceptions import OCPPError
from ocpp.routing import on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call as ocpp_call
from ocpp.v16 import call_result, datatypes
from ocpp.v16.enums import Action, AuthorizationStatus
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocpp_schemas import Kind, date_time_errors

SUBPROTOCOL = "ocpp1.6"
FRAME_TYPES = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}
Record = dict[str, Any]


def utc_now() -> str:
    """Current UTC time as RFC 3339 with milliseconds and `Z` (what we send to the CP)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_in(seconds: float) -> str:
    """UTC time `seconds` from now, RFC 3339 with `Z`."""
    when = datetime.now(UTC) + timedelta(seconds=seconds)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def cp_id_from_path(path: str) -> str | None:
    """Charge point id = last non-empty path segment (OCPP-J: ws://host/base/<id>)."""
    segments = [s for s in urlsplit(path).path.split("/") if s]
    return unquote(segments[-1]) if segments else None


def basic_auth_ok(header: str | None, cp_id: str, key: str) -> bool:
    """1.6 security profile 1: HTTP Basic with user = charge point id, password = AuthorizationKey."""
    if not header or not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    return sep == ":" and user == cp_id and password == key


@dataclass
class CsmsConfig:
    """Settings of one dev CSMS instance (everything the command line can set)."""

    host: str = "127.0.0.1"
    port: int = 9000
    tags: set[str] = field(default_factory=set)
    auth_key: str | None = None
    log_path: Path | None = None
    heartbeat_interval: int = 300
    boot_status: str = "Accepted"
    call_timeout: float = 30.0
    ping_interval: float | None = 20.0
    transcript: TextIO | None = None
    first_transaction_id: int = 1
    # A StartTransaction repeated with the same connector, idTag, timestamp and meterStart (its
    # answer was lost, so the charge point sent it again) gets the same transaction id, as
    # SteVe does (OcppServerRepositoryImpl.insertIgnoreTransaction); 1.6 itself has no dedup.
    dedupe_starts: bool = True


class Recorder:
    """Keeps every record in memory, appends it to the JSONL log, echoes it to the transcript,
    and wakes up whoever waits for it."""

    def __init__(self, log_path: Path | None, transcript: TextIO | None) -> None:
        self.records: list[Record] = []
        self._log: TextIO | None = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115
        self._transcript = transcript
        self._waiters: list[tuple[Callable[[Record], bool], int, asyncio.Future[Record]]] = []

    def add(self, record: Record) -> Record:
        record = {"ts": utc_now(), "seq": len(self.records), **record}
        self.records.append(record)
        if self._log is not None:
            self._log.write(json.dumps(record, default=str) + "\n")
            self._log.flush()
        if self._transcript is not None:
            self._transcript.write(transcript_line(record) + "\n")
            self._transcript.flush()
        for waiter in list(self._waiters):
            predicate, since, future = waiter
            if record["seq"] >= since and not future.done() and predicate(record):
                future.set_result(record)
        self._waiters = [w for w in self._waiters if not w[2].done()]
        return record

    def note(self, text: str) -> None:
        """A transcript-only line (library warnings); not a record."""
        if self._transcript is not None:
            self._transcript.write(f"{utc_now()[11:23]}  .. {text}\n")
            self._transcript.flush()

    def find(self, predicate: Callable[[Record], bool], since: int = 0) -> Record | None:
        return next((r for r in self.records[since:] if predicate(r)), None)

    async def wait(self, predicate: Callable[[Record], bool], since: int, timeout: float) -> Record:
        found = self.find(predicate, since)
        if found is not None:
            return found
        future: asyncio.Future[Record] = asyncio.get_running_loop().create_future()
        waiter = (predicate, since, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def transcript_line(r: Record) -> str:
    """One human-readable line per record: time, who said what."""
    t = r["ts"][11:23]
    ev = r["event"]
    if ev == "message":
        arrow = f"{r['cp']} -> CS" if r["direction"] == "in" else f"CS -> {r['cp']}"
        body = json.dumps(r.get("payload"), separators=(",", ":"), default=str)
        suffix = {"CALL": "", "CALLRESULT": " (result)", "CALLERROR": " (CALLERROR)"}[r["type"]]
        return f"{t}  {arrow:<16} {r.get('action') or '?'}{suffix} {body}"
    if ev == "validation_error":
        return (
            f"{t}  !! VALIDATION ERROR [{r.get('source')}] {r.get('cp')} {r.get('direction')} "
            f"{r.get('action')}: {r.get('error')}"
        )
    if ev == "call_done":
        return f"{t}  == {r['action']} on {r['cp']}: {r['status']}"
    rest = {k: v for k, v in r.items() if k not in ("ts", "seq", "event")}
    return f"{t}  == {ev} {json.dumps(rest, default=str)}"


class _LibLog:
    """Logger stand-in for the ocpp library: its warnings become one transcript line each."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    info = debug

    def _line(self, msg: str, *args: Any, **kwargs: Any) -> None:
        try:
            text = msg % args if args else msg
        except (TypeError, ValueError):
            text = f"{msg} {args}"
        self._recorder.note(f"ocpp lib: {text}")

    warning = error = exception = _line


class CsmsChargePoint(OcppChargePoint):
    """The central system's side of one charge point connection."""

    def __init__(self, cp_id: str, connection: ServerConnection, csms: DevCsms) -> None:
        super().__init__(
            cp_id,
            connection,
            response_timeout=csms.config.call_timeout,
            logger=_LibLog(csms.recorder),
        )
        self.csms = csms
        self._sent_calls: dict[str, str] = {}  # message id -> action of our CALLs
        self._received_calls: dict[str, str] = {}  # message id -> action of the CP's CALLs
        self._raw_responses: dict[str, tuple[str, Any]] = {}  # id -> (type, payload)

    # ------------------------------------------------------------------ recording
    def _record_frame(self, direction: str, raw: str) -> dict[str, Any] | None:
        try:
            frame = json.loads(raw)
        except (json.JSONDecodeError, TypeError):
            self._violation("frame", direction, None, None, "not valid JSON", raw=str(raw)[:500])
            return None
        if not (
            isinstance(frame, list)
            and len(frame) >= 3
            and frame[0] in FRAME_TYPES
            and isinstance(frame[1], str)
        ):
            self._violation(
                "frame", direction, None, None, "not an OCPP-J frame", raw=str(raw)[:500]
            )
            return None
        kind = FRAME_TYPES[frame[0]]
        msg_id = frame[1]
        if kind == "CALL":
            action = frame[2] if len(frame) > 2 else None
            payload = frame[3] if len(frame) > 3 else None
        else:
            if kind == "CALLRESULT":
                payload = frame[2]
            else:
                payload = {
                    "errorCode": frame[2],
                    "errorDescription": frame[3] if len(frame) > 3 else None,
                    "errorDetails": frame[4] if len(frame) > 4 else None,
                }
            action = (
                self._sent_calls.get(msg_id)
                if direction == "in"
                else self._received_calls.pop(msg_id, None)
            )
        self.csms.recorder.add(
            {
                "event": "message",
                "direction": direction,
                "cp": self.id,
                "type": kind,
                "action": action,
                "id": msg_id,
                "payload": payload,
            }
        )
        return {"type": kind, "id": msg_id, "action": action, "payload": payload}

    def _violation(
        self,
        source: str,
        direction: str,
        action: str | None,
        msg_id: str | None,
        error: str,
        **extra: Any,
    ) -> None:
        self.csms.recorder.add(
            {
                "event": "validation_error",
                "source": source,
                "cp": self.id,
                "direction": direction,
                "action": action,
                "id": msg_id,
                "error": error,
                **extra,
            }
        )

    def _check_date_times(self, frame: dict[str, Any]) -> None:
        if frame["action"] is None or frame["type"] == "CALLERROR":
            return
        kind: Kind = "req" if frame["type"] == "CALL" else "conf"
        for err in date_time_errors(frame["action"], kind, frame["payload"]):
            self._violation(
                "date-time", "in", frame["action"], frame["id"], f"not RFC 3339 with zone: {err}"
            )

    # ------------------------------------------------------------------ library hooks
    async def route_message(self, raw_msg: str) -> None:
        frame = self._record_frame("in", raw_msg)
        if frame is not None:
            if frame["type"] == "CALL" and isinstance(frame["action"], str):
                self._received_calls[frame["id"]] = frame["action"]
            elif frame["type"] != "CALL":
                self._raw_responses[frame["id"]] = (frame["type"], frame["payload"])
            self._check_date_times(frame)
        try:
            await super().route_message(raw_msg)
        except websockets.ConnectionClosed:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug here must not kill the connection silently
            self.csms.recorder.add({"event": "internal_error", "cp": self.id, "error": repr(exc)})

    async def _handle_call(self, msg: Any) -> Any:
        try:
            return await super()._handle_call(msg)
        except OCPPError as exc:
            # The library answers with this CALLERROR; the record makes the cause visible.
            source = "action" if exc.code in ("NotImplemented", "NotSupported") else "schema"
            self._violation(source, "in", msg.action, msg.unique_id, f"{exc.code}: {_cause(exc)}")
            raise

    async def _send(self, message: str) -> None:
        self._record_frame("out", message)
        await super()._send(message)

    # ------------------------------------------------------------------ CS-initiated calls
    async def send_call(self, action: str, payload: dict[str, Any]) -> Record:
        """Send one CALL, wait for the answer; returns (and records) a `call_done` record."""
        done: Record = {"event": "call_done", "cp": self.id, "action": action, "request": payload}
        request_cls = getattr(ocpp_call, action, None)
        if request_cls is None:
            return self.csms.recorder.add({**done, "status": "unknown_action"})
        try:
            request = request_cls(**{_snake(k): v for k, v in payload.items()})
        except TypeError as exc:
            return self.csms.recorder.add({**done, "status": "invalid_request", "error": str(exc)})
        msg_id = str(uuid.uuid4())
        done["id"] = msg_id
        self._sent_calls[msg_id] = action
        try:
            await self.call(request, suppress=False, unique_id=msg_id)
        except TimeoutError:
            return self.csms.recorder.add({**done, "status": "timeout"})
        except websockets.ConnectionClosed:
            return self.csms.recorder.add({**done, "status": "closed"})
        except Exception as exc:  # noqa: BLE001 - CALLERROR, or a schema failure on either side
            return self.csms.recorder.add(self._call_failure(done, msg_id, exc))
        # Date-times in the result were already checked when the frame arrived.
        _, result = self._raw_responses.pop(msg_id, ("CALLRESULT", None))
        return self.csms.recorder.add({**done, "status": "result", "result": result})

    def _call_failure(self, done: Record, msg_id: str, exc: Exception) -> Record:
        code = getattr(exc, "code", type(exc).__name__)
        raw = self._raw_responses.pop(msg_id, None)
        if raw is None:  # never sent: our own payload failed the schema
            self._violation("schema", "out", done["action"], msg_id, f"{code}: {_cause(exc)}")
            return {**done, "status": "invalid_request", "error": f"{code}: {_cause(exc)}"}
        kind, payload = raw
        if kind == "CALLERROR":
            return {**done, "status": "error", "error": payload}
        self._violation("schema", "in", done["action"], msg_id, f"{code}: {_cause(exc)}")
        return {
            **done,
            "status": "invalid_response",
            "result": payload,
            "error": f"{code}: {_cause(exc)}",
        }

    # ------------------------------------------------------------------ CP-initiated calls
    def _tag_info(self, id_tag: str) -> datatypes.IdTagInfo:
        known = id_tag in self.csms.config.tags
        return datatypes.IdTagInfo(
            status=AuthorizationStatus.accepted if known else AuthorizationStatus.invalid
        )

    @on(Action.boot_notification)
    def on_boot_notification(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=utc_now(),
            interval=self.csms.config.heartbeat_interval,
            status=self.csms.config.boot_status,
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=utc_now())

    @on(Action.authorize)
    def on_authorize(self, id_tag: str, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=self._tag_info(id_tag))

    @on(Action.start_transaction)
    def on_start_transaction(
        self,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str | None = None,
        **_: Any,
    ) -> call_result.StartTransaction:
        # 1.6 §6.46: the central system always returns a transaction id, even when not Accepted.
        tx_id = self.csms.open_transaction(self.id, connector_id, id_tag, meter_start, timestamp)
        return call_result.StartTransaction(
            transaction_id=tx_id, id_tag_info=self._tag_info(id_tag)
        )

    @on(Action.stop_transaction)
    def on_stop_transaction(
        self, transaction_id: int, meter_stop: int, id_tag: str | None = None, **_: Any
    ) -> call_result.StopTransaction:
        self.csms.close_transaction(transaction_id, meter_stop)
        info = self._tag_info(id_tag) if id_tag is not None else None
        return call_result.StopTransaction(id_tag_info=info)

    @on(Action.status_notification)
    def on_status_notification(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on(Action.data_transfer)
    def on_data_transfer(self, **_: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status="Accepted")

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status(self, **_: Any) -> call_result.DiagnosticsStatusNotification:
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    def on_firmware_status(self, **_: Any) -> call_result.FirmwareStatusNotification:
        return call_result.FirmwareStatusNotification()

    # Security extension (whitepaper ed.3) messages a 1.6 charge point may send.
    @on(Action.security_event_notification)
    def on_security_event(self, **_: Any) -> call_result.SecurityEventNotification:
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    def on_sign_certificate(self, **_: Any) -> call_result.SignCertificate:
        return call_result.SignCertificate(status="Rejected")  # no CA in the dev CSMS

    @on(Action.signed_firmware_status_notification)
    def on_signed_firmware_status(self, **_: Any) -> call_result.SignedFirmwareStatusNotification:
        return call_result.SignedFirmwareStatusNotification()

    @on(Action.log_status_notification)
    def on_log_status(self, **_: Any) -> call_result.LogStatusNotification:
        return call_result.LogStatusNotification()


def _instant(timestamp: str | None) -> datetime | str | None:
    """A date-time as an instant (so `Z` and `+00:00` compare equal), else the text as is."""
    if timestamp is None:
        return None
    try:
        return datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp


def _snake(key: str) -> str:
    return next(iter(camel_to_snake_case({key: None})))


def _cause(exc: Exception) -> str:
    details = getattr(exc, "details", None)
    if isinstance(details, dict) and details.get("cause"):
        return str(details["cause"])
    return str(getattr(exc, "description", None) or exc)


class CommandError(Exception):
    """A command line that cannot be run (syntax, unknown charge point, wait timeout)."""


class DevCsms:
    """One dev central system: a WebSocket server plus the records of everything it saw."""

    def __init__(self, config: CsmsConfig | None = None) -> None:
        self.config = config or CsmsConfig()
        self.recorder = Recorder(self.config.log_path, self.config.transcript)
        self.sessions: dict[str, CsmsChargePoint] = {}
        self.transactions: dict[int, Record] = {}
        self._tx_ids = itertools.count(self.config.first_transaction_id)
        self._start_keys: dict[tuple[Any, ...], int] = {}  # repeated StartTransaction -> its id
        self._server: Server | None = None
        self._cursor = 0  # where the next scripted `wait_for` starts looking
        self.port: int | None = None
        self.stopped = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Bind and serve; with port 0 the OS picks a free port (see `self.port`)."""
        self._server = await serve(
            self._handle_connection,
            self.config.host,
            self.config.port,
            subprotocols=[Subprotocol(SUBPROTOCOL)],
            process_request=self._process_request,
            compression=None,
            ping_interval=self.config.ping_interval,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self.recorder.add({"event": "listening", "host": self.config.host, "port": self.port})

    async def stop(self) -> None:
        """Close every connection and the listening socket, then the log file."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
            self.recorder.add({"event": "stopped"})
        self.recorder.close()
        self.stopped.set()

    def url(self, cp_id: str) -> str:
        """The URL a charge point with this id connects to."""
        return f"ws://{self.config.host}:{self.port}/{cp_id}"

    # ------------------------------------------------------------------ connections
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        cp_id = cp_id_from_path(request.path)
        if cp_id is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "no charge point id in the path\n")
        key = self.config.auth_key
        if key is not None and not basic_auth_ok(request.headers.get("Authorization"), cp_id, key):
            self.recorder.add(
                {
                    "event": "auth_rejected",
                    "cp": cp_id,
                    "had_authorization": "Authorization" in request.headers,
                }
            )
            response = connection.respond(HTTPStatus.UNAUTHORIZED, "bad or missing Basic auth\n")
            response.headers["WWW-Authenticate"] = 'Basic realm="ocpp", charset="UTF-8"'
            return response
        return None

    async def _handle_connection(self, connection: ServerConnection) -> None:
        request = connection.request
        cp_id = cp_id_from_path(request.path) if request is not None else None
        if request is None or cp_id is None:
            return
        session = CsmsChargePoint(cp_id, connection, self)
        self.sessions[cp_id] = session
        self.recorder.add(
            {
                "event": "connect",
                "cp": cp_id,
                "subprotocol": connection.subprotocol,
                "path": request.path,
            }
        )
        if connection.subprotocol != SUBPROTOCOL:
            # OCPP-J §3.1.2: the charge point must offer the ocpp1.6 subprotocol.
            session._violation(
                "handshake", "in", None, None, f"no '{SUBPROTOCOL}' subprotocol was negotiated"
            )
        try:
            await session.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            if self.sessions.get(cp_id) is session:
                del self.sessions[cp_id]
            self.recorder.add(
                {
                    "event": "disconnect",
                    "cp": cp_id,
                    "code": connection.close_code,
                    "reason": connection.close_reason,
                }
            )

    # ------------------------------------------------------------------ transactions
    def open_transaction(
        self,
        cp_id: str,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str | None = None,
    ) -> int:
        key = (cp_id, connector_id, id_tag, _instant(timestamp), meter_start)
        known = self._start_keys.get(key) if timestamp is not None else None
        if known is not None and self.config.dedupe_starts:
            self.recorder.note(f"repeated StartTransaction of {cp_id}: same transactionId {known}")
            return known
        tx_id = next(self._tx_ids)
        self._start_keys.setdefault(key, tx_id)
        self.transactions[tx_id] = {
            "cp": cp_id,
            "connector": connector_id,
            "id_tag": id_tag,
            "meter_start": meter_start,
            "open": True,
        }
        return tx_id

    def close_transaction(self, tx_id: int, meter_stop: int) -> None:
        tx = self.transactions.get(tx_id)
        if tx is not None:
            tx.update(open=False, meter_stop=meter_stop)

    def open_transaction_of(self, cp_id: str) -> int | None:
        """Latest still-open transaction of this charge point."""
        open_ids = [t for t, tx in self.transactions.items() if tx["cp"] == cp_id and tx["open"]]
        return max(open_ids) if open_ids else None

    # ------------------------------------------------------------------ for tests and scripts
    @property
    def records(self) -> list[Record]:
        return self.recorder.records

    def mark(self) -> int:
        """Index of the next record; pass as `since=` to wait only for what comes after."""
        return len(self.recorder.records)

    def validation_errors(self) -> list[Record]:
        return [r for r in self.records if r["event"] == "validation_error"]

    async def call(self, cp_id: str, action: str, payload: dict[str, Any] | None = None) -> Record:
        """Send a CALL to a connected charge point; returns the `call_done` record
        (`status`: result, error, timeout, closed, invalid_request, invalid_response,
        unknown_action, not_connected)."""
        session = self.sessions.get(cp_id)
        if session is None:
            return self.recorder.add(
                {
                    "event": "call_done",
                    "cp": cp_id,
                    "action": action,
                    "request": payload or {},
                    "status": "not_connected",
                }
            )
        return await session.send_call(action, payload or {})

    async def wait_record(
        self, predicate: Callable[[Record], bool], since: int = 0, timeout: float = 10.0
    ) -> Record:
        """First record at index >= since that matches; asyncio.TimeoutError after timeout."""
        return await self.recorder.wait(predicate, since, timeout)

    async def wait_message(
        self,
        action: str,
        cp_id: str | None = None,
        since: int = 0,
        timeout: float = 10.0,
        **payload_fields: Any,
    ) -> Record:
        """Wait for a CALL `action` from a charge point whose payload has these fields."""
        return await self.wait_record(
            message_matcher(action, cp_id, payload_fields), since, timeout
        )

    # ------------------------------------------------------------------ commands
    async def run_command(self, line: str) -> Record | None:
        """Run one command line (see server/README.md). Returns its result, None for blanks."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise CommandError(f"cannot parse line: {exc}") from exc
        if not words:
            return None
        name, args = words[0], words[1:]
        if name == "wait":
            seconds = _number(_arg(args, 0, "SECONDS"), "SECONDS")
            await asyncio.sleep(seconds)
            return {"event": "waited", "seconds": seconds}
        if name == "wait_for":
            return await self._wait_for_command(args)
        if name == "quit":
            self.stopped.set()
            return {"event": "quit"}
        if name == "tags":
            self.config.tags = set(args)
            return {"event": "tags", "tags": sorted(self.config.tags)}
        builder = CALL_COMMANDS.get(name)
        if builder is None:
            raise CommandError(f"unknown command {name!r} (see server/README.md)")
        cp_id = _arg(args, 0, "CP")
        action, payload = builder(self, cp_id, args[1:])
        return await self.call(cp_id, action, payload)

    async def _wait_for_command(self, args: list[str]) -> Record:
        if not args:
            raise CommandError(
                "usage: wait_for EVENT|ACTION [cp=ID] [timeout=S] [since=N] [FIELD=VALUE]..."
            )
        what, opts = args[0], dict(_key_value(a) for a in args[1:])
        timeout = _number(opts.pop("timeout", "30"), "timeout")
        since = _int(opts.pop("since"), "since") if "since" in opts else self._cursor
        cp_id = opts.pop("cp", None)
        predicate = event_matcher(what, cp_id, opts)
        try:
            found = await self.wait_record(predicate, since, timeout)
        except TimeoutError:
            raise CommandError(f"wait_for {' '.join(args)}: nothing after {timeout:g} s") from None
        self._cursor = found["seq"] + 1
        return found

    async def run_lines(
        self, lines: Iterable[str], stop_on_error: bool, out: TextIO | None
    ) -> bool:
        """Run commands one after another; True if all succeeded."""
        ok = True
        for line in lines:
            if self.stopped.is_set():
                break
            try:
                result = await self.run_command(line)
            except CommandError as exc:
                ok = False
                self.recorder.add(
                    {"event": "command_error", "line": line.strip(), "error": str(exc)}
                )
                _emit(out, {"event": "command_error", "line": line.strip(), "error": str(exc)})
                if stop_on_error:
                    break
                continue
            if result is not None:
                _emit(out, result)
        return ok


def _emit(out: TextIO | None, record: Record) -> None:
    if out is not None:
        out.write(json.dumps(record, default=str) + "\n")
        out.flush()


def _lookup(payload: Any, dotted: str) -> Any:
    """payload value at a dotted path (`meterValue.0.timestamp`); None when absent."""
    value = payload
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _same(actual: Any, wanted: Any) -> bool:
    return actual == wanted or (
        isinstance(wanted, str) and actual is not None and str(actual).lower() == wanted.lower()
    )


def message_matcher(
    action: str, cp_id: str | None, fields: dict[str, Any]
) -> Callable[[Record], bool]:
    """Matches a CALL from a charge point with the given action and payload fields."""

    def match(r: Record) -> bool:
        return (
            r["event"] == "message"
            and r["direction"] == "in"
            and r["type"] == "CALL"
            and r["action"] == action
            and (cp_id is None or r["cp"] == cp_id)
            and all(_same(_lookup(r["payload"], k), v) for k, v in fields.items())
        )

    return match


def event_matcher(what: str, cp_id: str | None, fields: dict[str, Any]) -> Callable[[Record], bool]:
    """`wait_for` target: an event name (connect, disconnect, ...) or a CP-initiated action."""
    if what[:1].isupper():
        return message_matcher(what, cp_id, fields)

    def match(r: Record) -> bool:
        return (
            r["event"] == what
            and (cp_id is None or r.get("cp") == cp_id)
            and all(_same(_lookup(r, k), v) for k, v in fields.items())
        )

    return match


# ---------------------------------------------------------------------- command -> CALL
Builder = Callable[[DevCsms, str, list[str]], tuple[str, dict[str, Any]]]


def _arg(args: list[str], i: int, name: str) -> str:
    if i >= len(args):
        raise CommandError(f"missing argument {name}")
    return args[i]


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"{name} must be an integer, got {text!r}") from None


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"{name} must be a number, got {text!r}") from None


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{name} is not valid JSON: {exc}") from None


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CommandError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _optional(args: list[str], i: int) -> str | None:
    return args[i] if i < len(args) else None


def cmd_remote_start(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"idTag": _arg(a, 0, "TAG")}
    if _optional(a, 1) is not None:
        payload["connectorId"] = _int(a[1], "CONNECTOR")
    if _optional(a, 2) is not None:
        payload["chargingProfile"] = _json(a[2], "PROFILE_JSON")
    return "RemoteStartTransaction", payload


def cmd_remote_stop(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    tx = _optional(a, 0)
    tx_id = _int(tx, "TXID") if tx is not None else csms.open_transaction_of(cp)
    if tx_id is None:
        raise CommandError(f"no open transaction of {cp}; give TXID")
    return "RemoteStopTransaction", {"transactionId": tx_id}


def cmd_reset(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "Reset", {"type": _arg(a, 0, "Soft|Hard")}


def cmd_unlock(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "UnlockConnector", {"connectorId": _int(_arg(a, 0, "CONNECTOR"), "CONNECTOR")}


def cmd_change_availability(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "ChangeAvailability", {
        "connectorId": _int(_arg(a, 0, "CONNECTOR"), "CONNECTOR"),
        "type": _arg(a, 1, "Operative|Inoperative"),
    }


def cmd_get_configuration(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "GetConfiguration", ({"key": list(a)} if a else {})


def cmd_change_configuration(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "ChangeConfiguration", {"key": _arg(a, 0, "KEY"), "value": _arg(a, 1, "VALUE")}


def cmd_clear_cache(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "ClearCache", {}


def cmd_data_transfer(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    payload = {"vendorId": _arg(a, 0, "VENDOR")}
    if _optional(a, 1) is not None:
        payload["messageId"] = a[1]
    if _optional(a, 2) is not None:
        payload["data"] = a[2]
    return "DataTransfer", payload


def cmd_trigger(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"requestedMessage": _arg(a, 0, "MESSAGE")}
    if _optional(a, 1) is not None:
        payload["connectorId"] = _int(a[1], "CONNECTOR")
    return "TriggerMessage", payload


def cmd_set_charging_profile(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "SetChargingProfile", {
        "connectorId": _int(_arg(a, 0, "CONNECTOR"), "CONNECTOR"),
        "csChargingProfiles": _json(_arg(a, 1, "JSON"), "JSON"),
    }


def cmd_clear_charging_profile(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    names = {
        "id": "id",
        "connector": "connectorId",
        "purpose": "chargingProfilePurpose",
        "stack": "stackLevel",
    }
    payload: dict[str, Any] = {}
    for key, value in (_key_value(x) for x in a):
        if key not in names:
            raise CommandError(
                f"clear_charging_profile: unknown filter {key!r} (id, connector, purpose, stack)"
            )
        payload[names[key]] = value if key == "purpose" else _int(value, key)
    return "ClearChargingProfile", payload


def cmd_get_composite_schedule(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "connectorId": _int(_arg(a, 0, "CONNECTOR"), "CONNECTOR"),
        "duration": _int(_arg(a, 1, "SECONDS"), "SECONDS"),
    }
    if _optional(a, 2) is not None:
        payload["chargingRateUnit"] = a[2]
    return "GetCompositeSchedule", payload


def cmd_send_local_list(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    entries = []
    for item in a[2:]:
        tag, _, status = item.partition(":")
        entry: dict[str, Any] = {"idTag": tag}
        if status != "-":  # TAG:- removes the tag in a Differential update
            entry["idTagInfo"] = {"status": status or "Accepted"}
        entries.append(entry)
    payload: dict[str, Any] = {
        "listVersion": _int(_arg(a, 0, "VERSION"), "VERSION"),
        "updateType": _arg(a, 1, "Full|Differential"),
    }
    if entries:
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


def cmd_get_local_list_version(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "GetLocalListVersion", {}


def cmd_reserve_now(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    expiry = _number(_optional(a, 3) or "3600", "EXPIRES_IN")
    return "ReserveNow", {
        "connectorId": _int(_arg(a, 0, "CONNECTOR"), "CONNECTOR"),
        "idTag": _arg(a, 1, "TAG"),
        "reservationId": _int(_arg(a, 2, "RESERVATION_ID"), "RESERVATION_ID"),
        "expiryDate": utc_in(expiry),
    }


def cmd_cancel_reservation(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "CancelReservation", {
        "reservationId": _int(_arg(a, 0, "RESERVATION_ID"), "RESERVATION_ID")
    }


def cmd_update_firmware(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    delay = _number(_optional(a, 1) or "0", "RETRIEVE_IN")
    return "UpdateFirmware", {"location": _arg(a, 0, "URI"), "retrieveDate": utc_in(delay)}


def cmd_get_diagnostics(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    return "GetDiagnostics", {"location": _arg(a, 0, "URI")}


def cmd_call(csms: DevCsms, cp: str, a: list[str]) -> tuple[str, dict[str, Any]]:
    payload = _json(a[1], "JSON") if len(a) > 1 else {}
    if not isinstance(payload, dict):
        raise CommandError("JSON payload must be an object")
    return _arg(a, 0, "ACTION"), payload


CALL_COMMANDS: dict[str, Builder] = {
    "remote_start": cmd_remote_start,
    "remote_stop": cmd_remote_stop,
    "reset": cmd_reset,
    "unlock": cmd_unlock,
    "change_availability": cmd_change_availability,
    "get_configuration": cmd_get_configuration,
    "change_configuration": cmd_change_configuration,
    "clear_cache": cmd_clear_cache,
    "data_transfer": cmd_data_transfer,
    "trigger": cmd_trigger,
    "set_charging_profile": cmd_set_charging_profile,
    "clear_charging_profile": cmd_clear_charging_profile,
    "get_composite_schedule": cmd_get_composite_schedule,
    "send_local_list": cmd_send_local_list,
    "get_local_list_version": cmd_get_local_list_version,
    "reserve_now": cmd_reserve_now,
    "cancel_reservation": cmd_cancel_reservation,
    "update_firmware": cmd_update_firmware,
    "get_diagnostics": cmd_get_diagnostics,
    "call": cmd_call,
}


# ---------------------------------------------------------------------- command line
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="OCPP 1.6J development central system")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9000, help="port; 0 picks a free one (default 9000)")
    p.add_argument("--tags", default="", help="comma-separated idTags that are Accepted")
    p.add_argument("--auth-key", help="require HTTP Basic auth: user = CP id, password = KEY")
    p.add_argument("--log", type=Path, help="append one JSON line per message/event to this file")
    p.add_argument("--script", type=Path, help="run these commands first, then read stdin")
    p.add_argument(
        "--heartbeat-interval",
        type=int,
        default=300,
        help="interval returned in BootNotification (default 300)",
    )
    p.add_argument("--boot-status", default="Accepted", choices=["Accepted", "Pending", "Rejected"])
    p.add_argument(
        "--call-timeout",
        type=float,
        default=30.0,
        help="seconds to wait for the answer to our CALLs (default 30)",
    )
    p.add_argument(
        "--no-dedupe-starts",
        action="store_true",
        help="a repeated StartTransaction gets a new transaction id (default: the same one)",
    )
    p.add_argument("--quiet", action="store_true", help="no transcript on stderr")
    return p.parse_args(argv)


def config_from_args(ns: argparse.Namespace) -> CsmsConfig:
    return CsmsConfig(
        host=ns.host,
        port=ns.port,
        tags={t for t in ns.tags.split(",") if t},
        auth_key=ns.auth_key,
        log_path=ns.log,
        heartbeat_interval=ns.heartbeat_interval,
        boot_status=ns.boot_status,
        call_timeout=ns.call_timeout,
        transcript=None if ns.quiet else sys.stderr,
        dedupe_starts=not ns.no_dedupe_starts,
    )


def _stdin_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Lines of stdin fed from a daemon thread (works for pipes, files and terminals)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="stdin", daemon=True).start()
    return queue


async def _serve_stdin(csms: DevCsms) -> None:
    queue = _stdin_lines(asyncio.get_running_loop())
    while (line := await queue.get()) is not None:
        await csms.run_lines([line], stop_on_error=False, out=sys.stdout)
        if csms.stopped.is_set():
            return
    # stdin closed: keep serving until killed or a script said quit


async def amain(ns: argparse.Namespace) -> int:
    csms = DevCsms(config_from_args(ns))
    await csms.start()
    _emit(sys.stdout, {"event": "listening", "host": csms.config.host, "port": csms.port})
    ok = True
    try:
        if ns.script is not None:
            lines = ns.script.read_text(encoding="utf-8").splitlines()
            ok = await csms.run_lines(lines, stop_on_error=True, out=sys.stdout)
            if not ok:
                csms.stopped.set()
        if not csms.stopped.is_set():
            stdin_task = asyncio.create_task(_serve_stdin(csms))
            await csms.stopped.wait()
            stdin_task.cancel()
    finally:
        await csms.stop()
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    try:
        return asyncio.run(amain(ns))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
