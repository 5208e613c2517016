"""Every word g15diag shows outside the terminal, as data: ``<lang>.toml`` (one per language).

One catalogue serves the local page and the dealer sheet (issue 17, item 4): ``[common]``
words both use, ``[sheet]``, ``[page]``, the page's ``[errors.<Kind>]`` (keyed by the error's
class in :mod:`g15diag.errors`) and ``[advice]`` (keyed by :attr:`Check.kind
<g15diag.app.checks.Check.kind>`), and the page's "nothing answered" ``[[steps]]``.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from g15diag.errors import UsageError
from g15diag.protocol.session import Session

LANGS = ("en", "ru")
INTERNAL = "internal"


@functools.cache
def catalogue(lang: str) -> dict[str, Any]:
    """The whole catalogue of ``lang`` (``en`` or ``ru``); UsageError for any other."""
    if lang not in LANGS:
        raise UsageError(f"Unknown language {lang!r}: use {' or '.join(LANGS)}.")
    source = resources.files("g15diag.i18n").joinpath(f"{lang}.toml")
    return tomllib.loads(source.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Words:
    """The sheet's words in one language: ``text[key]`` labels and the look-alike names."""

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
    """The sheet's words of ``lang`` (``en`` or ``ru``); UsageError for any other."""
    data = catalogue(lang)
    if lang == "en":  # the one English text every face shows (hints, Session.word)
        from g15diag.hints import NOTHING_ANSWERED_STEPS as guidance

        sessions = {session.value: session.word for session in Session}
    else:
        from g15diag.app.wide import wide_minutes

        minutes = str(wide_minutes())
        guidance = tuple(
            (step["title"], step["text"].replace("{minutes}", minutes)) for step in data["guidance"]
        )
        sessions = dict(data["sessions"])
    text = {**data["common"], **data["sheet"]}
    return Words(lang, text, dict(data["lookalikes"]), tuple(guidance), sessions)


@functools.cache
def page_words(lang: str) -> dict[str, Any]:
    """The page's words in ``lang``: labels, look-alike names, steps, errors and advice."""
    data = catalogue(lang)
    return {
        **data["common"],
        **data["page"],
        "lookalikes": dict(data["lookalikes"]),
        "steps": [dict(step) for step in data["steps"]],
        "errors": {kind: dict(text) for kind, text in data["errors"].items()},
        "doctor_advice": dict(data["advice"]),
    }


def error_kind(exc: BaseException) -> str:
    """The catalogue key of ``exc``: its class or the nearest ancestor ``[errors]`` lists."""
    known = catalogue("en")["errors"]
    return next((c.__name__ for c in type(exc).__mro__ if c.__name__ in known), INTERNAL)
