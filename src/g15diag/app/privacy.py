"""Masking the VIN and the head-unit serial in what the tool *logs* (``-v`` traffic, error
reports), unless the run is unredacted (``--unredacted``, the API's ``unredacted=True``).
Masking is a value: every function here takes ``unredacted`` as an argument (default False),
and nothing here remembers it between calls. What a command is asked to print or export
(the serial from ``read-serial``, an ``export`` file) is its result, not a log, and is not masked
here (``export --redact`` masks files for sharing).

Traffic is masked by exchange, not by guessing: the answer to a request that reads the serial
or the VIN (``22 F18C``, ``22 F190``, ``09 02``, ``21 80``, ``21 81``, ``1A 8C``, ``1A 90``)
has its data bytes replaced by ``**``, while the CAN ID, the ISO-TP PCI bytes and the echoed
service and identifier stay visible, so a log still shows who answered what, how long it was
and how it was framed. Free-text error reports are masked by shape (runs of hex bytes,
VIN-like words).
"""

from __future__ import annotations

import re

from g15diag import errors
from g15diag.protocol import elm, identifiers, kwp, obd, uds
from g15diag.protocol.can import Frame, Line, Traffic, id_text

MASK = "**"
#: Requests whose answers carry the serial or the VIN (request bytes after the service ID
#: are matched as a prefix, so ``22 F18C F190`` counts too).
SENSITIVE_REQUESTS = (
    uds.read_data_by_identifier(uds.ECU_SERIAL_NUMBER),  # head-unit serial
    uds.read_data_by_identifier(uds.VIN),
    obd.vin_request(),  # 09 02
    kwp.read_local_identifier(kwp.IDENT_BLOCK),  # 21 80
    kwp.read_local_identifier(kwp.VIN_BLOCK),  # 21 81
    kwp.read_ecu_identification(kwp.ECU_SERIAL_NUMBER),  # 1A 8C, KWP2000 ECUSerialNumber
    kwp.read_ecu_identification(kwp.VIN_OPTION),  # 1A 90, KWP2000 VIN
)


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


def _render(data: bytes, spaces: bool, masked: list[bool] | None = None) -> str:
    masked = mask_frame(data) if masked is None else masked
    parts = [MASK if m else f"{b:02X}" for b, m in zip(data, masked, strict=True)]
    return (" " if spaces else "").join(parts)


def _sensitive_answer(payload: bytes) -> bool:
    """True when a payload is the positive answer to a serial/VIN request (by its echo)."""
    if len(payload) < 2 or not 0x40 <= payload[0] < 0x80 or payload[0] == 0x7F:
        return False
    return is_sensitive_request(bytes([payload[0] - 0x40]) + payload[1:3])


#: three or more hex bytes, spaced or not, anywhere (no word boundary needed: ``..4D_``)
_HEXY = re.compile(r"(?:[0-9A-Fa-f]{2}[ :]?){3,}")
_ALNUM = re.compile(r"[0-9A-Za-z]")


def printable(text: str) -> str:
    """Control characters as ``\\xNN`` (a log line never moves the cursor)."""
    return "".join(
        c if c.isprintable() else ("\\n" if c == "\n" else f"\\x{ord(c):02x}") for c in text
    )


