"""The dealer request as JSON: the identify object plus an ``export`` block."""

from __future__ import annotations

import json

from g15diag.app.export.i18n import words
from g15diag.app.export.record import Record
from g15diag.app.export.sheet import checksum

EXPORT_VERSION = 1


def render(record: Record) -> str:
    """Pretty-printed UTF-8 JSON; ``export --from`` reads it back."""
    out = record.to_dict()
    out["export"] = {
        "export_version": EXPORT_VERSION,
        "redacted": record.redacted,
        "serial_checksum": None
        if record.redacted or record.serial is None
        else checksum(record.serial),
        "note": words("en")["disclaimer"],
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
