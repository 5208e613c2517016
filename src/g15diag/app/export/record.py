"""The export record: an ``identify --json`` object checked once and turned into types.

Every renderer reads a :class:`Record`; none of them looks into the raw dict, so a
hand-edited ``--from`` file that is wrong is refused here with one sentence, never met
as a ``TypeError`` half-way through a render.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from g15diag import inputs
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
    "head_unit": (dict,),
    "adapter": (dict,),
    "items": (dict,),
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
        ),
        _TEXT,
    ),
    "fields": (dict, type(None)),
}
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


@dataclass(frozen=True)
class Item:
    """One identification item as the sheet shows it."""

    key: str
    label: str
    text: str | None
    hex: str | None
    status: str
    role: str | None
    ecu: str
    nrc: str | None = None
    nrc_name: str | None = None
    padding_hex: str | None = None
    session: Session | None = None  # None: not asked, or a file from before sessions

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Record:
    """Everything a dealer sheet shows, typed; built by :func:`parse` only."""

    simulated: bool
    redacted: bool
    vehicle: str
    vin: str | None
    vin_source: str | None
    vin_head_unit: str | None
    vin_mismatch: bool
    vin_errors: tuple[str, ...]
    vin_warnings: tuple[str, ...]
    serial: str | None
    serial_hex: str | None
    serial_identifier: str | None
    serial_padding_hex: str | None
    serial_reads: int | None
    part_number: Item | None
    suppliers: tuple[Item, ...]
    hardware: tuple[Item, ...]
    software: tuple[Item, ...]
    block: Item | None  # Renault 21 80 identification block, when read
    unit_address: str
    unit_name: str
    bitrate: int | None
    session: Session | None  # the session the unit's items were read in (head_unit.session)
    serial_session: Session | None  # the session the serial was read in
    read_at: dt.datetime
    tool_version: str
    adapter_identity: str
    adapter_port: str | None
    battery_voltage: float | None
    items: tuple[Item, ...]
    data: Mapping[str, Any]  # the checked identify object, for the JSON format


def load(path: str | Path) -> Record:
    """Read a saved ``identify --json`` file (or a GUI session) into a :class:`Record`."""
    text = inputs.read_text(path, "the identify file")  # bounded; no FIFO or device
    inputs.check_structure(text, str(path))  # no huge integer or deep nesting reaches json
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not JSON: {exc}.") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise UsageError(f"{path} holds a value Python cannot read: {exc}.") from exc
    return parse(data, source=str(path))


def parse(data: object, *, source: str = "The object given to export") -> Record:
    """Check ``data`` (an ``identify --json`` object) and type it; UsageError names a fault."""
    check(data, source=source)
    assert isinstance(data, dict)
    items = tuple(_item(key, value) for key, value in data["items"].items())
    head = [i for i in items if i.ok and i.ecu != "engine"]
    serial_key = data.get("serial_identifier")
    serial_item = next((i for i in items if i.key == serial_key), None)
    check_block = data.get("vin_check") or {}
    hu, adapter = data["head_unit"], data["adapter"]
    unit_session = _session(hu.get("session"))
    voltage = data.get("battery_voltage")
    return Record(
        simulated=data["simulated"],
        redacted=bool(data.get("redacted")),
        vehicle=data.get("vehicle") or "",
        vin=data.get("vin") or None,
        vin_source=data.get("vin_source"),
        vin_head_unit=data.get("vin_head_unit"),
        vin_mismatch=bool(data.get("vin_mismatch")),
        vin_errors=tuple(check_block.get("errors", [])),
        vin_warnings=tuple(check_block.get("warnings", [])),
        serial=data.get("serial"),
        serial_hex=data.get("serial_hex"),
        serial_identifier=serial_key,
        serial_padding_hex=serial_item.padding_hex if serial_item else None,
        serial_reads=data.get("serial_reads"),
        part_number=next((i for i in head if i.role == "part_number"), None),
        suppliers=tuple(i for i in head if i.role == "supplier"),
        hardware=tuple(i for i in head if i.role == "hardware"),
        software=tuple(i for i in head if i.role == "software"),
        block=next((i for i in head if i.key == "0x2180"), None),
        unit_address=f"{hu.get('request_id')}/{hu.get('response_id')}",
        unit_name=str(hu.get("name") or ""),
        bitrate=hu.get("bitrate"),
        session=unit_session,
        serial_session=(serial_item.session or unit_session) if serial_item else None,
        read_at=_time(data["read_at"], source),
        tool_version=data.get("tool_version") or "",
        adapter_identity=str(adapter.get("identity") or ""),
        adapter_port=adapter.get("port") if isinstance(adapter.get("port"), str) else None,
        battery_voltage=None if voltage is None else float(voltage),
        items=items,
        data=data,
    )


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
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" escapes: no file can be written with them
        raise UsageError(f"{source} contains text that is not valid Unicode.") from None
    _time(data["read_at"], source)


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
    if value is not None and _session(value) is None:
        names = ", ".join(session.value for session in Session)
        raise UsageError(f"{source}: the identify file's field {field!r} must be one of {names}.")


def _session(value: object) -> Session | None:
    try:
        return Session(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _time(text: str, source: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{source}: the identify file's field 'read_at' must be an ISO 8601 time."
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _item(key: str, item: dict[str, Any]) -> Item:
    return Item(
        key=key,
        label=item.get("label") or key,
        text=item.get("text"),
        hex=item.get("hex"),
        status=item.get("status") or "",
        role=item.get("role"),
        ecu=item.get("ecu") or "head_unit",
        nrc=item.get("nrc"),
        nrc_name=item.get("nrc_name"),
        padding_hex=item.get("padding_hex"),
        session=_session(item.get("session")),
    )
