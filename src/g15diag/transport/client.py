"""Request/answer exchanges over any transport, with responsePending handled both ways.

A real ELM327 shows ``7F xx 78`` in one of two ways: the final answer follows on the same
command (the transport queues both PDUs, the client keeps reading), or the adapter returned
to its prompt after only the ``7F xx 78`` line (the transport has nothing more; the client
sends the request again). Re-sends are bounded by the P2* budget and a count, never a storm.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from g15diag import errors
from g15diag.protocol import uds
from g15diag.transport.base import Transport

NRC_INCORRECT_LENGTH = uds.INCORRECT_MESSAGE_LENGTH  # the name this module always exported


@dataclass(frozen=True)
class Timing:
    """P2: wait for a first answer; P2*: wait after each responsePending, restarted at every
    0x78 (ISO 14229-2, as udsoncan does); ``pending_cap``: the longest a request may stay
    pending in all (from its first 0x78), however often the unit says 0x78."""

    p2: float = 0.25
    p2_star: float = uds.P2_STAR_SERVER
    pending_cap: float = uds.PENDING_CAP
    max_resends: int = 10


@dataclass(frozen=True)
class PendingWait:
    """A request the unit keeps answering with responsePending (for a progress display)."""

    request: bytes
    count: int  # 0x78 answers so far for this request
    elapsed: float  # seconds since the first one
    cap: float  # the overall cap

    @property
    def text(self) -> str:
        """One line for a person."""
        return (
            f"The unit is busy: 'response pending' (0x78) {self.count} time(s) in "
            f"{self.elapsed:.0f} s; waiting up to {self.cap:g} s in all."
        )


#: receives a :class:`PendingWait` at every responsePending
PendingHook = Callable[[PendingWait], None]


def pending_notices(
    notice: Callable[[str], None] | None, *, after: float = 1.0, every: float = 5.0
) -> PendingHook | None:
    """A hook that tells a person (``notice``) that the unit keeps saying 0x78: once the wait
    passes ``after`` seconds, then every ``every`` seconds (units may say it ten times a
    second). None without ``notice``."""
    if notice is None:
        return None
    due = after

    def hook(wait: PendingWait) -> None:
        nonlocal due
        if wait.count == 1:
            due = after  # a new request
        if wait.elapsed >= due:
            notice(wait.text)
            due = wait.elapsed + every

    return hook


class Client:
    """Send one request, return its final answer."""

    def __init__(
        self,
        transport: Transport,
        timing: Timing | None = None,
        clock: Callable[[], float] | None = None,
        on_pending: PendingHook | None = None,
    ) -> None:
        self.transport = transport
        self.timing = timing or Timing()
        #: P2 and P2* run on the transport's time unless another clock is given
        self.clock = clock or transport.clock
        self.on_pending = on_pending
        transport.pending_cap = self.timing.pending_cap  # one cap, client and adapter read
        self.pending_seen = 0
        self.resends = 0
        self._widened = False

    def request(self, pdu: bytes) -> uds.Answer:
        """The final (non-pending) answer to ``pdu``; raise NoAnswer/PendingTimeout.

        A wait widened by responsePending belongs to this request only: it is narrowed again
        when the request ends (quietly if it ended in an error, so that error is reported).
        """
        self._widened = False
        try:
            answer = self._final_answer(pdu)
        except BaseException:
            if self._widened:
                with contextlib.suppress(errors.G15DiagError):
                    self.transport.pending_over()
            raise
        if self._widened:
            self.transport.pending_over()
        return answer

    def _final_answer(self, pdu: bytes) -> uds.Answer:
        timing = self.timing
        self.transport.send(pdu)
        deadline = self.clock() + timing.p2
        first_pending: float | None = None  # when the first 0x78 came
        count = 0
        resends = 0
        while True:
            raw = self.transport.receive(max(0.0, deadline - self.clock()))
            if raw is None:
                if first_pending is None:
                    raise errors.NoAnswer("No answer.")
                now = self.clock()
                if (
                    self.transport.resend_after_pending
                    and resends < timing.max_resends
                    and now < deadline
                ):
                    resends += 1
                    self.resends += 1
                    self.transport.send(pdu)
                    continue
                raise errors.PendingTimeout(self._pending_message(count, now - first_pending))
            answer = uds.classify(pdu, raw)
            if isinstance(answer, uds.Negative) and answer.pending:
                self.pending_seen += 1
                count += 1
                now = self.clock()
                if first_pending is None:
                    first_pending = now
                    self.transport.after_pending()
                    self._widened = True
                elapsed = now - first_pending
                if elapsed >= timing.pending_cap:
                    raise errors.PendingTimeout(self._pending_message(count, elapsed))
                # P2* starts again at every 0x78, within the overall cap
                deadline = min(now + timing.p2_star, first_pending + timing.pending_cap)
                if self.on_pending is not None:
                    self.on_pending(PendingWait(pdu, count, elapsed, timing.pending_cap))
                continue
            return answer

    def _pending_message(self, count: int, elapsed: float) -> str:
        return (
            f"The unit kept answering 'response pending' (0x78, {count} time(s)) for "
            f"{elapsed:.1f} s without a final answer (waiting {self.timing.p2_star:g} s after "
            f"each, at most {self.timing.pending_cap:g} s in all)."
        )

    def read(self, pdu: bytes) -> bytes:
        """The positive answer's data (after the echo); raise NegativeResponse on 7F."""
        answer = self.request(pdu)
        if isinstance(answer, uds.Negative):
            if answer.nrc == NRC_INCORRECT_LENGTH and pdu[0] == uds.READ_DATA_BY_IDENTIFIER:
                # The guard only lets whole-identifier 0x22 requests out; a unit that calls
                # one the wrong length saw a cut-short copy: the adapter truncated it.
                raise errors.RequestTruncated(
                    f"The unit answered 'incorrect message length' (NRC 0x13) to the "
                    f"{len(pdu)}-byte request {pdu.hex(' ').upper()}: the adapter probably "
                    "cut the request short."
                )
            raise answer.error()
        return answer.data
