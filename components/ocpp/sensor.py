"""`sensor: platform: ocpp`: transaction id, effective charging limit and session energy of a
connector, as the charge point sees them."""

import esphome.codegen as cg
import esphome.config_validation as cv
from esphome.components import sensor
from esphome.const import (
    DEVICE_CLASS_CURRENT,
    DEVICE_CLASS_ENERGY,
    DEVICE_CLASS_POWER,
    STATE_CLASS_MEASUREMENT,
    STATE_CLASS_TOTAL_INCREASING,
    UNIT_AMPERE,
    UNIT_WATT,
    UNIT_WATT_HOURS,
)

from . import (
    CONF_CONNECTOR,
    CONF_OCPP_ID,
    MAX_CONNECTORS,
    OcppCp,
    final_validate_platform,
)

DEPENDENCIES = ["ocpp"]

CONF_TRANSACTION_ID = "transaction_id"
CONF_CURRENT_LIMIT = "current_limit"
CONF_POWER_LIMIT = "power_limit"
CONF_SESSION_ENERGY = "session_energy"

CONFIG_SCHEMA = cv.Schema(
    {
        cv.GenerateID(CONF_OCPP_ID): cv.use_id(OcppCp),
        cv.Optional(CONF_CONNECTOR, default=1): cv.int_range(min=1, max=MAX_CONNECTORS),
        # The central system's id of the running transaction; unknown (NaN) when none.
        cv.Optional(CONF_TRANSACTION_ID): sensor.sensor_schema(
            icon="mdi:identifier", accuracy_decimals=0
        ),
        # Effective smart-charging limit, A per phase; unknown when there is no limit.
        cv.Optional(CONF_CURRENT_LIMIT): sensor.sensor_schema(
            unit_of_measurement=UNIT_AMPERE,
            accuracy_decimals=1,
            device_class=DEVICE_CLASS_CURRENT,
            state_class=STATE_CLASS_MEASUREMENT,
        ),
        # The same limit in W.
        cv.Optional(CONF_POWER_LIMIT): sensor.sensor_schema(
            unit_of_measurement=UNIT_WATT,
            accuracy_decimals=0,
            device_class=DEVICE_CLASS_POWER,
            state_class=STATE_CLASS_MEASUREMENT,
        ),
        # Energy of the running transaction (meter now - meterStart), Wh; unknown when none.
        cv.Optional(CONF_SESSION_ENERGY): sensor.sensor_schema(
            unit_of_measurement=UNIT_WATT_HOURS,
            accuracy_decimals=0,
            device_class=DEVICE_CLASS_ENERGY,
            state_class=STATE_CLASS_TOTAL_INCREASING,
        ),
    }
)

FINAL_VALIDATE_SCHEMA = final_validate_platform


async def to_code(config):
    parent = await cg.get_variable(config[CONF_OCPP_ID])
    c = config[CONF_CONNECTOR]
    if CONF_TRANSACTION_ID in config:
        sens = await sensor.new_sensor(config[CONF_TRANSACTION_ID])
        cg.add(parent.set_transaction_id_sensor(c, sens))
    if CONF_CURRENT_LIMIT in config:
        sens = await sensor.new_sensor(config[CONF_CURRENT_LIMIT])
        cg.add(parent.set_current_limit_sensor(c, sens))
    if CONF_POWER_LIMIT in config:
        sens = await sensor.new_sensor(config[CONF_POWER_LIMIT])
        cg.add(parent.set_power_limit_sensor(c, sens))
    if CONF_SESSION_ENERGY in config:
        sens = await sensor.new_sensor(config[CONF_SESSION_ENERGY])
        cg.add(parent.set_session_energy_sensor(c, sens))
