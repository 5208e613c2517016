"""``--wide`` for read-serial, identify, scan and export, and the search progress line a
terminal shows while many addresses are tried (the search itself is app/search.py's)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from g15diag.app.search import SearchProgress


def _help() -> str:
    from g15diag.app.wide import wide_minutes

    return (
        "Search every 11-bit request ID 700-7FF (but the broadcast 7DF) at 500 and 250 "
        "kbit/s, the profile's candidates first; each response ID is learned from the frame "
        f"that answers. At most about {wide_minutes()} min on an ELM327 when nothing answers."
    )


wide_option = click.option("--wide", is_flag=True, help=_help())


@contextmanager
def progress_line(enabled: bool) -> Iterator[Callable[[SearchProgress], None] | None]:
    """A one-line progress display on a terminal's stderr (None when not a terminal)."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    width = 0

    def show(step: Any) -> None:
        nonlocal width
        text = (
            f"searching {step.attempt}/{step.attempts}: 0x{step.request_id:03X} "
            f"@{step.bitrate // 1000}k {step.rung}"
        )
        width = max(width, len(text))
        click.echo(f"\r{text:<{width}}", nl=False, err=True)

    try:
        yield show
    finally:
        click.echo("\r" + " " * width + "\r", nl=False, err=True)
