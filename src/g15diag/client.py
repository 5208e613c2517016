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

#: incorrectMessageLengthOrInvalidFormat
NRC_INCORRECT_LENGTH = 0x13


@dataclass(frozen=True)
class Timing:
    """P2: wait for a first answer; P2*: budget once the unit said responsePending."""

    p2: float = 0.25
    p2_star: float = 5.0
    max_resends: int = 10


class Client:
    """Send one request, return its final answer."""

    def __init__(
        self,
        transport: Transport,
        timing: Timing | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.transport = transport
        self.timing = timing or Timing()
        #: P2 and P2* run on the transport's time unless another clock is given
        self.clock = clock or transport.clock
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
        pending_deadline: float | None = None
        resends = 0
        while True:
            raw = self.transport.receive(max(0.0, deadline - self.clock()))
            if raw is None:
                if pending_deadline is None:
                    self.transport.sessions.note_refusal(None, pdu)
                    raise errors.NoAnswer("No answer.")
                if (
                    self.transport.resend_after_pending
                    and resends < timing.max_resends
                    and self.clock() < pending_deadline
                ):
                    resends += 1
                    self.resends += 1
                    self.transport.send(pdu)
                    continue
                raise errors.PendingTimeout(
                    f"The unit kept answering 'response pending' (0x78) for "
                    f"{timing.p2_star:g} s without a final answer."
                )
            answer = uds.classify(pdu, raw)
            if isinstance(answer, uds.Negative) and not answer.pending:
                self.transport.sessions.note_refusal(answer.nrc, pdu)
            if isinstance(answer, uds.Negative) and answer.pending:
                self.pending_seen += 1
                if pending_deadline is None:
                    pending_deadline = self.clock() + timing.p2_star
                    self.transport.after_pending()
                    self._widened = True
                deadline = pending_deadline
                continue
            return answer

    def read(self, pdu: bytes) -> bytes:
        """The positive answer's data (after the echo); raise NegativeResponse on 7F."""
        answer = self.request(pdu)
        if isinstance(answer, uds.Negative):
            if answer.nrc == NRC_INCORRECT_LENGTH and pdu[0] == 0x22:
                # The guard only lets whole-identifier 0x22 requests out; a unit that calls
                # one the wrong length saw a cut-short copy: the adapter truncated it.
                raise errors.RequestTruncated(
                    f"The unit answered 'incorrect message length' (NRC 0x13) to the "
                    f"{len(pdu)}-byte request {pdu.hex(' ').upper()}: the adapter probably "
                    "cut the request short."
                )
            raise answer.error()
        return answer.data
