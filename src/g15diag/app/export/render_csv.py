"""The dealer request as CSV: one header row, then one row per read (appendable).

A unit, an adapter or an edited JSON file chooses the strings, so every cell is made safe
for a spreadsheet (OWASP's advice on CSV injection): a cell that would begin with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (a spreadsheet then shows
it as text; removing that one quote gives the value back), and every non-printable character
is written visibly (``\\x1b``, ``U+202E``). The serial's exact bytes stay in
``serial_raw_hex``.
"""

from __future__ import annotations

import csv
import io

from g15diag.app.export.record import Record, RecordItem
from g15diag.app.export.sheet import checksum
from g15diag.protocol.visible import visible

#: what a spreadsheet takes as the start of a formula (OWASP: CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

HEADER = (
    "read_at",
    "simulated",
    "redacted",
    "vin",
    "vin_source",
    "vin_head_unit",
    "vin_mismatch",
    "headunit_serial",
    "serial_raw_hex",
    "serial_identifier",
    "serial_session",
    "serial_checksum",
    "read_count",
    "headunit_part_number",
    "supplier",
    "hardware",
    "software",
    "source_ecu_address",
    "bitrate",
    "unit_session",
    "battery_voltage",
    "adapter_identity",
    "tool_version",
)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _texts(items: tuple[RecordItem, ...]) -> str:
    return "; ".join(i.text or "" for i in items)


def cell(text: str) -> str:
    """``text`` safe in a spreadsheet cell: a leading ``'`` before a formula character, and
    non-printable characters shown (:func:`g15diag.protocol.visible.visible`)."""
    if text.startswith(FORMULA_STARTS):
        text = QUOTE + text
    return visible(text)


def original(text: str) -> str:
    """The value behind a :func:`cell` that began with a formula character (the quote off)."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_STARTS, "\\x09", "\\x0d")):
        return text[1:]
    return text


def row(record: Record) -> tuple[str, ...]:
    """The one CSV row of ``record``, in :data:`HEADER` order (every cell through :func:`cell`)."""
    return tuple(cell(value) for value in _values(record))


def _values(record: Record) -> tuple[str, ...]:
    serial = record.serial
    part = record.part_number
    return (
        record.read_at.isoformat(),
        _yes(record.simulated),
        _yes(record.redacted),
        record.vin or "",
        record.vin_source or "",
        record.vin_head_unit or "",
        _yes(record.vin_mismatch),
        serial or "",
        record.serial_hex or "",
        record.serial_identifier or "",
        record.serial_session.value if record.serial_session else "",
        "" if record.redacted or serial is None else checksum(serial),
        "" if record.serial_reads is None else str(record.serial_reads),
        (part.text or "") if part else "",
        _texts(record.suppliers),
        _texts(record.hardware),
        _texts(record.software),
        record.unit_address,
        "" if record.bitrate is None else str(record.bitrate),
        record.session.value if record.session else "",
        "" if record.battery_voltage is None else f"{record.battery_voltage:.1f}",
        record.adapter_identity,
        record.tool_version,
    )


def render(record: Record, *, header: bool = True) -> str:
    """Header row (unless ``header`` is false, for appending) and the record's row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header:
        writer.writerow(HEADER)
    writer.writerow(row(record))
    return buf.getvalue()


def render_header() -> str:
    """The header row exactly as :func:`render` writes it (to check a file before appending)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(HEADER)
    return buf.getvalue()
