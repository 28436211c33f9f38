"""ESPHome external component `ocpp`: an OCPP 1.6J charge point.

All OCPP behaviour lives in the Rust crate at the root of this repository (linked as a static
library through its C ABI, include/ocpp_cp.h); this file maps the YAML onto it, builds that
library for the selected platform, and adds the include and link flags. The YAML surface is
the one of the original MicroOcpp-based component (RAR/esphome-ocpp-server), plus
authorization_key, wss://, several connectors, persistence, time_id, sensors and
on_update_firmware.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import esphome.codegen as cg
import esphome.config_validation as cv
import esphome.final_validate as fv
from esphome import automation

# Aliased: this package's own sensor.py / text_sensor.py modules become attributes named
# `sensor` / `text_sensor` of the package and would shadow ESPHome's.
from esphome.components import binary_sensor, number
from esphome.components import sensor as sensor_
from esphome.components import text_sensor as text_sensor_
from esphome.components import time as time_
from esphome.const import CONF_ID, CONF_TRIGGER_ID
from esphome.core import CORE, EsphomeError

_LOGGER = logging.getLogger(__name__)

CODEOWNERS = ["@ocpp-cp"]
# The original said DEPENDENCIES = ["wifi"]; `network` is what wifi, ethernet and the host
# platform all provide, so the same YAML builds on Linux too.
DEPENDENCIES = ["network"]
AUTO_LOAD = ["sensor", "text_sensor", "binary_sensor", "number", "socket"]
MULTI_CONF = False

# The repository that holds Cargo.toml, src/ and include/ocpp_cp.h (components/ocpp/ -> root).
REPO_ROOT = Path(__file__).resolve().parents[2]

ocpp_ns = cg.esphome_ns.namespace("ocpp")
OcppCp = ocpp_ns.class_("OcppCp", cg.Component)

# ---------------------------------------------------------------- keys
CONF_OCPP_ID = "ocpp_id"
CONF_CSMS_URL = "csms_url"
CONF_CHARGE_POINT_ID = "charge_point_id"
CONF_AUTHORIZATION_KEY = "authorization_key"
CONF_VENDOR = "vendor"
CONF_MODEL = "model"
CONF_FIRMWARE_VERSION = "firmware_version"
CONF_SERIAL_NUMBER = "serial_number"
CONF_PHASE = "phase"
CONF_PHASES = "phases"
CONF_NOMINAL_VOLTAGE = "nominal_voltage"
CONF_PHASE_SWITCHING_SUPPORTED = "phase_switching_supported"
CONF_LOCK_OFFERED_CURRENT = "lock_offered_current_during_transaction"
CONF_HEARTBEAT_INTERVAL = "heartbeat_interval"
CONF_METER_VALUE_SAMPLE_INTERVAL = "meter_value_sample_interval"
CONF_STOP_TXN_SAMPLED_DATA = "stop_txn_sampled_data"
CONF_METER_VALUES = "meter_values"
CONF_VOLTAGE = "voltage"
CONF_CURRENT = "current"
CONF_POWER = "power"
CONF_ENERGY = "energy"
CONF_CURRENT_OFFERED = "current_offered"
CONF_TEMPERATURE = "temperature"
CONF_SOC = "soc"
CONF_FREQUENCY = "frequency"
CONF_POWER_FACTOR = "power_factor"
CONF_L1 = "l1"
CONF_L2 = "l2"
CONF_L3 = "l3"
CONF_STATUS_FROM = "status_from"
CONF_STATUS_MAPPING = "status_mapping"
CONF_PLUGGED_FROM = "plugged_from"
CONF_SOC_PLUGGED_FROM = "soc_plugged_from"
CONF_CONNECTORS = "connectors"
CONF_TIME_ID = "time_id"
CONF_PERSISTENCE = "persistence"
CONF_TRANSACTION_QUEUE_SIZE = "transaction_queue_size"
CONF_RESUME_AFTER_POWER_LOSS = "resume_after_power_loss"
CONF_RUST_LIBRARY = "rust_library"
CONF_ID_TAG = "id_tag"
CONF_REASON = "reason"
CONF_CONNECTOR = "connector"
CONF_STATUS = "status"

CONF_ON_REMOTE_START = "on_remote_start"
CONF_ON_REMOTE_STOP = "on_remote_stop"
CONF_ON_RESET = "on_reset"
CONF_ON_UNLOCK_CONNECTOR = "on_unlock_connector"
CONF_ON_CHARGING_PROFILE_CHANGE = "on_charging_profile_change"
CONF_ON_TRIGGER_MESSAGE = "on_trigger_message"
CONF_ON_DATA_TRANSFER = "on_data_transfer"
CONF_ON_UPDATE_FIRMWARE = "on_update_firmware"
CONF_ON_ENERGY_OFFERED = "on_energy_offered"

# ---------------------------------------------------------------- OCPP 1.6 enumerations
PHASE_TAGS = ["L1", "L2", "L3", "L1-N", "L2-N", "L3-N"]
CHARGE_POINT_STATUSES = [
    "Available",
    "Preparing",
    "Charging",
    "SuspendedEVSE",
    "SuspendedEV",
    "Finishing",
    "Reserved",
    "Unavailable",
    "Faulted",
]
MEASURANDS = [
    "Current.Export",
    "Current.Import",
    "Current.Offered",
    "Energy.Active.Export.Register",
    "Energy.Active.Import.Register",
    "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register",
    "Energy.Active.Export.Interval",
    "Energy.Active.Import.Interval",
    "Energy.Reactive.Export.Interval",
    "Energy.Reactive.Import.Interval",
    "Frequency",
    "Power.Active.Export",
    "Power.Active.Import",
    "Power.Factor",
    "Power.Offered",
    "Power.Reactive.Export",
    "Power.Reactive.Import",
    "RPM",
    "SoC",
    "Temperature",
    "Voltage",
]
STOP_REASONS = [
    "EmergencyStop",
    "EVDisconnected",
    "HardReset",
    "Local",
    "Other",
    "PowerLoss",
    "Reboot",
    "Remote",
    "SoftReset",
    "UnlockCommand",
    "DeAuthorized",
]
FIRMWARE_STATUSES = [
    "Downloaded",
    "DownloadFailed",
    "Downloading",
    "Idle",
    "InstallationFailed",
    "Installing",
    "Installed",
]

# Meter inputs: YAML key -> (C++ kind constant, OCPP measurand). The order is the order of
# MeterValuesSampledData (the original component's priority order).
METER_KINDS = {
    CONF_ENERGY: ("METER_ENERGY", "Energy.Active.Import.Register"),
    CONF_POWER: ("METER_POWER", "Power.Active.Import"),
    CONF_VOLTAGE: ("METER_VOLTAGE", "Voltage"),
    CONF_CURRENT: ("METER_CURRENT", "Current.Import"),
    CONF_TEMPERATURE: ("METER_TEMPERATURE", "Temperature"),
    CONF_SOC: ("METER_SOC", "SoC"),
    CONF_FREQUENCY: ("METER_FREQUENCY", "Frequency"),
    CONF_POWER_FACTOR: ("METER_POWER_FACTOR", "Power.Factor"),
}
MeterKind = ocpp_ns.enum("MeterKind")

# ---------------------------------------------------------------- triggers and actions
RemoteStartTrigger = ocpp_ns.class_(
    "RemoteStartTrigger", automation.Trigger.template(cg.std_string, cg.int_)
)
RemoteStopTrigger = ocpp_ns.class_(
    "RemoteStopTrigger",
    automation.Trigger.template(cg.int_, cg.int_, cg.std_string),
)
ResetTrigger = ocpp_ns.class_("ResetTrigger", automation.Trigger.template(cg.std_string))
UnlockConnectorTrigger = ocpp_ns.class_(
    "UnlockConnectorTrigger", automation.Trigger.template(cg.int_)
)
ChargingProfileChangeTrigger = ocpp_ns.class_(
    "ChargingProfileChangeTrigger",
    automation.Trigger.template(cg.float_, cg.float_, cg.int_, cg.int_),
)
TriggerMessageTrigger = ocpp_ns.class_(
    "TriggerMessageTrigger", automation.Trigger.template(cg.std_string, cg.int_)
)
DataTransferTrigger = ocpp_ns.class_(
    "DataTransferTrigger",
    automation.Trigger.template(cg.std_string, cg.std_string, cg.std_string),
)
UpdateFirmwareTrigger = ocpp_ns.class_(
    "UpdateFirmwareTrigger",
    automation.Trigger.template(cg.std_string, cg.int_, cg.int_),
)
EnergyOfferedTrigger = ocpp_ns.class_(
    "EnergyOfferedTrigger", automation.Trigger.template(cg.bool_, cg.int_)
)

StartTransactionAction = ocpp_ns.class_("StartTransactionAction", automation.Action)
EndTransactionAction = ocpp_ns.class_("EndTransactionAction", automation.Action)
FirmwareStatusAction = ocpp_ns.class_("FirmwareStatusAction", automation.Action)

# key -> (trigger class, [(type, variable name)], C++ method that registers it).
# The original's variables come first, so every existing lambda keeps compiling.
TRIGGERS = {
    CONF_ON_REMOTE_START: (
        RemoteStartTrigger,
        [(cg.std_string, "id_tag"), (cg.int_, "connector_id")],
    ),
    CONF_ON_REMOTE_STOP: (
        RemoteStopTrigger,
        [(cg.int_, "transaction_id"), (cg.int_, "connector_id"), (cg.std_string, "reason")],
    ),
    CONF_ON_RESET: (ResetTrigger, [(cg.std_string, "type")]),
    CONF_ON_UNLOCK_CONNECTOR: (UnlockConnectorTrigger, [(cg.int_, "connector_id")]),
    CONF_ON_CHARGING_PROFILE_CHANGE: (
        ChargingProfileChangeTrigger,
        [
            (cg.float_, "current_limit_a"),
            (cg.float_, "power_limit_w"),
            (cg.int_, "n_phases"),
            (cg.int_, "connector_id"),
        ],
    ),
    CONF_ON_TRIGGER_MESSAGE: (
        TriggerMessageTrigger,
        [(cg.std_string, "requested_message"), (cg.int_, "connector_id")],
    ),
    CONF_ON_DATA_TRANSFER: (
        DataTransferTrigger,
        [(cg.std_string, "vendor_id"), (cg.std_string, "message_id"), (cg.std_string, "data")],
    ),
    CONF_ON_UPDATE_FIRMWARE: (
        UpdateFirmwareTrigger,
        [(cg.std_string, "location"), (cg.int_, "retries"), (cg.int_, "retry_interval")],
    ),
    CONF_ON_ENERGY_OFFERED: (
        EnergyOfferedTrigger,
        [(cg.bool_, "on"), (cg.int_, "connector_id")],
    ),
}


# ---------------------------------------------------------------- validators
def validate_csms_url(value):
    """ws://host[:port][/path] or wss://...; the URL as the central system gives it."""
    value = cv.string_strict(value)
    parts = urlsplit(value)
    if parts.scheme not in ("ws", "wss"):
        raise cv.Invalid(
            f"{CONF_CSMS_URL}: '{value}' is not a ws:// or wss:// URL "
            "(OCPP-J runs over WebSocket: ws://host[:port]/path/<charge point id>)"
        )
    if not parts.hostname:
        raise cv.Invalid(f"{CONF_CSMS_URL}: '{value}' has no host")
    try:
        _ = parts.port
    except ValueError as err:
        raise cv.Invalid(f"{CONF_CSMS_URL}: '{value}' has a bad port") from err
    return value


