#!/usr/bin/env python3
"""A Python stand-in for the Rust `ocpp-sim`, with the same command line, stdin commands and
JSON-lines events (the contract in server/README.md), built on the `ocpp` library.

It exists so tests/interop/test_sim.py and scripts/demo.sh can be exercised before the real
simulator is built: `OCPP_SIM_BIN=tests/interop/fake_sim.py`. It models only what those need
(plug, unplug, tap, remote start/stop, meter values, the Core CS messages, triggers, reset);
other commands answer with an `error` event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
from dataclasses import dataclass
from typing import Any

import websockets
from fake_cp import basic_auth_header, now
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


@dataclass
class Connector:
    plugged: bool = False
    tx_id: int | None = None
    tx_tag: str | None = None
    pending_tag: str | None = None
    available: bool = True
    energy_wh: int = 0


class SimCp(ChargePoint):
    """The charge point side; `sim` owns the hardware state."""

    def __init__(self, cp_id: str, ws: Any, sim: Sim) -> None:
        super().__init__(cp_id, ws, response_timeout=10)
        self.sim = sim

    async def _send(self, message: str) -> None:
        frame = json.loads(message)
        if frame[0] == 2:
            emit("sent", action=frame[2], message_id=frame[1])
        await super()._send(message)

    async def route_message(self, raw_msg: str) -> None:
        frame = json.loads(raw_msg)
        if frame[0] == 2:
            emit("received", action=frame[2], message_id=frame[1])
        await super().route_message(raw_msg)

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int = 1, **_: Any) -> Any:
        emit("remote_start", connector=connector_id, id_tag=id_tag)
        return call_result.RemoteStartTransaction(status="Accepted")

    @after(Action.remote_start_transaction)
    async def after_remote_start(self, id_tag: str, connector_id: int = 1, **_: Any) -> None:
        await self.sim.authorized(connector_id, id_tag)

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **_: Any) -> Any:
        known = any(c.tx_id == transaction_id for c in self.sim.connectors.values())
        emit("remote_stop", transaction_id=transaction_id)
        return call_result.RemoteStopTransaction(status="Accepted" if known else "Rejected")

    @after(Action.remote_stop_transaction)
    async def after_remote_stop(self, transaction_id: int, **_: Any) -> None:
        for n, c in self.sim.connectors.items():
            if c.tx_id == transaction_id:
                await self.sim.stop_tx(n, "Remote")

    @on(Action.reset)
    def on_reset(self, type: str, **_: Any) -> Any:
        emit("reset", type=type)
        return call_result.Reset(status="Accepted")

    @after(Action.reset)
    async def after_reset(self, type: str, **_: Any) -> None:
        for n, c in self.sim.connectors.items():
            if c.tx_id is not None:
                await self.sim.stop_tx(n, "SoftReset" if type == "Soft" else "HardReset")
        self.sim.reboot.set()

    @on(Action.unlock_connector)
    def on_unlock(self, connector_id: int, **_: Any) -> Any:
        emit("unlock", connector=connector_id)
        ok = connector_id in self.sim.connectors
        return call_result.UnlockConnector(status="Unlocked" if ok else "NotSupported")

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **_: Any) -> Any:
        return call_result.ChangeAvailability(status="Accepted")

    @after(Action.change_availability)
    async def after_change_availability(self, connector_id: int, type: str, **_: Any) -> None:
        targets = self.sim.connectors if connector_id == 0 else [connector_id]
        for n in targets:
            self.sim.connectors[n].available = type == "Operative"
            await self.sim.status(n)

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_: Any) -> Any:
        if key not in self.sim.config:
            return call_result.ChangeConfiguration(status="NotSupported")
        self.sim.config[key] = value
        emit("config_changed", key=key, value=value)
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        wanted = key or list(self.sim.config)
        known = [
            {"key": k, "readonly": False, "value": self.sim.config[k]}
            for k in wanted
            if k in self.sim.config
        ]
        unknown = [k for k in wanted if k not in self.sim.config]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.clear_cache)
    def on_clear_cache(self, **_: Any) -> Any:
        return call_result.ClearCache(status="Accepted")

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kw: Any) -> Any:
        emit("data_transfer", vendor_id=vendor_id, message_id=kw.get("message_id"))
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.trigger_message)
    def on_trigger(self, requested_message: str, **_: Any) -> Any:
        return call_result.TriggerMessage(status="Accepted")

    @after(Action.trigger_message)
    async def after_trigger(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> None:
        await self.sim.triggered(requested_message, connector_id)


class Sim:
    def __init__(self, ns: argparse.Namespace) -> None:
        self.ns = ns
        self.connectors = {n: Connector() for n in range(1, ns.connectors + 1)}
        self.config: dict[str, str] = {
            "HeartbeatInterval": "300",
            "MeterValueSampleInterval": "60",
            "ClockAlignedDataInterval": "0",
            "AuthorizeRemoteTxRequests": "false",
        }
        for item in ns.config:
            key, _, value = item.partition("=")
            self.config[key] = value
        self.cp: SimCp | None = None
        self.reboot = asyncio.Event()
        self.quit = asyncio.Event()

    async def request(self, payload: Any) -> Any:
        if self.cp is None:
            raise RuntimeError("offline")
        return await self.cp.call(payload)

    async def status(self, n: int) -> None:
        c = self.connectors.get(n)
        if n == 0 or c is None:
            state = "Available"
        elif not c.available:
            state = "Unavailable"
        elif c.tx_id is not None:
            state = "Charging"
        elif c.plugged and c.tx_tag is not None:
            state = "Finishing"
        elif c.plugged or c.pending_tag is not None:
            state = "Preparing"
        else:
            state = "Available"
        emit("status", connector=n, status=state, error_code="NoError")
        await self.request(
            call.StatusNotification(
                connector_id=n, error_code="NoError", status=state, timestamp=now()
            )
        )

    async def authorized(self, n: int, tag: str) -> None:
        c = self.connectors[n]
        c.pending_tag = tag
        if c.plugged:
            await self.start_tx(n)
        else:
            await self.status(n)

    async def start_tx(self, n: int) -> None:
        c = self.connectors[n]
        tag, c.pending_tag = c.pending_tag or "", None
        res = await self.request(
            call.StartTransaction(
                connector_id=n, id_tag=tag, meter_start=c.energy_wh, timestamp=now()
            )
        )
        c.tx_id, c.tx_tag = res.transaction_id, tag
        emit("tx_started", connector=n, transaction_id=c.tx_id, id_tag=tag)
        await self.status(n)

    async def stop_tx(self, n: int, reason: str, tag: str | None = None) -> None:
        c = self.connectors[n]
        tx, c.tx_id = c.tx_id, None
        if tx is None:
            return
        await self.request(
            call.StopTransaction(
                meter_stop=c.energy_wh,
                timestamp=now(),
                transaction_id=tx,
                reason=reason,
                id_tag=tag,
            )
        )
        emit("tx_stopped", connector=n, transaction_id=tx, reason=reason)
        await self.status(n)

    async def meter_values(self, n: int) -> None:
        c = self.connectors[n]
        sample = [
            {
                "value": str(c.energy_wh),
                "measurand": "Energy.Active.Import.Register",
                "unit": "Wh",
                "context": "Sample.Periodic",
            },
            {
                "value": "3680",
                "measurand": "Power.Active.Import",
                "unit": "W",
                "context": "Sample.Periodic",
            },
        ]
        await self.request(
            call.MeterValues(
                connector_id=n,
                transaction_id=c.tx_id,
                meter_value=[{"timestamp": now(), "sampledValue": sample}],
            )
        )

    async def triggered(self, message: str, connector: int | None) -> None:
        if message == "BootNotification":
            await self.boot()
        elif message == "Heartbeat":
            await self.request(call.Heartbeat())
        elif message == "StatusNotification":
            for n in [connector] if connector is not None else [0, *self.connectors]:
                await self.status(n)
        elif message == "MeterValues":
            for n in [connector] if connector else list(self.connectors):
                await self.meter_values(n)
        elif message == "DiagnosticsStatusNotification":
            await self.request(call.DiagnosticsStatusNotification(status="Idle"))
        elif message == "FirmwareStatusNotification":
            await self.request(call.FirmwareStatusNotification(status="Idle"))

    async def boot(self) -> None:
        res = await self.request(
            call.BootNotification(charge_point_vendor="ocpp-cp", charge_point_model="fake-sim")
        )
        emit("boot", status=res.status)
        self.config["HeartbeatInterval"] = str(res.interval)

    async def command(self, line: str) -> None:
        words = line.split()
        if not words:
            return
        name, args = words[0], words[1:]
        try:
            if name == "quit":
                self.quit.set()
            elif name == "plug":
                n = int(args[0])
                self.connectors[n].plugged = True
                if self.connectors[n].pending_tag is not None:
                    await self.start_tx(n)
                else:
                    await self.status(n)
            elif name == "unplug":
                n = int(args[0])
                c = self.connectors[n]
                c.plugged = False
                if c.tx_id is not None:
                    await self.stop_tx(n, "EVDisconnected")
                c.tx_tag = None
                await self.status(n)
            elif name == "tap":
                await self.tap(args[0])
            else:
                emit("error", message=f"fake sim does not model {name!r}")
        except (IndexError, ValueError, KeyError) as exc:
            emit("error", message=f"bad command {line.strip()!r}: {exc!r}")

    async def tap(self, tag: str) -> None:
        for n, c in self.connectors.items():
            if c.tx_id is not None and c.tx_tag == tag:
                await self.stop_tx(n, "Local", tag)
                return
        res = await self.request(call.Authorize(id_tag=tag))
        if res.id_tag_info["status"] != "Accepted":
            emit("error", message=f"tag {tag} not accepted")
            return
        free = next((n for n, c in self.connectors.items() if c.tx_id is None and c.plugged), 1)
        await self.authorized(free, tag)

    async def tick(self) -> None:
        """Energy counts up while charging; meter values every MeterValueSampleInterval."""
        elapsed = 0
        while True:
            await asyncio.sleep(1)
            elapsed += 1
            interval = max(int(self.config.get("MeterValueSampleInterval", "60") or 0), 0)
            for n, c in self.connectors.items():
                if c.tx_id is not None:
                    c.energy_wh += 1
                    if interval and elapsed % interval == 0:
                        await self.meter_values(n)

    async def heartbeat(self) -> None:
        while True:
            await asyncio.sleep(max(int(self.config["HeartbeatInterval"]), 1))
            await self.request(call.Heartbeat())

    async def session(self, commands: asyncio.Queue[str | None]) -> bool:
        """One connection from boot to reboot/quit; True to connect again."""
        headers = basic_auth_header(self.ns.id, self.ns.auth_key) if self.ns.auth_key else None
        async with connect(
            self.ns.url,
            subprotocols=[Subprotocol("ocpp1.6")],
            additional_headers=headers,
            open_timeout=10,
        ) as ws:
            emit("connection", state="connected")
            self.cp = SimCp(self.ns.id, ws, self)
            self.reboot.clear()
            tasks = [asyncio.create_task(self.cp.start())]
            await self.boot()
            for n in [0, *self.connectors]:
                await self.status(n)
            tasks += [asyncio.create_task(self.tick()), asyncio.create_task(self.heartbeat())]
            getter: asyncio.Task[str | None] | None = None
            try:
                while not self.quit.is_set() and not self.reboot.is_set():
                    getter = getter or asyncio.create_task(commands.get())
                    stop = asyncio.create_task(self.reboot.wait())
                    done, _ = await asyncio.wait(
                        {getter, stop, tasks[0]}, return_when=asyncio.FIRST_COMPLETED
                    )
                    stop.cancel()
                    if tasks[0] in done:
                        break
                    if getter in done:
                        line, getter = getter.result(), None
                        if line is None:
                            self.quit.set()
                        else:
                            await self.command(line)
            finally:
                if getter is not None:
                    getter.cancel()
                for t in tasks:
                    t.cancel()
                self.cp = None
        emit("connection", state="disconnected")
        return self.reboot.is_set() and not self.quit.is_set()


def read_stdin(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def amain(ns: argparse.Namespace) -> int:
    sim = Sim(ns)
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(
        target=read_stdin, args=(asyncio.get_running_loop(), queue), daemon=True
    ).start()
    with contextlib.suppress(websockets.ConnectionClosed):
        while await sim.session(queue):
            pass
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description="Python stand-in for ocpp-sim")
    p.add_argument("--url", required=True)
    p.add_argument("--id", default="CP_1")
    p.add_argument("--connectors", type=int, default=1)
    p.add_argument("--auth-key")
    p.add_argument("--state-dir")
    p.add_argument("--config", action="append", default=[])
    p.add_argument("--power-w", type=int, default=3680)
    p.add_argument("--ca-file")
    return asyncio.run(amain(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
