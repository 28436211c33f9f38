"""ESPHome `host` programs built offline by tools/esphome-host.sh actually run:
- host_smoke.yaml: the native API answers on 127.0.0.1 with the template sensor states;
- host_smoke_hello.yaml: an external component links a static library through
  cg.add_build_flag("-L<dir>") + ("-l<name>") (the ocpp component's Rust staticlib path), and a
  changed library is relinked by the next (incremental) build.
Run: .venv-esphome/bin/python -m pytest -q tests/esphome   (after scripts/setup-esphome.sh)
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

try:
    from aioesphomeapi import APIClient, SensorState, TextSensorState
except ImportError as e:  # the main .venv does not have it, on purpose
    raise ImportError(
        "tests/esphome runs with the esphome venv: scripts/setup-esphome.sh && "
        ".venv-esphome/bin/python -m pytest tests/esphome"
    ) from e

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 20.0
API_TIMEOUT = 20.0
LOG_TIMEOUT = 20.0


async def read_states(port: int) -> tuple[str, dict[str, object]]:
    """Device name and {entity name: first real state} for every entity, over the native API."""
    client = APIClient("127.0.0.1", port, None, client_info="ocpp-cp host smoke test")
    async with asyncio.timeout(API_TIMEOUT):
        await client.connect(login=True)
        try:
            info = await client.device_info()
            entities, _services = await client.list_entities_services()
            names = {e.key: e.name for e in entities}
            states: dict[str, object] = {}
            all_in = asyncio.Event()

            def on_state(state: object) -> None:
                # The first state after subscribing can be a placeholder (nan / "").
                if (
                    isinstance(state, (SensorState, TextSensorState))
                    and state.key in names
                    and not state.missing_state
                ):
                    states[names[state.key]] = state.state
                    if len(states) == len(names):
                        all_in.set()

            client.subscribe_states(on_state)
            await all_in.wait()
            return info.name, states
        finally:
            await client.disconnect()


def test_native_api_serves_template_states_on_loopback(esphome_build, host_program, free_port):
    port = free_port
    started = time.monotonic()
    program = esphome_build(HERE / "host_smoke.yaml", api_port=port)
    print(f"host_smoke build: {time.monotonic() - started:.1f} s -> {program}")

    p = host_program(program)
    # The api: component binds the ANY address; the preloaded shim turns that into loopback.
    assert p.wait_listening(port, START_TIMEOUT) == {"127.0.0.1"}

    name, states = asyncio.run(read_states(port))
    assert name == "host-smoke"
    assert states == {"Smoke Number": 42.5, "Smoke Text": "hello from host"}

    assert p.stop() == 0, p.tail()  # SIGTERM is a clean shutdown


def make_libhello(lib_dir: Path, offset: int) -> None:
    """libhello.a from components/hello/lib/hello.c; hello_answer(f) = 2 f + offset."""
    lib_dir.mkdir(parents=True, exist_ok=True)
    obj = lib_dir / "hello.o"
    src = HERE / "components" / "hello" / "lib" / "hello.c"
    subprocess.run(
        ["gcc", "-c", "-O2", f"-DHELLO_OFFSET={offset}", "-o", str(obj), str(src)],
        check=True,
        timeout=60,
    )
    (lib_dir / "libhello.a").unlink(missing_ok=True)
    subprocess.run(["ar", "rcs", str(lib_dir / "libhello.a"), str(obj)], check=True, timeout=60)


def test_external_component_links_static_library(esphome_build, host_program, esphome_data_dir):
    # A stable path: a different -L path per run would change platformio.ini and force a full
    # rebuild (see tools/esphome-host.sh).
    lib_dir = esphome_data_dir / "hello-lib"
    yaml = HERE / "host_smoke_hello.yaml"

    make_libhello(lib_dir, offset=0)
    started = time.monotonic()
    program = esphome_build(yaml, hello_lib_dir=lib_dir)
    print(f"host_smoke_hello build: {time.monotonic() - started:.1f} s")
    p = host_program(program)
    p.wait_line(r"\[hello:\d+\]: libhello says hello 42$", LOG_TIMEOUT)
    assert p.stop() == 0, p.tail()

    # A new library (as after a Rust rebuild) must be relinked by the next build.
    make_libhello(lib_dir, offset=1)
    started = time.monotonic()
    assert esphome_build(yaml, hello_lib_dir=lib_dir) == program
    print(f"host_smoke_hello relink: {time.monotonic() - started:.1f} s")
    p = host_program(program)
    p.wait_line(r"\[hello:\d+\]: libhello says hello 43$", LOG_TIMEOUT)
    assert p.stop() == 0, p.tail()
