"""Checked ``sim://`` option values: each bad value is one sentence and exit 2 (UsageError)."""

from __future__ import annotations

import math
import re

from g15diag.errors import UsageError

_PRINTABLE = re.compile(r"[ -~]*")


def _bad(name: str, value: str, wanted: str) -> UsageError:
    return UsageError(f"sim:// option {name} must be {wanted}, not {value[:40]!r}.")


def integer(name: str, value: str, low: int, high: int) -> int:
    """A decimal integer in ``low..high``."""
    text = value.strip()
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise _bad(name, value, f"a whole number from {low} to {high}")
    return int(text)


def hex_int(name: str, value: str, high: int, wanted: str) -> int:
    """A hex number in ``0..high``."""
    text = value.strip()
    if not re.fullmatch(r"[0-9A-Fa-f]{1,8}", text) or int(text, 16) > high:
        raise _bad(name, value, wanted)
    return int(text, 16)


def hex_bytes(name: str, value: str, most: int) -> bytes:
    """Hex bytes (``000000``), at most ``most`` of them."""
    text = value.replace(" ", "")
    if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})*", text) or len(text) > 2 * most:
        raise _bad(name, value, f"hex bytes (at most {most}, e.g. 0000)")
    return bytes.fromhex(text)


def seconds(name: str, value: str, high: float) -> float:
    """A finite number of seconds in ``0..high``."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= high:
        raise _bad(name, value, f"a number of seconds from 0 to {high:g}")
    return number


def text(name: str, value: str, most: int) -> str:
    """Printable ASCII, 1 to ``most`` characters."""
    if not value or len(value) > most or not _PRINTABLE.fullmatch(value):
        raise _bad(name, value, f"printable ASCII text of 1 to {most} characters")
    return value


def latin1(name: str, value: str, most: int) -> bytes:
    """1 to ``most`` characters of one byte each (``%00`` allowed: serials carry padding)."""
    if not value or len(value) > most or any(ord(c) > 0xFF or c == "\ufffd" for c in value):
        raise _bad(name, value, f"1 to {most} characters of one byte each (%00-%7F, Latin-1)")
    return value.encode("latin-1")


def flag(name: str, value: str) -> bool:
    """``0`` or ``1``."""
    if value not in ("0", "1"):
        raise _bad(name, value, "0 or 1")
    return value == "1"


def id_pair(name: str, value: str) -> tuple[int, int]:
    """``REQ:RESP`` CAN IDs in hex (11-bit up to 7FF, 29-bit up to 1FFFFFFF)."""
    parts = value.split(":")
    wanted = "two CAN IDs in hex, REQUEST:RESPONSE (e.g. 747:767)"
    if len(parts) != 2:
        raise _bad(name, value, wanted)
    first, second = (hex_int(name, p, 0x1FFFFFFF, wanted) for p in parts)
    return first, second
