"""A tiny OCPP 1.6 charge point made with the `ocpp` library's ChargePoint class.

Used to test the central systems (server/dev_csms.py, tests/interop/node/csms.mjs) while
the Rust charge point does not exist yet, and by fake_sim.py. It answers every
central-system-initiated 1.6 message with a valid confirmation and remembers what it got.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol


def now() -> str:
    """RFC 3339 UTC timestamp with `Z`."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FakeChargePoint(ChargePoint):
    """Answers CS calls; `received` lists (action, snake_case kwargs) in arrival order.

    `hang` names actions it never answers (to provoke CS time-outs); `bad_reset` makes its
    Reset confirmation violate the schema (to provoke a CS-side validation error).
    """

    def __init__(self, cp_id: str, connection: ClientConnection, **options: Any) -> None:
        super().__init__(cp_id, connection, response_timeout=options.get("response_timeout", 10))
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.hang: set[str] = set(options.get("hang", ()))
        self.bad_reset: bool = options.get("bad_reset", False)
        self.config: dict[str, str] = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}
        self._never = asyncio.Event()

    async def _got(self, action: str, kwargs: dict[str, Any]) -> None:
        self.received.append((action, kwargs))
        if action in self.hang:
            await self._never.wait()

    @on(Action.change_availability)
    async def on_change_availability(self, **kw: Any) -> call_result.ChangeAvailability:
        await self._got("ChangeAvailability", kw)
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.change_configuration)
    async def on_change_configuration(self, key: str, value: str, **kw: Any) -> Any:
        await self._got("ChangeConfiguration", {"key": key, "value": value, **kw})
        if key not in self.config:
            return call_result.ChangeConfiguration(status="NotSupported")
        self.config[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None, **kw: Any) -> Any:
        await self._got("GetConfiguration", {"key": key, **kw})
        wanted = key or list(self.config)
        known = [
            {"key": k, "readonly": False, "value": self.config[k]}
            for k in wanted
            if k in self.config
        ]
        unknown = [k for k in wanted if k not in self.config]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.clear_cache)
    async def on_clear_cache(self, **kw: Any) -> call_result.ClearCache:
        await self._got("ClearCache", kw)
        return call_result.ClearCache(status="Accepted")

    @on(Action.data_transfer)
    async def on_data_transfer(self, **kw: Any) -> call_result.DataTransfer:
        await self._got("DataTransfer", kw)
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.remote_start_transaction)
    async def on_remote_start(self, **kw: Any) -> call_result.RemoteStartTransaction:
        await self._got("RemoteStartTransaction", kw)
        return call_result.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    async def on_remote_stop(self, **kw: Any) -> call_result.RemoteStopTransaction:
        await self._got("RemoteStopTransaction", kw)
        return call_result.RemoteStopTransaction(status="Accepted")

    @on(Action.reset, skip_schema_validation=True)
    async def on_reset(self, **kw: Any) -> Any:
        await self._got("Reset", kw)
        return call_result.Reset(status="Maybe" if self.bad_reset else "Accepted")

    @on(Action.unlock_connector)
    async def on_unlock(self, **kw: Any) -> call_result.UnlockConnector:
        await self._got("UnlockConnector", kw)
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.trigger_message)
    async def on_trigger(self, **kw: Any) -> call_result.TriggerMessage:
        await self._got("TriggerMessage", kw)
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.set_charging_profile)
    async def on_set_charging_profile(self, **kw: Any) -> call_result.SetChargingProfile:
        await self._got("SetChargingProfile", kw)
        return call_result.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    async def on_clear_charging_profile(self, **kw: Any) -> call_result.ClearChargingProfile:
        await self._got("ClearChargingProfile", kw)
        return call_result.ClearChargingProfile(status="Unknown")

    @on(Action.get_composite_schedule)
    async def on_get_composite_schedule(self, connector_id: int, **kw: Any) -> Any:
        await self._got("GetCompositeSchedule", {"connector_id": connector_id, **kw})
        schedule = {
            "chargingRateUnit": "A",
            "startSchedule": now(),
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
        }
        return call_result.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=now(),
            charging_schedule=schedule,
        )

    @on(Action.send_local_list)
    async def on_send_local_list(self, **kw: Any) -> call_result.SendLocalList:
        await self._got("SendLocalList", kw)
        return call_result.SendLocalList(status="Accepted")

    @on(Action.get_local_list_version)
    async def on_get_local_list_version(self, **kw: Any) -> call_result.GetLocalListVersion:
        await self._got("GetLocalListVersion", kw)
        return call_result.GetLocalListVersion(list_version=0)

    @on(Action.reserve_now)
    async def on_reserve_now(self, **kw: Any) -> call_result.ReserveNow:
        await self._got("ReserveNow", kw)
        return call_result.ReserveNow(status="Accepted")

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, **kw: Any) -> call_result.CancelReservation:
        await self._got("CancelReservation", kw)
        return call_result.CancelReservation(status="Rejected")

    @on(Action.update_firmware)
    async def on_update_firmware(self, **kw: Any) -> call_result.UpdateFirmware:
        await self._got("UpdateFirmware", kw)
        return call_result.UpdateFirmware()

    @on(Action.get_diagnostics)
    async def on_get_diagnostics(self, **kw: Any) -> call_result.GetDiagnostics:
        await self._got("GetDiagnostics", kw)
        return call_result.GetDiagnostics(file_name="diag.log")


def basic_auth_header(cp_id: str, key: str) -> dict[str, str]:
    """HTTP Basic header of security profile 1 (user = charge point id)."""
    token = base64.b64encode(f"{cp_id}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@contextlib.asynccontextmanager
async def running_cp(
    url: str, cp_id: str, auth_key: str | None = None, **options: Any
) -> AsyncIterator[FakeChargePoint]:
    """Connect, serve in the background, yield the charge point; close on exit."""
    headers = basic_auth_header(cp_id, auth_key) if auth_key is not None else None
    async with connect(
        url,
        subprotocols=[Subprotocol("ocpp1.6")],
        additional_headers=headers,
        open_timeout=5,
        close_timeout=2,
    ) as ws:
        cp = FakeChargePoint(cp_id, ws, **options)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task
