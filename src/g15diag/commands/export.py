"""``g15diag export``: the dealer request as a printable sheet (en/ru), JSON or CSV."""

from __future__ import annotations

import click

from g15diag.adapter import AdapterOptions
from g15diag.commands.identify import run_identify
from g15diag.commands.options import adapter_options, target_options
from g15diag.commands.sessions import sessions_option


@click.command("export")
@adapter_options(optional=True)
@target_options
@sessions_option
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    help="Build from a saved `identify --json` file instead of reading the car.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write (.txt, .json or .csv).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    help="Output format (default: from the suffix .txt/.json/.csv).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    default="en",
    show_default=True,
    help="Language of the text sheet.",
)
@click.option("--redact", is_flag=True, help="Mask VIN (keep 11) and serial (keep last 4).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def command(
    from_file: str | None,
    output: str,
    fmt: str | None,
    lang: str,
    redact: bool,
    force: bool,
    sessions: str,
    options: AdapterOptions | None,
) -> int:
    """Write the dealer request: VIN, head-unit serial, part number, supplier, versions.

    Reads the car (same options as `identify`) or uses --from FILE. The file is written
    atomically and never replaces an existing one without --force. Codes are issued only
    by the manufacturer's dealer; this tool does not compute them.
    """
    from g15diag.app.export import (
        check_writable,
        format_for,
        load_identify_json,
        render,
        write_atomic,
    )
    from g15diag.errors import UsageError

    kind = format_for(output, fmt)
    check_writable(output, force=force)  # before any read of the car
    if from_file:
        data = load_identify_json(from_file)
    else:
        if options is None:
            raise UsageError("Give --port (or --interface) to read the car, or --from FILE.")
        data = run_identify(options, sessions).to_dict()
    write_atomic(output, render(data, kind, lang=lang, redacted=redact), force=force)
    note = " (SIMULATED data)" if data.get("simulated") else ""
    click.echo(f"Wrote {output} ({kind}{', redacted' if redact else ''}){note}.")
    return 0
