"""End to end on ESPHome's host platform: YAML -> codegen (the Rust library built by cargo)
-> C++ shim -> Rust -> WebSocket -> the Python `ocpp` central system (server/dev_csms.py).

tests/esphome/e2e_host.yaml has template entities standing in for the charger; this test
plugs the cable, sets readings and presses buttons over the native API, drives the central
system with its command language, and reads what the triggers published.

Run: .venv-esphome/bin/python -m pytest -q tests/esphome/test_ocpp_e2e.py
(needs scripts/setup.sh for .venv's `ocpp`, and scripts/setup-esphome.sh).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import HostProgram
from ocpp_e2e import Api, Csms, TlsProxy, make_test_certificates, sampled

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 30.0


@pytest.fixture
def csms(tmp_path: Path):
    c = Csms(tmp_path / "csms")
    yield c
    c.stop()


@pytest.fixture
def api_factory():
    opened: list[Api] = []

    def open_api(port: int) -> Api:
        a = Api(port)
        opened.append(a)
        return a

    yield open_api
    for a in opened:
        a.close()


def profile(profile_id: int, stack: int, amps: float) -> str:
    """A TxDefaultProfile limiting connector 1 to `amps` (OCPP 1.6 §7.9)."""
    return json.dumps(
        {
            "chargingProfileId": profile_id,
            "stackLevel": stack,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": amps}],
            },
        },
        separators=(",", ":"),
    )


def test_charging_session_end_to_end(csms, esphome_build, host_program, free_port, api_factory):
    started = time.monotonic()
    program = esphome_build(HERE / "e2e_host.yaml", api_port=free_port, csms_url=csms.url("CP_1"))
    print(f"e2e build: {time.monotonic() - started:.1f} s")

    p = host_program(program)
    boot = csms.wait_for("BootNotification", timeout=START_TIMEOUT)
    assert boot["payload"]["chargePointVendor"] == "ocpp-cp"
    assert boot["payload"]["chargePointModel"] == "ESPHome host"
    assert boot["payload"]["firmwareVersion"] == "e2e-1"
    p.wait_listening(free_port, START_TIMEOUT)
    api = api_factory(free_port)
    api.wait_state("OCPP State", "ready")
    # phase_switching_supported reaches the read-only key.
    conf = csms.call("get_configuration CP_1 ConnectorSwitch3to1PhaseSupported")
    assert conf["configurationKey"] == [
        {"key": "ConnectorSwitch3to1PhaseSupported", "readonly": True, "value": "true"}
    ]

    # The charger's readings: 7.2 kW from a W sensor, 1.5 kWh from a kWh sensor.
    api.set_number("Set Power W", 7200)
    api.set_number("Set Energy kWh", 1.5)
    api.wait_state("Energy", lambda v: v is not None and abs(v - 1.5) < 1e-6)

    # Plug, then an id tag through the ocpp.start_transaction action.
    api.set_switch("Plug", True)
    csms.wait_for("StatusNotification", connectorId=1, status="Preparing")
    api.press("Start TAG1")
    start = csms.wait_for("StartTransaction", connectorId=1, idTag="TAG1")
    assert start["payload"]["meterStart"] == 1500  # kWh sensor -> Wh
    csms.wait_for("StatusNotification", connectorId=1, status="Charging")
    api.wait_state("Last Start", "TAG1@1")  # on_remote_start: id_tag, connector_id
    api.wait_state("OCPP Status", "Charging")
    tx = int(api.wait_state("OCPP Transaction", lambda v: v is not None))

    # MeterValues carry the bound sensors in OCPP units; the NaN temperature is left out.
    mv = csms.wait_for("MeterValues", connectorId=1, transactionId=tx)
    values = sampled(mv)
    assert values[("Power.Active.Import", None)]["value"] == "7200"
    assert values[("Power.Active.Import", None)]["unit"] == "W"
    assert values[("Energy.Active.Import.Register", None)]["value"] == "1500"
    assert values[("Energy.Active.Import.Register", None)]["unit"] == "Wh"
    assert values[("Voltage", "L1")]["value"] == "230"
    assert values[("Voltage", "L1")]["unit"] == "V"
    assert abs(float(values[("Current.Import", "L1")]["value"]) - 7200 / 230) < 0.01
    assert values[("Frequency", None)]["value"] == "50"
    assert "unit" not in values[("Frequency", None)]  # Hertz is not a 1.6 unit
    assert values[("Current.Offered", None)]["value"] == "16"
    assert values[("Power.Offered", None)]["value"] == "3680"  # 16 A x 230 V
    assert not any(m == "Temperature" for m, _ in values)

    # More energy: the session energy sensor follows (Wh).
    api.set_number("Set Energy kWh", 2.0)
    api.wait_state("OCPP Session Energy", lambda v: v is not None and abs(v - 500) < 1, timeout=30)

    # Smart charging: 10 A, then 0 A (pause: 0, not "no limit"), then cleared (-1).
    result = csms.call(f"set_charging_profile CP_1 1 '{profile(1, 0, 10)}'")
    assert result["status"] == "Accepted"
    api.wait_state("Last Limit", "10.0 A 2300 W")
    api.wait_state("OCPP Current Limit", 10.0)
    # A sample taken before the profile may still be on its way: the next ones must say 10 A.
    offered = [
        sampled(csms.wait_for("MeterValues", transactionId=tx, timeout=30))[
            ("Current.Offered", None)
        ]["value"]
        for _ in range(3)
    ]
    assert offered[-1] == "10", offered
    result = csms.call(f"set_charging_profile CP_1 1 '{profile(2, 1, 0)}'")
    assert result["status"] == "Accepted"
    api.wait_state("Last Limit", "0.0 A 0 W")
    csms.wait_for("StatusNotification", connectorId=1, status="SuspendedEVSE")
    result = csms.call("clear_charging_profile CP_1")
    assert result["status"] == "Accepted"
    api.wait_state("Last Limit", "-1.0 A -1 W")
    csms.wait_for("StatusNotification", connectorId=1, status="Charging")

    # Central-system messages reach their triggers.
    result = csms.call("data_transfer CP_1 acme msg1 hello")
    assert result["status"] == "Accepted"  # accepted because on_data_transfer is bound
    api.wait_state("Last Data Transfer", "acme/msg1/hello")
    result = csms.call("trigger CP_1 Heartbeat")
    assert result["status"] == "Accepted"
    api.wait_state("Last Trigger", "Heartbeat")
    csms.wait_for("Heartbeat")

    # RemoteStop: on_remote_stop fires with the transaction id and the reason.
    result = csms.call("remote_stop CP_1")
    assert result["status"] == "Accepted"
    stop = csms.wait_for("StopTransaction", transactionId=tx, reason="Remote")
    assert stop["payload"]["meterStop"] == 2000
    stop_data = sampled(
        {"payload": {"transactionData": stop["payload"].get("transactionData", [])}}
    )
    assert ("Energy.Active.Import.Register", None) in stop_data  # stop_txn_sampled_data
    api.wait_state("Last Stop", f"{tx}/Remote")
    api.wait_state("OCPP Transaction", None)

    # Reset: on_reset fires with the type; with it bound, the firmware does not reboot itself.
    result = csms.call("reset CP_1 Soft")
    assert result["status"] == "Accepted"
    api.wait_state("Last Reset", "Soft")
    assert p.proc.poll() is None

    assert csms.validation_errors() == []
    assert p.stop() == 0, p.tail()


def test_offline_journal_and_configuration_survive_a_restart(
    tmp_path, esphome_build, host_program, free_port, api_factory
):
    """A transaction stopped while the central system is away is delivered after the firmware
    restarts (offline journal in ESPHome preferences); a configuration key the central system
    set survives too."""
    first = Csms(tmp_path / "csms1")
    second = None
    runs: list[HostProgram] = []
    try:
        port = first.port
        program = esphome_build(
            HERE / "e2e_host.yaml", api_port=free_port, csms_url=first.url("CP_1")
        )
        # HostProgram directly (not the fixture): both runs share one HOME, so one prefs file.
        runs.append(HostProgram(program, tmp_path / "device"))
        first.wait_for("BootNotification", timeout=START_TIMEOUT)
        assert first.call("change_configuration CP_1 ConnectionTimeOut 77")["status"] == "Accepted"
        runs[0].wait_listening(free_port, START_TIMEOUT)
        api = api_factory(free_port)
        api.set_number("Set Energy kWh", 3.0)
        api.wait_state("Energy", lambda v: v is not None and abs(v - 3.0) < 1e-6)
        api.set_switch("Plug", True)
        api.press("Start TAG1")
        start = first.wait_for("StartTransaction", connectorId=1, idTag="TAG1")
        assert start["payload"]["meterStart"] == 3000
        tx = int(api.wait_state("OCPP Transaction", lambda v: v is not None))

        first.stop()  # the central system goes away
        api.wait_state("OCPP State", lambda v: v != "ready", timeout=30)
        api.set_number("Set Energy kWh", 4.25)
        api.wait_state("Energy", lambda v: v is not None and abs(v - 4.25) < 1e-6)
        api.press("Stop Local")  # ocpp.end_transaction reason EVDisconnected, while offline
        api.wait_state("Last Stop", f"{tx}/EVDisconnected")
        assert runs[0].stop() == 0, runs[0].tail()

        second = Csms(tmp_path / "csms2", extra=("--port", str(port)))
        runs.append(HostProgram(program, tmp_path / "device"))
        second.wait_for("BootNotification", timeout=START_TIMEOUT)
        stop = second.wait_for(
            "StopTransaction", transactionId=tx, reason="EVDisconnected", timeout=60
        )
        assert stop["payload"]["meterStop"] == 4250
        conf = second.call("get_configuration CP_1 ConnectionTimeOut")
        assert conf["configurationKey"][0]["value"] == "77"
        assert second.validation_errors() == []
        assert runs[1].stop() == 0, runs[1].tail()
    finally:
        for run in runs:
            run.stop()
        first.stop()
        if second is not None:
            second.stop()


def test_wss_with_authorization_key(tmp_path, esphome_build, host_program, free_port, monkeypatch):
    """wss:// (OpenSSL on host) with security profile 2: Basic auth over TLS. The server
    certificate is checked: trusted through SSL_CERT_FILE it connects; otherwise it does not."""
    key = "0123456789abcdef0123"
    ca, cert, cert_key = make_test_certificates(tmp_path / "pki")
    csms = Csms(tmp_path / "csms", extra=("--auth-key", key))
    proxy = TlsProxy(csms.port, cert, cert_key)
    try:
        program = esphome_build(
            HERE / "e2e_tls.yaml",
            api_port=free_port,
            csms_url=f"wss://localhost:{proxy.port}/CP_1",
            authorization_key=key,
        )
        # Not trusted: the handshake fails on the certificate, nothing reaches the CSMS.
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "pki" / "server.pem.missing"))
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "pki" / "none"))
        untrusted = host_program(program)
        untrusted.wait_line(r"server certificate not accepted", START_TIMEOUT)
        assert untrusted.stop() == 0
        assert csms.calls("BootNotification") == []

        # Trusted (the test CA): Basic auth with the key, BootNotification accepted.
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        p = host_program(program)
        boot = csms.wait_for("BootNotification", timeout=START_TIMEOUT)
        assert boot["payload"]["chargePointModel"] == "ESPHome host"
        p.wait_line(r"BootNotification: Accepted", START_TIMEOUT)
        assert proxy.sessions == 1  # the refused handshake never became a session
        assert [r for r in csms.records() if r.get("event") == "auth_rejected"] == []
        assert csms.validation_errors() == []
        assert p.stop() == 0, p.tail()
    finally:
        proxy.stop()
        csms.stop()
