#!/usr/bin/env bash
# A longer fault-injection run (issue [4]): ocpp-sim against the Python dev CSMS through a
# link-cutting proxy, SIGKILL + restart at random points, then the CSMS log is judged.
#
#   tools/faults.sh --sessions 200 --seed N [--no-kills] [--no-cuts] [--workdir DIR]
#
# Adds --long (see tests/faults/driver.py): some sessions charge past the 32 values
# StopTxnSampledData holds (the halving rule), some outages outlast the 64-message
# transaction queue (the thinning rule). FAULTS_LONG=0 leaves it out. Without --seed a random
# one is used and printed; without --workdir the logs are kept only when the run fails.
# OCPP_SIM_BIN=path uses that simulator instead of building target/debug/ocpp-sim.
# Exit status: 0 when the log shows no problem, 1 otherwise, 2 on a usage error.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -x .venv/bin/python ] || scripts/setup.sh
if [ -n "${OCPP_SIM_BIN:-}" ]; then
  SIM="$OCPP_SIM_BIN"   # a simulator built elsewhere
else
  cargo build -q --bin ocpp-sim
  SIM="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ocpp-sim"
fi
LONG=(--long)
[ "${FAULTS_LONG:-1}" = 0 ] && LONG=()
exec .venv/bin/python tests/faults/driver.py --sim "$SIM" "${LONG[@]}" "$@"
