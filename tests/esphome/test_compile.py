"""The compile tests bind every key of the ocpp component; on the host platform they build
into programs here, so the C++ of every key (triggers, actions, lambdas, sensors, several
connectors, 3-phase) compiles and links with the Rust library.

Run: .venv-esphome/bin/python -m pytest -q tests/esphome/test_compile.py
(first build of each ~1 min, then seconds).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
COMPILE_TESTS = sorted(HERE.glob("compile_test*.yaml"))


@pytest.mark.parametrize("yaml", COMPILE_TESTS, ids=lambda p: p.name)
def test_compile_test_builds_on_host(yaml: Path, esphome_build) -> None:
    program = esphome_build(yaml)
    assert program.is_file() and os.access(program, os.X_OK)