def bounded_string(key: str, max_len: int, min_len: int = 0):
    """A string of at most `max_len` characters (OCPP CiStringNN), named in the error."""

    def validator(value):
        value = cv.string_strict(value)
        if len(value) > max_len:
            raise cv.Invalid(
                f"{key}: at most {max_len} characters in OCPP 1.6, '{value}' has {len(value)}"
            )
        if len(value) < min_len:
            raise cv.Invalid(f"{key}: at least {min_len} characters, got {len(value)}")
        return value

    return validator


def validate_authorization_key(value):
    """1.6 security profile 1: the Basic-auth password, 16 to 40 characters."""
    value = cv.string_strict(value)
    if not 16 <= len(value) <= 40:
        raise cv.Invalid(
            f"{CONF_AUTHORIZATION_KEY}: must be 16 to 40 characters "
            f"(OCPP 1.6 security profile 1), got {len(value)}"
        )
    if not value.isascii() or not value.isprintable():
        raise cv.Invalid(f"{CONF_AUTHORIZATION_KEY}: printable ASCII only")
    return value


def one_of_named(key: str, choices: list[str], what: str):
    """Case-insensitive choice from an OCPP enumeration, returned in its canonical spelling."""
    lookup = {c.lower(): c for c in choices}

    def validator(value):
        value = cv.string_strict(value)
        canonical = lookup.get(value.strip().lower())
        if canonical is None:
            raise cv.Invalid(f"{key}: '{value}' is not {what}; one of: {', '.join(choices)}")
        return canonical

    return validator


