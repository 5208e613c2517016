"""Masking by value: once the serial and the VIN are known, their characters are masked
wherever they appear, whatever identifier, frame or field carries them.

A unit may repeat its serial in a part-number slot (F187, 1A 87), the VIN in another
(F190, 1A 90, 21 81), or in another shape: with a dash or a space inside, padded to 30
characters, behind a ``0x01`` byte, after ``VIN:``. Matching is on the value's letters and
digits in order, case-insensitive, with at most one other character between two of them.
Every output that is not the technician's own screen uses these rules (``discover`` table
and JSON, the ``--report`` zip, ``export --redact``). Sans I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

#: shorter values are not masked by value (they would match by chance)
MIN_LENGTH = 6
MASK = "*"


def cores(values: Iterable[str | None]) -> tuple[str, ...]:
    """The letters and digits of each known value (serial, VIN) long enough to look for."""
    found = {
        "".join(ch for ch in value if ch.isascii() and ch.isalnum()).upper()
        for value in values
        if value
    }
    return tuple(sorted((c for c in found if len(c) >= MIN_LENGTH), key=len, reverse=True))


@functools.lru_cache(maxsize=64)
def _pattern(core: str) -> re.Pattern[str]:
    return re.compile("[^0-9A-Za-z]?".join(re.escape(ch) for ch in core), re.IGNORECASE)


def contains(text: str | None, known: tuple[str, ...]) -> bool:
    """True when ``text`` carries one of the ``known`` values in any shape."""
    return bool(text) and any(_pattern(core).search(text or "") for core in known)


def contains_bytes(data: bytes | None, known: tuple[str, ...]) -> bool:
    """:func:`contains` on raw bytes (every byte one character)."""
    return bool(data) and contains((data or b"").decode("latin-1"), known)


def mask(text: str, known: tuple[str, ...]) -> str:
    """``text`` with the letters and digits of every occurrence of a ``known`` value starred
    (length and separators kept)."""
    for core in known:
        text = _pattern(core).sub(
            lambda m: "".join(MASK if ch.isalnum() else ch for ch in m.group()), text
        )
    return text
