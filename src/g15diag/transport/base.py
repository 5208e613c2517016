"""The one small interface every transport implements, with the read-only guard built in.

A transport carries whole request PDUs to one target (request/response CAN ID pair) and
hands back whole response PDUs. ``send`` is final: it runs the read-only guard and only then
calls the subclass's ``_send``; transports that write bytes call the guard again at their
lowest write (defence in depth).
"""

from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import final

from g15diag.errors import G15DiagError, ReadOnlyViolation
from g15diag.protocol import guard
from g15diag.protocol.elm import Frame, Line
from g15diag.protocol.session import SessionRule

#: (can_id, data, is_request) for every frame a transport puts on or sees from the bus.
FrameListener = Callable[[int, bytes, bool], None]


@dataclass(frozen=True)
class Traffic:
    """One step of adapter traffic as the transport saw it (what ``-v`` shows).

    Structured, so that masking (g15diag.privacy) works on the bytes themselves: each line is
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
        ident = f"{frame.can_id:03X}" if frame.can_id <= 0x7FF else f"{frame.can_id:08X}"
        text = f"{ident} {frame.data.hex(' ').upper()}"
        return cls(sent, (Line(text, frame),), request)


#: receives every :class:`Traffic` step (``-v``)
TrafficLog = Callable[[Traffic], None]


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
    #: the bus bit rate when this transport cannot change it per target (a native CAN
    #: interface opened at one rate); searches then try that rate only. None: per target.
    fixed_bitrate: int | None = None

    def __init__(self) -> None:
        self.frame_listeners: list[FrameListener] = []
        self.traffic_listeners: list[TrafficLog] = []
        #: called with every target the transport is pointed at (``--trace``'s sidecar)
        self.target_listeners: list[Callable[[Target], None]] = []
        self.info = AdapterInfo(kind="unknown", port="")
        #: the stateful session rule, checked in :meth:`send` (protocol/session.py)
        self.sessions = SessionRule()
        #: the time the transport's deadlines run on; the client and searches use it too
        self.clock: Callable[[], float] = time.monotonic

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.leave_session()
        finally:
            self.close()

    def leave_session(self) -> None:
        """Last line of defence: return the unit to its default session if one is still
        open (best effort; the app layer normally has left it already)."""
        exit_request = self.sessions.active.exit_request if self.sessions.active else None
        if exit_request is not None:
            with contextlib.suppress(G15DiagError):
                self.send(exit_request)
                self.receive(0.25)

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
        """Send one request PDU to the current target, after the read-only guard and the
        session rule (a session only after a refusal, one at a time, left before any other)."""
        checked = guard.check_request(pdu)
        self.sessions.check_send(checked)
        self._send(checked)

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

    def _emit_traffic(self, step: Traffic) -> None:
        for listener in self.traffic_listeners:
            listener(step)

    def _emit_target(self, target: Target) -> None:
        active = self.sessions.active
        if active is not None:  # a bug above: never send the exit elsewhere
            self.sessions.not_entered()  # forget it, so no exit follows to the new address
            raise ReadOnlyViolation(
                f"Pointed at {target.label} while the previous unit was in the {active.label} "
                "session (it falls back by itself within about 5 s)."
            )
        self.sessions.new_address()  # permission starts over at every address
        for listener in self.target_listeners:
            listener(target)
