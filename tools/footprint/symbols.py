#!/usr/bin/env python3
"""The biggest symbols the charge point adds to a firmware image, and the bytes by origin.

Usage: symbols.py [--nm NM] [--top N] FULL.elf EMPTY.elf

Symbols of FULL that EMPTY lacks are the charge point's cost (its own code, Rust's core and
alloc, serde, serde_json, and what they pull from the C library). With LTO much is inlined
into a few big functions, so the origin table is a lower bound for inlined code (a serde
derive expanded inside `CsRequest::parse` counts as ocpp-cp's own code); bytes without a
symbol (string literals, jump tables, padding) are reported as unattributed.
"""

import argparse
import re
import subprocess
import sys

# First match wins; the regexes run on demangled names.
ORIGINS = [
    ("glue (tools/footprint)", r"ocpp_fp_|ocpp_footprint"),
    ("serde derive impls of ocpp-cp types", r"ocpp_cp.*(serde|Deserializ|Serializ|Visitor)|(serde|Deserializ|Serializ|Visitor).*ocpp_cp"),
    ("ocpp-cp own code", r"ocpp_cp"),
    ("float parsing/formatting, soft float", r"zmij|ryu|dec2flt|flt2dec|compiler_builtins::float|POW10|__aeabi_[dfi]2|__aeabi_[dfu]|[ds]f[23]$|[ds]fsi$|[ds]fdi$|unord[ds]f2"),
    ("serde_json, serde (generic)", r"serde_json|serde_core|serde::|serde_derive"),
    ("core::fmt, panics, Debug", r"core::fmt|panick|core::unicode|escape_debug|::Debug|::Display|unwrap_failed|expect_failed|core::slice::index|slice_error|core::str::.*fail"),
    ("alloc, collections", r"^<?alloc::|RawVec|VecDeque|<alloc::|alloc::"),
    ("core, compiler_builtins (other)", r"core::|compiler_builtins|memchr"),
    ("C library, libgcc", r"^[^:<>]+$"),
]


def symbols(nm, elf):
    """(name, size, type) of every sized symbol, one per address."""
    out = subprocess.run([nm, "-S", "-C", "--size-sort", elf], check=True, capture_output=True, text=True).stdout
    seen = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        addr, size, kind, name = parts
        if name.startswith(".L") or kind in "Nn":
            continue
        key = (addr, kind.lower())
        # Aliases at one address (malloc / __malloc_malloc): keep the first.
        seen.setdefault(key, (name, int(size, 16), kind))
    return list(seen.values())


def origin(name):
    for label, rx in ORIGINS:
        if re.search(rx, name):
            return label
    return "other"


def short(name, width=110):
    # Hash suffixes add nothing to a report.
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    return name if len(name) <= width else name[: width - 1] + "…"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--flash", type=int, help="text+rodata the charge point adds, for the unattributed row")
    ap.add_argument("full")
    ap.add_argument("empty")
    a = ap.parse_args()
    empty = {n for n, _, _ in symbols(a.nm, a.empty)}
    added = [s for s in symbols(a.nm, a.full) if s[0] not in empty]
    code = [s for s in added if s[2].lower() in "tr"]
    code.sort(key=lambda s: -s[1])
    print(f"The {a.top} biggest symbols the charge point adds (bytes, t = code, r = read-only data):")
    print()
    print("| bytes | kind | symbol |")
    print("|---:|---|---|")
    for name, size, kind in code[: a.top]:
        print(f"| {size} | {kind.lower()} | `{short(name)}` |")
    print()
    totals = {}
    for name, size, _ in code:
        totals[origin(name)] = totals.get(origin(name), 0) + size
    print("Bytes by origin (code and read-only data with a symbol):")
    print()
    print("| origin | bytes | symbols |")
    print("|---|---:|---:|")
    counts = {}
    for name, _, _ in code:
        counts[origin(name)] = counts.get(origin(name), 0) + 1
    for label, _ in ORIGINS + [("other", "")]:
        if label in totals:
            print(f"| {label} | {totals[label]} | {counts[label]} |")
    print(f"| **with a symbol** | {sum(totals.values())} | {len(code)} |")
    if a.flash is not None:
        print(f"| without a symbol (literals, tables, padding, symbols the empty image shares) | {a.flash - sum(totals.values())} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
