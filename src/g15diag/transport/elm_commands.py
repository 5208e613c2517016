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
from dataclasses import dataclass

from g15diag import errors
from g15diag.protocol import guard

#: flow-control data the tool answers first frames with: clear to send, block size 0, STmin 0
FC_DATA = "300000"

_ID11 = "[0-7][0-9A-F]{2}"  # 000-7FF
_ID29 = "[01][0-9A-F]{7}"  # 00000000-1FFFFFFF
#: the engine ECU's OBD addresses, which doctor's capability probes use (ISO 15765-4)
ENGINE_REQUEST, ENGINE_RESPONSE = 0x7E0, 0x7E8


@dataclass(frozen=True)
class ElmCommand:
    """One adapter command the tool sends, described once: the line it writes (``template``,
    ``str.format`` fields for the values), the shape the lowest write allows (a full match on
    the squashed command), why it is sent, and, when `doctor` tests it, the capability check
    (its name, the line doctor sends, whether reads need it, what it is for)."""

    template: str
    shape: str
    why: str
    check: str = ""  # doctor's check name; "" = not in the capability list
    probe: str = ""  # the line doctor sends ({protocol} filled in)
    required: bool = False
    what: str = ""  # doctor's description
    advice: str = ""  # doctor's advice kind when missing (lang [advice]); "" = the generic one

    def line(self, *values: int) -> str:
        """The command line for ``values`` (``HEADER_11.line(0x747)`` -> ``ATSH747``)."""
        return self.template.format(*values)


def _fixed(
    text: str, why: str, check: str = "", required: bool = False, what: str = ""
) -> ElmCommand:
    """A command without values (its line is its shape; doctor, if it tests it, sends it)."""
    return ElmCommand(text, text, why, check, text if check else "", required, what)


# The command set, in the order the read path sends it; doctor tests the ones with a check,
# in this order. The shapes together are the lowest write's allowlist.
DEFAULTS = _fixed("ATD", "defaults without a chip reset (also turns CAN auto-formatting back on)")
ECHO_OFF = _fixed("ATE0", "echo off")
HEADERS_ON = _fixed(
    "ATH1", "CAN IDs in answers", "ATH1", True, "CAN IDs in answers (needed to tell units apart)"
)
SPACES_OFF = _fixed(
    "ATS0", "spaces off (doctor only: the read path parses spaces)", "ATS0", False,
    "spaces off (only makes answers shorter)",
)  # fmt: skip
PROTOCOL = ElmCommand(
    "ATSP{:X}", "ATSP[6-9]", "CAN protocol 6-9 (11/29-bit, 500/250 kbit/s)", "ATSP6/8",
    "ATSP{protocol:X}", True, "CAN 11-bit protocol",
)  # fmt: skip
HEADER_11 = ElmCommand(
    "ATSH{:03X}", f"ATSH{_ID11}", "11-bit request ID", "ATSH", f"ATSH{ENGINE_REQUEST:03X}",
    True, "request CAN ID",
)  # fmt: skip
HEADER_24 = ElmCommand("ATSH{:06X}", "ATSH[0-9A-F]{6}", "low 24 bits of a 29-bit request ID")
PRIORITY = ElmCommand("ATCP{:02X}", "ATCP[01][0-9A-F]", "top 5 bits of a 29-bit request ID")
FILTER_11 = ElmCommand(
    "ATCRA{:03X}", f"ATCRA{_ID11}", "11-bit answer filter", "ATCRA",
    f"ATCRA{ENGINE_RESPONSE:03X}", True, "receive filter for the head unit's answer ID",
)  # fmt: skip
#: ``--wide``'s probe: pass every 11-bit ID 700-7FF (the datasheet's X wildcard, v1.3 like
#: ATCRA itself); the answer ID is learned from the frames, then the exact filter is set.
#: Only this one wildcard shape is allowed. Some clones take ATCRA but answer '?' to the X.
WIDE_FILTER_11 = ElmCommand(
    "ATCRA7XX", "ATCRA7XX", "answer filter passing 700-7FF, to learn a unit's answer ID",
    "ATCRA7XX", "ATCRA7XX", False, "wildcard answer filter 700-7FF (needed by --wide)",
    "wide_filter",
)  # fmt: skip
FILTER_29 = ElmCommand("ATCRA{:08X}", f"ATCRA{_ID29}", "29-bit answer filter")
FC_HEADER_11 = ElmCommand(
    "ATFCSH{:03X}", f"ATFCSH{_ID11}", "11-bit flow-control ID", "ATFC SH",
    f"ATFCSH{ENGINE_REQUEST:03X}", True, "flow-control ID for multi-frame answers",
)  # fmt: skip
FC_HEADER_29 = ElmCommand("ATFCSH{:08X}", f"ATFCSH{_ID29}", "29-bit flow-control ID")
FC_DATA_SET = _fixed(
    f"ATFCSD{FC_DATA}", "flow-control data, fixed", "ATFC SD", True, "flow-control data"
)
FC_MODE = _fixed(
    "ATFCSM1", "user-defined flow-control ID and data", "ATFC SM", True, "user flow-control mode"
)
SILENCE = ElmCommand(
    "ATST{:02X}", "ATST[0-9A-F]{2}", "silence that ends an answer, in 4 ms units", "ATST",
    "ATST19", False, "answer wait time (reads are slower without it)",
)  # fmt: skip
IDENTITY = _fixed("ATI", "identity (once, when the sheet, a report or doctor names the adapter)")
DESCRIPTION = _fixed("AT@1", "device description (doctor)")
VOLTAGE = _fixed("ATRV", "battery voltage (doctor, the sheet)")
STN_IDENTITY = _fixed("STI", "STN identity (doctor)")
STN_DEVICE = _fixed("STDI", "STN device identity (doctor)")

COMMANDS: tuple[ElmCommand, ...] = (
    DEFAULTS, ECHO_OFF, HEADERS_ON, SPACES_OFF, PROTOCOL, HEADER_11, HEADER_24, PRIORITY,
    FILTER_11, WIDE_FILTER_11, FILTER_29, FC_HEADER_11, FC_HEADER_29, FC_DATA_SET, FC_MODE, SILENCE,
    IDENTITY, DESCRIPTION, VOLTAGE, STN_IDENTITY, STN_DEVICE,
)  # fmt: skip
#: (shape, why the tool sends it); each shape is a full match on the squashed command
SHAPES: tuple[tuple[str, str], ...] = tuple((c.shape, c.why) for c in COMMANDS)
#: doctor's capability list: the commands it tests, in the read path's order
CAPABILITIES: tuple[ElmCommand, ...] = tuple(c for c in COMMANDS if c.check)
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
