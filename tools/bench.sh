#!/usr/bin/env bash
# The standard workload benchmark (docs/performance.md): volume checks, heap per phase on
# x86_64 and i686 (counting allocator), instructions per phase under callgrind (release
# profile as shipped, opt-level z, and opt-level 2 as MicroOcpp's -O2 figure), wall time.
# Usage: tools/bench.sh [--footprint]   (--footprint also runs tools/footprint/footprint.sh)
# Installs valgrind / gcc-multilib / the i686 Rust target when missing (32-bit heap figures
# are skipped with a note if that fails).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench}
FOOTPRINT=0
[ "${1:-}" = --footprint ] && FOOTPRINT=1
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_install() {
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}
command -v valgrind >/dev/null || apt_install valgrind

echo "# ocpp-cp standard workload ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(rustc --version))"
echo
cargo build -q --release --example workload --example workload_cpu

echo "## Heap, x86_64"
echo
"$CARGO_TARGET_DIR/release/examples/workload"
echo

echo "## Heap, i686 (32-bit)"
echo
i686_ok=1
rustup target list --installed | grep -q '^i686-unknown-linux-gnu$' ||
  rustup target add i686-unknown-linux-gnu >&2 || i686_ok=0
if [ $i686_ok = 1 ] && ! echo 'int main(void){return 0;}' | gcc -m32 -x c - -o /dev/null 2>/dev/null; then
  apt_install gcc-multilib || i686_ok=0
fi
if [ $i686_ok = 1 ] && cargo build -q --release --example workload --target i686-unknown-linux-gnu; then
  "$CARGO_TARGET_DIR/i686-unknown-linux-gnu/release/examples/workload"
else
  echo "(skipped: no i686-unknown-linux-gnu Rust target or no gcc -m32 here)"
fi
echo

# Inclusive instructions of the phase functions and the charge point's API wrappers, from
# `callgrind_annotate --inclusive=yes`: "name count" lines.
inclusive() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk '
    /::(phase_[a-z]+|config_cc|config_gc)[ ]/ {
      n = $1; gsub(",", "", n)
      match($0, /::(phase_[a-z]+|config_cc|config_gc) /)
      print substr($0, RSTART + 2, RLENGTH - 3), n
    }
    /PROGRAM TOTALS/ { n = $1; gsub(",", "", n); print "program", n }'
}

declare -A IR
for opt in z 2; do
  dir="$CARGO_TARGET_DIR/opt-$opt"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_TARGET_DIR=$dir cargo build -q --release --example workload_cpu
  bin="$dir/release/examples/workload_cpu"
  out=$(mktemp -d)
  valgrind --tool=callgrind --callgrind-out-file="$out/all" "$bin" >/dev/null 2>"$out/log.all"
  # Only the charge point: collection is on inside the driver's api::* wrappers.
  valgrind --tool=callgrind --callgrind-out-file="$out/cp" --collect-atstart=no \
    '--toggle-collect=*driver::api::*' "$bin" >/dev/null 2>"$out/log.cp"
  while read -r name n; do IR[all/$opt/$name]=$n; done < <(inclusive "$out/all")
  while read -r name n; do IR[cp/$opt/$name]=$n; done < <(inclusive "$out/cp")
  rm -rf "$out"
done

get() { echo "${IR[$1]:-0}"; }
fmt() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
per() { fmt "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }')"; }
echo "## Instructions (callgrind, x86_64)"
echo
echo "Charge point = inside the calls into ocpp-cp; with harness = the phase's whole run (canned"
echo "central system included). z = the release profile as shipped; O2 = opt-level 2, like MicroOcpp's -O2."
echo
echo "| phase | charge point, z | charge point, O2 | with harness, z | with harness, O2 |"
echo "|---|---:|---:|---:|---:|"
declare -A SUM
for p in init boot setup idle txstart meter config txstop deinit; do
  row="| $p"
  for k in cp/z cp/2 all/z all/2; do
    v=$(get "$k/phase_$p")
    SUM[$k]=$(( ${SUM[$k]:-0} + v ))
    row="$row | $(fmt "$v")"
  done
  echo "$row |"
done
echo "| **workload** | $(fmt "${SUM[cp/z]}") | $(fmt "${SUM[cp/2]}") | $(fmt "${SUM[all/z]}") | $(fmt "${SUM[all/2]}") |"
echo
echo "| figure | charge point, z | charge point, O2 | with harness, O2 | MicroOcpp (-O2) |"
echo "|---|---:|---:|---:|---:|"
echo "| whole workload | $(fmt "${SUM[cp/z]}") | $(fmt "${SUM[cp/2]}") | $(fmt "${SUM[all/2]}") | 56,690,115 |"
echo "| per MeterValues cycle | $(per "$(get cp/z/phase_meter)" 1000) | $(per "$(get cp/2/phase_meter)" 1000) | $(per "$(get all/2/phase_meter)" 1000) | 48,900 |"
echo "| per idle loop call | $(per "$(get cp/z/phase_idle)" 1000) | $(per "$(get cp/2/phase_idle)" 1000) | $(per "$(get all/2/phase_idle)" 1000) | 1,174 |"
echo "| ChangeConfiguration | $(per "$(get cp/z/config_cc)" 100) | $(per "$(get cp/2/config_cc)" 100) | $(per "$(get all/2/config_cc)" 100) | 15,500 |"
echo "| GetConfiguration (4 keys) | $(per "$(get cp/z/config_gc)" 100) | $(per "$(get cp/2/config_gc)" 100) | $(per "$(get all/2/config_gc)" 100) | 48,000 |"
echo
echo "## Wall time (x86_64, release profile, system allocator)"
echo
"$CARGO_TARGET_DIR/release/examples/workload_cpu" --repeat 20
if [ $FOOTPRINT = 1 ]; then
  echo
  bash "$ROOT/tools/footprint/footprint.sh"
fi
