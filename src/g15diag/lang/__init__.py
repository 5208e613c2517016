"""The one translation catalogue: ``lang/<code>.toml`` per language, shared by the page and
the dealer sheet. ``[words]`` serves both faces; ``[page]`` and ``[sheet]`` hold what only
one of them says; ``[sessions]``, ``[lookalikes]`` and ``[[guidance]]`` the sheet's tables."""

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