def validate_measurand(value):
    return one_of_named(CONF_STOP_TXN_SAMPLED_DATA, MEASURANDS, "an OCPP 1.6 measurand")(value)


def validate_status_mapping(value):
    value = cv.Schema({cv.string: cv.string_strict})(value)
    out = {}
    for raw, target in value.items():
        out[raw] = one_of_named(
            f"{CONF_STATUS_MAPPING}: '{raw}'",
            CHARGE_POINT_STATUSES,
            "an OCPP 1.6 ChargePointStatus",
        )(target)
    return out


def _voltage_or_current(value):
    """A sensor id, or a dict of per-leg sensor ids {l1, l2, l3} (3-phase)."""
    if isinstance(value, dict):
        return cv.Schema(
            {
                cv.Required(CONF_L1): cv.use_id(sensor_.Sensor),
                cv.Required(CONF_L2): cv.use_id(sensor_.Sensor),
                cv.Optional(CONF_L3): cv.use_id(sensor_.Sensor),
            }
        )(value)
    return cv.use_id(sensor_.Sensor)(value)


METER_VALUES_SCHEMA = cv.Schema(
    {
        cv.Optional(CONF_VOLTAGE): _voltage_or_current,
        cv.Optional(CONF_CURRENT): _voltage_or_current,
        cv.Optional(CONF_POWER): cv.use_id(sensor_.Sensor),
        cv.Optional(CONF_ENERGY): cv.use_id(sensor_.Sensor),
        cv.Optional(CONF_CURRENT_OFFERED): cv.use_id(number.Number),
        cv.Optional(CONF_TEMPERATURE): cv.use_id(sensor_.Sensor),
        cv.Optional(CONF_SOC): cv.use_id(sensor_.Sensor),
        cv.Optional(CONF_FREQUENCY): cv.use_id(sensor_.Sensor),
        cv.Optional(CONF_POWER_FACTOR): cv.use_id(sensor_.Sensor),
    }
)

# What one connector reads from the charger. At the top level these keys describe connector 1
# (the original single-connector YAML); a `connectors:` list gives one such block per connector.
CONNECTOR_KEYS = {
    cv.Optional(CONF_METER_VALUES): METER_VALUES_SCHEMA,
    cv.Optional(CONF_STATUS_FROM): cv.use_id(text_sensor_.TextSensor),
    cv.Optional(CONF_STATUS_MAPPING): validate_status_mapping,
    cv.Optional(CONF_PLUGGED_FROM): cv.use_id(binary_sensor.BinarySensor),
    cv.Optional(CONF_SOC_PLUGGED_FROM): cv.use_id(binary_sensor.BinarySensor),
}
CONNECTOR_SCHEMA = cv.Schema(CONNECTOR_KEYS)
PER_CONNECTOR_TOP_KEYS = [
    CONF_METER_VALUES,
    CONF_STATUS_FROM,
    CONF_PLUGGED_FROM,
    CONF_SOC_PLUGGED_FROM,
]
MAX_CONNECTORS = 8


def validate_connectors(value):
    """`connectors: N` (inputs of connector 1 at the top level) or a list of connector blocks."""
    if isinstance(value, list):
        if not 1 <= len(value) <= MAX_CONNECTORS:
            raise cv.Invalid(f"{CONF_CONNECTORS}: 1 to {MAX_CONNECTORS} connectors")
        return [CONNECTOR_SCHEMA(v if v is not None else {}) for v in value]
    return cv.int_range(min=1, max=MAX_CONNECTORS)(value)


