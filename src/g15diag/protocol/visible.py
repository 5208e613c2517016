"""Text from a unit, an adapter, a file or a variable, made safe to show anywhere.

Every character that is not printable (ESC, NUL, BEL, bidirectional overrides such as
U+202E, other format characters) is shown by name: ``\\x1b``, ``\\x00``, ``U+202E``; a
backslash stays a backslash. :func:`bounded` also cuts a long text and says how much was cut.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories never shown raw: controls (tab and newline included), format (bidi
#: overrides, zero-width), line/paragraph separators, surrogates, private use, unassigned
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _shown(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"U+{code:04X}"


def is_hidden(ch: str) -> bool:
    """True for a character that must not reach an output raw."""
    return unicodedata.category(ch) in _HIDDEN


def visible(text: str) -> str:
    """``text`` with every non-printable character spelled out (``\\x1b``, ``U+202E``)."""
    if text.isprintable():
        return text
    return "".join(_shown(ch) if is_hidden(ch) else ch for ch in text)


#: the note after a cut text; ``{n}`` is how many characters were cut (a sheet translates it)
CUT_NOTE = "… ({n} more characters not shown)"


def bounded(text: str, limit: int, note: str = CUT_NOTE, thousands: str = ",") -> str:
    """:func:`visible` ``text``, cut to ``limit`` characters with ``note`` saying how many
    were cut."""
    shown = visible(text)
    if len(shown) <= limit:
        return shown
    keep = max(0, limit - 40)
    return shown[:keep] + note.format(n=f"{len(shown) - keep:,}".replace(",", thousands))