class TrafficMasker:
    """Renders a session's :class:`~g15diag.transport.base.Traffic` steps for ``-v`` and
    error messages, masking the data bytes of every answer that may carry the serial or VIN.

    A frame is masked by what it is: the answer to a serial/VIN request, or a first/single
    frame echoing one (an answer that arrives late, under another request), or a consecutive
    frame of such an answer or of an answer whose first frame was not seen. A line that is no
    frame (noise, a cut-off or unreadable line) keeps only its punctuation unless it is an
    ELM327 status, the echo, or visibly the answer to a request that reads nothing personal.
    """

    def __init__(self, unredacted: bool = False) -> None:
        self.unredacted = unredacted
        self._streams: dict[int, bool] = {}  # CAN ID -> its multi-frame answer is sensitive
        self._payloads: dict[int, tuple[bytearray, int]] = {}  # CAN ID -> (so far, length)
        self._personal: set[int] = set()  # CAN IDs whose answer looks like a serial or VIN

    def __call__(self, step: Traffic) -> str:
        return "\\r".join(printable(t) for t in self.lines(step))

    def lines(self, step: Traffic) -> list[str]:
        """The step's lines, masked (raw with --unredacted)."""
        if step.sent:
            first = step.lines[0].frame if step.lines else None
            if step.request is not None and (first is None or first.data[:1].hex()[:1] == "0"):
                self._streams.clear()  # a new request: earlier answers are over
                self._payloads.clear()
                self._personal.clear()
            return [line.text for line in step.lines]
        sensitive = step.request is not None and is_sensitive_request(step.request)
        touched = {  # first the whole step: an answer's later frames decide too
            line.frame.can_id
            for line in step.lines
            if line.frame is not None
            and line.frame.data
            and self._assemble(line.frame.can_id, line.frame.data)
        }
        for can_id in touched:
            self._judge(can_id)
        out = []
        for line in step.lines:
            if line.frame is not None:
                personal = line.frame.can_id in self._personal
                out.append(self._frame_line(line, sensitive or personal))
            else:
                out.append(self._text_line(line.text, step, sensitive))
        return out

    def _assemble(self, can_id: int, data: bytes) -> bool:
        """Collect a multi-frame answer's frames (single frames hold at most 4 data bytes:
        never a serial, 6 or more); True when ``data`` belonged to one."""
        kind = data[0] >> 4
        if kind == 1 and len(data) >= 2:
            self._payloads[can_id] = (bytearray(data[2:]), ((data[0] & 0x0F) << 8) | data[1])
        elif kind == 2 and can_id in self._payloads:
            self._payloads[can_id][0].extend(data[1:])
        else:
            return False
        return True

    def _judge(self, can_id: int) -> None:
        """Note ``can_id`` when its answer's data looks like a serial candidate or a VIN
        (:func:`g15diag.protocol.identifiers.looks_personal`, the predicate ``discover`` uses), or
        may still turn out to while frames are missing."""
        payload, length = self._payloads[can_id]
        if payload[:1] == b"\x7f":
            return
        echo = _echo_length(bytes(payload))
        data_so_far = bytes(payload[echo:length])
        if len(payload) >= length:
            personal = identifiers.looks_personal(data_so_far)
        else:
            personal = identifiers.may_look_personal(data_so_far, length - echo)
        if personal:
            self._personal.add(can_id)

    def _frame_line(self, line: Line, sensitive: bool) -> str:
        frame = line.frame
        assert frame is not None
        data = frame.data
        if not data:
            return line.text
        kind = data[0] >> 4
        if kind == 0:
            sensitive = sensitive or _sensitive_answer(data[1 : 1 + (data[0] & 0x0F)])
        elif kind == 1:
            sensitive = sensitive or _sensitive_answer(data[2:])
            self._streams[frame.can_id] = sensitive
        elif kind == 2:
            sensitive = sensitive or self._streams.get(frame.can_id, True)
        elif kind != 3:
            sensitive = True
        if self.unredacted or not sensitive:
            return line.text
        masked = mask_frame(data) if kind < 3 else [i > 0 for i in range(len(data))]
        stripped = line.text.strip()
        spaces = " " in stripped
        lead = line.text[: len(line.text) - len(line.text.lstrip())]
        tail = line.text[len(line.text.rstrip()) :]
        body = id_text(frame.can_id, spaced=spaces) + (" " if spaces else "")
        return lead + body + _render(data, spaces, masked) + tail

    def _text_line(self, text: str, step: Traffic, sensitive: bool) -> str:
        stripped = text.strip()
        squashed = stripped.replace(" ", "").upper()
        if self.unredacted or elm.is_status_line(stripped) or not _ALNUM.search(stripped):
            return text
        if step.command and squashed == step.command.replace(" ", "").upper():
            return text  # the echo of our own command
        if not sensitive and not _HEXY.search(stripped):
            return text  # words: an identity, a voltage, a description
        request = step.request
        if request and not sensitive:
            echo = (bytes([(request[0] + 0x40) & 0xFF]) + request[1:]).hex().upper()
            if echo in squashed:
                return text  # visibly the answer to a request that reads nothing personal
        return _ALNUM.sub("*", text)


def quote(
    text: str,
    request: bytes | None = None,
    command: str = "",
    *,
    id_bits: int = 11,
    limit: int = 60,
    unredacted: bool = False,
) -> str:
    """Adapter output for an error message: masked as ``-v`` masks it, at most ``limit``
    characters, as a quoted Python literal (``'7A8101362F18C******'``)."""
    lines = elm.reply_lines(text, command, id_bits)
    step = Traffic(False, tuple(lines), request, command)
    return repr("\r".join(TrafficMasker(unredacted).lines(step))[:limit])


def show_part(part: errors.Part, *, unredacted: bool = False) -> str:
    """One raw part of an error message, as a face shows it."""
    if isinstance(part, errors.Quote):
        return quote(
            part.text, part.request, part.command, id_bits=part.id_bits, unredacted=unredacted
        )
    return show_difference(part.first, part.second, unredacted=unredacted)


def present(error: errors.G15DiagError, *, unredacted: bool | None = None) -> str:
    """``error``'s sentence for a person, and from now on its ``str()``: raw parts and what
    looks like a serial or a VIN masked, unless ``unredacted``. ``None``: as already
    presented (by the run that raised it), else masked."""
    if unredacted is None:
        if error.shown is not None:
            return error.shown
        unredacted = False
    text = error.render(lambda part: show_part(part, unredacted=unredacted))
    hint = error.hint
    error.shown = text if unredacted else mask_text(text)
    error.shown_hint = hint if unredacted or hint is None else mask_text(hint)
    error.args = (error.shown,)  # repr() and tracebacks show what the face shows
    return error.shown


