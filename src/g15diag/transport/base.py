"""The one small interface every transport implements, with the read-only guard built in.

A transport carries whole request PDUs to one target (request/response CAN ID pair) and
hands back whole response PDUs. ``send`` is final: it runs the read-only guard and only then
calls the subclass's ``_send``; transports that write bytes call the guard again at their
lowest write (defence in depth).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import final

from g15diag.protocol import guard

#: (can_id, data, is_request) for every frame a transport puts on or sees from the bus.
FrameListener = Callable[[int, bytes, bool], None]
#: (direction, text) for -v adapter traffic: direction is ">" (to adapter) or "<".
TrafficLog = Callable[[str, str], None]


@dataclass(frozen=True)
class Target:
    """Where requests go: request CAN ID, response CAN ID and bus bit rate."""

    request_id: int
    response_id: int
    bitrate: int = 500_000

    @property
    def extended(self) -> bool:
        """True for 29-bit identifiers."""
        return self.request_id > 0x7FF or self.response_id > 0x7FF

    @property
    def label(self) -> str:
        return f"{can_id_text(self.request_id)}/{can_id_text(self.response_id)}"


def can_id_text(can_id: int) -> str:
    """``0x767`` for 11-bit IDs, ``0x18DAF110`` for 29-bit."""
    return f"0x{can_id:03X}" if can_id <= 0x7FF else f"0x{can_id:08X}"


@dataclass
class AdapterInfo:
    """What the transport knows about the hardware (for reports and exports)."""

    kind: str
    port: str
    identity: str = ""
    simulated: bool = False
    details: dict[str, str] = field(default_factory=dict)


class Transport(ABC):
    """Request/response PDUs to one target at a time."""

    #: True when silence after a responsePending means the adapter stopped listening and
    #: the request must be sent again (ELM327); False when the transport keeps listening.
    resend_after_pending = False

    def __init__(self) -> None:
        self.frame_listeners: list[FrameListener] = []
        self.info = AdapterInfo(kind="unknown", port="")

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def open(self) -> None:
        """Open the port and bring the adapter to a known state."""

    @abstractmethod
    def close(self) -> None:
        """Release the port. Safe to call twice."""

    @abstractmethod
    def set_target(self, target: Target) -> None:
        """Address the next requests to ``target``."""

    @final
    def send(self, pdu: bytes) -> None:
        """Send one request PDU to the current target, after the read-only guard."""
        self._send(guard.check_request(pdu))

    @abstractmethod
    def _send(self, pdu: bytes) -> None:
        """Put an already-checked PDU on the wire."""

    @abstractmethod
    def receive(self, timeout: float) -> bytes | None:
        """The next response PDU from the target, or None when nothing (more) came."""

    def after_pending(self) -> None:
        """Hook: the target answered responsePending (an adapter may widen its wait)."""

    def pending_over(self) -> None:
        """Hook: the request that called :meth:`after_pending` has ended (narrow it again)."""

    def _emit_frame(self, can_id: int, data: bytes, is_request: bool) -> None:
        for listener in self.frame_listeners:
            listener(can_id, data, is_request)
