"""The exact adapter commands g15diag sends an ELM327, checked at the lowest write.

Each AT/ST command is allowed only in the shape the tool itself uses: fixed flow-control data
(``30 00 00``: clear to send, no block limit, no separation time), CAN protocols 6-9 only, IDs
of the right width, and nothing that makes the adapter put caller-chosen bytes on the bus
(``ATCAF0`` sends a data line raw, ``ATFCSD`` with other bytes answers every first frame with
them, ``ATMA``/``ATBRD``/``ATPP`` change or monitor the adapter). A data line must be a request
the read-only guard allows. Anything else raises :class:`ReadOnlyViolation` before a byte is
written.
"""

from __future__ import annotations

import re

from g15diag import errors
from g15diag.protocol import guard

#: flow-control data the tool answers first frames with: clear to send, block size 0, STmin 0
FC_DATA = "300000"

_ID11 = "[0-7][0-9A-F]{2}"  # 000-7FF
_ID29 = "[01][0-9A-F]{7}"  # 00000000-1FFFFFFF
#: (shape, why the tool sends it); each shape is a full match on the squashed command
SHAPES: tuple[tuple[str, str], ...] = (
    ("ATD", "defaults without a chip reset (also turns CAN auto-formatting back on)"),
    ("ATE0", "echo off"),
    ("ATS0", "spaces off"),
    ("ATH1", "CAN IDs in answers"),
    ("ATI", "identity"),
    ("AT@1", "device description (doctor)"),
    ("ATRV", "battery voltage (doctor)"),
    ("STI", "STN identity (doctor)"),
    ("STDI", "STN device identity (doctor)"),
    ("ATSP[6-9]", "CAN protocol 6-9 (11/29-bit, 500/250 kbit/s)"),
    ("ATST[0-9A-F]{2}", "silence that ends an answer, in 4 ms units"),
    (f"ATSH{_ID11}", "11-bit request ID"),
    ("ATSH[0-9A-F]{6}", "low 24 bits of a 29-bit request ID"),
    ("ATCP[01][0-9A-F]", "top 5 bits of a 29-bit request ID"),
    (f"ATCRA{_ID11}", "11-bit answer filter"),
    (f"ATCRA{_ID29}", "29-bit answer filter"),
    (f"ATFCSH{_ID11}", "11-bit flow-control ID"),
    (f"ATFCSH{_ID29}", "29-bit flow-control ID"),
    (f"ATFCSD{FC_DATA}", "flow-control data, fixed"),
    ("ATFCSM1", "user-defined flow-control ID and data"),
)
_ALLOWED = re.compile("|".join(f"(?:{shape})" for shape, _ in SHAPES))
_HEX = re.compile("[0-9A-F]+")


def squash(command: str) -> str:
    """``at fc sd 30 00 00`` -> ``ATFCSD300000`` (the adapter ignores spaces and case)."""
    return command.replace(" ", "").upper()


def is_data(command: str) -> bool:
    """True for a hex data line (a request for the bus), False for an AT/ST command."""
    return bool(_HEX.fullmatch(squash(command)))


def check_command(command: str) -> None:
    """Refuse any adapter line that is not an allowed AT command or a guarded request."""
    if not command.isascii():  # "ATSH7\ufb00".upper() is "ATSH7FF": judge the bytes sent
        raise errors.ReadOnlyViolation(
            f"Refused adapter line {command[:40]!r}: not ASCII. Nothing was sent."
        )
    squashed = squash(command)
    if squashed and _HEX.fullmatch(squashed):
        hex_part = squashed[:-1] if len(squashed) % 2 else squashed  # response-count digit
        guard.check_request(bytes.fromhex(hex_part))
        return
    if squashed.startswith(("AT", "ST")):
        if _ALLOWED.fullmatch(squashed):
            return
        raise errors.ReadOnlyViolation(
            f"Refused adapter command {command[:40]!r}: g15diag sends AT commands only in the "
            "shapes it needs, and this is not one of them. Nothing was sent."
        )
    raise errors.ReadOnlyViolation(f"Refused adapter line {command[:40]!r}. Nothing was sent.")


def request_of(command: str) -> bytes | None:
    """The request PDU a data line carries (without the response-count digit), else None."""
    squashed = squash(command)
    if not squashed or not _HEX.fullmatch(squashed):
        return None
    return bytes.fromhex(squashed[:-1] if len(squashed) % 2 else squashed)
