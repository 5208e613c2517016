"""``g15diag identify``: every identification item of the head unit, and the VIN."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from g15diag.adapter import AdapterOptions
from g15diag.commands import jsonout
from g15diag.commands.options import adapter_options, target_options
from g15diag.commands.sessions import sessions_option
from g15diag.commands.wide import progress_line, wide_option

if TYPE_CHECKING:
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
    data = result.to_dict()
    if as_json:
        jsonout.echo(data, indent=2)  # the run's one JSON document, even with exit 5
    else:
        click.echo(to_text(data))
    if data["serial"] is None:  # one rule: exit 5 whenever the serial was not read
        raise serial_not_read(data)
    return 0


def serial_not_read(data: dict[str, Any]) -> G15DiagError:
    """Exit 5 for an identify object without a serial (after its output was written)."""
    from g15diag.errors import SerialNotFound

    hu = data["head_unit"]
    return SerialNotFound(
        f"The unit at {hu['request_id']}/{hu['response_id']} answered but gave no serial "
        "number at any place the ladder asks; the other items were read.",
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


def to_text(data: dict[str, Any]) -> str:
    """The human report of an ``identify`` object."""
    from g15diag.protocol.session import Session

    lines = []
    if data["simulated"]:
        lines.append("SIMULATED: these values come from the built-in simulator, not from a car.")
    hu = data["head_unit"]
    lines.append(
        f"Head unit: {hu['name']} at {hu['request_id']}/{hu['response_id']}, "
        f"{hu['bitrate'] // 1000} kbit/s, {hu['family'].upper()} (address confidence: "
        f"{hu['confidence']}); items read in the "
        f"{Session(hu.get('session', 'default')).label} session"
    )
    lines.append("")
    lines.append(f"{'identifier':<11} {'status':<44} {'len':>3}  text / raw hex")
    for key, item in data["items"].items():
        status = STATUS_TEXT.get(item["status"], item["status"])
        if item["nrc"]:
            status += f" (NRC {item['nrc']} {item['nrc_name']})"
        if item.get("session") not in (None, "default"):
            status += f" in {Session(item['session']).label}"
        length = "" if item["length"] is None else str(item["length"])
        text = f": {item['text']}" if item["text"] is not None else ""
        lines.append(f"{key:<11} {status:<44} {length:>3}  {item['label']}{text}")
        if item["hex"]:
            spaced = " ".join(item["hex"][i : i + 2] for i in range(0, len(item["hex"]), 2))
            lines.append(f"{'':<11} {'':<44} {'':>3}  hex {spaced}")
        if item.get("padding_hex"):
            lines.append(
                f"{'':<11} {'':<44} {'':>3}  trailing padding {item['padding_hex']} "
                "(kept in the raw hex)"
            )
        if item["detail"] and item["status"] in ("skipped", "no_answer", "malformed"):
            lines.append(f"{'':<11} {'':<44} {'':>3}  ({item['detail']})")
    lines.append("")
    if data["serial"] is not None:
        lines.append(
            f"Serial number: {data['serial']}  ({data['serial_reads']} identical reads of "
            f"{data['serial_identifier']})"
        )
    else:
        lines.append("Serial number: not read (the unit returned no serial identifier).")
    if data["vin"]:
        src = "engine ECU" if data["vin_source"] == "engine" else "head unit"
        lines.append(f"VIN: {data['vin']}  (from the {src})")
        check = data["vin_check"]
        for problem in check["errors"]:
            lines.append(f"  VIN INVALID: {problem}")
        for warning in check["warnings"]:
            lines.append(f"  VIN warning: {warning}")
        if data["vin_mismatch"]:
            lines.append(
                f"  WARNING: the head unit stores another VIN ({data['vin_head_unit']}) than "
                f"the engine ECU ({data['vin_engine']}): the unit may come from another car."
            )
    else:
        lines.append("VIN: not read.")
    for field in ("part_number", "supplier", "hardware", "software"):
        if data[field]:
            lines.append(f"{field.replace('_', ' ').capitalize()}: {data[field]}")
    return "\n".join(lines)
