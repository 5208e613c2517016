"""ELM327 text, sans I/O: command lines out, reply text in, typed frames and errors back.

Replies are parsed as an ELM327 prints them with headers on (``ATH1``), with spaces on or off:
each data line is a CAN ID followed by the ISO-TP PCI and data, padding included. Status lines
(``NO DATA``, ``CAN ERROR``...) become typed errors; echo, ``SEARCHING...``, NUL bytes and
``\\r\\n`` are tolerated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from g15diag import errors
from g15diag.protocol import isotp
from g15diag.protocol.can import Frame, Line, id_text

PROMPT = ">"
#: What the g15diag simulator appends to its ``ATI`` answer, so values read through a pty or
#: socket from `g15diag simulate` are still marked simulated.
SIMULATOR_MARK = "(g15diag simulator)"
#: The reply the tool waits for is everything up to this prompt character.

# Status lines, matched on the line with spaces removed and upper-cased, longest first.
_STATUS: tuple[tuple[str, type[errors.AdapterStatus] | None], ...] = (
    ("NODATA", None),
    ("CANERROR", errors.CanBusError),
    ("BUFFERFULL", errors.BufferFull),
    ("STOPPED", errors.AdapterStopped),
    ("UNABLETOCONNECT", errors.BusInitError),
    ("NOTCONNECTED", errors.CloneBusStatus),
    ("BUSBUSY", errors.CanBusError),
    ("BUSERROR", errors.CanBusError),
    ("FBERROR", errors.CanBusError),
    ("DATAERROR", errors.FrameCheckFailed),  # a unit answered; its frames failed the check
    ("<DATAERROR", errors.FrameCheckFailed),
    ("<RXERROR", errors.CanBusError),
    ("RXERROR", errors.CanBusError),
    ("LVRESET", errors.AdapterReset),
    ("ACTALERT", errors.AdapterReset),
    ("LPALERT", errors.AdapterReset),
)
_ERR_CODE = re.compile(r"^ERR\d\d$")
_BUS_INIT = ("OK", "...OK", "ERROR", "...ERROR")
#: every line an ELM327 prints that carries no data from the car
STATUS_WORDS = frozenset(
    {prefix for prefix, _ in _STATUS} | {"OK", "?", "SEARCHING...", "SEARCHING", PROMPT, ""}
)
_HEX = re.compile(r"^[0-9A-F]+$")


def reply_lines(text: str, sent: str = "", id_bits: int = 11) -> list[Line]:
    """Split adapter output at ``\r`` into :class:`Line` s, reading each data line as a frame.

    Nothing is dropped (echo, prompt, status and noise stay as text lines), so the lines put
    back together are exactly what the adapter sent.
    """
    echo = _squash(sent) if sent else None
    lines = []
    for piece in text.split("\r"):
        stripped = piece.strip()
        frame = None
        squashed = _squash(stripped)
        if squashed and squashed != echo and _HEX.match(squashed):
            found = frame_of(stripped, id_bits)
            frame = found if isinstance(found, Frame) else None
        lines.append(Line(piece, frame))
    return lines


def is_status_line(line: str) -> bool:
    """True for a line that is exactly an ELM327 status message (``NO DATA``, ``OK``...)."""
    squashed = _squash(line)
    return (
        squashed in STATUS_WORDS
        or bool(_ERR_CODE.match(squashed))
        or (squashed.startswith("BUSINIT:") and squashed.removeprefix("BUSINIT:") in _BUS_INIT)
    )


@dataclass
class FrameReply:
    """A parsed data reply: the frames printed, and whether the adapter said NO DATA."""

    frames: list[Frame] = field(default_factory=list)
    no_data: bool = False

    def pdus(self, can_id: int) -> list[bytes]:
        """Reassemble the frames of one responder into PDUs (strict ISO-TP)."""
        return list(isotp.reassemble(f.data for f in self.frames if f.can_id == can_id))

    def by_id(self) -> dict[int, list[bytes]]:
        """Every responder's PDUs, keyed by CAN ID in first-seen order."""
        ids = dict.fromkeys(f.can_id for f in self.frames)
        return {can_id: self.pdus(can_id) for can_id in ids}


def command_line(command: str) -> bytes:
    """Bytes to write for one command (CR-terminated ASCII)."""
    if not command or "\r" in command or "\n" in command:
        # A bare CR repeats the adapter's last command, which might be anything: never send it.
        raise ValueError(f"refusing to send {command!r} as an adapter command")
    return command.encode("ascii") + b"\r"


def data_command(pdu: bytes, response_count: int | None = None) -> str:
    """The hex command for a request PDU, with the optional ELM response-count digit."""
    text = pdu.hex().upper()
    if response_count is not None:
        if not 1 <= response_count <= 0xF:
            raise ValueError("response count digit must be 1..15")
        text += f"{response_count:X}"
    return text


