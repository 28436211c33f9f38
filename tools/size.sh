#!/usr/bin/env bash
# Code size of the charge point core, linked bare-metal (opt-level z, fat LTO, panic abort,
# --gc-sections) through tools/size-probe, which calls the whole public API.
# Usage: tools/size.sh [--core] [target...]   (default: thumbv5te-none-eabi thumbv7em-none-eabihf riscv32imc-unknown-none-elf)
#   --core: Core + RemoteTrigger only (every optional profile left out)
# Prints text+rodata per target and the ten biggest symbols.
set -euo pipefail
cd "$(dirname "$0")/size-probe"
NIGHTLY=$(cat ../../rust-nightly-version)
features=()
if [ "${1:-}" = "--core" ]; then
  features=(--no-default-features)
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(thumbv5te-none-eabi thumbv7em-none-eabihf riscv32imc-unknown-none-elf)
for t in "${targets[@]}"; do
  # BK7231N's thumbv5te is tier 3: core and alloc are built from source with the pinned nightly.
  cargo "+$NIGHTLY" build -q --release "${features[@]}" --target "$t" -Zbuild-std=core,alloc \
    -Zbuild-std-features=compiler-builtins-mem
  elf="target/$t/release/size-probe"
  read -r text rodata data bss < <(readelf -S -W "$elf" | awk '
    { for (i = 1; i <= NF; i++) if ($i ~ /^\.(text|rodata|data|bss)$/) { name = $i; size = strtonum("0x" $(i + 4)); s[name] += size } }
    END { printf "%d %d %d %d\n", s[".text"], s[".rodata"], s[".data"], s[".bss"] }')
  echo "$t: text+rodata $((text + rodata)) B (text $text, rodata $rodata, data $data; bss is the probe's 64 KiB arena)"
  nm --size-sort -S -C "$elf" | grep -v size_probe::ALLOC | tail -10 | awk '{ printf "    %6d  %s\n", strtonum("0x" $2), substr($0, index($0, $4)) }'
done
