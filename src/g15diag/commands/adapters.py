"""``g15diag adapters``: candidate ports; opens nothing unless ``--probe``."""

from __future__ import annotations

import json
from typing import Any

import click

from g15diag.commands.options import BAUD, TIMEOUT
from g15diag.protocol.visible import visible


@click.command("adapters")
@click.option("--probe", is_flag=True, help="Ask each port for ATI (and nothing else).")
@click.option(
    "--baud",
    default="38400",
    show_default=True,
    type=BAUD,
    metavar="BAUD|auto",
    help="Serial speed for --probe, or 'auto'.",
)
@click.option(
    "--timeout",
    default=2.0,
    show_default=True,
    type=TIMEOUT,
    metavar="SECONDS",
    help="Seconds to wait for each port's answer with --probe.",
)
@click.option(
    "--ble",
    is_flag=True,
    help="Search the air for Bluetooth LE OBD adapters instead (connects to none).",
)
@click.option(
    "--seconds",
    default=5.0,
    show_default=True,
    type=TIMEOUT,
    metavar="SECONDS",
    help="How long --ble listens.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(
    probe: bool, baud: int | str, timeout: float, ble: bool, seconds: float, as_json: bool
) -> int:
    """List the ports an adapter may be on: USB serial (with its chip), Bluetooth, Wi-Fi.

    Read-only: nothing is opened unless --probe is given, which asks each port for ATI only.
    With --ble, listens for Bluetooth LE adapters for a few seconds and prints the exact
    --port ble://... for each (phones, watches and heart-rate sensors are left out).
    """
    from g15diag.app import api

    if ble:
        from g15diag.commands.adapters_ble import run

        return run(seconds, as_json)
    found = api.adapters(probe=probe, baud=baud, timeout=timeout)
    if as_json:
        click.echo(json.dumps(to_json(found, probe), ensure_ascii=False))
    else:
        click.echo(to_text(found))
    return 0


def to_json(found: list[Any], probed: bool) -> dict[str, Any]:
    """The --json object (schema_version 1)."""
    return {
        "schema_version": 1,
        "probed": probed,
        "ports": [
            {
                "port": p.port,
                "kind": p.kind,
                "description": p.description,
                "usb_id": p.usb_id,
                "chip": p.chip,
                "warning": p.warning,
                "identity": p.identity,
                "probe_error": p.probe_error,
            }
            for p in found
        ],
    }


def to_text(found: list[Any], platform: str | None = None) -> str:
    """One block per port; a plain note when no adapter port is present."""
    import sys

    platform = platform or sys.platform
    lines = []
    serial_ports = [p for p in found if p.kind != "wifi-hint"]
    adapters_found = [p for p in serial_ports if p.kind in ("usb-serial", "bluetooth")]
    where = {
        "win32": "Windows: Device Manager > Ports (COM & LPT); a Bluetooth adapter must be "
        "paired first (Settings > Bluetooth & devices)",
        "darwin": "macOS: a USB adapter appears as /dev/cu.usbserial-*, a paired Bluetooth "
        "one as /dev/cu.<name>",
    }.get(platform, "Linux: /dev/ttyUSB* or /dev/ttyACM*; Bluetooth needs `rfcomm bind`")
    if not serial_ports:
        lines.append("No serial or Bluetooth adapter port found.")
    elif not adapters_found:
        lines.append(
            "No USB or Bluetooth adapter found: only the computer's built-in serial "
            "port(s) below, which are not an OBD adapter."
        )
    if not adapters_found:
        lines.append(
            f"  Plug the adapter in (USB) or pair it (Bluetooth), then run this again ({where})."
            " See `g15diag help adapters`."
        )
    for p in found:
        head = f"{p.port}  [{p.kind}]"
        lines.append(head)
        if p.description:
            lines.append(f"    {p.description}")
        if p.usb_id:
            lines.append(f"    USB {p.usb_id}" + (f"  chip: {p.chip}" if p.chip else ""))
        if p.warning:
            lines.append(f"    WARNING: {p.warning}")
        if p.identity:
            lines.append(f"    ATI: {p.identity}")
        if p.probe_error:
            lines.append(f"    probe: {p.probe_error}")
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
