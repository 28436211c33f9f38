#!/usr/bin/env bash
# Flash footprint of the charge point in a minimal firmware image, measured the way
# MicroOcpp's figures were taken (docs/performance.md, "Footprint"): main.c linked once empty
# and once with the charge point (created, looped, the usual API called) through the glue
# staticlib in this folder; -Os, newlib-nano (picolibc on rv32), -ffunction-sections,
# -Wl,--gc-sections; the difference is what the charge point costs.
#
# Usage: tools/footprint/footprint.sh [options]
#   --targets "T..."    Rust targets (default: thumbv5te-none-eabi thumbv7em-none-eabihf
#                       riscv32imc-unknown-none-elf)
#   --features "F..."   one variant with exactly these ocpp-cp features (e.g. "smart-charging
#                       reservation"); default: every profile on (the crate's `profiles`
#                       feature), then each optional profile off in turn
#   --lto "on off"      Rust LTO settings to measure (default: both; the "without <profile>"
#                       variants are measured with LTO on only)
#   --symbols N         biggest symbols to list (default 10)
#   --out DIR           keep the ELF images here (default: $TMPDIR)
#   --abi               measure the shipped C ABI instead (the crate's `ffi` static library,
#                       include/ocpp_cp.h, main_abi.c: charge point + WebSocket client + glue)
# Installs the cross toolchains (apt) and the pinned nightly (rustup) when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FP="$ROOT/tools/footprint"
NIGHTLY=$(cat "$ROOT/rust-nightly-version")
TARGETS="thumbv5te-none-eabi thumbv7em-none-eabihf riscv32imc-unknown-none-elf"
FEATURES=auto
LTOS="on off"
SYMBOLS=10
OUT=""
ABI=0
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS=$2; shift 2 ;;
    --features) FEATURES=$2; shift 2 ;;
    --lto) LTOS=$2; shift 2 ;;
    --symbols) SYMBOLS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --abi) ABI=1; shift ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench/footprint}

# ----- tools -----
need_apt=()
command -v arm-none-eabi-gcc >/dev/null || need_apt+=(gcc-arm-none-eabi)
# newlib-nano comes with libnewlib-arm-none-eabi (nano.specs).
[ -f /usr/lib/arm-none-eabi/lib/nano.specs ] || need_apt+=(libnewlib-arm-none-eabi)
command -v riscv64-unknown-elf-gcc >/dev/null || need_apt+=(gcc-riscv64-unknown-elf)
[ -f /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs ] || need_apt+=(picolibc-riscv64-unknown-elf)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src >&2
fi
rustup component list --toolchain "$NIGHTLY" --installed | grep -q rust-src ||
  rustup component add rust-src --toolchain "$NIGHTLY" >&2

# ----- what to measure -----
# The optional profiles are the members of the root crate's `profiles` feature.
profiles=$(awk '/^\[features\]/ { f = 1; next } /^\[/ { f = 0 } f && /^profiles *=/' "$ROOT/Cargo.toml" |
  sed 's/.*\[//; s/\].*//; s/[",]/ /g')
variants=()   # "name|features"
if [ "$FEATURES" != auto ]; then
  variants+=("custom|$FEATURES")
elif [ -n "$profiles" ]; then
  variants+=("all profiles|$profiles")
  for p in $profiles; do
    rest=$(for q in $profiles; do [ "$q" = "$p" ] || printf '%s ' "$q"; done)
    variants+=("without $p|$rest")
  done
  variants+=("Core + RemoteTrigger only|")
else
  variants+=("Core + RemoteTrigger (no optional profile in this build)|")
fi

cc_for() {
  case "$1" in
    thumbv5te-none-eabi) echo "arm-none-eabi-gcc -mcpu=arm968e-s -mthumb -mthumb-interwork --specs=nano.specs --specs=nosys.specs" ;;
    thumbv7em-none-eabihf) echo "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 --specs=nano.specs --specs=nosys.specs" ;;
    # Debian has no newlib for RISC-V; picolibc (newlib's small descendant) instead. Its
    # multilibs have no rv32imc: rv32imac is the nearest (the C code has no atomics to use A).
    riscv32imc-unknown-none-elf) echo "riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 --specs=picolibc.specs -Wl,--defsym=__flash_size=0x400000 -Wl,--defsym=__ram_size=0x80000" ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
}
prefix_for() { case "$1" in riscv*) echo riscv64-unknown-elf- ;; *) echo arm-none-eabi- ;; esac; }
CFLAGS="-Os -ffunction-sections -fdata-sections -Wl,--gc-sections"

