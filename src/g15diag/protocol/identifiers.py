"""Presenting identifier bytes to people: printable text, padding, look-alike characters.

The raw bytes are never changed; text is derived for display only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

PADDING_BYTES = frozenset({0x00, 0xFF, 0x20, 0xA3})

LOOKALIKES: dict[str, str] = {
    "0": "zero",
    "O": "capital o",
    "o": "small o",
    "1": "one",
    "I": "capital i",
    "l": "small L",
    "5": "five",
    "S": "capital s",
    "8": "eight",
    "B": "capital b",
}


@dataclass(frozen=True)
class DecodedText:
    """Identifier bytes as text: ``text`` is the printable body, ``padding`` what trailed it."""

    raw: bytes
    text: str
    padding: bytes
    clean: bool  # True when every body byte is printable ASCII

    @property
    def hex(self) -> str:
        return self.raw.hex(" ").upper()


def decode(raw: bytes) -> DecodedText:
    """Split trailing padding (00/FF/20/A3) from the body and render the body as ASCII.

    Non-printable body bytes are shown as ``\\xNN`` and make ``clean`` false.
    """
    end = len(raw)
    while end and raw[end - 1] in PADDING_BYTES:
        end -= 1
    body, padding = raw[:end], raw[end:]
    clean = all(0x20 <= b < 0x7F for b in body)
    text = "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02X}" for b in body)
    return DecodedText(raw=bytes(raw), text=text, padding=bytes(padding), clean=clean)


#: a serial candidate's length in characters (discover, and the -v masking of such answers)
SERIAL_MIN, SERIAL_MAX = 6, 24


def looks_like_serial(text: str | None, clean: bool, others: Collection[str] = ()) -> bool:
    """Printable alphanumeric, 6-24 characters, not the VIN and not one of ``others`` (the
    part number). The one serial-candidate predicate: ``discover`` flags with it, and
    :mod:`g15diag.app.privacy` masks any answer it holds for."""
    from g15diag.protocol.obd import check_vin

    if text is None or not clean or not SERIAL_MIN <= len(text) <= SERIAL_MAX:
        return False
    if not (text.isascii() and text.isalnum()) or text in others:
        return False
    return not (len(text) == 17 and check_vin(text).valid)


def looks_personal(data: bytes) -> bool:
    """Identifier data that looks like a serial candidate or a VIN (to be masked)."""
    decoded = decode(data)
    if decoded.clean and len(decoded.text) == 17 and decoded.text.isalnum():
        return True
    return looks_like_serial(decoded.text, decoded.clean)


def may_look_personal(prefix: bytes, length: int) -> bool:
    """The first bytes of identifier data ``length`` bytes long (the rest not seen yet) that
    may still turn out to be a serial candidate or a VIN."""
    if length < SERIAL_MIN:
        return False
    return all(b in PADDING_BYTES or (0x30 <= b < 0x7F and chr(b).isalnum()) for b in prefix)


def spell_lookalikes(text: str) -> list[tuple[int, str, str]]:
    """(1-based position, character, name) for every easily confused character."""
    return [(i, ch, LOOKALIKES[ch]) for i, ch in enumerate(text, 1) if ch in LOOKALIKES]


def spelled(text: str) -> str:
    """A one-line spelling such as ``4: 0 zero, 5: O capital o``."""
    return ", ".join(f"{pos}: {ch} {name}" for pos, ch, name in spell_lookalikes(text))
