"""The sheet's words: the one catalogue in :mod:`g15diag.i18n` (the page uses it too)."""

from __future__ import annotations

from g15diag.i18n import LANGS, Words, words

__all__ = ["LANGS", "Words", "words"]
