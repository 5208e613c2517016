"""The checks an ``identify --json`` object passes before it becomes a
:class:`~g15diag.app.export.record.Record`: one sentence per fault, never a ``TypeError``
half-way through a render (a hand-edited ``--from`` file that is wrong is refused here)."""

from __future__ import annotations

import datetime as dt
import json
import math

from g15diag.errors import UsageError
from g15diag.protocol.session import Session

_TEXT = (str, type(None))
#: field -> accepted JSON types for the top-level fields the sheet uses
_TOP_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "serial",
            "serial_hex",
            "serial_identifier",
            "vin",
            "vin_source",
            "vin_engine",
            "vin_head_unit",
            "vehicle",
            "tool_version",
        ),
        _TEXT,
    ),
    "read_at": (str,),
    "simulated": (bool,),
    "vin_mismatch": (bool, type(None)),
    "redacted": (bool, type(None)),
    "serial_reads": (int, type(None)),
    "vin_check": (dict, type(None)),
    "battery_voltage": (int, float, type(None)),
    "profile": _TEXT,
    "head_unit": (dict,),
    "adapter": (dict,),
    "items": (dict,),
    "ladder": (list, type(None)),
}
_ITEM_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "label",
            "text",
            "hex",
            "status",
            "role",
            "ecu",
            "padding_hex",
            "nrc",
            "nrc_name",
            "session",
            "family",
            "request",
            "detail",
        ),
        _TEXT,
    ),
    "length": (int, type(None)),
    "printable": (bool, type(None)),
    "fields": (dict, type(None)),
}
#: ladder step field -> accepted JSON types
_STEP_TYPES: dict[str, tuple[type, ...]] = dict.fromkeys(
    ("rung", "request", "session", "outcome", "nrc"), _TEXT
)
REQUIRED = ("serial", "vin", "items", "head_unit", "adapter", "simulated", "read_at")
_JSON_NAMES = {
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    dict: "an object",
    list: "a list",
    type(None): "null",
}


def check(data: object, *, source: str) -> None:
    """Refuse anything but a well-formed identify object (one UsageError sentence)."""
    hint = _which_command(data)
    if not isinstance(data, dict) or data.get("schema_version") != 1 or hint:
        raise UsageError(
            f"{source} is not g15diag `identify --json` data (schema_version 1 expected){hint}."
        )
    for key in REQUIRED:
        if key not in data:
            raise UsageError(f"{source}: the identify file lacks the field {key!r}.")
    for key, types in _TOP_TYPES.items():
        if key in data and not isinstance(data[key], types):
            raise _bad(source, key, types)
    voltage = data.get("battery_voltage")
    if isinstance(voltage, (bool,)) or (isinstance(voltage, float) and not math.isfinite(voltage)):
        raise _bad(source, "battery_voltage", (float, type(None)))
    vin_check = data.get("vin_check") or {}
    for key in ("errors", "warnings"):
        value = vin_check.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise _bad(source, f"vin_check.{key}", (list,))
    for table in ("head_unit", "adapter"):
        for key, value in data[table].items():
            if not isinstance(value, (str, int, float, bool, type(None))):
                raise _bad(source, f"{table}.{key}", (str, int, type(None)))
    if not isinstance(data["head_unit"].get("bitrate"), (int, type(None))):
        raise _bad(source, "head_unit.bitrate", (int, type(None)))
    _check_session(data["head_unit"].get("session"), source, "head_unit.session")
    for name, item in data["items"].items():
        if not isinstance(item, dict) or "label" not in item or "text" not in item:
            raise UsageError(
                f"{source}: the identify file's item {name!r} must be an object with "
                "'label' and 'text'."
            )
        for key, types in _ITEM_TYPES.items():
            if key in item and not isinstance(item[key], types):
                raise _bad(source, f"items.{name}.{key}", types)
        _check_session(item.get("session"), source, f"items.{name}.session")
        fields = item.get("fields") or {}
        if not all(isinstance(v, str) for v in fields.values()):
            raise _bad(source, f"items.{name}.fields", (dict,))
    for n, step in enumerate(data.get("ladder") or []):
        if not isinstance(step, dict):
            raise _bad(source, f"ladder[{n}]", (dict,))
        for key, types in _STEP_TYPES.items():
            if key in step and not isinstance(step[key], types):
                raise _bad(source, f"ladder[{n}].{key}", types)
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" escapes: no file can be written with them
        raise UsageError(f"{source} contains text that is not valid Unicode.") from None
    time_of(data["read_at"], source)


def _which_command(data: object) -> str:
    """Name the command whose JSON was given, when it is another g15diag command's."""
    if (
        isinstance(data, dict)
        and "items" not in data
        and ("identifier" in data or "lookalikes" in data)
    ):
        return (
            "; it is `read-serial --json` output, and export needs `g15diag identify "
            "--json` output (it also holds the VIN and the part number)"
        )
    return ""


def _bad(source: str, field: str, types: tuple[type, ...]) -> UsageError:
    names = " or ".join(dict.fromkeys(_JSON_NAMES[t] for t in types))
    return UsageError(f"{source}: the identify file's field {field!r} must be {names}.")


def _check_session(value: object, source: str, field: str) -> None:
    if value is not None and not isinstance(value, str):
        raise _bad(source, field, (str, type(None)))
    if value is not None and session_of(value) is None:
        names = ", ".join(session.value for session in Session)
        raise UsageError(f"{source}: the identify file's field {field!r} must be one of {names}.")


def session_of(value: object) -> Session | None:
    try:
        return Session(value) if isinstance(value, str) else None
    except ValueError:
        return None


def time_of(text: str, source: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{source}: the identify file's field 'read_at' must be an ISO 8601 time."
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
