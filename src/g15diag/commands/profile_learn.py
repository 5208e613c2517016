"""``g15diag profile learn REPORT.zip -o FILE.toml``: a field report becomes a profile (and,
with ``--fixture``, a CI case). The work is app/learn.py's; this is the command line."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("learn")
@click.argument("report", type=click.Path(dir_okay=False))
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="Profile to write."
)
@click.option(
    "--item",
    metavar="ID",
    help="The serial candidate to learn when the report has several (e.g. 0xF1A7).",
)
@click.option(
    "--base",
    default="almera-g15",
    show_default=True,
    help="The profile the learned unit is added to (a shipped name or a file).",
)
@click.option(
    "--fixture",
    metavar="DIR/NAME",
    help="Also write DIR/NAME.log, DIR/NAME.json (the report's trace and sidecar with an "
    "`expected` block): a test case for tests/test_trace_fixtures.py.",
)
@click.option("--force", is_flag=True, help="Replace files that exist.")
def command(
    report: str, output: str, item: str | None, base: str, fixture: str | None, force: bool
) -> int:
    """Write a profile that reads the serial where REPORT (from `discover --report`) found
    a serial candidate: the shipped profile with the report's unit first (its CAN IDs, bit
    rate and family), the candidate as the serial item, read in the session it answered in;
    source names the report, confidence says "one field report". Several candidates: they
    are listed and the command exits 2 unless --item picks one.

    Then: g15diag read-serial --profile FILE.toml (export, identify and the page take it too).
    """
    from g15diag.app import learn
    from g15diag.system import files
    from g15diag.vehicles import profiles

    data = learn.read_report(report)
    cand = learn.choose(learn.candidates(data), item)
    text = learn.learned_profile(profiles.source_text(base), cand, data.name)
    paths = [Path(output)]
    if fixture:
        paths += [Path(fixture + ".log"), Path(fixture + ".json")]
    for path in paths:
        files.check_new(path, force=force)  # before anything is written
    files.write_new(output, text, force=force)
    click.echo(f"Wrote {output}: {cand.line()}")
    if fixture:
        trace = files.write_new(paths[1], data.trace, force=force)
        side = learn.fixture_sidecar(data, cand)
        side["expected"] = learn.expected(trace, cand, output, Path(output))
        files.write_new(paths[2], learn.to_bytes(side), force=force)
        click.echo(f"Wrote {paths[1]} and {paths[2]}: the CI case (tests/test_trace_fixtures.py).")
    click.echo(f"Check it: g15diag read-serial --profile {output} --port <your adapter>")
    return 0
