"""`text_sensor: platform: ocpp`: the link state (the original's connection_state) and the
OCPP status of a connector."""

import esphome.codegen as cg
import esphome.config_validation as cv
from esphome.components import text_sensor

from . import (
    CONF_CONNECTOR,
    CONF_OCPP_ID,
    MAX_CONNECTORS,
    OcppCp,
    final_validate_platform,
)

DEPENDENCIES = ["ocpp"]

CONF_CONNECTION_STATE = "connection_state"
CONF_STATUS = "status"

CONFIG_SCHEMA = cv.Schema(
    {
        cv.GenerateID(CONF_OCPP_ID): cv.use_id(OcppCp),
        cv.Optional(CONF_CONNECTOR, default=1): cv.int_range(min=1, max=MAX_CONNECTORS),
        # disconnected | connecting | handshaking | connected | ready | closing
        cv.Optional(CONF_CONNECTION_STATE): text_sensor.text_sensor_schema(icon="mdi:lan-connect"),
        # Available | Preparing | Charging | SuspendedEVSE | SuspendedEV | Finishing | ...
        cv.Optional(CONF_STATUS): text_sensor.text_sensor_schema(icon="mdi:ev-station"),
    }
)

FINAL_VALIDATE_SCHEMA = final_validate_platform


async def to_code(config):
    parent = await cg.get_variable(config[CONF_OCPP_ID])
    if CONF_CONNECTION_STATE in config:
        sens = await text_sensor.new_text_sensor(config[CONF_CONNECTION_STATE])
        cg.add(parent.set_connection_state_text_sensor(sens))
    if CONF_STATUS in config:
        sens = await text_sensor.new_text_sensor(config[CONF_STATUS])
        cg.add(parent.set_status_text_sensor(config[CONF_CONNECTOR], sens))
