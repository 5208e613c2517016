"""The sheet's words, from the one catalogue (:mod:`g15diag.lang`) the page shares."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from g15diag.lang import LANGS, catalogue, face
from g15diag.protocol.session import Session

__all__ = ["LANGS", "Words", "words"]


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
    data = catalogue(lang)  # UsageError for a language there is none of
    if lang == "en":  # the one English text every face shows (hints, Session.word)
        from g15diag.app.hints import NOTHING_ANSWERED_STEPS as guidance

        sessions = {session.value: session.word for session in Session}
    else:
        from g15diag.app.wide import wide_minutes

        minutes = str(wide_minutes())  # the --wide step says how long it takes
        guidance = tuple(
            (step["title"], step["text"].replace("{minutes}", minutes)) for step in data["guidance"]
        )
        sessions = dict(data["sessions"])
    return Words(lang, face(lang, "sheet"), dict(data["lookalikes"]), tuple(guidance), sessions)
