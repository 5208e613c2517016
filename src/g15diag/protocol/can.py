"""The CAN vocabulary every layer shares, sans I/O: frames, CAN-ID text, targets, traffic
events, the bit-rate table and the diagnostic-ID ranges.

Transports, traces, profiles, masking and the faces import these names from here; nothing
here knows a transport.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

#: the highest 11-bit (standard) CAN ID
MAX_11BIT = 0x7FF

#: ELM327 protocol number -> (29-bit IDs?, CAN bit rate): ISO 15765-4 CAN, 11/29-bit,
#: 500/250 kbit/s. The one bit-rate table.
PROTOCOLS = MappingProxyType(
    {6: (False, 500_000), 7: (True, 500_000), 8: (False, 250_000), 9: (True, 250_000)}
)
#: ELM327 protocol number -> CAN bit rate
PROTOCOL_BITRATES = MappingProxyType({number: rate for number, (_, rate) in PROTOCOLS.items()})
#: the bus bit rates the tool speaks (500 kbit/s first: the G15's diagnostic CAN)
BITRATES = (500_000, 250_000)
DEFAULT_BITRATE = BITRATES[0]

#: functional (broadcast) request IDs: never a physical unit's address (ISO 15765-4 OBD)
FUNCTIONAL_IDS = frozenset({0x7DF, 0x18DB33F1})
#: the OBD functional request ID and its answer range (ISO 15765-4)
OBD_FUNCTIONAL, OBD_RESPONSES = 0x7DF, range(0x7E8, 0x7F0)
#: a :class:`Target`'s response ID while it is to be learned from what answers (``--wide``):
#: the transport listens to every 11-bit diagnostic ID and :attr:`Transport.learned` names
#: the one that answered
LEARN = -1


def learnable(can_id: int, request_id: int) -> bool:
    """True for an ID a probe to ``request_id`` may learn as the unit's answer ID: 11-bit
    0x700-0x7FF, but not the engine/OBD answers 7E8-7EF, the request ID itself, or the
    functional request ID 7DF (a tester's, never a unit's answer)."""
    if not 0x700 <= can_id <= MAX_11BIT or can_id in FUNCTIONAL_IDS:
        return False
    return can_id not in OBD_RESPONSES and can_id != request_id


def protocol_for(extended: bool, bitrate: int) -> int | None:
    """The ELM327 protocol number for 11/29-bit IDs at ``bitrate`` (None: none fits)."""
    for number, spec in PROTOCOLS.items():
        if spec == (extended, bitrate):
            return number
    return None


def is_extended(can_id: int) -> bool:
    """True for a 29-bit (extended) CAN ID."""
    return can_id > MAX_11BIT


def is_diagnostic_id(can_id: int) -> bool:
    """IDs diagnostic traffic conventionally uses: 0x700-0x7FF, 0x18DAxxxx, 0x18DBxxxx."""
    return 0x700 <= can_id <= MAX_11BIT or (can_id >> 16) in (0x18DA, 0x18DB)


def id_text(can_id: int, spaced: bool = False) -> str:
    """``7A0`` for 11-bit IDs, ``18DAF1A0`` (``18 DA F1 A0`` when ``spaced``, as an ELM327
    prints it with spaces on) for 29-bit ones."""
    if not is_extended(can_id):
        return f"{can_id:03X}"
    raw = f"{can_id:08X}"
    return " ".join(raw[i : i + 2] for i in range(0, 8, 2)) if spaced else raw


def can_id_text(can_id: int) -> str:
    """``0x767`` for 11-bit IDs, ``0x18DAF110`` for 29-bit."""
    return "0x" + id_text(can_id)


@dataclass(frozen=True)
class Frame:
    """One CAN frame: ID and the data bytes (PCI and padding)."""

    can_id: int
    data: bytes


@dataclass(frozen=True)
class Line:
    """One line of adapter output (``\\r``-separated, as received) and the frame in it, if
    any."""

    text: str
    frame: Frame | None = None


@dataclass(frozen=True)
class Target:
    """Where requests go: request CAN ID, response CAN ID and bus bit rate."""

    request_id: int
    response_id: int
    bitrate: int = DEFAULT_BITRATE

    @property
    def extended(self) -> bool:
        """True for 29-bit identifiers."""
        return is_extended(self.request_id) or is_extended(self.response_id)

    @property
    def learning(self) -> bool:
        """True while the response ID is still to be learned (:data:`LEARN`)."""
        return self.response_id == LEARN

    @property
    def label(self) -> str:
        answer = "any" if self.learning else can_id_text(self.response_id)
        return f"{can_id_text(self.request_id)}/{answer}"


@dataclass(frozen=True)
class Traffic:
    """One step of adapter traffic as the transport saw it (what ``-v`` shows).

    Structured, so that masking (g15diag.app.privacy) works on the bytes themselves: each line is
    the raw text and, when it is one, the CAN frame in it. ``request`` is the request PDU the
    step carries or answers (None for adapter set-up), ``command`` the adapter line answered.
    """

    sent: bool
    lines: tuple[Line, ...]
    request: bytes | None = None
    command: str = ""
    note: str = ""

    @classmethod
    def frame(cls, sent: bool, frame: Frame, request: bytes | None) -> Traffic:
        """One CAN frame (native CAN), shown as ``7E8 10 14 62 ...``."""
        text = f"{id_text(frame.can_id)} {frame.data.hex(' ').upper()}"
        return cls(sent, (Line(text, frame),), request)


#: receives every :class:`Traffic` step (``-v``)
TrafficLog = Callable[[Traffic], None]
#: (can_id, data, is_request) for every frame a transport puts on or sees from the bus
FrameListener = Callable[[int, bytes, bool], None]