def _native_line(text: str) -> Line | None:
    """``7E8 10 14 62 F1 ...`` / ``18DAF1A0 21 ...``: one native CAN frame as -v shows it."""
    tokens = text.split()
    if len(tokens) < 2 or len(tokens[0]) not in (3, 8) or any(len(t) != 2 for t in tokens[1:]):
        return None
    if not _is_hex("".join(tokens)):
        return None
    return Line(text, Frame(int(tokens[0], 16), bytes.fromhex("".join(tokens[1:]))))


class TrafficRedactor:
    """``-v`` text in, masked text out: the old line interface over :class:`TrafficMasker`
    (``\\r``-escaped ELM327 text, or ``7E8 10 14 ...`` native frames)."""

    def __init__(self) -> None:
        self._masker = TrafficMasker()
        self._request: bytes | None = None
        self._command = ""
        self._id_bits = 11

    def __call__(self, direction: str, text: str) -> str:
        raw = text.replace("\\r", "\r").replace("\\n", "\n")
        if direction == ">":
            self._note_request(raw)
            lines = elm.reply_lines(raw, "", self._id_bits)
            step = Traffic(True, tuple(lines), self._request, raw)
        else:
            native = _native_line(raw)
            lines = [native] if native else elm.reply_lines(raw, self._command, self._id_bits)
            step = Traffic(False, tuple(lines), self._request, self._command)
        return self._masker(step)

    def _note_request(self, text: str) -> None:
        tokens = text.split()
        squashed = text.replace(" ", "").upper()
        if len(tokens) >= 2 and len(tokens[0]) in (3, 8) and _is_hex("".join(tokens)):
            data = bytes.fromhex("".join(tokens[1:])) if len(squashed) % 2 == 0 else b""
            if data and data[0] >> 4 == 0:  # a native CAN request frame
                self._request = data[1 : 1 + (data[0] & 0x0F)]
            return  # flow control and other frames keep the current request
        self._command = text
        if squashed.startswith(("AT", "ST")) or not _is_hex(squashed):
            if squashed.startswith(("ATSP7", "ATSP9", "ATCP")):
                self._id_bits = 29
            elif squashed.startswith(("ATSP6", "ATSP8")):
                self._id_bits = 11
            self._request = None
            return
        body = squashed[:-1] if len(squashed) % 2 else squashed  # response-count digit
        self._request = bytes.fromhex(body)


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


#: a Bluetooth LE adapter's address standing alone (a MAC, or the UUID macOS gives a device):
#: it names the adapter, not the car, and the user needs it to tell adapters apart
_BT_ADDRESS = re.compile(
    r"(?<!\b[0-9A-Fa-f]{2}[ :])\b((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}"
    r"|[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12})\b(?![ :-][0-9A-Fa-f])"
)


def mask_text(text: str, *, unredacted: bool = False) -> str:
    """Mask what may be a serial or a VIN in a free-text message: runs of four or more hex
    bytes (``53 49 4D 30``, ``53494D30``) and 17-character VIN-like words (first 11 kept).
    A Bluetooth adapter address standing alone is kept."""
    if unredacted:
        return text
    pieces = _BT_ADDRESS.split(text)  # odd indices: the addresses, kept as they are
    return "".join(
        piece if i % 2 else _HEX_RUN.sub(_mask_run, _VIN.sub(_mask_vin, piece))
        for i, piece in enumerate(pieces)
    )


def _mask_vin(match: re.Match[str]) -> str:
    return match.group(0)[:11] + "*" * 6


def show_bytes(data: bytes, *, unredacted: bool = False) -> str:
    """Spaced hex of identifier bytes for a message: masked (``** **``) unless unredacted."""
    if unredacted:
        return data.hex(" ").upper()
    return " ".join(MASK for _ in data) or "(empty)"


def show_difference(first: bytes, second: bytes, *, unredacted: bool = False) -> str:
    """Two reads that disagree: their bytes when unredacted; otherwise where they differ
    (a map, ``^`` under each differing byte) and how long each is, never the values."""
    if unredacted:
        return f"{show_bytes(first, unredacted=True)} versus {show_bytes(second, unredacted=True)}"
    longest = max(len(first), len(second))
    marks = "".join("^" if first[i : i + 1] != second[i : i + 1] else "=" for i in range(longest))
    return (
        f"byte map [{marks}] (^ differs, = same; {len(first)} and {len(second)} bytes; "
        "values masked, --unredacted shows them)"
    )


def differing_positions(first: bytes, second: bytes) -> str:
    """1-based byte positions where two reads differ (positions reveal nothing personal)."""
    longest = max(len(first), len(second))
    diff = [str(i + 1) for i in range(longest) if first[i : i + 1] != second[i : i + 1]]
    shown = ", ".join(diff[:8]) + (", ..." if len(diff) > 8 else "")
    if len(first) != len(second):
        shown += f" (lengths {len(first)} and {len(second)})"
    return shown
