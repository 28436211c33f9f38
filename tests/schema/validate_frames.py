#!/usr/bin/env python3
"""Validate the frames the Rust scenario tests recorded against the official OCPP 1.6 schemas.

    python tests/schema/validate_frames.py DIR

DIR (what the Rust harness got as env OCPP_FRAME_LOG) holds JSON Lines files (*.jsonl), one
line per frame the charge point sent:
    {"test": "<name>", "action": "<Action>", "kind": "req"|"conf", "payload": {...}}
`req` is checked against ocpp/v16/schemas/<Action>.json, `conf` (a CALLRESULT the charge
point sent) against <Action>Response.json, both read from the installed `ocpp` package,
with every `date-time` field required to be RFC 3339 with `Z` or an offset.
Prints a count per action and every error with its test name; exits 1 on any error or
when no frame was found.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server"))
from ocpp_schemas import known_action, schema_errors

KINDS = ("req", "conf")


@dataclass
class Frame:
    where: str  # file:line
    test: str
    action: str
    kind: str
    payload: Any


def read_frames(directory: Path) -> Iterator[Frame | str]:
    """Frames in file order; a string instead of a frame describes an unreadable line."""
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"{where}: not JSON: {exc}"
                continue
            if not isinstance(obj, dict) or not {"test", "action", "kind", "payload"} <= obj.keys():
                yield f"{where}: expected an object with test, action, kind, payload"
                continue
            yield Frame(
                where, str(obj["test"]), str(obj["action"]), str(obj["kind"]), obj["payload"]
            )


def check(frame: Frame) -> list[str]:
    """Error lines for one frame (empty when valid)."""
    head = f"{frame.test} ({frame.where}) {frame.action} {frame.kind}"
    if frame.kind not in KINDS:
        return [f"{head}: kind must be req or conf"]
    if not known_action(frame.action, frame.kind):  # type: ignore[arg-type]
        return [f"{head}: no OCPP 1.6 schema for this action"]
    return [f"{head}: {e}" for e in schema_errors(frame.action, frame.kind, frame.payload)]  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    directory = Path(argv[1])
    if not directory.is_dir():
        print(f"validate_frames: {directory} is not a directory", file=sys.stderr)
        return 1
    counts: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    for item in read_frames(directory):
        if isinstance(item, str):
            errors.append(item)
            continue
        counts[(item.action, item.kind)] += 1
        errors.extend(check(item))
    for (action, kind), n in sorted(counts.items()):
        print(f"{action:<36} {kind:<4} {n:>6}")
    total = sum(counts.values())
    print(f"{total} frames, {len(errors)} errors")
    for line in errors:
        print(f"ERROR {line}")
    if total == 0:
        print(f"validate_frames: no frame found in {directory}/*.jsonl", file=sys.stderr)
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
