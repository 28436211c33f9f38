"""Test-only external component `hello`: a C++ component that calls into a C static library
linked the way the ocpp component links its Rust staticlib:
    cg.add_build_flag("-L<absolute dir>") + cg.add_build_flag("-l<name>")   (lib<name>.a)
PlatformIO moves -L/-l from build_flags into LIBPATH/LIBS and links them after the objects.
tests/esphome/test_host_smoke.py compiles lib/hello.c into libhello.a (lib/ is a subfolder, so
ESPHome does not copy hello.c into the build: only a component's top-level sources are)."""

import esphome.codegen as cg
import esphome.config_validation as cv
from esphome.const import CONF_ID

CONF_LIB_DIR = "lib_dir"
CONF_FACTOR = "factor"

hello_ns = cg.esphome_ns.namespace("hello")
HelloComponent = hello_ns.class_("HelloComponent", cg.Component)

CONFIG_SCHEMA = cv.Schema(
    {
        cv.GenerateID(): cv.declare_id(HelloComponent),
        # Folder holding libhello.a; relative paths are relative to the YAML file.
        cv.Required(CONF_LIB_DIR): cv.directory,
        cv.Optional(CONF_FACTOR, default=21): cv.int_range(min=0, max=1000),
    }
).extend(cv.COMPONENT_SCHEMA)


async def to_code(config):
    var = cg.new_Pvariable(config[CONF_ID])
    await cg.register_component(var, config)
    cg.add(var.set_factor(config[CONF_FACTOR]))
    # Absolute, so the flag means the same wherever PlatformIO runs the link.
    cg.add_build_flag(f"-L{config[CONF_LIB_DIR].resolve()}")
    cg.add_build_flag("-lhello")