# Prints "flash data bss" of an ELF: allocated sections that are read-only (text, rodata,
# exidx, init/fini), writable with contents (data, init_array), writable without (bss).
sizes() {
  "$(prefix_for "$2")readelf" -S -W "$1" | sed 's/^ *\[ *[0-9]*\]//' | awk '
    $1 ~ /^\./ && NF >= 7 {
      type = $2; size = strtonum("0x" $5); flags = $7
      if (flags !~ /A/ || $1 == ".stack" || $1 == ".heap") next
      if (type == "NOBITS") { if ($1 !~ /^\.tbss_space/) bss += size }
      else if (flags ~ /W/) data += size
      else flash += size
    }
    END { printf "%d %d %d\n", flash, data, bss }'
}

echo "# ocpp-cp flash footprint ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $NIGHTLY)"
echo
echo "| target | features | Rust LTO | text+rodata | data | bss | MicroOcpp text+rodata |"
echo "|---|---|---|---:|---:|---:|---:|"
micro() {
  case "$1/$2" in
    thumbv5te*/on) echo 121968 ;; thumbv5te*/off) echo 144016 ;;
    thumbv7em*/on) echo 118796 ;; thumbv7em*/off) echo 139828 ;;
    riscv32*/on) echo 129592 ;; riscv32*/off) echo 156316 ;;
  esac
}
details=()
for t in $TARGETS; do
  read -r -a cc <<<"$(cc_for "$t")"
  pre=$(prefix_for "$t")
  main="$FP/main.c"
  [ "$ABI" = 1 ] && main="$FP/main_abi.c"
  "${cc[@]}" $CFLAGS "$main" -o "$OUT/$t-empty.elf" 2> >(grep -v 'GNU-stack\|will be removed' >&2)
  read -r ef ed eb < <(sizes "$OUT/$t-empty.elf" "$t")
  for v in "${variants[@]}"; do
    name=${v%%|*}
    feats=$(for f in ${v#*|}; do printf 'ocpp-cp/%s,' "$f"; done)
    ltos=$LTOS
    # Each profile off: LTO on only (the comparison that matters; halves the run time).
    case "$name" in without*) [[ " $LTOS " == *" on "* ]] && ltos=on ;; esac
    for lto in $ltos; do
      case $lto in on) L=fat ;; off) L=false ;; *) echo "--lto takes on/off" >&2; exit 2 ;; esac
      tag="$t-$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')-lto-$lto"
      if [ "$ABI" = 1 ]; then
        abi_feats=$(for f in ${v#*|}; do printf '%s,' "$f"; done)
        (cd "$ROOT" && CARGO_PROFILE_RELEASE_LTO=$L cargo "+$NIGHTLY" rustc -q --release --lib \
          --crate-type staticlib --target "$t" -Zbuild-std=core,alloc --no-default-features \
          --features "ffi,${abi_feats%,}")
        cp "$CARGO_TARGET_DIR/$t/release/libocpp_cp.a" "$OUT/$tag.a"
      else
        (cd "$FP" && CARGO_PROFILE_RELEASE_LTO=$L cargo "+$NIGHTLY" build -q --release --target "$t" \
          -Zbuild-std=core,alloc ${feats:+--features "${feats%,}"})
        cp "$CARGO_TARGET_DIR/$t/release/libocpp_footprint.a" "$OUT/$tag.a"
      fi
      "${cc[@]}" $CFLAGS -DWITH_OCPP -I"$ROOT/include" "$main" "$OUT/$tag.a" -o "$OUT/$tag.elf" \
        2> >(grep -v 'GNU-stack\|will be removed' >&2)
      read -r ff fd fb < <(sizes "$OUT/$tag.elf" "$t")
      printf '| %s | %s | %s | %d | %d | %d | %s |\n' "$t" "$name" "$lto" \
        $((ff - ef)) $((fd - ed)) $((fb - eb)) "$(micro "$t" "$lto")"
      details+=("$t|$name|$lto|$OUT/$tag.elf|$OUT/$t-empty.elf|$pre|$((ff - ef))")
    done
  done
done
echo
echo "text+rodata, data, bss: the image with the charge point minus the empty image, in bytes."
echo
# The biggest symbols and where the bytes come from, for the first variant of each target.
seen=""
for d in "${details[@]}"; do
  IFS='|' read -r t name lto elf empty pre flash <<<"$d"
  case " $seen " in *" $t/$lto "*) continue ;; esac
  seen="$seen $t/$lto"
  echo "## $t, $name, LTO $lto"
  echo
  python3 "$FP/symbols.py" --nm "${pre}nm" --top "$SYMBOLS" --flash "$flash" "$elf" "$empty"
  echo
done
echo "ELF images and static libraries: $OUT"
