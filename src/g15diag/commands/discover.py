"""``g15diag discover``: every identification identifier of every answering unit, serial
candidates marked (unverified), and ``--report FILE.zip`` for the project."""

from __future__ import annotations

import copy
import dataclasses
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from g15diag.app.adapter import REPLAY_PREFIX, AdapterOptions
from g15diag.commands import jsonout
from g15diag.commands.options import adapter_options, profile_option
from g15diag.commands.sessions import sessions_option
from g15diag.protocol.visible import visible

if TYPE_CHECKING:
    from g15diag.app.discover import DiscoverResult
    from g15diag.app.link import Run


@click.command("discover")
@adapter_options
@profile_option
@click.option(
    "--range",
    "id_range",
    metavar="FIRST-LAST",
    help="Also scan every request ID in this hex range (as `scan --range`).",
)
@sessions_option
@click.option(
    "--report",
    metavar="FILE.zip",
    type=click.Path(dir_okay=False),
    help="Also write a field report (doctor, scan, discover, trace; VIN and serial masked "
    "unless --unredacted) to send to the project (g15diag help field-guide).",
)
@click.option("--force", is_flag=True, help="Replace an existing --report file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(
    id_range: str | None,
    sessions: str,
    report: str | None,
    force: bool,
    as_json: bool,
    options: AdapterOptions,
    run: Run,
) -> int:
    """Sweep the identification ranges of every unit that answers: UDS 22 F180-F1AF, KWP
    1A 80-9F and 21 80-9F, in the default session and, where refused, in the session the
    identification ladder found (always left). One request each, bounded time per unit.

    Values that look like a serial are marked as candidates: UNVERIFIED. The exchange is
    recorded: give --trace FILE.log (never overwritten) or --report FILE.zip.
    """
    from g15diag.app import hints
    from g15diag.errors import NoAnswer, UsageError, UserInterrupt
    from g15diag.system import files

    if run.trace is None and not report:
        raise UsageError(
            "discover records the exchange: give --trace FILE.log (and/or --report FILE.zip)."
        )
    if report:
        check_report_name(report)
        files.check_new(report, force=force)  # before the car is read
        if run.trace is not None:
            from g15diag.traces import sidecar

            files.check_distinct(
                [
                    ("--report", report),
                    ("--trace", run.trace),
                    ("the trace's sidecar", str(sidecar.path_for(run.trace))),
                ]
            )
    user_trace = run.trace is not None
    doctor = _doctor(options, run) if report else None
    with tempfile.TemporaryDirectory(prefix="g15diag-report-") as folder:
        if run.trace is None:
            run = dataclasses.replace(run, trace=str(Path(folder) / "t.log"))
        result = _discover(options, run, id_range, sessions)
        data = result.to_dict()
        hidden = set() if run.unredacted else sensitive_requests(data)
        if as_json:  # the run's JSON document, even with exit 4 (or an adapter error)
            jsonout.echo(masked_json(data, hidden), indent=2)
        else:
            click.echo(to_text(result, hidden))
        if report:
            written = _write_report(report, force, run, doctor, result, user_trace)
            partial = " (with what was gathered before the error)" if result.error else ""
            click.echo(f"Wrote the field report {written}{partial}.", err=True)
    if isinstance(result.error, UserInterrupt) and result.error.__cause__ is not None:
        raise result.error.__cause__  # Ctrl-C: the table and the report came first
    if result.error is not None:  # after the output and the report: its sentence and status
        raise result.error
    if not result.units:
        widened = any(r.candidate.source == "--wide" for r in result.scan.rows)
        raise NoAnswer(
            f"Nothing answered at {len(result.scan.rows)} address(es)"
            + (", every request ID 700-7FF included." if widened else "."),
            hint=hints.WIDE_DONE_HINT if widened else hints.NOTHING_ANSWERED_HINT,
        )
    return 0


def check_report_name(report: str) -> None:
    """``--report`` is a zip file with a .zip name: not ``-``, not ``r.json``."""
    from g15diag.errors import UsageError

    if report == "-":
        raise UsageError(
            "--report writes a zip file and cannot go to standard output: name it, e.g. "
            "--report field-report.zip."
        )
    if Path(report).suffix.lower() != ".zip":
        raise UsageError(
            f"--report writes a zip file: name it with .zip (e.g. {Path(report).stem}.zip), "
            f"not {Path(report).name!r}."
        )


def _discover(
    options: AdapterOptions, run: Run, id_range: str | None, sessions: str
) -> DiscoverResult:
    from g15diag.app import api

    show = sys.stderr.isatty()

    def progress(step: Any) -> None:
        click.echo(
            f"\r{step.attempt}/{step.attempts} 0x{step.request_id:03X} "
            f"@{step.bitrate // 1000}k {step.rung:<20}",
            nl=False,
            err=True,
        )

    result = api.discover(
        options=options,
        id_range=id_range,
        sessions=sessions,
        progress=progress if show else None,
        keep_partial=True,  # an adapter error or Ctrl-C still leaves the table and report
        widen=id_range is None,  # nothing at the profile's candidates: every address
        run=run,
    )
    if show:
        click.echo("\r" + " " * 60 + "\r", nl=False, err=True)
    return result


