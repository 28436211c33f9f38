#!/usr/bin/env bash
# Prepare a fresh Debian machine (Rust, Python 3.11, Node >= 18 + npm already installed) for
# development: Python venv with pinned packages, node modules for the interop tests.
# Idempotent and fast on re-runs (stamps skip what is done). Quiet on success, loud on failure.
# Usage: scripts/setup.sh [-v]     (-v: say what is done or skipped)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERBOSE=0
[[ "${1:-}" == "-v" ]] && VERBOSE=1

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh" setup.sh

# ---------------------------------------------------------------- tools that must exist
pick_python() {
    local c
    for c in "${PYTHON:-}" python3.11 python3; do
        [[ -n "$c" ]] || continue
        if command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}
PY="$(pick_python)" || die "Python >= 3.11 not found (set PYTHON=/path/to/python3.11)"
command -v node >/dev/null 2>&1 || die "node not found (need Node >= 18)"
command -v npm >/dev/null 2>&1 || die "npm not found"
node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' ||
    die "Node >= 18 needed, found $(node --version)"
"$PY" -c 'import venv, ensurepip' 2>/dev/null ||
    die "$PY lacks venv/ensurepip (Debian: apt-get install python3-venv)"

# ---------------------------------------------------------------- Python venv
VENV="$ROOT/.venv"
ensure_venv "$VENV" "$ROOT/requirements.txt" "$PY" 'ocpp.v16, websockets, jsonschema, rfc3339_validator, pytest'

# ---------------------------------------------------------------- node modules (ocpp-rpc)
NODE_DIR="$ROOT/tests/interop/node"
LOCK="$NODE_DIR/package-lock.json"
NSTAMP="$NODE_DIR/node_modules/.setup-lock.sha256"
[[ -f "$LOCK" ]] || die "$LOCK missing (commit package-lock.json)"
if [[ ! -f "$NSTAMP" || "$(cat "$NSTAMP")" != "$(sha "$LOCK")" ]]; then
    say "npm ci in $NODE_DIR"
    quietly "npm ci in tests/interop/node" \
        npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
    quietly "ocpp-rpc loads" node -e "require('$NODE_DIR/node_modules/ocpp-rpc')"
    sha "$LOCK" >"$NSTAMP"
else
    say "node modules up to date"
fi

# ================================================================ RUST
# Stable with rustfmt/clippy, the bare-metal targets, and the pinned nightly (rust-src) that
# builds core/alloc for BK7231N's tier-3 thumbv5te-none-eabi.
command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"
for comp in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$comp" ||
    quietly "rustup component add $comp" rustup component add "$comp"
done
for target in thumbv7em-none-eabihf riscv32imc-unknown-none-elf; do
  rustup target list --installed | grep -qx "$target" ||
    quietly "rustup target add $target" rustup target add "$target"
done
NIGHTLY=$(cat "$ROOT/rust-nightly-version")
rustup toolchain list | grep -q "^$NIGHTLY" ||
  quietly "rustup toolchain install $NIGHTLY" rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src' ||
  quietly "rust-src for $NIGHTLY" rustup component add rust-src --toolchain "$NIGHTLY"
# ================================================================ END RUST

# ================================================================ ESPHOME
# .venv-esphome (pinned esphome, aioesphomeapi) and the pre-seeded PlatformIO core in
# .esphome-pio, so ESPHome's host platform builds offline.
"$ROOT/scripts/setup-esphome.sh" $([[ $VERBOSE == 1 ]] && echo -v)

say "done"
