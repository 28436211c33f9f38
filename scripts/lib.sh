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

# ensure_venv DIR REQUIREMENTS PYTHON IMPORTS: a venv at DIR with REQUIREMENTS installed
# (again only when their sha256 changes), checked by importing IMPORTS.
ensure_venv() {
    local venv="$1" req="$2" py="$3" imports="$4"
    local stamp="$venv/.requirements.sha256"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "creating $venv"
        rm -rf "$venv"
        quietly "create venv with $py" "$py" -m venv "$venv"
    fi
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$(sha "$req")" ]]; then
        say "installing $req"
        quietly "pip install -r $(basename "$req")" \
            "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
        quietly "python packages import" "$venv/bin/python" -c "import $imports"
        sha "$req" >"$stamp"
    else
        say "venv up to date"
    fi
}
