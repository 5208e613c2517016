"""``--json``: stdout carries one JSON document per run, the result or the error object.

Each run of the CLI has one :class:`Output` (``cli._run`` makes it and hands it to click as
the context object): the CLI notes ``--json`` there (``cli._watch_json``) and prints an error
as a JSON object on stdout too (``cli.report_json``), unless the command already printed its
result there with :func:`echo` (``scan`` and ``discover`` print who answered, then exit 4 when
nobody did). Nothing of it outlives the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click


@dataclass
class Output:
    """One run's stdout contract: was --json given, was the JSON document written."""

    requested: bool = False
    written: bool = False

    def error_object_wanted(self) -> bool:
        """True when an error should also go to stdout as a JSON object."""
        return self.requested and not self.written


def output(ctx: click.Context | None = None) -> Output:
    """The run's :class:`Output` (made on first use when click runs without ``cli.main``)."""
    ctx = ctx or click.get_current_context()
    return ctx.find_root().ensure_object(Output)


def echo(data: Any, *, indent: int | None = None) -> None:
    """Print the command's JSON result on stdout (the run's one JSON document)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent))
    output().written = True
