"""A copy of an identify object for sharing: VIN and serial masked, raw bytes removed, and
their characters starred wherever else they appear (part number, supplier, software...:
:mod:`g15diag.app.by_value`)."""

from __future__ import annotations

import copy
from typing import Any

from g15diag.app import by_value

#: top-level text fields a unit fills (a hostile or odd unit may repeat the serial there)
_TEXT_FIELDS = ("part_number", "supplier", "hardware", "software")


def mask_vin(vin: str | None) -> str | None:
    """Keep the first 11 characters (manufacturer and model), mask the serial part."""
    return None if vin is None else vin[:11] + "*" * max(0, len(vin) - 11)


def mask_serial(serial: str | None) -> str | None:
    """Every character starred, the length kept (issue 18: no serial character in clear; on
    Renault-group radios the last four characters of the label are the pre-code itself)."""
    return None if serial is None else "*" * len(serial)


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """A copy with VIN and serial masked and identifying raw bytes removed."""
    out = copy.deepcopy(data)
    out["redacted"] = True
    out["serial"] = mask_serial(out.get("serial"))
    out["serial_hex"] = None
    for key in ("vin", "vin_engine", "vin_head_unit"):
        out[key] = mask_vin(out.get(key))
    out["adapter"] = {**out.get("adapter", {}), "port": None}
    serial = data.get("serial")
    vins = {data.get(key) for key in ("vin", "vin_engine", "vin_head_unit")} - {None, ""}
    known = by_value.cores(v for v in (serial, *vins) if isinstance(v, str))
    for key, item in out.get("items", {}).items():
        # by role, by the serial's identifier, or by value: a hand-edited file that lost an
        # item's role must not leak the serial or the VIN into a copy meant for sharing
        text = item.get("text")
        if (
            item.get("role") == "serial"
            or key == data.get("serial_identifier")
            or (serial and text == serial)
        ):
            item["text"] = mask_serial(item.get("text"))
        elif item.get("role") == "vin" or (text and text in vins):
            item["text"] = mask_vin(item.get("text"))
        elif isinstance(text, str) and by_value.contains(text, known):
            item["text"] = by_value.mask(text, known)  # the serial or VIN in another slot
        elif item.get("fields") is None:
            continue
        fields = item.get("fields")
        if isinstance(fields, dict):  # a KWP block's fields: the values repeat the block's text
            item["fields"] = {
                k: by_value.mask(v, known) if isinstance(v, str) else v for k, v in fields.items()
            }
        item["hex"] = None
        item.pop("padding_hex", None)
    for field in _TEXT_FIELDS:
        value = out.get(field)
        if isinstance(value, str):
            out[field] = by_value.mask(value, known)
    return out
