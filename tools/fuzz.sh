#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each one for SECONDS_PER_TARGET seconds
# (default 20) under libFuzzer + AddressSanitizer, with memory limits; exits non-zero if any
# target crashes, panics, times out or allocates too much, printing the reproducer's path.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   tools/fuzz.sh             # every target, 20 s each (what scripts/test.sh runs)
#   tools/fuzz.sh 600         # the longer run of fuzz/README.md
#   tools/fuzz.sh 60 charge_point ws_client
# Environment:
#   OCPP_FUZZ_TARGET_DIR  cargo target dir (default target-fuzz/); also holds the growing
#                         corpora (corpus/<target>/), crash files (artifacts/) and logs (logs/)
#   OCPP_FUZZ_RSS_MB      libFuzzer -rss_limit_mb, the whole process (default 512)
#   OCPP_FUZZ_MALLOC_MB   libFuzzer -malloc_limit_mb, the largest single allocation (default 32)
#   OCPP_FUZZ_SKIP        invariants to switch off in charge_point (see fuzz/README.md)
# Needs: rustup, a C++ compiler (libFuzzer is C++); installs the pinned nightly and
# cargo-fuzz when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECS="${1:-20}"
[[ "$SECS" =~ ^[0-9]+$ && "$SECS" -gt 0 ]] || { echo "usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
shift || true
NIGHTLY="$(cat rust-nightly-version)"
TARGET_DIR="${OCPP_FUZZ_TARGET_DIR:-$ROOT/target-fuzz}"
RSS_MB="${OCPP_FUZZ_RSS_MB:-512}"
MALLOC_MB="${OCPP_FUZZ_MALLOC_MB:-32}"
CARGO_FUZZ_VERSION="0.13.2"

die() { echo "fuzz.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
command -v rustup >/dev/null || die "rustup is required (https://rustup.rs)"
command -v c++ >/dev/null || die "a C++ compiler is required to build libFuzzer (Debian: apt-get install g++)"
# cargo-fuzz builds with -Zsanitizer=address: the nightly's rust-std carries the ASan
# runtime, so the minimal profile is enough (llvm-tools-preview is only for `cargo fuzz coverage`).
if ! rustup toolchain list | grep -q "^$NIGHTLY"; then
    echo "fuzz.sh: installing $NIGHTLY"
    rustup toolchain install "$NIGHTLY" --profile minimal --no-self-update >/dev/null
fi
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# ---------------------------------------------------------------- build
ALL=$(cd fuzz/fuzz_targets && ls ./*.rs | sed 's|^\./||; s|\.rs$||')
TARGETS="${*:-$ALL}"
for t in $TARGETS; do
    grep -qx "$t" <<<"$ALL" || die "no fuzz target '$t' (have: $(echo $ALL))"
done
echo "fuzz.sh: building the fuzz targets with $NIGHTLY (release + debug assertions + ASan)"
mkdir -p "$TARGET_DIR/logs"
# Debug assertions include overflow checks: an arithmetic overflow is a crash too.
if ! cargo "+$NIGHTLY" fuzz build --fuzz-dir fuzz --target-dir "$TARGET_DIR" -O >"$TARGET_DIR/logs/build.log" 2>&1; then
    cat "$TARGET_DIR/logs/build.log" >&2
    die "build failed"
fi
BIN="$TARGET_DIR/$(rustc "+$NIGHTLY" -vV | sed -n 's/^host: //p')/release"

# ---------------------------------------------------------------- run
FAILED=()
# A small ASan quarantine keeps RSS about what the target itself holds, so -rss_limit_mb
# measures the code under test rather than freed memory ASan keeps poisoned.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1}"
for t in $TARGETS; do
    [[ -x "$BIN/$t" ]] || die "build produced no $BIN/$t"
    work="$TARGET_DIR/corpus/$t"       # grows across runs; the committed seeds stay as they are
    artifacts="$TARGET_DIR/artifacts/$t"
    log="$TARGET_DIR/logs/$t.log"
    mkdir -p "$work" "$artifacts"
    dirs=("$work" "fuzz/corpus/$t")
    # Reproducers of bugs found earlier: every run checks them first.
    [[ -d "fuzz/regressions/$t" ]] && dirs+=("fuzz/regressions/$t")
    set +e
    "$BIN/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
    stats=$(grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" |
        sed 's/^stat:://; s/number_of_executed_units/runs/; s/new_units_added/new/' | tr -s ' ' | tr '\n' ' ' || true)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
    if [[ $rc -eq 0 ]]; then
        printf 'fuzz.sh: %-13s ok   %s s, %s%s\n' "$t" "$SECS" "${cov:+$cov, }" "$stats"
    else
        FAILED+=("$t")
        crash=$(grep -Eo "Test unit written to \S+" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        echo "fuzz.sh: $t FAILED (exit $rc); log: $log"
        grep -E -m1 -A12 "panicked at|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)" "$log" | sed 's/^/    /' || true
        if [[ -n "$crash" ]]; then
            for known in "fuzz/regressions/$t"/*; do
                if [[ -f "$known" ]] && cmp -s "$known" "$crash"; then
                    echo "    a known regression input fails again: $known"
                fi
            done
            echo "    reproducer: $crash"
            echo "    replay:     $BIN/$t $crash   (charge_point: OCPP_FUZZ_TRACE=1 prints the exchange)"
        fi
    fi
done

if [[ ${#FAILED[@]} -gt 0 ]]; then
    die "failing targets: ${FAILED[*]}"
fi
echo "fuzz.sh: all targets passed"
