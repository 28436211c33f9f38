"""A TCP proxy on 127.0.0.1 that cuts links on command: between `ocpp-sim` and the central
system in the fault-injection test (issue [4]).

It forwards bytes both ways and can, on the driver's request,
- `cut_now()`: close every live link at once (FIN, or RST when `reset`),
- `arm(direction, offset)`: cut the live (or next) link after `offset` more bytes in one
  direction (`up` = charge point -> central system, `down` = the answers), mid-frame included:
  the chunk that crosses the offset is forwarded only up to it,
- `outage(seconds)`: cut, then accept and drop every new connection for that long,
- `arm_match(direction, needles)`: cut inside the first chunk that contains all the needles
  (the central system's answer to a StartTransaction: the charge point must send it again),
- `stall()`: stop forwarding but keep the charge point's socket open (a silent link that only
  the WebSocket ping/pong watchdog can notice); the central system's side is closed.

Every cut is recorded (`Cut`), with where it fell relative to WebSocket frame boundaries, so
the test can report how many cut a frame in half. The proxy runs its own asyncio loop on a
thread (`ProxyThread`) so the blocking driver can call it. Randomness belongs to the driver.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

UP, DOWN = "up", "down"


@dataclass
class Cut:
    """One cut link: when (seconds since the proxy started), which link, how."""

    t: float
    link: int
    kind: str  # now, timer, bytes, answer, outage, stall, refused
    reset: bool = False
    direction: str | None = None  # for `bytes`: the direction whose offset was reached
    offset: int | None = None  # bytes into that direction's stream when cut
    mid_frame: bool = False  # some direction stopped inside a WebSocket frame (or the handshake)


@dataclass
class LinkInfo:
    """One proxied connection (a charge point's TCP connection)."""

    link: int
    opened: float
    closed: float | None = None
    bytes_up: int = 0
    bytes_down: int = 0
    refused: bool = False
    cut: Cut | None = None


class FrameTracker:
    """Follows one direction of a WebSocket stream to tell whether a byte offset falls on a
    frame boundary: first the HTTP head (up to CRLF CRLF), then frames (RFC 6455 §5.2)."""

    def __init__(self) -> None:
        self._head = b""
        self._in_http = True
        self._buf = b""  # header bytes of the frame being read
        self._left = 0  # payload bytes still to come of the current frame

    def feed(self, data: bytes) -> None:
        while data:
            if self._in_http:
                joined = self._head + data
                end = joined.find(b"\r\n\r\n")
                if end < 0:
                    self._head = joined[-3:]
                    return
                used = end + 4 - len(self._head)
                self._in_http, self._head, data = False, b"", data[used:]
                continue
            if self._left > 0:
                n = min(self._left, len(data))
                self._left -= n
                data = data[n:]
                continue
            self._buf += data[:1]
            data = data[1:]
            need = self._header_len()
            if need is not None and len(self._buf) >= need:
                self._left = self._payload_len()
                self._buf = b""

    def _header_len(self) -> int | None:
        if len(self._buf) < 2:
            return None
        masked, short = self._buf[1] & 0x80, self._buf[1] & 0x7F
        ext = {126: 2, 127: 8}.get(short, 0)
        return 2 + ext + (4 if masked else 0)

    def _payload_len(self) -> int:
        short = self._buf[1] & 0x7F
        if short == 126:
            return int(struct.unpack(">H", self._buf[2:4])[0])
        if short == 127:
            return int(struct.unpack(">Q", self._buf[2:10])[0])
        return short

    def at_boundary(self) -> bool:
        """True when the bytes fed so far end exactly between two frames (after the head)."""
        return not self._in_http and self._left == 0 and not self._buf


@dataclass
class _Link:
    info: LinkInfo
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    trackers: dict[str, FrameTracker] = field(
        default_factory=lambda: {UP: FrameTracker(), DOWN: FrameTracker()}
    )
    budget: dict[str, int] = field(default_factory=dict)  # direction -> bytes left before the cut
    match: dict[str, tuple[bytes, ...]] = field(default_factory=dict)  # direction -> needles
    stalled: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)


