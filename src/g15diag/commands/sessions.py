"""``--sessions never|auto``: whether the identification ladder may enter a diagnostic session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def sessions_option(func: F) -> F:
    """Add ``--sessions`` (value: a :class:`g15diag.app.search.SessionMode` value, which the
    API takes as it is)."""
    return click.option(
        "--sessions",
        type=click.Choice(["auto", "never"]),
        default="auto",
        show_default=True,
        help="auto: after the unit refuses a read in its default session, try the diagnostic "
        "sessions field tools use (10 03, 10 C0, 10 81; volatile, always left with 10 01 / "
        "10 81). never: stay in the default session.",
    )(func)
