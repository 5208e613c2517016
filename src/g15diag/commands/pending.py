"""The terminal line a read shows while the unit keeps answering responsePending (0x78)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from g15diag.client import PendingHook, PendingWait


@contextmanager
def pending_notice() -> Iterator[PendingHook | None]:
    """A hook that shows the wait on stderr when it is a terminal (None otherwise); the line
    is cleared at the end."""
    if not sys.stderr.isatty():
        yield None
        return
    shown = False

    def show(wait: PendingWait) -> None:
        nonlocal shown
        shown = True
        click.echo(
            f"\rthe unit is busy: 'response pending' x{wait.count}, {wait.elapsed:.0f} s "
            f"(waiting up to {wait.cap:.0f} s) ",
            nl=False,
            err=True,
        )

    try:
        yield show
    finally:
        if shown:
            click.echo("\r" + " " * 64 + "\r", nl=False, err=True)