class CutProxy:
    """The proxy itself; every method runs on its event loop."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.links: list[LinkInfo] = []
        self.cuts: list[Cut] = []
        self.port: int | None = None
        self._live: dict[int, _Link] = {}
        self._armed: tuple[str, int] | None = None  # for the next link when none is live
        self._armed_reset = False
        self._armed_match: tuple[str, tuple[bytes, ...]] | None = None
        self._refuse_until = 0.0
        self._t0 = time.monotonic()
        self._server: asyncio.Server | None = None

    def now(self) -> float:
        """Seconds since the proxy was created."""
        return time.monotonic() - self._t0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for link in list(self._live.values()):
                self._close(link, reset=True)
            await self._server.wait_closed()
            self._server = None

    # ------------------------------------------------------------------ driver commands
    def cut_now(self, reset: bool = False, kind: str = "now") -> int:
        """Cuts every live link; returns how many there were."""
        links = list(self._live.values())
        for link in links:
            self._cut(link, kind, reset)
        return len(links)

    def arm(self, direction: str, offset: int, reset: bool = False) -> None:
        """Cut the live link (or the next one) once `offset` more bytes went `direction`."""
        self._armed_reset = reset
        live = [link for link in self._live.values() if not link.stalled]
        for link in live:
            link.budget = {direction: offset}
        if not live:
            self._armed = (direction, offset)

    def arm_match(self, direction: str, needles: tuple[bytes, ...]) -> None:
        """Cut the live (or next) link in the middle of the first chunk going `direction` that
        contains every needle, just before the last one: e.g. the central system's answer to a
        StartTransaction (`[3,` and `"transactionId"`), so the charge point must send it again."""
        live = [link for link in self._live.values() if not link.stalled]
        for link in live:
            link.match = {direction: needles}
        if not live:
            self._armed_match = (direction, needles)

    def cut_later(self, delay: float, reset: bool = False) -> None:
        """Cuts every link live `delay` seconds from now (independent of the driver's steps)."""
        asyncio.get_running_loop().call_later(delay, self.cut_now, reset, "timer")

    def disarm(self) -> None:
        self._armed = None
        self._armed_match = None
        for link in self._live.values():
            link.budget = {}
            link.match = {}

    def heal(self) -> None:
        """No more faults: nothing armed, the outage over, a silent link closed (the charge
        point would notice it anyway; this only saves the wait)."""
        self.disarm()
        self._refuse_until = 0.0
        for link in [x for x in self._live.values() if x.stalled]:
            self._close(link, reset=False)

    def outage(self, seconds: float, reset: bool = False) -> int:
        """Cut now and drop every new connection for `seconds`."""
        self._refuse_until = max(self._refuse_until, self.now() + seconds)
        return self.cut_now(reset, kind="outage")

    def stall(self) -> int:
        """Stop forwarding on every live link; the charge point's side stays open and silent."""
        links = list(self._live.values())
        for link in links:
            link.stalled = True
            link.budget = {}
            cut = self._record(link, "stall", reset=False)
            cut.mid_frame = not all(t.at_boundary() for t in link.trackers.values())
            if link.upstream is not None:
                link.upstream.close()
        return len(links)

    def snapshot(self) -> tuple[list[LinkInfo], list[Cut]]:
        return list(self.links), list(self.cuts)

    def armed(self) -> bool:
        """Whether a byte-offset cut is still to come (or an outage still refuses links)."""
        return (
            self._armed is not None
            or self._armed_match is not None
            or any(link.budget or link.match for link in self._live.values())
            or self.now() < self._refuse_until
        )

    # ------------------------------------------------------------------ forwarding
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        info = LinkInfo(link=len(self.links), opened=self.now())
        self.links.append(info)
        link = _Link(info, writer)
        if self.now() < self._refuse_until:
            info.refused = True
            self._record(link, "refused", reset=False)
            self._close(link, reset=False)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._close(link, reset=True)
            return
        link.upstream = up_writer
        self._live[info.link] = link
        if self._armed is not None:
            direction, offset = self._armed
            self._armed = None
            link.budget = {direction: offset}
        if self._armed_match is not None:
            direction, needles = self._armed_match
            self._armed_match = None
            link.match = {direction: needles}
        tasks = [
            asyncio.create_task(self._pump(link, reader, up_writer, UP)),
            asyncio.create_task(self._pump(link, up_reader, writer, DOWN)),
        ]
        await link.done.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _pump(
        self,
        link: _Link,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        direction: str,
    ) -> None:
        try:
            while not link.done.is_set():
                data = await reader.read(65536)
                if not data:
                    break  # an orderly close from this side: pass it on as a close
                if link.stalled:
                    continue  # a silent link swallows everything
                needles = link.match.get(direction)
                if needles and all(n in data for n in needles):
                    at = data.find(needles[-1])
                    self._forward(link, writer, data[:at], direction)
                    await _drain(writer)
                    cut = self._cut(link, "answer", reset=False)
                    cut.direction = direction
                    cut.offset = self._count(link, direction)
                    return
                left = link.budget.get(direction)
                if left is not None and len(data) >= left:
                    head = data[:left]
                    self._forward(link, writer, head, direction)
                    await _drain(writer)
                    cut = self._cut(link, "bytes", self._armed_reset)
                    cut.direction = direction
                    cut.offset = self._count(link, direction)
                    return
                if left is not None:
                    link.budget[direction] = left - len(data)
                self._forward(link, writer, data, direction)
                await _drain(writer)
        except (ConnectionError, OSError):
            pass
        if not link.stalled:
            self._close(link, reset=False)
        elif direction == UP:
            # The charge point gave up on the silent link: it is gone now.
            self._close(link, reset=False)

    def _forward(
        self, link: _Link, writer: asyncio.StreamWriter, data: bytes, direction: str
    ) -> None:
        link.trackers[direction].feed(data)
        if direction == UP:
            link.info.bytes_up += len(data)
        else:
            link.info.bytes_down += len(data)
        writer.write(data)

    @staticmethod
    def _count(link: _Link, direction: str) -> int:
        return link.info.bytes_up if direction == UP else link.info.bytes_down

    # ------------------------------------------------------------------ cutting
    def _record(self, link: _Link, kind: str, reset: bool) -> Cut:
        cut = Cut(t=self.now(), link=link.info.link, kind=kind, reset=reset)
        link.info.cut = cut
        self.cuts.append(cut)
        return cut

    def _cut(self, link: _Link, kind: str, reset: bool) -> Cut:
        cut = self._record(link, kind, reset)
        cut.mid_frame = not all(t.at_boundary() for t in link.trackers.values())
        self._close(link, reset)
        return cut

    def _close(self, link: _Link, reset: bool) -> None:
        if link.info.closed is None:
            link.info.closed = self.now()
        for writer in (link.client, link.upstream):
            if writer is None:
                continue
            if reset:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    # SO_LINGER 0: close() sends RST instead of FIN.
                    try:
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                    except OSError:
                        pass
                writer.transport.abort()
            else:
                writer.close()
        self._live.pop(link.info.link, None)
        link.done.set()


async def _drain(writer: asyncio.StreamWriter) -> None:
    try:
        await writer.drain()
    except (ConnectionError, OSError):
        pass


class ProxyThread:
    """`CutProxy` on its own event-loop thread, with blocking methods for the driver."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="proxy", daemon=True)
        self._thread.start()
        self.proxy = CutProxy(target_host, target_port)
        self.port: int = self._run(self.proxy.start())

    def _run(self, coro: Any, timeout: float = 10.0) -> Any:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise AssertionError(f"proxy did not answer within {timeout:g} s") from None

    def _call(self, fn: Any, *args: Any) -> Any:
        async def run() -> Any:
            return fn(*args)

        return self._run(run())

    def url(self, cp_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{cp_id}"

    def now(self) -> float:
        return self.proxy.now()

    def cut_now(self, reset: bool = False) -> int:
        return int(self._call(self.proxy.cut_now, reset))

    def arm(self, direction: str, offset: int, reset: bool = False) -> None:
        self._call(self.proxy.arm, direction, offset, reset)

    def cut_later(self, delay: float, reset: bool = False) -> None:
        self._call(self.proxy.cut_later, delay, reset)

    def disarm(self) -> None:
        self._call(self.proxy.disarm)

    def heal(self) -> None:
        self._call(self.proxy.heal)

    def arm_match(self, direction: str, needles: tuple[bytes, ...]) -> None:
        self._call(self.proxy.arm_match, direction, needles)

    def outage(self, seconds: float, reset: bool = False) -> int:
        return int(self._call(self.proxy.outage, seconds, reset))

    def stall(self) -> int:
        return int(self._call(self.proxy.stall))

    def armed(self) -> bool:
        return bool(self._call(self.proxy.armed))

    def snapshot(self) -> tuple[list[LinkInfo], list[Cut]]:
        links, cuts = self._call(self.proxy.snapshot)
        return links, cuts

    def stop(self) -> None:
        try:
            self._run(self.proxy.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
