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

from g15diag.errors import G15DiagError, MalformedResponse, ReadOnlyViolation
from g15diag.protocol import guard, uds
from g15diag.protocol.can import (
    FrameListener,
    Target,
    Traffic,
    TrafficLog,
    can_id_text,
)
from g15diag.protocol.session import SESSION_REQUESTS, Session, SessionRule
from g15diag.system import signals

# The CAN vocabulary lives in g15diag.protocol.can; these names stay importable from here.
__all__ = [
    "AdapterInfo",
    "FrameListener",
    "Target",
    "Traffic",
    "TrafficLog",
    "Transport",
    "can_id_text",
]


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
    #: the longest one answer may take in all while the unit keeps saying responsePending
    #: (the client's ``Timing.pending_cap``; an ELM327 read waits again at each 0x78 line)
    pending_cap: float = uds.PENDING_CAP

    def __init__(self) -> None:
        self.frame_listeners: list[FrameListener] = []
        self.traffic_listeners: list[TrafficLog] = []
        #: called with every target the transport is pointed at (``--trace``'s sidecar)
        self.target_listeners: list[Callable[[Target], None]] = []
        self.info = AdapterInfo(kind="unknown", port="")
        # The stateful session rule (protocol/session.py), checked in send() and fed only by
        # what this transport itself sent and received: no caller can grant a session.
        self.__rule = SessionRule()
        self.__asked: bytes | None = None  # the last request send() let out
        self.__heard = False  # something (an answer or a 0x78) came back to it
        self.__pending = False  # the unit said responsePending to it (silence is then no refusal)
        #: the time the transport's deadlines run on; the client and searches use it too
        self.clock: Callable[[], float] = time.monotonic
        #: at a target whose response ID is to be learned (``Target.learning``): the CAN ID
        #: of the first frame that answered its request (None: nothing has yet)
        self.learned: int | None = None

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
        active = self.__rule.active
        exit_request = active.exit_request if active else None
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
        active = self.__rule.active
        if active is None or checked != active.exit_request:  # the way back always goes out
            signals.check_cancelled()  # a stopped page ends the read between requests
        self.__rule.check_send(checked)
        if checked != self.__asked:
            self.__pending = False
        self.__asked, self.__heard = checked, False
        self._send(checked)

    @abstractmethod
    def _send(self, pdu: bytes) -> None:
        """Put an already-checked PDU on the wire."""

    @final
    def receive(self, timeout: float) -> bytes | None:
        """The next response PDU from the target, or None when nothing (more) came.

        What came back to the last request is what the session rule learns from: a refusal
        in the default session (or silence to ``21 80``) permits a session; a refused
        session request means none was entered."""
        raw = self._receive(timeout)
        self.__observe(raw)
        return raw

    @abstractmethod
    def _receive(self, timeout: float) -> bytes | None:
        """The subclass's half of :meth:`receive`."""

    # -- the session rule, owned here --------------------------------------------------------

    @property
    def session_active(self) -> Session | None:
        """The session the unit is (or may be) in, entered by this transport; None: default."""
        return self.__rule.active

    @property
    def session_permitted(self) -> bool:
        """True once the unit at the current address refused a default-session read."""
        return self.__rule.permitted

    def _session_check_wire(self, pdu: bytes, *, consume: bool = False) -> None:
        """For the lowest write: ``pdu`` is a session request :meth:`send` admitted."""
        self.__rule.check_wire(pdu, consume=consume)

    def _session_written(self, pdu: bytes) -> None:
        """For the lowest write: the admitted session request ``pdu`` has been written."""
        self.__rule.written(pdu)

    def __observe(self, raw: bytes | None) -> None:
        asked = self.__asked
        if asked is None or self.__heard:
            return
        entering = asked in SESSION_REQUESTS
        if raw is None:
            self.__heard = True
            if not entering and not self.__pending:
                self.__rule.note_refusal(None, asked)
            return
        try:
            answer = uds.classify(asked, raw)
        except MalformedResponse:
            return  # not an answer to this request
        if isinstance(answer, uds.Negative) and answer.pending:
            self.__pending = True
            return
        self.__heard = True
        if not isinstance(answer, uds.Negative):
            return
        if entering and self.__rule.active is not None and asked == self.__rule.active.request:
            self.__rule.not_entered()  # refused: the unit stayed in its default session
        elif not entering:
            self.__rule.note_refusal(answer.nrc, asked)

    def quick_wait(self, quick: bool) -> bool:
        """Hook: wait only P2 plus a margin for an answer (``quick``), or the usual long wait.
        True when this transport has such a quick wait (a search then tries it first)."""
        return False

    def adapter_identity(self) -> str:
        """The adapter's identity, asked for once when a report needs it (ELM327 ``ATI``)."""
        return self.info.identity

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
        active = self.__rule.active
        if active is not None:  # a bug above: never send the exit elsewhere
            self.__rule.not_entered()  # forget it, so no exit follows to the new address
            raise ReadOnlyViolation(
                f"Pointed at {target.label} while the previous unit was in the {active.label} "
                "session (it falls back by itself within about 5 s)."
            )
        self.__rule.new_address()  # permission starts over at every address
        self.learned = None
        self.__asked, self.__heard, self.__pending = None, False, False
        for listener in self.target_listeners:
            listener(target)
