"""``g15diag export``: the dealer sheet (text, HTML, PDF in en/ru), JSON or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.app.export import FORMATS
from g15diag.commands.options import adapter_options, target_options
from g15diag.commands.sessions import sessions_option
from g15diag.commands.wide import progress_line, wide_option

if TYPE_CHECKING:
    from g15diag.app.link import Run


@click.command("export")
@adapter_options(optional=True)
@target_options
@sessions_option
@wide_option
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    help="Build from a saved `identify --json` file (or a GUI session) instead of the car.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (.txt, .json, .csv, .html or .pdf); '-' for standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the file suffix; a contradicting suffix is refused).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    default="en",
    show_default=True,
    help="Language of the sheet (text, html, pdf).",
)
@click.option("--redact", is_flag=True, help="Mask VIN (keep 11) and serial (keep last 4).")
@click.option(
    "--append", is_flag=True, help="CSV: add this read as one row to an existing export CSV."
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def command(
    from_file: str | None,
    output: str,
    fmt: str | None,
    lang: str,
    redact: bool,
    append: bool,
    force: bool,
    sessions: str,
    wide: bool,
    options: AdapterOptions | None,
    run: Run,
) -> int:
    """Write the dealer sheet: VIN, head-unit serial, part number, versions, voltage, and
    blank lines for the owner's details (never stored).

    Reads the car (same options as `identify`; the battery voltage is read with it) or uses
    --from FILE. The file is written atomically and never replaces an existing one without
    --force. Codes are issued only by the manufacturer's dealer; this tool does not
    compute them.
    """
    from g15diag.app import api, export
    from g15diag.errors import UsageError

    kind = export.format_for(output, fmt)
    if append and kind != "csv":
        raise UsageError("--append works with CSV only (one row per read).")
    if from_file and options is not None:
        raise UsageError(
            "Give either --from FILE (a saved read) or --port/--interface (read the car), not both."
        )
    if run.trace is not None:  # every name this run writes, together, before the car
        from g15diag.system import files
        from g15diag.traces import sidecar

        files.check_distinct(
            [
                ("--output", output),
                ("--trace", run.trace),
                ("the trace's sidecar", str(sidecar.path_for(run.trace))),
            ]
        )
    export.check_writable(output, force=force, append=append)  # before any read of the car
    if from_file:
        record = export.load(from_file)
    else:
        if options is None:
            raise UsageError("Give --port (or --interface) to read the car, or --from FILE.")
        # identify and the battery voltage, in one adapter session
        with progress_line(wide) as progress:
            record = api.session(
                options=options, sessions=sessions, run=run, wide=wide, progress=progress
            )
    content = export.render(record, kind, lang=lang, redacted=redact)
    row: str | None = None
    if append:
        rendered = export.render(record, kind, redacted=redact, header=False)
        assert isinstance(rendered, str)  # CSV
        row = rendered
    export.write(output, content, force=force, append_csv=row)
    if output != "-":
        note = " (SIMULATED data)" if record.simulated else ""
        click.echo(f"Wrote {output} ({kind}{', redacted' if redact else ''}){note}.")
    if record.serial is None and not from_file:  # exit 5 whenever the serial was not read
        from g15diag.commands.identify import serial_not_read

        raise serial_not_read(record)
    return 0
