"""``--json``: stdout carries one JSON document per run, the result or the error object.

The CLI notes ``--json`` (``cli._watch_json``) and prints an error as a JSON object on stdout
too (``cli.report_json``), unless the command already printed its result there with
:func:`echo` (``scan`` and ``discover`` print who answered, then exit 4 when nobody did).
"""

from __future__ import annotations

import json
from typing import Any

import click

_state = {"requested": False, "written": False}


def reset() -> None:
    """A new run: nothing requested, nothing written."""
    _state["requested"] = _state["written"] = False


def request() -> None:
    """The run's command was given ``--json``."""
    _state["requested"] = True


def error_object_wanted() -> bool:
    """True when an error should also go to stdout as a JSON object."""
    return _state["requested"] and not _state["written"]


def echo(data: Any, *, indent: int | None = None) -> None:
    """Print the command's JSON result on stdout (the run's one JSON document)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent))
    _state["written"] = True
