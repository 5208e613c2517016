"""``g15diag scan``: which candidate addresses answer, at which bit rate."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.commands import jsonout
from g15diag.commands.options import adapter_options, profile_option
from g15diag.commands.wide import wide_option
from g15diag.protocol.visible import visible

if TYPE_CHECKING:
    from g15diag.app.link import Run


@click.command("scan")
@adapter_options
@profile_option
@click.option(
    "--range",
    "id_range",
    metavar="FIRST-LAST",
    help="Also try every request ID in this hex range (e.g. 700-7FF), after the profile's "
    "candidates; response = request + the profile's scan offset; the broadcast ID 7DF is "
    "left out.",
)
@wide_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(
    id_range: str | None, wide: bool, as_json: bool, options: AdapterOptions, run: Run
) -> int:
    """Try every head-unit candidate of the profile at its bit rates; show who answered.

    Each candidate gets one read request (22 F1 8C, or 21 80 for KWP candidates).
    """
    from g15diag.app import api, hints
    from g15diag.errors import NoAnswer

    show = not as_json and sys.stderr.isatty()

    def progress(step: Any) -> None:
        click.echo(
            f"\rscanning {step.attempt}/{step.attempts}: 0x{step.request_id:03X} "
            f"@{step.bitrate // 1000}k ",
            nl=False,
            err=True,
        )

    hook = progress if show else None
    rows: list[Any] = []
    try:
        result = api.scan(
            options=options, id_range=id_range, wide=wide, progress=hook, run=run, rows=rows
        )
    except KeyboardInterrupt:  # Ctrl-C: what was found so far, then "Interrupted."
        if show:
            click.echo("\r" + " " * 40 + "\r", nl=False, err=True)
        if rows and not as_json:
            click.echo(rows_text(rows, options.simulated))
            click.echo(f"INCOMPLETE: interrupted after {len(rows)} address(es).")
        raise
    if show:
        click.echo("\r" + " " * 40 + "\r", nl=False, err=True)
    if as_json:
        jsonout.echo(result.to_dict(), indent=2)  # the run's JSON document, even with exit 4
    else:
        click.echo(to_text(result))
    if not result.responders:
        raise NoAnswer(
            f"Nothing answered at {len(result.rows)} address(es).", hint=hints.NOTHING_ANSWERED_HINT
        )
    return 0


def to_text(result: Any) -> str:
    """The who-answered table."""
    return rows_text(result.rows, result.simulated, result.seconds)


def rows_text(rows: Any, simulated: bool, seconds: float | None = None) -> str:
    """The who-answered table of ``rows`` (a whole scan's, or what came before Ctrl-C)."""
    seconds = sum(r.seconds for r in rows) if seconds is None else seconds
    lines = []
    if simulated:
        lines.append("SIMULATED: these answers come from the built-in simulator, not from a car.")
    lines.append(f"{'request/response':<18} {'kbit/s':>6}  {'outcome':<30} candidate")
    for row in rows:
        outcome = row.outcome.value
        if row.nrc is not None:
            from g15diag.protocol.uds import nrc_name

            outcome += f" (NRC 0x{row.nrc:02X} {nrc_name(row.nrc, row.request)})"
        lines.append(
            f"{row.target.label:<18} {row.target.bitrate // 1000:>6}  {outcome:<30} "
            f"{row.candidate.name} [confidence {row.candidate.confidence}]"
        )
    answered = sum(1 for r in rows if r.outcome.present or r.outcome.value == "pending")
    lines.append(
        f"{answered} of {len(rows)} answered; {seconds:.2f} s "
        f"({seconds / max(1, len(rows)) * 1000:.0f} ms per address)."
    )
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
