"""``g15diag identify``: every identification item of the head unit, and the VIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.commands import jsonout
from g15diag.commands.options import adapter_options, target_options
from g15diag.commands.sessions import sessions_option
from g15diag.commands.wide import progress_line, wide_option
from g15diag.protocol.visible import visible

if TYPE_CHECKING:
    from g15diag.app.export.record import Record, RecordItem
    from g15diag.app.link import Run
    from g15diag.errors import G15DiagError


@click.command("identify")
@adapter_options
@target_options
@sessions_option
@wide_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (schema_version 1).")
def command(as_json: bool, sessions: str, wide: bool, options: AdapterOptions, run: Run) -> int:
    """Read every identification item (serial, part number, supplier, hardware, software,
    VIN, diagnostic version) one per request, and the VIN from the engine ECU.

    The unit is found as `read-serial` finds it (identification ladder, diagnostic sessions
    only after a refusal, always left); the other items are read in the session that
    answered. Units that do not support UDS 0x22 are read with KWP (1A xx, 21 xx).
    Nothing is written to the car or to disk.
    """
    from g15diag.app import api

    with progress_line(wide) as progress:
        result = api.identify(
            options=options, sessions=sessions, run=run, wide=wide, progress=progress
        )
    record = result.record()
    if as_json:
        jsonout.echo(record.to_dict(), indent=2)  # the run's one JSON document, even with exit 5
    else:
        click.echo(to_text(record))
    if record.serial is None:  # one rule: exit 5 whenever the serial was not read
        raise serial_not_read(record)
    return 0


def serial_not_read(record: Record) -> G15DiagError:
    """Exit 5 for a read without a serial (after its output was written)."""
    from g15diag.errors import SerialNotFound

    return SerialNotFound(
        f"The unit at {record.unit_address} answered but gave no serial number at any place "
        "the ladder asks; the other items were read.",
        hint="Run `g15diag discover --trace unit.log --report report.zip` to list every "
        "identifier it gives, then `g15diag profile learn report.zip -o mine.toml` "
        "(`g15diag help field-guide`).",
    )


STATUS_TEXT = {
    "ok": "ok",
    "not_supported": "not supported",
    "no_answer": "no answer",
    "malformed": "malformed answer",
    "skipped": "skipped",
}


def to_text(record: Record) -> str:
    """The human report of an identification record."""
    from g15diag.protocol.session import Session

    lines = []
    if record.simulated:
        lines.append("SIMULATED: these values come from the built-in simulator, not from a car.")
    hu = record.head_unit
    lines.append(
        f"Head unit: {hu.name} at {hu.request_id}/{hu.response_id}, "
        f"{(hu.bitrate or 0) // 1000} kbit/s, {(hu.family or '').upper()} (address confidence: "
        f"{hu.confidence}); items read in the "
        f"{(hu.session or Session.DEFAULT).label} session"
    )
    lines.append("")
    lines.append(f"{'identifier':<11} {'status':<44} {'len':>3}  text / raw hex")
    for item in record.items:
        status = STATUS_TEXT.get(item.status, item.status)
        if item.nrc:
            status += f" (NRC {item.nrc} {item.nrc_name})"
        if item.session not in (None, Session.DEFAULT):
            assert item.session is not None
            status += f" in {item.session.label}"
        length = "" if item.length is None else str(item.length)
        text = f": {item.text}" if item.text is not None else ""
        lines.append(f"{item.key:<11} {status:<44} {length:>3}  {item.label}{text}")
        if item.hex:
            spaced = " ".join(item.hex[i : i + 2] for i in range(0, len(item.hex), 2))
            lines.append(f"{'':<11} {'':<44} {'':>3}  hex {spaced}")
        if item.padding_hex:
            lines.append(
                f"{'':<11} {'':<44} {'':>3}  trailing padding {item.padding_hex} "
                "(kept in the raw hex)"
            )
        if item.detail and item.status in ("skipped", "no_answer", "malformed"):
            lines.append(f"{'':<11} {'':<44} {'':>3}  ({item.detail})")
    lines.append("")
    if record.serial is not None:
        lines.append(
            f"Serial number: {record.serial}  ({record.serial_reads} identical reads of "
            f"{record.serial_identifier})"
        )
    else:
        lines.append("Serial number: not read (the unit returned no serial identifier).")
    if record.vin:
        src = "engine ECU" if record.vin_source == "engine" else "head unit"
        lines.append(f"VIN: {record.vin}  (from the {src})")
        for problem in record.vin_errors:
            lines.append(f"  VIN INVALID: {problem}")
        for warning in record.vin_warnings:
            lines.append(f"  VIN warning: {warning}")
        if record.vin_mismatch:
            lines.append(
                f"  WARNING: the head unit stores another VIN ({record.vin_head_unit}) than "
                f"the engine ECU ({record.vin_engine}): the unit may come from another car."
            )
    else:
        lines.append("VIN: not read.")
    found: dict[str, RecordItem | None] = {
        "part_number": record.part_number,
        "supplier": record.suppliers[0] if record.suppliers else None,
        "hardware": record.hardware[0] if record.hardware else None,
        "software": record.software[0] if record.software else None,
    }
    for name, value in found.items():
        if value is not None and value.text:
            lines.append(f"{name.replace('_', ' ').capitalize()}: {value.text}")
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