def clean_lines(text: str, sent: str | None = None) -> list[str]:
    """Split adapter output into meaningful lines.

    Drops NUL bytes, the prompt, empty lines, the echo of ``sent`` and ``SEARCHING...``.
    """
    text = text.replace("\x00", "").replace(PROMPT, "")
    echo = _squash(sent) if sent else None
    lines = []
    for raw in re.split(r"[\r\n]+", text):
        line = raw.strip()
        if not line:
            continue
        squashed = _squash(line)
        if echo is not None and squashed == echo:
            echo = None  # only the first echo is ours
            continue
        if squashed.startswith("SEARCHING"):
            continue
        if squashed.startswith("BUSINIT") and squashed.endswith("OK"):
            continue
        lines.append(line)
    return lines


def _squash(line: str) -> str:
    return line.replace(" ", "").upper()


def raise_for_status(line: str, command: str | None = None) -> bool:
    """Raise the typed error for an ELM status line; True for NO DATA; False for data."""
    squashed = _squash(line)
    if squashed == "?":
        raise errors.AdapterUnsupported(command or "?")
    for prefix, exc in _STATUS:
        if squashed.startswith(prefix) or squashed.endswith(prefix):
            if exc is None:
                return True
            raise exc(line.strip(), command=command)
    if squashed.startswith("BUSINIT"):
        raise errors.CloneBusStatus(line.strip(), command=command)
    if _ERR_CODE.match(squashed):
        raise errors.AdapterFault(line.strip(), command=command)
    return False


def check_ok(command: str, text: str) -> list[str]:
    """Check the reply to an AT command; return its informative lines (``OK`` removed)."""
    lines = clean_lines(text, command)
    for line in lines:
        raise_for_status(line, command)
    return [line for line in lines if _squash(line) != "OK"]


def parse_frame_line(line: str, id_bits: int = 11) -> Frame:
    """Parse one headers-on data line into a :class:`Frame`.

    ``7E8 10 14 62 F1 8C 53 49``, ``7E81014...`` (spaces off) and 29-bit
    ``18 DA F1 10 03 62 ...`` / ``18DAF110036...`` are all accepted.
    """
    found = frame_of(line, id_bits)
    if isinstance(found, Frame):
        return found
    if found == "noise":
        raise errors.ProtocolError(
            f"The adapter sent line noise ({len(line)} characters that are not text) instead "
            "of an answer.",
            hint="That is line noise: check the cable and connector, and --baud (try "
            "--baud auto). A bad adapter clone can also do this (run `g15diag doctor`).",
        )
    if found == "unreadable":
        raise errors.ProtocolError(("Unreadable line from the adapter: ", errors.Quote(line), "."))
    raise errors.ProtocolError(
        ("Adapter line without a CAN header and data: ", errors.Quote(line), ".")
    )


def frame_of(line: str, id_bits: int = 11) -> Frame | str:
    """The frame in a headers-on data line, or why there is none: ``"noise"`` (not text),
    ``"unreadable"`` (not hex) or ``"headerless"`` (no CAN ID and data). Never raises."""
    tokens = line.split()
    if len(tokens) > 1:  # spaces on: the ID is its own token(s)
        if id_bits == 29 or (len(tokens[0]) == 2 and len(tokens) >= 5 and _is_29bit(tokens)):
            id_text, body = "".join(tokens[:4]), "".join(tokens[4:])
        else:
            id_text, body = tokens[0], "".join(tokens[1:])
    else:
        compact = tokens[0] if tokens else ""
        id_len = 8 if id_bits == 29 else 3
        id_text, body = compact[:id_len], compact[id_len:]
    id_text, body = id_text.upper(), body.upper()
    if not (_HEX.match(id_text) and (not body or _HEX.match(body))) or len(body) % 2:
        return "noise" if not line.isascii() or "\ufffd" in line else "unreadable"
    if len(id_text) not in (3, 8) or not body:
        return "headerless"
    return Frame(int(id_text, 16), bytes.fromhex(body))


def _is_29bit(tokens: list[str]) -> bool:
    return all(len(t) == 2 for t in tokens[:4]) and tokens[0].upper() in ("18", "19", "1C", "1D")


def parse_reply(text: str, sent: str | None = None, id_bits: int = 11) -> FrameReply:
    """Parse the adapter's answer to a data request (headers on)."""
    reply = FrameReply()
    for line in clean_lines(text, sent):
        if raise_for_status(line, sent):
            reply.no_data = True
            continue
        reply.frames.append(parse_frame_line(line, id_bits))
    return reply


def frames_text(frames: Iterable[Frame], spaces: bool = True) -> str:
    """Render frames the way a headers-on adapter prints them (used by the simulator)."""
    sep = " " if spaces else ""
    out = []
    for frame in frames:
        head = id_text(frame.can_id, spaced=spaces)
        out.append(head + sep + sep.join(f"{b:02X}" for b in frame.data))
    return "\r".join(out)


#: a whole ``ATRV`` answer: a number with ``.`` or ``,`` as decimal mark, an optional ``V``
_VOLTS = re.compile(r"(\d{1,3}(?:[.,]\d{1,3})?)\s*V?", re.IGNORECASE)


def parse_voltage(text: str) -> float | None:
    """Volts from a whole ``ATRV`` answer (``12.6V``, ``12,6V``, ``12.875``, ``12``), or None
    when the answer is anything else (python-OBD's ``elm_voltage`` vectors; a comma is a
    decimal mark, never a separator)."""
    match = _VOLTS.fullmatch(text.strip())
    return float(match.group(1).replace(",", ".")) if match else None
