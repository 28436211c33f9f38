"""OCPP 1.6 JSON schema checks shared by the dev CSMS and tests/schema/validate_frames.py.

The schemas are read at run time from the installed `ocpp` package (ocpp/v16/schemas),
never copied. On top of plain schema validation this checks every field the schemas
mark `"format": "date-time"` as RFC 3339 with `Z` or a numeric offset, which the
`ocpp` library itself does not do.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import ocpp
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from rfc3339_validator import validate_rfc3339

Kind = Literal["req", "conf"]


def schema_dir() -> Path:
    """Directory of the OCPP 1.6 schemas inside the installed `ocpp` package."""
    return Path(ocpp.__file__).resolve().parent / "v16" / "schemas"


def schema_path(action: str, kind: Kind) -> Path:
    """`<Action>.json` for a request, `<Action>Response.json` for a confirmation."""
    return schema_dir() / (action + ("Response" if kind == "conf" else "") + ".json")


def is_rfc3339(value: object) -> bool:
    """True for a string like 2026-01-01T12:00:00Z or 2026-01-01T12:00:00.5+02:00."""
    return isinstance(value, str) and bool(validate_rfc3339(value))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_rfc3339)
    return checker


@cache
def _validator(action: str, kind: Kind) -> Draft4Validator | None:
    path = schema_path(action, kind)
    if not path.is_file():
        return None
    # Decimal keeps `multipleOf: 0.1` (charging schedules) exact, as the ocpp library does.
    schema = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    return Draft4Validator(schema, format_checker=_format_checker())


def known_action(action: str, kind: Kind = "req") -> bool:
    """True if the installed package has a schema for this action and kind."""
    return _validator(action, kind) is not None


def _as_decimal(payload: Any) -> Any:
    return json.loads(json.dumps(payload), parse_float=Decimal)


def _describe(error: ValidationError) -> str:
    path = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{path}: {error.message}"


def _errors(action: str, kind: Kind, payload: Any) -> list[ValidationError]:
    validator = _validator(action, kind)
    if validator is None:
        raise KeyError(f"no OCPP 1.6 schema {schema_path(action, kind).name}")
    return sorted(validator.iter_errors(_as_decimal(payload)), key=lambda e: list(e.path))


def schema_errors(action: str, kind: Kind, payload: Any) -> list[str]:
    """Every schema violation (date-time format included), one readable line each.

    Raises KeyError when there is no schema for the action.
    """
    return [_describe(e) for e in _errors(action, kind, payload)]


def date_time_errors(action: str, kind: Kind, payload: Any) -> list[str]:
    """Only the violations of `"format": "date-time"` fields; [] for unknown actions."""
    if not known_action(action, kind):
        return []
    return [_describe(e) for e in _errors(action, kind, payload) if e.validator == "format"]
