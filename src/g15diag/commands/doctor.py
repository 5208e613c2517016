"""``g15diag doctor``: the adapter self-test, with a verdict a technician can act on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.commands.options import adapter_options
from g15diag.errors import ExitStatus
from g15diag.protocol.visible import visible

if TYPE_CHECKING:
    from g15diag.app.checks import DoctorReport
    from g15diag.app.link import Run

_MARK = {"ok": "ok", "missing": "MISSING", "warning": "warning"}


@click.command("doctor")
@adapter_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(as_json: bool, options: AdapterOptions, run: Run) -> int:
    """Self-test the adapter before any head-unit traffic.

    Reports identity, supply voltage, one line per command the tool needs, whether a 3-byte
    request and a multi-frame answer survive the adapter (one identification read to the
    engine ECU), and on Linux port permission, busy port and brltty. Exit status 0 when the
    adapter is usable (possibly with limits), 7 when it is not.
    """
    from g15diag.app import api

    report = api.doctor(options=options, run=run)
    click.echo(json.dumps(to_json(report), ensure_ascii=False) if as_json else to_text(report))
    return ExitStatus.OK if report.usable else ExitStatus.NOT_USABLE


def to_json(report: DoctorReport) -> dict[str, Any]:
    """The --json object: the report's one JSON form (schema_version 1)."""
    return report.to_dict()


def to_text(report: DoctorReport) -> str:
    """The human report: one line per check, the verdict, then the advice."""
    lines = []
    if report.simulated:
        lines.append("SIMULATED: this is the built-in simulator, not a real adapter.")
    speed = f" at {report.baud} baud" if report.baud else ""
    lines.append(f"Adapter self-test on {report.port}{speed}")
    for key, value in report.identity.items():
        lines.append(f"  {key:<18} {value}")
    for check in report.checks:
        lines.append(f"  {check.name:<18} {_MARK[check.status]:<8} {check.detail}")
    lines.append(f"Verdict: {report.verdict}")
    for advice in report.advice:
        lines.append(f"  - {advice}")
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
