"""``g15diag read-serial``: the head unit's serial, exactly as the unit returns it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.app.results import can_id_text
from g15diag.commands.options import ADDRESS, adapter_options, profile_option
from g15diag.commands.sessions import sessions_option
from g15diag.commands.wide import progress_line, wide_option
from g15diag.protocol import identifiers
from g15diag.protocol.visible import visible

if TYPE_CHECKING:
    from g15diag.app.link import Run
    from g15diag.app.read_serial import SerialResult

FAMILY_SERVICE = {
    "uds": "UDS ReadDataByIdentifier",
    "kwp": "KWP2000 readECUIdentification",
}


@click.command("read-serial")
@adapter_options
@click.option(
    "--address",
    metavar="REQ:RESP",
    type=ADDRESS,
    help="Head-unit CAN IDs in hex (e.g. 7A0:7A8); skips the candidate search.",
)
@profile_option
@sessions_option
@wide_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(as_json: bool, sessions: str, wide: bool, options: AdapterOptions, run: Run) -> int:
    """Read the head unit's serial number, twice to confirm.

    Without --address the profile's candidate addresses are tried in order, at each bit
    rate, and the first unit that answers is read. There the identification ladder is
    climbed: UDS 22 F18C, in the default session, then (after a refusal) in 10 03; KWP
    1A 8C, then in 10 C0; the unit is always returned to its default session. Nothing is
    written to the car or to disk.
    """
    from g15diag.app import api

    with progress_line(wide) as progress:
        result = api.read_serial(
            options=options, sessions=sessions, run=run, wide=wide, progress=progress
        )
    if as_json:
        click.echo(json.dumps(to_json(result), ensure_ascii=False))
    else:
        click.echo(to_text(result))
    return 0


def to_json(result: SerialResult) -> dict[str, Any]:
    """The --json object (schema_version 1), written by the result type."""
    return result.to_dict()


def to_text(result: SerialResult) -> str:
    """The human report."""
    serial = result.serial
    lines = []
    if result.adapter.simulated:
        lines.append("SIMULATED: this value comes from the built-in simulator, not from a car.")
    lines.append(f"Head-unit serial number: {serial.text}")
    lines.append(f"  length       {len(serial.text)} characters")
    lines.append(f"  raw hex      {serial.hex}")
    if serial.padding:
        lines.append(
            f"  padding      {serial.padding.hex(' ').upper()} (trailing bytes after "
            "the text; kept in the raw hex)"
        )
    if not serial.clean:
        lines.append(
            "  WARNING      the serial contains non-printable bytes (shown as \\xNN); "
            "give the dealer the raw hex as well"
        )
    spelled = identifiers.spelled(serial.text)
    if spelled:
        lines.append(f"  look-alikes  {spelled}")
    t = result.target
    lines.append(
        f"  identifier   0x{result.identifier:04X} ({FAMILY_SERVICE.get(result.family, '')})"
    )
    lines.append(f"  session      {result.session.label}")
    lines.append(
        f"  from         request {can_id_text(t.request_id)}, response "
        f"{can_id_text(t.response_id)} at {t.bitrate // 1000} kbit/s "
        f"({result.candidate_name})"
    )
    lines.append(f"  reads        {result.reads} identical")
    identity = result.adapter.identity or result.adapter.kind  # ATI is read only for a report
    lines.append(f"  adapter      {identity} on {result.adapter.port}")
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