def _doctor(options: AdapterOptions, run: Run) -> dict[str, Any] | None:
    """The adapter self-test for the report; None for a native CAN bus or a replay. It
    records no trace (the report's trace is discover's) and shows no traffic."""
    if options.interface or (options.port or "").startswith(REPLAY_PREFIX):
        return None
    from g15diag.app import api

    return api.doctor(options=options, unredacted=run.unredacted).to_dict()


def _write_report(
    report: str,
    force: bool,
    run: Run,
    doctor: dict[str, Any] | None,
    result: DiscoverResult,
    user_trace: bool = False,
) -> Path:
    from g15diag.app.field_report import report_bytes
    from g15diag.system import files

    assert run.trace is not None
    content = report_bytes(doctor, result, Path(run.trace), run.unredacted, own=not user_trace)
    return files.write_new(report, content, force=force)


UNMASK_NOTE = (
    "Values that look like a serial or a VIN are masked (personal data); "
    "add --unredacted to show them."
)


def sensitive_requests(data: dict[str, Any]) -> set[bytes]:
    """The requests whose answers discover's own output masks (as the report does)."""
    from g15diag.app.report import sensitive_requests as report_sensitive

    answered = {
        bytes.fromhex(item["request"])
        for unit in data.get("units", [])
        for item in unit["items"]
        if item["text"] is not None
    }
    return report_sensitive(data) & answered


def masked_json(data: dict[str, Any], hidden: set[bytes]) -> dict[str, Any]:
    """``discover --json`` with the text of ``hidden`` answers starred (length kept) and
    their hex removed; ``masked`` and ``unmask`` say so."""
    if not hidden:
        return data
    out = copy.deepcopy(data)
    out["masked"] = True
    out["unmask"] = UNMASK_NOTE
    for unit in out["units"]:
        for item in unit["items"]:
            if bytes.fromhex(item["request"]) in hidden:
                item["text"] = "*" * len(item["text"] or "")
                item["hex"] = None
    return out


def to_text(result: Any, hidden: set[bytes] | frozenset[bytes] = frozenset()) -> str:
    """One table per unit: identifier, status/NRC, session, length, ASCII, hex; answers to
    ``hidden`` requests starred (length kept)."""
    lines = []
    if result.simulated:
        lines.append("SIMULATED: these answers come from the built-in simulator, not from a car.")
    for unit in result.units:
        t = unit.target
        lines.append(
            f"Unit {t.label} at {t.bitrate // 1000} kbit/s ({unit.candidate.name}); "
            f"session found: {unit.session.label}; {unit.seconds:.1f} s"
            + (" (time budget reached: sweep incomplete)" if unit.truncated else "")
        )
        lines.append(f"  {'identifier':<10} {'status':<28} {'session':<12} {'len':>3}  text / hex")
        for f in unit.findings:
            reply = f.reply
            if reply.outcome.value == "silent":
                continue
            status = reply.outcome.item_status
            if reply.nrc is not None:
                status += f" (NRC 0x{reply.nrc:02X})"
            length = "" if reply.raw is None else str(len(reply.raw))
            text = f.text if f.text is not None else ""
            secret = reply.request in hidden
            if secret:
                text = "*" * len(text)
            mark = "  <- serial candidate (unverified)" if f.serial_candidate else ""
            lines.append(
                f"  {reply.request.hex(' ').upper():<10} {status:<28} {reply.session.value:<12} "
                f"{length:>3}  {text}{mark}"
            )
            if reply.raw is not None:
                raw = " ".join("**" for _ in reply.raw) if secret else reply.raw.hex(" ").upper()
                lines.append(f"  {'':<10} {'':<28} {'':<12} {'':>3}  {raw}")
        silent = sum(1 for f in unit.findings if f.reply.outcome.value == "silent")
        if silent:
            lines.append(f"  ({silent} identifier(s) got no answer)")
        lines.append("")
    found = sum(len(u.candidates) for u in result.units)
    lines.append(
        f"{len(result.units)} unit(s) answered; {found} serial candidate(s), UNVERIFIED: a value "
        "that looks like a serial is not known to be one."
    )
    if result.error is not None:
        why = "it was interrupted" if result.error.exit_status == 130 else "the adapter failed"
        lines.append(f"INCOMPLETE: {why} partway; the table holds what came before.")
    if hidden:
        lines.append(UNMASK_NOTE)
    return "\n".join(visible(line) for line in lines)  # an adapter's ESC stays text
