"""The one translation catalogue: ``lang/<code>.toml`` per language, shared by the page and
the dealer sheet. ``[words]`` serves both faces; ``[page]`` and ``[sheet]`` hold what only
one of them says; ``[sessions]``, ``[lookalikes]`` and ``[[guidance]]`` the sheet's tables;
the page's ``[errors.<Kind>]`` (keyed by the error's class in :mod:`g15diag.errors`),
``[advice]`` (keyed by :attr:`Check.kind <g15diag.app.checks.Check.kind>`) and its "nothing
answered" ``[[steps]]``, each with the page action that takes it."""

from __future__ import annotations

import functools
import sys
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from g15diag.errors import UsageError

LANGS = ("en", "ru")


@functools.cache
def catalogue(lang: str) -> dict[str, Any]:
    """Every table of ``lang``'s file; UsageError for a language there is none of."""
    if lang not in LANGS:
        raise UsageError(f"Unknown language {lang!r}: use {' or '.join(LANGS)}.")
    source = resources.files("g15diag.lang").joinpath(f"{lang}.toml")
    data: dict[str, Any] = tomllib.loads(source.read_text(encoding="utf-8"))
    return data


def face(lang: str, table: str) -> dict[str, str]:
    """The words one face says in ``lang``: the shared ``[words]`` and its own ``table``."""
    data = catalogue(lang)
    return {**data["words"], **data[table]}


INTERNAL = "internal"


@functools.cache
def page_words(lang: str) -> dict[str, Any]:
    """The page's words in ``lang``: labels, look-alike names, the "nothing answered" steps
    (each with its page action), the errors by kind and doctor's advice by kind."""
    data = catalogue(lang)
    return {
        **face(lang, "page"),
        "lookalikes": dict(data["lookalikes"]),
        "steps": [dict(step) for step in data["steps"]],
        "errors": {kind: dict(text) for kind, text in data["errors"].items()},
        "doctor_advice": dict(data["advice"]),
    }


def error_kind(exc: BaseException) -> str:
    """The ``[errors]`` key of ``exc``: its class or the nearest ancestor the catalogue lists
    (the page says that sentence in its own language, never the CLI's English text)."""
    known = catalogue("en")["errors"]
    return next((c.__name__ for c in type(exc).__mro__ if c.__name__ in known), INTERNAL)
