"""``g15diag adapters --ble``: the Bluetooth LE search, as text (with progress) or JSON."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from g15diag.app.api import BleAdapter

NONE_FOUND_HINT = (
    "  Plug the adapter in and switch the ignition on; disconnect it from your phone first "
    "(a Bluetooth LE adapter is invisible while a phone is connected to it). No pairing is "
    "needed. See `g15diag help adapters`."
)


def run(seconds: float, as_json: bool) -> int:
    """Search, print, return the exit status (a BluetoothError goes to the CLI's handler)."""
    from g15diag.app import api

    progress = _Progress(seconds) if sys.stderr.isatty() and not as_json else None
    try:
        found = api.ble_adapters(seconds, on_tick=progress)
    finally:
        if progress is not None:
            progress.clear()
    if as_json:
        click.echo(json.dumps(to_json(found, seconds), ensure_ascii=False))
    else:
        click.echo(to_text(found, seconds))
    return 0


class _Progress:
    """``Searching for Bluetooth LE adapters... 3/5 s`` on one terminal line."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.shown = -1

    def __call__(self, elapsed: float) -> None:
        whole = min(int(elapsed), int(self.seconds))
        if whole != self.shown:
            self.shown = whole
            click.echo(
                f"\rSearching for Bluetooth LE adapters... {whole}/{self.seconds:g} s",
                err=True,
                nl=False,
            )

    def clear(self) -> None:
        if self.shown >= 0:
            click.echo("\r\033[K", err=True, nl=False)


def to_json(found: list[BleAdapter], seconds: float) -> dict[str, Any]:
    """The --ble --json object (schema_version 1)."""
    return {
        "schema_version": 1,
        "ble": True,
        "seconds": seconds,
        "devices": [
            {
                "name": a.name,
                "address": a.address,
                "rssi": a.rssi,
                "port": a.port,
                "why": a.why,
            }
            for a in found
        ],
    }


def to_text(found: list[BleAdapter], seconds: float) -> str:
    """One block per adapter, or a plain note with what to check."""
    if not found:
        return (
            f"No Bluetooth LE OBD adapter heard in {seconds:g} s of searching.\n" + NONE_FOUND_HINT
        )
    lines = [f"Bluetooth LE OBD adapters heard in {seconds:g} s (strongest first):"]
    for a in found:
        lines.append(f"{a.name or '(no name)'}  [bluetooth-le]  {a.address}  {a.rssi} dBm")
        caveat = "" if "name" in a.why else " only: printers and other gadgets use it too"
        lines.append(f"    use: --port {a.port}   (recognised by its {a.why}{caveat})")
    return "\n".join(lines)
