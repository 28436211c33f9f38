#!/usr/bin/env bash
# One complete charging session between the simulator (ocpp-sim) and the dev CSMS, with a
# transcript a person can follow: boot, plug, tap an RFID card, meter values, remote stop,
# unplug. Exit 0 if the session completed without a validation error.
#
#   scripts/demo.sh                  # builds ocpp-sim with cargo first
#   OCPP_SIM_BIN=path scripts/demo.sh   # use that simulator (e.g. tests/interop/fake_sim.py)
#   DEMO_DIR=dir scripts/demo.sh     # keep the logs there (default: a new temp dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
CP="CP_1"
TAG="TAG1"
SAMPLE_S=3          # MeterValueSampleInterval given to the simulator
METER_VALUES=3      # how many MeterValues to see before stopping

say() { printf '%s  ## %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >&2; }
fail() { say "DEMO FAILED: $*"; exit 1; }

"$ROOT/scripts/setup.sh"

# ------------------------------------------------------------------ the simulator binary
if [[ -n "${OCPP_SIM_BIN:-}" ]]; then
    SIM_BIN="$OCPP_SIM_BIN"
    [[ "$SIM_BIN" = /* ]] || SIM_BIN="$ROOT/$SIM_BIN"
else
    say "building ocpp-sim (cargo build --bin ocpp-sim)"
    (cd "$ROOT" && cargo build --quiet --bin ocpp-sim) || fail "cargo build --bin ocpp-sim"
    SIM_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ocpp-sim"
fi
[[ -f "$SIM_BIN" ]] || fail "simulator not found: $SIM_BIN"
SIM_CMD=("$SIM_BIN")
[[ "$SIM_BIN" == *.py ]] && SIM_CMD=("$PY" "$SIM_BIN")

# ------------------------------------------------------------------ processes and cleanup
WORK="${DEMO_DIR:-$(mktemp -d -t ocpp-demo.XXXXXX)}"
mkdir -p "$WORK"
SIM_PID=""
CSMS_PID=""
cleanup() {
    local code=$?
    exec 4>&- || true
    for pid in "$SIM_PID" "$CSMS_PID"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    for pid in "$SIM_PID" "$CSMS_PID"; do
        [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
    done
    say "logs: $WORK (csms.jsonl, sim.events.jsonl, sim.stderr)"
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The dev CSMS: commands on its stdin, one JSON result per command on its stdout,
# the transcript (the point of this demo) straight to our stderr.
coproc CSMS { exec "$PY" "$ROOT/server/dev_csms.py" --port 0 --tags "$TAG" \
    --log "$WORK/csms.jsonl" --call-timeout 20; }
CSMS_PID=$CSMS_PID
CSMS_IN=${CSMS[1]}
CSMS_OUT=${CSMS[0]}

# Read one JSON line from the CSMS within $1 seconds.
csms_read() {
    local line
    IFS= read -r -t "$1" -u "$CSMS_OUT" line || fail "no answer from the dev CSMS within $1 s"
    printf '%s' "$line"
}

# Field of a JSON object by dotted path ("" if absent).
jget() {
    "$PY" -c 'import json,sys
v = json.loads(sys.argv[1])
for p in sys.argv[2].split("."):
    v = v.get(p) if isinstance(v, dict) else None
print("" if v is None else v)' "$1" "$2"
}

# Run one CSMS command; fail the demo if the command fails.
csms() {
    local reply
    printf '%s\n' "$1" >&"$CSMS_IN"
    reply="$(csms_read "${2:-90}")"
    [[ "$(jget "$reply" event)" != "command_error" ]] || fail "$1: $(jget "$reply" error)"
    printf '%s' "$reply"
}

listening="$(csms_read 20)"
PORT="$(jget "$listening" port)"
[[ "$PORT" =~ ^[0-9]+$ ]] || fail "dev CSMS did not start: $listening"
URL="ws://127.0.0.1:$PORT/$CP"
say "dev CSMS listening on $URL (accepted tag $TAG)"

mkfifo "$WORK/sim.in"
"${SIM_CMD[@]}" --url "$URL" --id "$CP" --connectors 1 --state-dir "$WORK/state" \
    --config "MeterValueSampleInterval=$SAMPLE_S" \
    <"$WORK/sim.in" >"$WORK/sim.events.jsonl" 2>"$WORK/sim.stderr" &
SIM_PID=$!
exec 4>"$WORK/sim.in"
sim() { say "EV/driver: $1"; printf '%s\n' "$1" >&4; }

# ------------------------------------------------------------------ the session
say "waiting for the charge point to boot"
csms "wait_for BootNotification cp=$CP timeout=60" >/dev/null
csms "wait_for StatusNotification cp=$CP connectorId=1 timeout=30" >/dev/null

sim "plug 1"
preparing="$(csms "wait_for StatusNotification cp=$CP connectorId=1 status=Preparing timeout=30")"
since="$(jget "$preparing" seq)"

sim "tap $TAG"
start="$(csms "wait_for StartTransaction cp=$CP connectorId=1 since=$since timeout=30")"
csms "wait_for StatusNotification cp=$CP connectorId=1 status=Charging since=$since timeout=30" >/dev/null
answer="$(csms "wait_for message direction=out type=CALLRESULT id=$(jget "$start" id) since=$(jget "$start" seq) timeout=10")"
TX="$(jget "$answer" payload.transactionId)"
say "transaction $TX is running; waiting for $METER_VALUES meter values (every ${SAMPLE_S} s)"

since="$(jget "$start" seq)"
for _ in $(seq "$METER_VALUES"); do
    mv="$(csms "wait_for MeterValues cp=$CP transactionId=$TX since=$since timeout=$((SAMPLE_S * 5 + 10))")"
    since=$(( $(jget "$mv" seq) + 1 ))
done

say "central system stops transaction $TX remotely"
stop_call="$(csms "remote_stop $CP $TX")"
[[ "$(jget "$stop_call" result.status)" == "Accepted" ]] ||
    fail "RemoteStopTransaction not accepted: $stop_call"
stop="$(csms "wait_for StopTransaction cp=$CP transactionId=$TX since=$since timeout=30")"
csms "wait_for StatusNotification cp=$CP connectorId=1 status=Finishing since=$since timeout=30" >/dev/null

sim "unplug 1"
csms "wait_for StatusNotification cp=$CP connectorId=1 status=Available since=$(jget "$stop" seq) timeout=30" >/dev/null

# ------------------------------------------------------------------ verdict
sim "quit"
csms "quit" 10 >/dev/null || true
wait "$CSMS_PID" 2>/dev/null || true
CSMS_PID=""

meter_start="$(jget "$start" payload.meterStart)"
meter_stop="$(jget "$stop" payload.meterStop)"
errors="$("$PY" -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["event"] == "validation_error"))' "$WORK/csms.jsonl")"
say "session complete: transaction $TX, meter $meter_start -> $meter_stop Wh, reason $(jget "$stop" payload.reason)"
[[ "$errors" == 0 ]] || fail "$errors validation error(s): see $WORK/csms.jsonl"
say "no validation errors"