def rust_library_path(value):
    """A prebuilt libocpp_cp.a, or a directory holding one (relative to the YAML)."""
    path = CORE.relative_config_path(cv.string_strict(value))
    if path.is_dir():
        path = path / "libocpp_cp.a"
    if not path.is_file():
        raise cv.Invalid(f"{CONF_RUST_LIBRARY}: no static library at {path}")
    return str(path)


def _check_config(config):
    """Rules across keys; every message names the key it is about."""
    if CONF_PHASE in config and CONF_PHASES in config:
        raise cv.Invalid(
            f"{CONF_PHASE} and {CONF_PHASES} together: give {CONF_PHASE} for a single-phase "
            f"charger or {CONF_PHASES} for a multi-phase one, not both",
            path=[CONF_PHASES],
        )
    connectors = config.get(CONF_CONNECTORS, 1)
    if isinstance(connectors, list):
        for key in PER_CONNECTOR_TOP_KEYS:
            if key in config:
                raise cv.Invalid(
                    f"{key}: with a `{CONF_CONNECTORS}:` list, give {key} inside the "
                    "connector it belongs to",
                    path=[key],
                )
        blocks = connectors
    else:
        blocks = [{k: config[k] for k in PER_CONNECTOR_TOP_KEYS if k in config}]
    for index, block in enumerate(blocks):
        meter = block.get(CONF_METER_VALUES, {})
        for key in (CONF_VOLTAGE, CONF_CURRENT):
            if isinstance(meter.get(key), dict) and CONF_PHASES not in config:
                where = [CONF_METER_VALUES, key]
                if isinstance(connectors, list):
                    where = [CONF_CONNECTORS, index] + where
                raise cv.Invalid(
                    f"{CONF_METER_VALUES}.{key}: per-leg sensors (l1/l2/l3) need "
                    f"`{CONF_PHASES}:` (e.g. {CONF_PHASES}: [L1, L2, L3])",
                    path=where,
                )
            legs = meter.get(key)
            if isinstance(legs, dict) and CONF_L3 in legs and len(config[CONF_PHASES]) < 3:
                raise cv.Invalid(
                    f"{CONF_METER_VALUES}.{key}.{CONF_L3}: `{CONF_PHASES}:` lists only "
                    f"{len(config[CONF_PHASES])} phases",
                    path=[CONF_METER_VALUES, key, CONF_L3],
                )
    url = config[CONF_CSMS_URL]
    if url.startswith("wss://") and not _platform_has_tls():
        raise cv.Invalid(
            f"{CONF_CSMS_URL}: wss:// needs TLS, which the ocpp component has only on esp32 "
            f"(ESP-IDF esp-tls) and host (OpenSSL); platform '{CORE.target_platform}' has "
            "none: use ws:// (e.g. behind a TLS-terminating proxy)",
            path=[CONF_CSMS_URL],
        )
    if url.startswith("wss://") and CORE.is_host and not _host_has_openssl():
        raise cv.Invalid(
            f"{CONF_CSMS_URL}: wss:// on the host platform uses OpenSSL, whose headers are "
            "missing: install libssl-dev (Debian/Ubuntu) or openssl-devel (Fedora)",
            path=[CONF_CSMS_URL],
        )
    last = [s for s in urlsplit(url).path.split("/") if s]
    if not last or last[-1] != config[CONF_CHARGE_POINT_ID]:
        _LOGGER.warning(
            "ocpp: %s does not end with %s '%s'; most central systems expect "
            "ws://host/path/<charge point id> (the URL is used as given)",
            CONF_CSMS_URL,
            CONF_CHARGE_POINT_ID,
            config[CONF_CHARGE_POINT_ID],
        )
    return config


def _platform_has_tls() -> bool:
    return CORE.is_esp32 or CORE.is_host


def _host_has_openssl() -> bool:
    return any(
        Path(d, "openssl", "ssl.h").is_file()
        for d in ("/usr/include", "/usr/local/include", "/opt/homebrew/opt/openssl/include")
    )


