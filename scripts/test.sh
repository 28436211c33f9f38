#!/usr/bin/env bash
# Every test of ocpp-cp: set-up, lints, unit + scenario + interop tests, schema validation of
# every frame the charge point sent, bare-metal builds and the size report.
# Usage: scripts/test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NIGHTLY=$(cat rust-nightly-version)
step() { printf '\n==== %s\n' "$*"; }

step "setup (Python venv, npm, Rust targets, pinned nightly)"
scripts/setup.sh

step "format, lints, rustdoc (std and no_std)"
cargo fmt --check
cargo clippy --all-targets --features ffi -- -D warnings
cargo clippy --lib --no-default-features -- -D warnings
cargo clippy --lib --no-default-features --features profiles -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q --features ffi
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q --no-default-features

step "bare-metal builds (no_std + alloc), and the C static library for each target"
for features in "" "--features profiles"; do
  cargo build -q --lib --no-default-features $features --target thumbv7em-none-eabihf
  cargo build -q --lib --no-default-features $features --target riscv32imc-unknown-none-elf
  cargo "+$NIGHTLY" build -q --lib --no-default-features $features --target thumbv5te-none-eabi -Zbuild-std=core,alloc
done
cargo clippy -q --lib --no-default-features --features ffi,profiles --target thumbv7em-none-eabihf -- -D warnings
for target in thumbv7em-none-eabihf riscv32imc-unknown-none-elf; do
  cargo rustc -q --release --lib --crate-type staticlib --no-default-features --features ffi,profiles --target $target
done
cargo "+$NIGHTLY" rustc -q --release --lib --crate-type staticlib --no-default-features --features ffi,profiles \
  --target thumbv5te-none-eabi -Zbuild-std=core,alloc

step "C ABI: include/ocpp_cp.h is what cbindgen makes of src/ffi; a C session under ASan + UBSan"
cargo rustc -q --lib --crate-type staticlib --features ffi
git diff --exit-code -- include/ocpp_cp.h ||
  { echo "include/ocpp_cp.h is stale: commit the header build.rs regenerated" >&2; exit 1; }
.venv/bin/python -m pytest -q tests/c_abi

step "cargo test (unit, scenarios in virtual time, CALLERROR table, WebSocket peers)"
FRAMES=$(mktemp -d)
trap 'rm -rf "$FRAMES"' EXIT
OCPP_FRAME_LOG="$FRAMES" OCPP_PYTHON="$ROOT/.venv/bin/python" cargo test

step "the same scenarios with every optional profile left out (Core + RemoteTrigger only)"
cargo test -q --no-default-features --features std,log --test scenarios --test callerror --test reservation --test firmware --test local_auth --test smart_charging --test power_cut

step "every frame the charge point sent in those tests, against the official OCPP 1.6 schemas"
.venv/bin/python tests/schema/validate_frames.py "$FRAMES"

step "fuzzing: every cargo-fuzz target for 20 s, regressions included (tools/fuzz.sh 600: the long run)"
tools/fuzz.sh 20

step "code size, bare metal (figures, not a pass/fail check)"
tools/size.sh --core thumbv5te-none-eabi
tools/size.sh thumbv5te-none-eabi

step "ocpp-sim against the Python ocpp and npm ocpp-rpc (strict) central systems"
cargo build -q --bin ocpp-sim
OCPP_SIM_BIN="$ROOT/target/debug/ocpp-sim" .venv/bin/python -m pytest -q tests/interop tests/schema

step "ESPHome component: esphome config (examples, compile tests, bad YAMLs), host builds, end to end"
.venv-esphome/bin/python -m pytest -q tests/esphome

step "fault injection: link cuts (TCP proxy) and SIGKILL + restart over 30 charging sessions"
OCPP_SIM_BIN="$ROOT/target/debug/ocpp-sim" .venv/bin/python -m pytest -q -s tests/faults
