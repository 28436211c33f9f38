#!/usr/bin/env bash
# Prepare ESPHome host-platform builds without any PlatformIO download (this machine and CI reach
# PyPI but not PlatformIO's registry):
#   .venv-esphome/  esphome, aioesphomeapi, PlatformIO, SCons, pytest (requirements-esphome.txt);
#                   separate from .venv so its pins never fight the ocpp/websockets ones.
#   .esphome-pio/   a PLATFORMIO_CORE_DIR pre-seeded with the two packages `esphome compile`
#                   would fetch for `host:`: packages/tool-scons (a launcher for the SCons wheel
#                   installed in the venv, registered as platformio/tool-scons) and
#                   platforms/native (platformio/native: a small builder that compiles and links
#                   one program with the host gcc/g++ through PlatformIO's BuildProgram()).
# tools/esphome-host.sh uses both. Idempotent and fast on re-runs (a stamp per part holds the
# sha256 of what made it). Quiet on success, loud on failure.
# Usage: scripts/setup-esphome.sh [-v]     (-v: say what is done or skipped)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERBOSE=0
[[ "${1:-}" == "-v" ]] && VERBOSE=1

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh" setup-esphome.sh

# tools/esphome-host.sh runs this first, so parallel test runs can start it together: one at a time.
exec 8<"${BASH_SOURCE[0]}"
flock 8

# ---------------------------------------------------------------- tools that must exist
pick_python() {
    local c
    for c in "${PYTHON:-}" python3.11 python3; do
        [[ -n "$c" ]] || continue
        if command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 15))' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}
PY="$(pick_python)" ||
    die "Python 3.11..3.14 not found (esphome 2026.6 needs it; set PYTHON=/path/to/python3.11)"
"$PY" -c 'import venv, ensurepip' 2>/dev/null ||
    die "$PY lacks venv/ensurepip (Debian: apt-get install python3-venv)"
for tool in gcc g++ ar; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found (Debian: apt-get install build-essential)"
done
# OpenSSL headers: the component's wss:// transport on the host platform (tests/esphome).
if [[ ! -f /usr/include/openssl/ssl.h ]]; then
    command -v apt-get >/dev/null 2>&1 || die "OpenSSL headers missing (install libssl-dev)"
    SUDO=""; [[ "$(id -u)" == 0 ]] || SUDO=sudo
    quietly "apt-get update" $SUDO apt-get update -q
    quietly "apt-get install libssl-dev" env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q libssl-dev
fi

# ---------------------------------------------------------------- Python venv
VENV="$ROOT/.venv-esphome"
REQ="$ROOT/requirements-esphome.txt"
ensure_venv "$VENV" "$REQ" "$PY" 'esphome, aioesphomeapi, platformio, SCons, pytest'

# ---------------------------------------------------------------- pre-seeded PLATFORMIO_CORE_DIR
# Re-seeded whenever the requirements or this script change (the seed is written below).
PIO="$ROOT/.esphome-pio"
PSTAMP="$PIO/.seed.sha256"
want="$(cat "$REQ" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$PSTAMP" || "$(cat "$PSTAMP")" != "$want" ||
    ! -f "$PIO/packages/tool-scons/.piopm" || ! -f "$PIO/platforms/native/.piopm" ]]; then
    say "seeding $PIO"
    rm -rf "$PIO/packages/tool-scons" "$PIO/platforms/native"
    mkdir -p "$PIO"
    quietly "seed $PIO" env PLATFORMIO_CORE_DIR="$PIO" "$VENV/bin/python" - <<'PY'
"""Write platformio/tool-scons and platformio/native into $PLATFORMIO_CORE_DIR the way PlatformIO's
package manager would have after a download (manifest + .piopm metadata), then check that
PlatformIO finds both without going online."""
import json
import os
import textwrap

import SCons
import semantic_version
from platformio import __version__ as pio_version
from platformio import app
from platformio.dependencies import get_core_dependencies
from platformio.package.meta import PackageMetadata, PackageSpec, PackageType

