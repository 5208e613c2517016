"""Masking the VIN and the head-unit serial in what the tool *logs* (``-v`` traffic, error
reports), unless the user gives ``--unredacted``. What a command is asked to print or export
(the serial from ``read-serial``, an ``export`` file) is its result, not a log, and is not masked
here (``export --redact`` masks files for sharing).

Traffic is masked by exchange, not by guessing: the answer to a request that reads the serial
or the VIN (``22 F18C``, ``22 F190``, ``09 02``, ``21 80``, ``21 81``) has its data bytes
replaced by ``**``, while the CAN ID, the ISO-TP PCI bytes and the echoed service and identifier
stay visible, so a log still shows who answered what, how long it was and how it was framed.
Free-text error reports are masked by shape (runs of hex bytes, VIN-like words).
"""

from __future__ import annotations

import re

from g15diag import errors
from g15diag.protocol import elm, kwp, obd, uds

MASK = "**"
#: Requests whose answers carry the serial or the VIN (request bytes after the service ID
#: are matched as a prefix, so ``22 F18C F190`` counts too).
SENSITIVE_REQUESTS = (
    uds.read_data_by_identifier(0xF18C),  # head-unit serial
    uds.read_data_by_identifier(0xF190),  # VIN
    obd.vin_request(),  # 09 02
    kwp.read_local_identifier(kwp.IDENT_BLOCK),  # 21 80
    kwp.read_local_identifier(kwp.VIN_BLOCK),  # 21 81
)

_unredacted = False


def set_unredacted(value: bool) -> None:
    """Set by ``--unredacted`` (and reset at the start of every CLI run)."""
    global _unredacted
    _unredacted = bool(value)


def unredacted() -> bool:
    """True when the user asked for unmasked logs and error reports."""
    return _unredacted


def is_sensitive_request(pdu: bytes) -> bool:
    """True for a request whose answer may contain the serial or the VIN."""
    if pdu and pdu[0] == uds.READ_DATA_BY_IDENTIFIER:  # several DIDs: any sensitive one counts
        dids = [pdu[i : i + 2] for i in range(1, len(pdu) - 1, 2)]
        return any(pdu[:1] + did in SENSITIVE_REQUESTS for did in dids)
    return any(pdu.startswith(s) for s in SENSITIVE_REQUESTS)


def _echo_length(payload: bytes) -> int:
    """Bytes at the start of an answer's payload that stay visible (service + identifier)."""
    if not payload:
        return 0
    if payload[0] == 0x7F:
        return len(payload)  # a negative response carries no data: keep it whole
    if payload[0] == 0x62:
        return 3
    return 2  # 49 02, 61 80, 61 81, 5A xx


def mask_frame(data: bytes) -> list[bool]:
    """Per byte of one answer frame: True where it is masked. CAN PCI bytes, the echoed
    service and identifier, and negative responses stay visible; data bytes are masked."""
    if not data:
        return []
    kind = data[0] >> 4
    if kind == 0:  # single frame: PCI, then the payload
        visible = 1 + _echo_length(data[1 : 1 + (data[0] & 0x0F)])
    elif kind == 1:  # first frame: 2 PCI bytes, then the payload
        visible = 2 + _echo_length(data[2:])
    elif kind == 2:  # consecutive frame: PCI only
        visible = 1
    else:  # flow control: no data
        visible = len(data)
    return [i >= visible for i in range(len(data))]


def _render(data: bytes, spaces: bool) -> str:
    masked = mask_frame(data)
    parts = [MASK if m else f"{b:02X}" for b, m in zip(data, masked, strict=True)]
    return (" " if spaces else "").join(parts)


def _id_text(can_id: int, spaces: bool) -> str:
    if can_id <= 0x7FF:
        return f"{can_id:03X}"
    raw = f"{can_id:08X}"
    return (" " if spaces else "").join(raw[i : i + 2] for i in range(0, 8, 2))


