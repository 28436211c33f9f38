# Shared by the setup scripts: `source "$ROOT/scripts/lib.sh" NAME` after `set -euo pipefail`
# and `VERBOSE=0|1`. NAME prefixes every message.
SETUP_NAME="${1:?lib.sh needs the name of the script}"

say() { if [[ $VERBOSE == 1 ]]; then echo "$SETUP_NAME: $*"; fi; }
die() { echo "$SETUP_NAME: FAILED: $*" >&2; exit 1; }

# Run a command with its output captured; print the output only if it fails.
quietly() {
    local what="$1"; shift
    local out
    out="$(mktemp)"
    if ! "$@" >"$out" 2>&1; then
        echo "$SETUP_NAME: FAILED: $what" >&2
        echo "--- command: $*" >&2
        cat "$out" >&2
        rm -f "$out"
        exit 1
    fi
    rm -f "$out"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