core = os.environ["PLATFORMIO_CORE_DIR"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf8") as f:
        f.write(text)


def register(path, pkg_type, name, version):
    # owner "platformio" is what PlatformIO asks for ("platformio/native", core packages).
    spec = PackageSpec(owner="platformio", name=name)
    PackageMetadata(pkg_type, name, version, spec=spec).dump(os.path.join(path, ".piopm"))


# tool-scons: PlatformIO runs `$PYTHONEXE <pkg>/scons.py`; SCons X.Y.Z is tool-scons X.XYYZZ.0
# (4.8.1 -> 4.40801.0).
major, minor, patch = (int(p) for p in SCons.__version__.split(".")[:3])
scons_version = f"{major}.{major}{minor:02d}{patch:02d}.0"
wanted = semantic_version.SimpleSpec(get_core_dependencies()["tool-scons"])
if semantic_version.Version(scons_version) not in wanted:
    raise SystemExit(
        f"SCons {SCons.__version__} (= tool-scons {scons_version}) does not satisfy PlatformIO "
        f"{pio_version}'s tool-scons {wanted}: fix the SCons pin in requirements-esphome.txt"
    )
scons_dir = os.path.join(core, "packages", "tool-scons")
write(os.path.join(scons_dir, "scons.py"), textwrap.dedent(f"""\
    # Runs SCons {SCons.__version__} from the esphome venv (seeded by scripts/setup-esphome.sh).
    import sys

    import SCons.Script

    if SCons.__version__ != "{SCons.__version__}":
        sys.exit("tool-scons: SCons " + SCons.__version__ + " found, {SCons.__version__} expected; "
                 "run scripts/setup-esphome.sh")
    SCons.Script.main()
    """))
write(os.path.join(scons_dir, "package.json"), json.dumps({
    "name": "tool-scons",
    "version": scons_version,
    "description": f"SCons {SCons.__version__} from PyPI (offline seed)",
}, indent=2) + "\n")
register(scons_dir, PackageType.TOOL, "tool-scons", scons_version)

# platforms/native: no packages to install, no frameworks, no boards; the host's gcc/g++.
native_dir = os.path.join(core, "platforms", "native")
write(os.path.join(native_dir, "platform.json"), json.dumps({
    "name": "native",
    "title": "Native",
    "description": "Host programs built with the host's gcc/g++ (offline platformio/native)",
    "license": "Apache-2.0",
    "engines": {"platformio": "^6"},
    "version": "1.2.1",
    "packages": {},
}, indent=2) + "\n")
write(os.path.join(native_dir, "builder", "main.py"), textwrap.dedent('''\
    """Builder of the offline platformio/native seed: one program from the project's sources and
    libraries with the host's gcc/g++ (not $CC/$CXX: a cross compiler exported for the bare-metal
    builds must not leak in). -L/-l in build_flags become LIBPATH/LIBS, linked after the objects."""
    from SCons.Script import AlwaysBuild, Default, DefaultEnvironment

    env = DefaultEnvironment()
    env.Replace(
        AR="ar",
        CC="gcc",
        CXX="g++",
        RANLIB="ranlib",
        SIZETOOL="size",
        SIZEPRINTCMD="$SIZETOOL $SOURCES",
    )

    target_bin = env.BuildProgram()

    target_size = env.Alias(
        "size", target_bin, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE")
    )
    AlwaysBuild(target_size)

    Default([target_bin])
    '''))
register(native_dir, PackageType.PLATFORM, "native", "1.2.1")

# No first-run banner, telemetry or update checks (tools/esphome-host.sh also sets them by env).
app.set_state_item("last_version", pio_version)
app.set_setting("enable_telemetry", False)
app.set_setting("check_platformio_interval", 36500)
app.set_setting("check_prune_system_threshold", 0)

# PlatformIO must now find both offline.
from platformio.package.manager.core import get_core_package_dir
from platformio.platform.factory import PlatformFactory

assert get_core_package_dir("tool-scons", auto_install=False) == scons_dir, "tool-scons not found"
assert PlatformFactory.new("platformio/native").get_dir() == native_dir, "native not found"
PY
    echo "$want" >"$PSTAMP"
else
    say "$PIO up to date"
fi

say "done"
