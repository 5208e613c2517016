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
from g15diag.protocol.session import Session

LANGS = ("en", "ru")


@dataclass(frozen=True)
class Words:
    """One language: ``text[key]`` labels and the look-alike character names."""

    lang: str
    text: dict[str, str]
    lookalikes: dict[str, str]
    guidance: tuple[tuple[str, str], ...]  # the "nothing answered" steps (title, sentence)
    sessions: dict[str, str]  # Session.value -> the session's name in this language

    def __getitem__(self, key: str) -> str:
        return self.text[key]

    def session(self, session: Session) -> str:
        """``extended (10 03)`` / ``расширенный (10 03)``: the request bytes from Session."""
        return session.label_in(self.sessions[session.value])


@functools.cache
def words(lang: str) -> Words:
    """The words of ``lang`` (``en`` or ``ru``); UsageError for any other."""
    if lang not in LANGS:
        raise UsageError(f"Unknown language {lang!r}: use {' or '.join(LANGS)}.")
    source = resources.files("g15diag.app.export").joinpath("lang", f"{lang}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    if lang == "en":  # the one English text every face shows (hints, Session.word)
        from g15diag.hints import NOTHING_ANSWERED_STEPS as guidance

        sessions = {session.value: session.word for session in Session}
    else:
        guidance = tuple((step["title"], step["text"]) for step in data["guidance"])
        sessions = dict(data["sessions"])
    return Words(lang, dict(data["text"]), dict(data["lookalikes"]), tuple(guidance), sessions)
