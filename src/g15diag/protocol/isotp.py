"""ISO 15765-2 (ISO-TP) framing for classic CAN, sans I/O.

Only what identification needs: segment a PDU into frames (for the simulator and for
rebuilding traces) and reassemble frames of one CAN ID into PDUs, strictly: a missing or
out-of-order consecutive frame is an :class:`~g15diag.errors.IsoTpError`, never a short
payload. Padding after the length the PCI announces is ignored, whatever its value.

Hand-written rather than can-isotp's ``TransportLayerLogic`` because replay decodes millions
of frames (can-isotp costs a ``process()`` call with timers per frame; see
docs/architecture.md) and ELM327 text has no timing to drive can-isotp's timers with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from g15diag.errors import IsoTpError

SINGLE, FIRST, CONSECUTIVE, FLOW_CONTROL = 0, 1, 2, 3
CAN_DL = 8
MAX_SF = 7
MAX_FF_12BIT = 0xFFF


def frame_type(frame: bytes) -> int:
    """The PCI type nibble of a frame (0 single, 1 first, 2 consecutive, 3 flow control)."""
    if not frame:
        raise IsoTpError("Empty CAN frame where an ISO-TP frame was expected.")
    return frame[0] >> 4


def pad(data: bytes, pad_byte: int | None) -> bytes:
    """Pad ``data`` to 8 bytes with ``pad_byte`` (None: leave the frame short)."""
    if pad_byte is None or len(data) >= CAN_DL:
        return data
    return data + bytes([pad_byte]) * (CAN_DL - len(data))


def segment(pdu: bytes, pad_byte: int | None = 0x00) -> list[bytes]:
    """Split a PDU into ISO-TP frames (single frame, or first + consecutive frames)."""
    if not pdu:
        raise ValueError("cannot segment an empty PDU")
    if len(pdu) <= MAX_SF:
        return [pad(bytes([len(pdu)]) + pdu, pad_byte)]
    if len(pdu) <= MAX_FF_12BIT:
        head = bytes([0x10 | (len(pdu) >> 8), len(pdu) & 0xFF])
    else:
        head = b"\x10\x00" + len(pdu).to_bytes(4, "big")
    first_len = CAN_DL - len(head)
    frames = [head + pdu[:first_len]]
    seq = 1
    for start in range(first_len, len(pdu), 7):
        frames.append(pad(bytes([0x20 | seq]) + pdu[start : start + 7], pad_byte))
        seq = (seq + 1) & 0x0F
    return frames


def flow_control(block_size: int = 0, st_min: int = 0, pad_byte: int | None = 0x00) -> bytes:
    """A clear-to-send flow control frame."""
    return pad(bytes([0x30, block_size, st_min]), pad_byte)


class Reassembler:
    """Reassemble the frames of one sender into PDUs.

    ``feed`` returns a complete PDU, or None while a multi-frame message is in progress
    (and for flow-control frames, which carry no payload). Any broken sequence raises
    :class:`IsoTpError` and drops the partial message.
    """

    __slots__ = ("_buffer", "_expected", "_next_seq")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._expected = 0
        self._next_seq = 0

    @property
    def in_progress(self) -> bool:
        """True while a multi-frame message is incomplete."""
        return self._expected > 0

    @property
    def missing(self) -> int:
        """Bytes still due for the message in progress."""
        return self._expected - len(self._buffer) if self._expected else 0

    def reset(self) -> None:
        """Forget any partial message."""
        self._buffer = bytearray()
        self._expected = 0

    def feed(self, frame: bytes) -> bytes | None:
        """Take one frame's data bytes; return a PDU when one completes.

        Classic CAN only: a frame of more than 8 data bytes (CAN FD, or a line that is not a
        frame at all) is refused, whatever its PCI says.
        """
        kind = frame_type(frame)
        if len(frame) > CAN_DL:
            self.reset()
            raise IsoTpError(
                f"A frame of {len(frame)} data bytes: classic CAN carries at most {CAN_DL}."
            )
        if kind == SINGLE:
            return self._single(frame)
        if kind == FIRST:
            self._first(frame)
            return None  # the rest comes in consecutive frames
        if kind == CONSECUTIVE:
            return self._consecutive(frame)
        if kind == FLOW_CONTROL:
            return None
        self.reset()
        raise IsoTpError(f"Unknown ISO-TP frame type 0x{frame[0]:02X}.")

    def _single(self, frame: bytes) -> bytes:
        interrupted = self.in_progress
        self.reset()
        length = frame[0] & 0x0F
        if not 1 <= length <= MAX_SF:  # 0 is CAN FD's escape, 8-15 are invalid on classic CAN
            raise IsoTpError(f"Single frame announces {length} bytes (SF_DL must be 1 to 7).")
        if length > len(frame) - 1:
            raise IsoTpError(f"Single frame announces {length} bytes but carries {len(frame) - 1}.")
        if interrupted:
            raise IsoTpError("A single frame interrupted a multi-frame answer.")
        return bytes(frame[1 : 1 + length])

    def _first(self, frame: bytes) -> None:
        interrupted = self.in_progress
        self.reset()
        if len(frame) < 2:
            raise IsoTpError("First frame shorter than its PCI.")
        length = ((frame[0] & 0x0F) << 8) | frame[1]
        start = 2
        if length == 0:  # ISO 15765-2:2016 escape: 32-bit length follows
            if len(frame) < 6:
                raise IsoTpError("First frame with 32-bit length is too short.")
            length = int.from_bytes(frame[2:6], "big")
            start = 6
        if length <= MAX_SF:
            raise IsoTpError(f"First frame announces only {length} bytes.")
        self._expected = length
        self._buffer = bytearray(frame[start : start + length])
        self._next_seq = 1
        if interrupted:
            self.reset()
            raise IsoTpError("A new first frame interrupted a multi-frame answer.")

    def _consecutive(self, frame: bytes) -> bytes | None:
        if not self.in_progress:
            raise IsoTpError(f"Consecutive frame #{frame[0] & 0x0F} arrived without a first frame.")
        seq = frame[0] & 0x0F
        if seq != self._next_seq:
            want = self._next_seq
            self.reset()
            raise IsoTpError(
                f"Consecutive frame #{seq} arrived where #{want} was due: "
                "a frame of the multi-frame answer is missing or out of order."
            )
        self._buffer += frame[1 : 1 + min(7, self.missing)]
        self._next_seq = (seq + 1) & 0x0F
        if len(self._buffer) >= self._expected:
            pdu = bytes(self._buffer)
            self.reset()
            return pdu
        return None


def reassemble(frames: Iterable[bytes]) -> Iterator[bytes]:
    """Reassemble all frames of one sender; an unfinished message at the end is an error."""
    machine = Reassembler()
    for frame in frames:
        pdu = machine.feed(frame)
        if pdu is not None:
            yield pdu
    if machine.in_progress:
        raise IsoTpError(
            f"The multi-frame answer ended {machine.missing} bytes short: "
            "consecutive frames are missing."
        )