CONFIG_SCHEMA = cv.All(
    cv.Schema(
        {
            cv.GenerateID(): cv.declare_id(OcppCp),
            cv.Required(CONF_CSMS_URL): validate_csms_url,
            cv.Required(CONF_CHARGE_POINT_ID): bounded_string(CONF_CHARGE_POINT_ID, 48, 1),
            cv.Optional(CONF_AUTHORIZATION_KEY): cv.sensitive(validate_authorization_key),
            cv.Optional(CONF_VENDOR, default="ESPHome"): bounded_string(CONF_VENDOR, 20, 1),
            cv.Optional(CONF_MODEL, default="OCPP Charger"): bounded_string(CONF_MODEL, 20, 1),
            cv.Optional(CONF_FIRMWARE_VERSION, default=""): bounded_string(
                CONF_FIRMWARE_VERSION, 50
            ),
            cv.Optional(CONF_SERIAL_NUMBER): bounded_string(CONF_SERIAL_NUMBER, 25, 1),
            cv.Optional(CONF_PHASE): cv.one_of(*PHASE_TAGS, upper=True),
            cv.Optional(CONF_PHASES): cv.All(
                cv.ensure_list(cv.one_of(*PHASE_TAGS, upper=True)),
                cv.Length(min=2, max=3, msg=f"{CONF_PHASES}: list 2 or 3 phases"),
            ),
            cv.Optional(CONF_NOMINAL_VOLTAGE, default=230.0): cv.positive_float,
            cv.Optional(CONF_PHASE_SWITCHING_SUPPORTED, default=False): cv.boolean,
            cv.Optional(CONF_LOCK_OFFERED_CURRENT, default=False): cv.boolean,
            cv.Optional(CONF_HEARTBEAT_INTERVAL): cv.positive_time_period_seconds,
            cv.Optional(CONF_METER_VALUE_SAMPLE_INTERVAL): cv.positive_time_period_seconds,
            cv.Optional(CONF_STOP_TXN_SAMPLED_DATA): cv.ensure_list(validate_measurand),
            cv.Optional(CONF_CONNECTORS, default=1): validate_connectors,
            cv.Optional(CONF_TIME_ID): cv.use_id(time_.RealTimeClock),
            cv.Optional(CONF_PERSISTENCE, default=True): cv.boolean,
            cv.Optional(CONF_TRANSACTION_QUEUE_SIZE, default=16): cv.int_range(min=4, max=64),
            cv.Optional(CONF_RESUME_AFTER_POWER_LOSS, default=False): cv.boolean,
            cv.Optional(CONF_RUST_LIBRARY): rust_library_path,
            **CONNECTOR_KEYS,
            **{
                cv.Optional(key): automation.validate_automation(
                    {cv.GenerateID(CONF_TRIGGER_ID): cv.declare_id(trigger)}
                )
                for key, (trigger, _) in TRIGGERS.items()
            },
        }
    ).extend(cv.COMPONENT_SCHEMA),
    _check_config,
)


# ---------------------------------------------------------------- the Rust library
@dataclass
class RustTarget:
    """How to build the static library for one platform."""

    triple: str | None  # None: the host's own triple
    toolchain: str | None = None  # rustup toolchain (+name), None: the default one
    build_std: bool = False  # tier 3: core/alloc from rust-src (-Zbuild-std)
    bare_metal: bool = True  # no_std: --no-default-features
    install_hint: list[str] = field(default_factory=list)


def _nightly() -> str:
    return (REPO_ROOT / "rust-nightly-version").read_text(encoding="utf-8").strip()


def rust_target_for_platform() -> RustTarget:
    """The Rust target of the selected ESPHome platform (cv.Invalid if there is none)."""
    if CORE.is_host:
        return RustTarget(triple=None, bare_metal=False)
    if CORE.is_bk72xx:
        # BK7231N/T = ARM968E-S (armv5te, Thumb): tier 3, core/alloc built from source.
        return RustTarget(triple="thumbv5te-none-eabi", toolchain=_nightly(), build_std=True)
    if CORE.is_esp32:
        from esphome.components.esp32 import get_esp32_variant

        variant = get_esp32_variant()
        riscv = {
            "ESP32C2": "riscv32imc-unknown-none-elf",
            "ESP32C3": "riscv32imc-unknown-none-elf",
            "ESP32C6": "riscv32imac-unknown-none-elf",
            "ESP32H2": "riscv32imac-unknown-none-elf",
        }
        xtensa = {
            "ESP32": "xtensa-esp32-none-elf",
            "ESP32S2": "xtensa-esp32s2-none-elf",
            "ESP32S3": "xtensa-esp32s3-none-elf",
        }
        if variant in riscv:
            return RustTarget(triple=riscv[variant])
        if variant in xtensa:
            # The Xtensa targets exist only in Espressif's Rust fork, installed by espup.
            return RustTarget(triple=xtensa[variant], toolchain="esp", build_std=True)
        raise cv.Invalid(
            f"ocpp: ESP32 variant {variant} has no Rust target here; build the library "
            f"yourself and give it with {CONF_RUST_LIBRARY}:"
        )
    raise cv.Invalid(
        f"ocpp: platform '{CORE.target_platform}' is not supported (host, esp32, bk72xx); "
        f"build the library yourself and give it with {CONF_RUST_LIBRARY}:"
    )


def _find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    home_bin = Path.home() / ".cargo" / "bin" / name
    return str(home_bin) if home_bin.is_file() else None


