"""A copy of an identify object for sharing: VIN and serial masked, raw bytes removed."""

from __future__ import annotations

import copy
from typing import Any


def mask_vin(vin: str | None) -> str | None:
    """Keep the first 11 characters (manufacturer and model), mask the serial part."""
    return None if vin is None else vin[:11] + "*" * max(0, len(vin) - 11)


def mask_serial(serial: str | None) -> str | None:
    """Keep the last 4 characters."""
    return None if serial is None else "*" * max(0, len(serial) - 4) + serial[-4:]


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
        elif item.get("fields") is None:
            continue
        item["hex"] = None
        item.pop("padding_hex", None)
    return out