class TrafficRedactor:
    """Masks one session's ``-v`` traffic lines (ELM327 text and native CAN frames)."""

    def __init__(self) -> None:
        self.sensitive = False  # the last request reads the serial or the VIN
        self._id_bits = 11

    def __call__(self, direction: str, text: str) -> str:
        if direction == ">":
            self._note_request(text)
            return text
        if not self.sensitive:
            return text
        return self._mask_reply(text)

    def _note_request(self, text: str) -> None:
        tokens = text.split()
        squashed = text.replace(" ", "").upper()
        if len(tokens) >= 2 and len(tokens[0]) in (3, 8) and _is_hex("".join(tokens)):
            # a native CAN frame "7A0 03 22 F1 8C 00 00 00 00"
            data = bytes.fromhex("".join(tokens[1:]))
            if data and data[0] >> 4 == 0:
                self.sensitive = is_sensitive_request(data[1 : 1 + (data[0] & 0x0F)])
            return  # flow control and other frames keep the current state
        if squashed.startswith(("AT", "ST")) or not _is_hex(squashed):
            if squashed.startswith(("ATSP7", "ATSP9", "ATCP")):
                self._id_bits = 29
            elif squashed.startswith(("ATSP6", "ATSP8")):
                self._id_bits = 11
            return
        body = squashed[:-1] if len(squashed) % 2 else squashed  # response-count digit
        self.sensitive = is_sensitive_request(bytes.fromhex(body))

    def _mask_reply(self, text: str) -> str:
        pieces = re.split(r"(\\r|\\n|\r|\n)", text)
        return "".join(self._mask_line(p) if i % 2 == 0 else p for i, p in enumerate(pieces))

    def _mask_line(self, line: str) -> str:
        stripped = line.strip()
        if not stripped or stripped == ">":
            return line
        tokens = stripped.split()
        if len(tokens) >= 2 and len(tokens[0]) in (3, 8) and _is_hex("".join(tokens)):
            # native CAN "7A8 10 14 62 F1 ..." or ELM spaces-on "7A8 10 14 62 ..."
            data = bytes.fromhex("".join(tokens[1:])) if len("".join(tokens[1:])) % 2 == 0 else b""
            if data:
                return line.replace(stripped, f"{tokens[0]} {_render(data, True)}")
        try:
            frame = elm.parse_frame_line(stripped, self._id_bits)
        except errors.G15DiagError:  # not a frame line (status, echo, noise): mask hex runs
            return _mask_hex_words(line)
        spaces = " " in stripped
        sep = " " if spaces else ""
        masked = _id_text(frame.can_id, spaces) + sep + _render(frame.data, spaces)
        return line.replace(stripped, masked)


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789ABCDEFabcdef" for c in text)


#: four or more spaced hex bytes ("53 49 4D 30"), or eight or more hex digits in a row (a frame
#: line with spaces off, of any length, such as a cut-off "767101362F18C53494D")
_HEX_RUN = re.compile(r"\b(?:[0-9A-Fa-f]{2}[ :]){3,}[0-9A-Fa-f]{2}\b|\b[0-9A-Fa-f]{8,}\b")
_VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{11}([A-HJ-NPR-Z0-9]{6})\b")


def _mask_hex_words(line: str) -> str:
    """Hex digits in a line that is no frame (a cut-off answer, noise)."""
    return _HEX_RUN.sub(lambda m: re.sub(r"[0-9A-Fa-f]", "*", m.group(0)), line)


def _mask_run(match: re.Match[str]) -> str:
    """One hex run in a message: a frame line (``767101362F18C53494D``) keeps its CAN ID,
    PCI and echo like -v traffic does (``767101362F18C******``); anything else is masked."""
    run = match.group(0)
    if " " not in run and ":" not in run:
        try:
            frame = elm.parse_frame_line(run + ("0" if len(run) % 2 == 0 else ""), 11)
        except errors.G15DiagError:
            frame = None
        if frame is not None and 0x700 <= frame.can_id <= 0x7FF and frame.data[0] >> 4 < 3:
            masked = mask_frame(frame.data)
            digits = f"{frame.can_id:03X}" + "".join(
                "**" if m else f"{b:02X}" for b, m in zip(frame.data, masked, strict=True)
            )
            return digits[: len(run)]
    return re.sub(r"[0-9A-Fa-f]", "*", run)


def mask_text(text: str) -> str:
    """Mask what may be a serial or a VIN in a free-text message: runs of four or more hex
    bytes (``53 49 4D 30``, ``53494D30``) and 17-character VIN-like words (first 11 kept)."""
    if _unredacted:
        return text
    text = _VIN.sub(lambda m: m.group(0)[:11] + "*" * 6, text)
    return _HEX_RUN.sub(_mask_run, text)


def show_bytes(data: bytes) -> str:
    """Spaced hex of identifier bytes for a message: masked (``** **``) unless --unredacted."""
    if _unredacted:
        return data.hex(" ").upper()
    return " ".join(MASK for _ in data) or "(empty)"


def differing_positions(first: bytes, second: bytes) -> str:
    """1-based byte positions where two reads differ (positions reveal nothing personal)."""
    longest = max(len(first), len(second))
    diff = [str(i + 1) for i in range(longest) if first[i : i + 1] != second[i : i + 1]]
    shown = ", ".join(diff[:8]) + (", ..." if len(diff) > 8 else "")
    if len(first) != len(second):
        shown += f" (lengths {len(first)} and {len(second)})"
    return shown