def _run_quiet(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def check_rust_toolchain(target: RustTarget) -> None:
    """cv.Invalid naming the command that installs what is missing to build for `target`."""
    if _find_tool("cargo") is None:
        raise cv.Invalid(
            "ocpp: cargo (Rust) not found; install it with "
            "`curl https://sh.rustup.rs -sSf | sh` (https://rustup.rs), or give a prebuilt "
            f"library with {CONF_RUST_LIBRARY}:"
        )
    rustup = _find_tool("rustup")
    if target.triple is None:
        return
    if rustup is None:
        raise cv.Invalid(
            f"ocpp: building for {target.triple} needs rustup (https://rustup.rs), or give a "
            f"prebuilt library with {CONF_RUST_LIBRARY}:"
        )
    if target.toolchain == "esp":
        toolchains = _run_quiet([rustup, "toolchain", "list"])
        if not any(line.split(" ")[0] == "esp" for line in toolchains.splitlines()):
            raise cv.Invalid(
                f"ocpp: the Xtensa target {target.triple} needs Espressif's Rust toolchain: "
                "run `cargo install espup && espup install` (then `. ~/export-esp.sh`)"
            )
        return
    if target.toolchain is not None:
        toolchains = _run_quiet([rustup, "toolchain", "list"])
        if not any(line.startswith(target.toolchain) for line in toolchains.splitlines()):
            raise cv.Invalid(
                f"ocpp: {target.triple} is built with the pinned nightly: run "
                f"`rustup toolchain install {target.toolchain} --component rust-src`"
            )
        components = _run_quiet(
            [rustup, "component", "list", "--installed", "--toolchain", target.toolchain]
        )
        if not any(line.startswith("rust-src") for line in components.splitlines()):
            raise cv.Invalid(
                f"ocpp: {target.triple} needs rust-src for -Zbuild-std: run "
                f"`rustup component add rust-src --toolchain {target.toolchain}`"
            )
        return
    installed = _run_quiet([rustup, "target", "list", "--installed"]).split()
    if target.triple not in installed:
        raise cv.Invalid(
            f"ocpp: Rust target {target.triple} is not installed: run "
            f"`rustup target add {target.triple}`"
        )


def cargo_invocation(
    target: RustTarget, target_dir: Path
) -> tuple[list[str], dict[str, str], Path]:
    """THE cargo command that builds libocpp_cp.a: (argv, environment, path of the library).

    Keep every detail of the build here (features, -Z flags, profile), so a change of the
    crate's build needs one edit."""
    cargo = _find_tool("cargo") or "cargo"
    argv = [cargo]
    if target.toolchain is not None:
        argv.append(f"+{target.toolchain}")
    argv += ["rustc", "--release", "--lib", "--crate-type", "staticlib", "--locked"]
    if target.bare_metal:
        # `log`: the library's own lines (connects, refusals, journal) reach ESPHome's logger.
        argv += ["--no-default-features", "--features", "ffi,profiles,log"]
    else:
        argv += ["--features", "ffi"]
    if target.triple is not None:
        argv += ["--target", target.triple]
    if target.build_std:
        argv += ["-Zbuild-std=core,alloc"]
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(target_dir)
    # rustup's proxy picks the toolchain from `+name`; a RUSTUP_TOOLCHAIN from the calling
    # shell would override it.
    env.pop("RUSTUP_TOOLCHAIN", None)
    out = target_dir / (target.triple or "") / "release" / "libocpp_cp.a"
    return argv, env, out


def cargo_target_dir() -> Path:
    """CARGO_TARGET_DIR: $OCPP_CP_CARGO_TARGET_DIR, else <ESPHome data dir>/ocpp-cp-cargo.

    Not inside build/<name>/: ESPHome wipes that directory after code generation when the
    configuration's core changed, which would delete the library before the link. One
    target dir serves every YAML (cargo keeps a directory per target triple)."""
    override = os.environ.get("OCPP_CP_CARGO_TARGET_DIR")
    if override:
        return Path(override)
    return Path(CORE.data_dir) / "ocpp-cp-cargo"


def build_rust_library() -> Path:
    """Builds the static library for the selected platform; returns its path."""
    target = rust_target_for_platform()
    argv, env, out = cargo_invocation(target, cargo_target_dir())
    _LOGGER.info("ocpp: building the Rust library: %s", " ".join(argv))
    try:
        done = subprocess.run(
            argv,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise EsphomeError(f"ocpp: cargo failed to run: {err}") from err
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        raise EsphomeError(f"ocpp: building the Rust library failed ({' '.join(argv)}):\n{tail}")
    if not out.is_file():
        raise EsphomeError(f"ocpp: cargo succeeded but {out} is missing")
    return out


def _final_validate(config):
    if CONF_RUST_LIBRARY in config:
        return config
    try:
        check_rust_toolchain(rust_target_for_platform())
    except cv.Invalid as err:
        raise cv.Invalid(str(err), path=[CONF_ID]) from None
    return config


FINAL_VALIDATE_SCHEMA = _final_validate


# ---------------------------------------------------------------- code generation
def connector_blocks(config) -> list[dict]:
    """One input block per connector (index 0 = connector 1)."""
    connectors = config[CONF_CONNECTORS]
    if isinstance(connectors, list):
        return connectors
    first = {k: config[k] for k in PER_CONNECTOR_TOP_KEYS if k in config}
    return [first] + [{} for _ in range(connectors - 1)]


def _mirrors_home_assistant(sensor_id) -> bool:
    """True when the sensor is a `homeassistant` mirror: its value is fresh only while the API
    is connected (it keeps the last one when the link drops)."""
    for entry in CORE.config.get("sensor", []):
        if entry.get(CONF_ID) is not None and entry[CONF_ID].id == sensor_id.id:
            return entry.get("platform") == "homeassistant"
    return False


async def _connector_to_code(var, config, number_1based: int, block: dict) -> None:
    c = number_1based
    meter = block.get(CONF_METER_VALUES, {})
    legs_tags = config.get(CONF_PHASES, [])
    for key, (kind, _) in METER_KINDS.items():
        if key not in meter:
            continue
        value = meter[key]
        refs = []
        if isinstance(value, dict):
            for leg, leg_key in enumerate((CONF_L1, CONF_L2, CONF_L3)):
                if leg_key in value and leg < len(legs_tags):
                    refs.append((value[leg_key], legs_tags[leg]))
        else:
            phase = config.get(CONF_PHASE, "") if key in (CONF_VOLTAGE, CONF_CURRENT) else ""
            refs.append((value, phase))
        for ref, phase in refs:
            sens = await cg.get_variable(ref)
            cg.add(
                var.add_meter_sensor(
                    c, getattr(MeterKind, kind), sens, phase, _mirrors_home_assistant(ref)
                )
            )
    if CONF_CURRENT_OFFERED in meter:
        num = await cg.get_variable(meter[CONF_CURRENT_OFFERED])
        cg.add(var.set_current_offered_number(c, num))
    if CONF_STATUS_FROM in block:
        ts = await cg.get_variable(block[CONF_STATUS_FROM])
        cg.add(var.set_status_from(c, ts))
    mapping = block.get(CONF_STATUS_MAPPING, config.get(CONF_STATUS_MAPPING, {}))
    for raw, target in mapping.items():
        cg.add(var.add_status_mapping(c, raw, target))
    if CONF_PLUGGED_FROM in block:
        bs = await cg.get_variable(block[CONF_PLUGGED_FROM])
        cg.add(var.set_plugged_from(c, bs))
    if CONF_SOC_PLUGGED_FROM in block:
        bs = await cg.get_variable(block[CONF_SOC_PLUGGED_FROM])
        cg.add(var.set_soc_plugged_from(c, bs))


def phase_voltage(config) -> float:
    """nominal_voltage per phase. The original README told 3-phase users to give 400 (line to
    line), which made Power.Offered 1.73x too high; no phase-to-neutral supply reaches 300 V, so
    a 3-phase value above 300 is taken as line to line."""
    volts = config[CONF_NOMINAL_VOLTAGE]
    if len(config.get(CONF_PHASES, [])) == 3 and volts > 300:
        _LOGGER.info(
            "ocpp: %s %.0f V with 3 phases is line to line; using %.1f V per phase",
            CONF_NOMINAL_VOLTAGE,
            volts,
            volts / 3**0.5,
        )
        return volts / 3**0.5
    return volts


def sampled_data_list(config) -> list[str]:
    """MeterValuesSampledData: the measurands some connector has an input for."""
    out: list[str] = []
    for block in connector_blocks(config):
        meter = block.get(CONF_METER_VALUES, {})
        for key, (_, measurand) in METER_KINDS.items():
            if key in meter and measurand not in out:
                out.append(measurand)
        if CONF_CURRENT_OFFERED in meter:
            for measurand in ("Current.Offered", "Power.Offered"):
                if measurand not in out:
                    out.append(measurand)
    return out


async def to_code(config):
    var = cg.new_Pvariable(config[CONF_ID])
    await cg.register_component(var, config)

    cg.add(var.set_csms_url(config[CONF_CSMS_URL]))
    cg.add(var.set_charge_point_id(config[CONF_CHARGE_POINT_ID]))
    if CONF_AUTHORIZATION_KEY in config:
        cg.add(var.set_authorization_key(config[CONF_AUTHORIZATION_KEY]))
    cg.add(var.set_vendor(config[CONF_VENDOR]))
    cg.add(var.set_model(config[CONF_MODEL]))
    cg.add(var.set_firmware_version(config[CONF_FIRMWARE_VERSION]))
    if CONF_SERIAL_NUMBER in config:
        cg.add(var.set_serial_number(config[CONF_SERIAL_NUMBER]))
    if CONF_PHASES in config:
        cg.add(var.set_phases(len(config[CONF_PHASES])))
    cg.add(var.set_nominal_voltage(config[CONF_NOMINAL_VOLTAGE]))
    cg.add(var.set_phase_voltage(phase_voltage(config)))
    cg.add(var.set_phase_switching_supported(config[CONF_PHASE_SWITCHING_SUPPORTED]))
    cg.add(var.set_lock_offered_current_during_transaction(config[CONF_LOCK_OFFERED_CURRENT]))
    if CONF_HEARTBEAT_INTERVAL in config:
        cg.add(var.set_heartbeat_interval(config[CONF_HEARTBEAT_INTERVAL].total_seconds))
    if CONF_METER_VALUE_SAMPLE_INTERVAL in config:
        cg.add(
            var.set_meter_value_sample_interval(
                config[CONF_METER_VALUE_SAMPLE_INTERVAL].total_seconds
            )
        )
    if CONF_STOP_TXN_SAMPLED_DATA in config:
        cg.add(var.set_stop_txn_sampled_data(",".join(config[CONF_STOP_TXN_SAMPLED_DATA])))
    cg.add(var.set_meter_values_sampled_data(",".join(sampled_data_list(config))))
    cg.add(var.set_persistence(config[CONF_PERSISTENCE]))
    cg.add(var.set_transaction_queue_size(config[CONF_TRANSACTION_QUEUE_SIZE]))
    cg.add(var.set_resume_after_power_loss(config[CONF_RESUME_AFTER_POWER_LOSS]))

    blocks = connector_blocks(config)
    cg.add(var.set_connector_count(len(blocks)))
    for index, block in enumerate(blocks):
        await _connector_to_code(var, config, index + 1, block)

    # Wall clock: the given time component, else the only one configured.
    time_id = config.get(CONF_TIME_ID)
    if time_id is None and CORE.config.get("time"):
        time_id = CORE.config["time"][0][CONF_ID]
    if time_id is not None:
        clock = await cg.get_variable(time_id)
        cg.add(var.set_time(clock))
        cg.add_define("USE_OCPP_TIME")

    for key, (_, args) in TRIGGERS.items():
        for conf in config.get(key, []):
            trigger = cg.new_Pvariable(conf[CONF_TRIGGER_ID], var)
            await automation.build_automation(trigger, args, conf)
    if config.get(CONF_ON_DATA_TRANSFER):
        cg.add(var.set_accept_data_transfer(True))
    if config.get(CONF_ON_UNLOCK_CONNECTOR):
        cg.add(var.set_unlock_supported(True))
    if config.get(CONF_ON_RESET):
        cg.add(var.set_reset_handled(True))

    if config[CONF_CSMS_URL].startswith("wss://"):
        cg.add_define("USE_OCPP_TLS")
        if CORE.is_esp32:
            from esphome.components.esp32 import add_idf_sdkconfig_option

            # Server certificates are checked against ESP-IDF's root certificate bundle.
            add_idf_sdkconfig_option("CONFIG_MBEDTLS_CERTIFICATE_BUNDLE", True)
            add_idf_sdkconfig_option("CONFIG_ESP_TLS_USING_MBEDTLS", True)
        elif CORE.is_host:
            # OpenSSL, as ESPHome's http_request on host; roots from the system (or the
            # SSL_CERT_FILE / SSL_CERT_DIR environment variables).
            if Path("/opt/homebrew/opt/openssl/include").is_dir():
                cg.add_build_flag("-I/opt/homebrew/opt/openssl/include")
                cg.add_build_flag("-L/opt/homebrew/opt/openssl/lib")
            cg.add_build_flag("-lssl")
            cg.add_build_flag("-lcrypto")

    # The C ABI header and the static library.
    cg.add_build_flag(f"-I{REPO_ROOT / 'include'}")
    if CONF_RUST_LIBRARY in config:
        library = Path(config[CONF_RUST_LIBRARY])
    else:
        library = build_rust_library()
    cg.add_build_flag(f"-L{library.parent}")
    cg.add_build_flag("-locpp_cp")
    if CORE.is_host:
        # What a std staticlib needs from the C library (rustc --print native-static-libs).
        for lib in ("-lpthread", "-ldl", "-lm", "-lgcc_s", "-lc"):
            cg.add_build_flag(lib)


# ---------------------------------------------------------------- actions
def _static_choice(key: str, choices: list[str], what: str):
    """A templatable string that, when static, must be one of `choices`."""
    return cv.templatable(one_of_named(key, choices, what))


OCPP_ACTION_BASE = cv.Schema({cv.GenerateID(): cv.use_id(OcppCp)})


@automation.register_action(
    "ocpp.start_transaction",
    StartTransactionAction,
    OCPP_ACTION_BASE.extend(
        {
            cv.Required(CONF_ID_TAG): cv.templatable(bounded_string(CONF_ID_TAG, 20, 1)),
            cv.Optional(CONF_CONNECTOR, default=1): cv.templatable(
                cv.int_range(min=1, max=MAX_CONNECTORS)
            ),
        }
    ),
    synchronous=True,
)
async def start_transaction_to_code(config, action_id, template_arg, args):
    parent = await cg.get_variable(config[CONF_ID])
    var = cg.new_Pvariable(action_id, template_arg, parent)
    cg.add(var.set_id_tag(await cg.templatable(config[CONF_ID_TAG], args, cg.std_string)))
    cg.add(var.set_connector(await cg.templatable(config[CONF_CONNECTOR], args, cg.int_)))
    return var


@automation.register_action(
    "ocpp.end_transaction",
    EndTransactionAction,
    OCPP_ACTION_BASE.extend(
        {
            cv.Optional(CONF_ID_TAG): cv.templatable(bounded_string(CONF_ID_TAG, 20, 1)),
            cv.Optional(CONF_REASON, default="Local"): _static_choice(
                CONF_REASON, STOP_REASONS, "an OCPP 1.6 stop Reason"
            ),
            cv.Optional(CONF_CONNECTOR, default=1): cv.templatable(
                cv.int_range(min=1, max=MAX_CONNECTORS)
            ),
        }
    ),
    synchronous=True,
)
async def end_transaction_to_code(config, action_id, template_arg, args):
    parent = await cg.get_variable(config[CONF_ID])
    var = cg.new_Pvariable(action_id, template_arg, parent)
    if CONF_ID_TAG in config:
        cg.add(var.set_id_tag(await cg.templatable(config[CONF_ID_TAG], args, cg.std_string)))
    cg.add(var.set_reason(await cg.templatable(config[CONF_REASON], args, cg.std_string)))
    cg.add(var.set_connector(await cg.templatable(config[CONF_CONNECTOR], args, cg.int_)))
    return var


@automation.register_action(
    "ocpp.firmware_status",
    FirmwareStatusAction,
    cv.maybe_simple_value(
        OCPP_ACTION_BASE.extend(
            {
                cv.Required(CONF_STATUS): _static_choice(
                    CONF_STATUS, FIRMWARE_STATUSES, "an OCPP 1.6 FirmwareStatus"
                ),
            }
        ),
        key=CONF_STATUS,
    ),
    synchronous=True,
)
async def firmware_status_to_code(config, action_id, template_arg, args):
    parent = await cg.get_variable(config[CONF_ID])
    var = cg.new_Pvariable(action_id, template_arg, parent)
    cg.add(var.set_status(await cg.templatable(config[CONF_STATUS], args, cg.std_string)))
    return var


def final_validate_platform(config):
    """Sensor/text_sensor platforms: the connector must exist on the ocpp component."""
    full = fv.full_config.get()
    ocpp_conf = full.get("ocpp")
    if ocpp_conf is None:
        return config
    connectors = ocpp_conf.get(CONF_CONNECTORS, 1)
    count = len(connectors) if isinstance(connectors, list) else connectors
    if config.get(CONF_CONNECTOR, 1) > count:
        raise cv.Invalid(
            f"{CONF_CONNECTOR}: {config[CONF_CONNECTOR]} but the ocpp component has "
            f"{count} connector(s)",
            path=[CONF_CONNECTOR],
        )
    return config
