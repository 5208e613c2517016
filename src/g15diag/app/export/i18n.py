"""The sheet's words, as data: ``lang/<code>.toml`` (one file per language)."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from g15diag.errors import UsageError

LANGS = ("en", "ru")


@dataclass(frozen=True)
class Words:
    """One language: ``text[key]`` labels and the look-alike character names."""

    lang: str
    text: dict[str, str]
    lookalikes: dict[str, str]
    guidance: tuple[tuple[str, str], ...]  # the "nothing answered" steps (title, sentence)

    def __getitem__(self, key: str) -> str:
        return self.text[key]


@functools.cache
def words(lang: str) -> Words:
    """The words of ``lang`` (``en`` or ``ru``); UsageError for any other."""
    if lang not in LANGS:
        raise UsageError(f"Unknown language {lang!r}: use {' or '.join(LANGS)}.")
    source = resources.files("g15diag.app.export").joinpath("lang", f"{lang}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    if lang == "en":  # the one English text every face shows
        from g15diag.hints import NOTHING_ANSWERED_STEPS as guidance
    else:
        guidance = tuple((step["title"], step["text"]) for step in data["guidance"])
    return Words(lang, dict(data["text"]), dict(data["lookalikes"]), tuple(guidance))
