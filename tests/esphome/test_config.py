"""`esphome config` on the ocpp component's YAML: every example and compile test validates;
every file under bad/ is refused with the message its `# expect: ...` line records.

A bad file may also carry `# env: KEY=VALUE` lines (`{empty_dir}` becomes an empty temporary
directory: RUSTUP_HOME={empty_dir} is a machine without the Rust toolchains), and `{nightly}`
in an expectation is the pinned nightly (rust-nightly-version).

Run: .venv-esphome/bin/python -m pytest -q tests/esphome/test_config.py   (~15 s)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NIGHTLY = (ROOT / "rust-nightly-version").read_text(encoding="utf-8").strip()
CONFIG_TIMEOUT = 120.0

GOOD = [
    ROOT / "example" / "host.yaml",
    ROOT / "example" / "esp32-charger.yaml",
    ROOT / "example" / "bk7231n-charger.yaml",
    HERE / "compile_test.yaml",
    HERE / "compile_test_3phase.yaml",
    HERE / "compile_test_connectors.yaml",
    HERE / "e2e_host.yaml",
    HERE / "e2e_tls.yaml",
]
# Substitutions the test configurations take from their test.
SUBSTITUTIONS = {
    "e2e_host.yaml": {"api_port": "16053", "csms_url": "ws://127.0.0.1:9000/CP_1"},
    "e2e_tls.yaml": {
        "api_port": "16053",
        "csms_url": "wss://localhost:9443/CP_1",
        "authorization_key": "0123456789abcdef0123",
    },
}
BAD = sorted((HERE / "bad").glob("*.yaml"))


def esphome_config(
    yaml: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "esphome"]
    for key, value in SUBSTITUTIONS.get(yaml.name, {}).items():
        args += ["-s", key, value]
    return subprocess.run(
        [*args, "config", str(yaml)],
        capture_output=True,
        text=True,
        timeout=CONFIG_TIMEOUT,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        check=False,
    )


def directives(yaml: Path, name: str) -> list[str]:
    prefix = f"# {name}:"
    return [
        line[len(prefix) :].strip()
        for line in yaml.read_text(encoding="utf-8").splitlines()
        if line.startswith(prefix)
    ]


@pytest.mark.parametrize("yaml", GOOD, ids=lambda p: p.name)
def test_valid_configuration(yaml: Path) -> None:
    done = esphome_config(yaml)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Configuration is valid!" in done.stdout + done.stderr


def test_every_bad_file_states_its_expectation() -> None:
    assert len(BAD) >= 10
    for yaml in BAD:
        assert len(directives(yaml, "expect")) == 1, f"{yaml.name}: one `# expect:` line"


@pytest.mark.parametrize("yaml", BAD, ids=lambda p: p.name)
def test_bad_configuration_is_refused_with_its_message(yaml: Path, tmp_path: Path) -> None:
    (expected,) = directives(yaml, "expect")
    expected = expected.replace("{nightly}", NIGHTLY)
    env = {}
    for line in directives(yaml, "env"):
        key, _, value = line.partition("=")
        empty = tmp_path / "empty"
        empty.mkdir(exist_ok=True)
        env[key.strip()] = value.strip().replace("{empty_dir}", str(empty))
    done = esphome_config(yaml, env)
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"{yaml.name} was accepted:\n{output[-2000:]}"
    # ESPHome may wrap long messages; compare with whitespace collapsed.
    flat = " ".join(output.split())
    assert " ".join(expected.split()) in flat, f"{yaml.name}: no {expected!r} in:\n{output[-3000:]}"
