#!/usr/bin/env bash
# Build and run ESPHome `host:` configurations as Linux programs, offline: `esphome compile` runs
# unchanged on PlatformIO, whose core dir (.esphome-pio, seeded by scripts/setup-esphome.sh, which
# this script runs first: fast when nothing changed) already holds the platformio/native platform
# (host gcc/g++) and tool-scons, so nothing is downloaded. No telemetry, no update checks.
#
# Usage: tools/esphome-host.sh config X.yaml [-s KEY VALUE]...    esphome config (validated YAML)
#        tools/esphome-host.sh build  X.yaml [-s KEY VALUE]...    compile; the LAST line of stdout
#                                                                 is the program's absolute path
#        tools/esphome-host.sh run    X.yaml [-s KEY VALUE]... [-- ARGS...]   build, then exec it
#                  (stdout line-buffered, API bound to loopback: see this header)
#        tools/esphome-host.sh shim                               print the loopback shim's path
#   -s KEY VALUE   an ESPHome substitution (`${KEY}` in the YAML), e.g. -s api_port 16053
# Compiler output goes to stderr; compiles run under `nice -n 10` (the machine is shared).
#
# Where things land (ESPHOME_DATA_DIR, esphome's own variable, overrides the default):
#   ${ESPHOME_DATA_DIR:-target-esphome}/build/<esphome.name>/   generated sources, platformio.ini
#   .../build/<esphome.name>/.pioenvs/<esphome.name>/program     the program
#   .../storage/<yaml file name>.json                             esphome's metadata
# One data dir serves every YAML, keyed by `esphome: name:` (two YAMLs with one name share a build).
# Rebuilds are incremental: an unchanged YAML is ~1 s; a changed YAML recompiles what changed
# (a substitution used in main.cpp only: main.o + link). But ANY change of platformio.ini (the
# build flags: e.g. a -L path that differs per run) wipes the build dir: keep flag paths stable.
#
# Linking a static library from an external component (the ocpp component's Rust staticlib):
#   in the component's __init__.py to_code():
#       cg.add_build_flag(f"-L{lib_dir}")    # absolute path; stable between builds (see above)
#       cg.add_build_flag("-locpp_cp")       # lib<name>.a
#   PlatformIO turns -L/-l from build_flags into LIBPATH/LIBS and links them AFTER the objects,
#   so symbols the C++ code needs are pulled from the archive, and SCons relinks when the .a
#   changes. System libraries a Rust staticlib needs go the same way (-lpthread -ldl -lm; glibc
#   >= 2.34 has pthread/dl in libc, so they are harmless no-ops there). Do not use
#   cg.add_library (that is a PlatformIO registry dependency, offline it fails). See
#   tests/esphome/components/hello for a working example.
#
# Running: the program logs to stdout, stops on SIGINT/SIGTERM, and keeps its preferences in
# $HOME/.esphome/prefs/<esphome.name>.prefs (give it its own HOME to isolate them). Its native API
# (`api:`) binds the ANY address (0.0.0.0, or :: with IPv6) and ESPHome has no option to change
# that; `run` therefore preloads a small bind() shim that turns an ANY bind into 127.0.0.1 / ::1
# (ESPHOME_HOST_BIND_ANY=1 keeps ANY). A program started from `build`'s path has no shim: put
# the path that `tools/esphome-host.sh shim` prints (builds it if needed) into its LD_PRELOAD.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "esphome-host.sh: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^#   -s/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd="${1:-}"
[[ $# -ge 1 ]] && shift
case "$cmd" in
config | build | run) [[ $# -ge 1 ]] || usage ;;
shim) ;;
*) usage ;;
esac

# ---------------------------------------------------------------- environment
"$ROOT/scripts/setup-esphome.sh" >&2
VENV="$ROOT/.venv-esphome"
export PLATFORMIO_CORE_DIR="$ROOT/.esphome-pio"
export PLATFORMIO_SETTING_ENABLE_TELEMETRY=No
export PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL=36500
export PLATFORMIO_SETTING_CHECK_PRUNE_SYSTEM_THRESHOLD=0
export PLATFORMIO_DISABLE_PROGRESSBAR=true
export ESPHOME_NOGITIGNORE=1  # else esphome drops a .gitignore beside every YAML it compiles
export ESPHOME_DATA_DIR="${ESPHOME_DATA_DIR:-$ROOT/target-esphome}"
mkdir -p "$ESPHOME_DATA_DIR"
ESPHOME_DATA_DIR="$(cd "$ESPHOME_DATA_DIR" && pwd)"

# ---------------------------------------------------------------- loopback bind() shim
shim() {
    local src hash so
    src="$(cat <<'C'
/* LD_PRELOAD shim from tools/esphome-host.sh: a bind() to the ANY address binds loopback. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (real_bind == NULL)
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (addr != NULL && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in a;
        memcpy(&a, addr, sizeof a);
        if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            return real_bind(fd, (const struct sockaddr *)&a, sizeof a);
        }
    } else if (addr != NULL && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 a;
        memcpy(&a, addr, sizeof a);
        if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr)) {
            a.sin6_addr = in6addr_loopback;
            return real_bind(fd, (const struct sockaddr *)&a, sizeof a);
        }
    }
    return real_bind(fd, addr, len);
}
C
)"
    hash="$(printf '%s' "$src" | sha256sum | cut -c1-12)"
    so="$ESPHOME_DATA_DIR/host-loopback-$hash.so"
    if [[ ! -f "$so" ]]; then
        printf '%s\n' "$src" | gcc -shared -fPIC -O2 -Wall -Werror -x c -o "$so.tmp.$$" - -ldl ||
            die "cannot compile the loopback shim"
        mv -f "$so.tmp.$$" "$so"
    fi
    echo "$so"
}
if [[ "$cmd" == shim ]]; then
    shim
    exit 0
fi

# ---------------------------------------------------------------- arguments
yaml="$1"; shift
[[ -f "$yaml" ]] || die "no such file: $yaml"
yaml="$(cd "$(dirname "$yaml")" && pwd)/$(basename "$yaml")"
subst=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    -s) [[ $# -ge 3 ]] || die "-s needs KEY VALUE"; subst+=(-s "$2" "$3"); shift 3 ;;
    --) [[ "$cmd" == run ]] || die "-- ARGS only with run"; shift; break ;;
    *) die "unknown argument: $1 (want -s KEY VALUE, or -- ARGS after run)" ;;
    esac
done

if [[ "$cmd" == config ]]; then
    exec "$VENV/bin/esphome" "${subst[@]}" config "$yaml"
fi

# ---------------------------------------------------------------- build (build and run)
# One build per data dir at a time: two pytest runs of the same YAML must not interleave.
exec 9>"$ESPHOME_DATA_DIR/.build.lock"
flock 9
nice -n 10 "$VENV/bin/esphome" "${subst[@]}" compile "$yaml" >&2 ||
    die "esphome compile $yaml failed (output above)"
program="$("$VENV/bin/python" - "$ESPHOME_DATA_DIR" "$yaml" <<'PY'
import json, pathlib, sys
data_dir, yaml = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
print(json.loads((data_dir / "storage" / f"{yaml.name}.json").read_text())["firmware_bin_path"])
PY
)" || die "no storage/$(basename "$yaml").json in $ESPHOME_DATA_DIR after the build"
exec 9>&-
[[ -x "$program" ]] || die "esphome reported $program, which is not an executable"

if [[ "$cmd" == build ]]; then
    echo "$program"
    exit 0
fi

if [[ "${ESPHOME_HOST_BIND_ANY:-0}" != 1 ]]; then
    so="$(shim)"
    export LD_PRELOAD="$so${LD_PRELOAD:+:$LD_PRELOAD}"
fi
exec stdbuf -oL "$program" "$@"
