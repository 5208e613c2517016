"""One request, one typed reply: the outcome vocabulary every search and read shares."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from g15diag import errors
from g15diag.protocol.session import Session
from g15diag.transport.client import Client


class Outcome(str, enum.Enum):
    """What one request got. ``value`` is the spelling ``scan --json`` has always used;
    :attr:`item_status` the one of ``identify --json`` items (schema 1)."""

    ANSWERED = "answered"
    REFUSED = "refused"  # a negative response: a unit is there
    SILENT = "silent"
    PENDING = "pending"  # responsePending (0x78) only, past the P2* budget
    BUS_ERROR = "silent (bus error)"  # the adapter reported CAN ERROR: no bus at this rate
    #: DATA ERROR: a unit answered, but its frames failed the adapter's check (unpadded
    #: frames on v1.x firmware): a unit is there
    DATA_ERROR = "answered (DATA ERROR)"
    MALFORMED = "malformed"  # an answer that does not fit the request: a unit is there
    SKIPPED = "skipped"  # not asked (not needed, or the service is absent)

    @property
    def present(self) -> bool:
        """True when the reply shows a unit at the address."""
        return self in (Outcome.ANSWERED, Outcome.REFUSED, Outcome.MALFORMED, Outcome.DATA_ERROR)

    @property
    def item_status(self) -> str:
        return _ITEM_STATUS[self]


_ITEM_STATUS = {
    Outcome.ANSWERED: "ok",
    Outcome.REFUSED: "not_supported",
    Outcome.SILENT: "no_answer",
    Outcome.PENDING: "no_answer",
    Outcome.BUS_ERROR: "no_answer",
    Outcome.MALFORMED: "malformed",
    Outcome.DATA_ERROR: "malformed",
    Outcome.SKIPPED: "skipped",
}


@dataclass(frozen=True)
class Reply:
    """The reply to one request: outcome, data (after the echo) or NRC, and the session."""

    request: bytes
    outcome: Outcome
    session: Session = Session.DEFAULT
    raw: bytes | None = None
    nrc: int | None = None
    error: errors.G15DiagError | None = None  # the exception behind a non-answer, kept

    @property
    def detail(self) -> str:
        if isinstance(self.error, errors.NegativeResponse):
            return self.error.nrc_name
        if self.outcome is Outcome.PENDING:
            return f"responsePending only: {self.error}"
        if self.outcome is Outcome.DATA_ERROR:
            return "the adapter rejected the answer (DATA ERROR)"
        return str(self.error) if self.outcome is Outcome.MALFORMED else ""


def ask(client: Client, request: bytes, session: Session = Session.DEFAULT) -> Reply:
    """Send ``request`` once; never raises for what the unit or the bus does.

    responsePending is waited out by the client; a bus error (``CAN ERROR``: nothing
    acknowledges frames at this bit rate) is an outcome, not an escape.
    """
    try:
        return Reply(request, Outcome.ANSWERED, session, raw=client.read(request))
    except errors.PendingTimeout as exc:
        return Reply(request, Outcome.PENDING, session, error=exc)
    except errors.NoAnswer as exc:
        return Reply(request, Outcome.SILENT, session, error=exc)
    except errors.NegativeResponse as exc:
        return Reply(request, Outcome.REFUSED, session, nrc=exc.nrc, error=exc)
    except errors.MalformedResponse as exc:
        return Reply(request, Outcome.MALFORMED, session, error=exc)
    except errors.FrameCheckFailed as exc:
        return Reply(request, Outcome.DATA_ERROR, session, error=exc)
    except errors.CanBusError as exc:
        return Reply(request, Outcome.BUS_ERROR, session, error=exc)
