"""Diagnostic sessions at the app layer: entered only when the rule allows, always left.

:class:`SessionKeeper` is a context manager around one command's requests. It asks through
:func:`~g15diag.app.outcome.ask`, tells the sans-I/O :class:`~g15diag.protocol.session.SessionRule`
about every default-session refusal, and on leaving the ``with`` block — normally, on an
error or on Ctrl-C — sends the request that returns the unit to its default session.
"""

from __future__ import annotations

import contextlib
import enum
from types import TracebackType

from g15diag import errors
from g15diag.app.outcome import Outcome, Reply, ask
from g15diag.client import Client
from g15diag.protocol.session import Session, SessionRule


class SessionMode(enum.Enum):
    """``--sessions``: ``auto`` climbs session rungs after a refusal; ``never`` does not."""

    NEVER = "never"
    AUTO = "auto"


class SessionKeeper:
    """Ask requests in the current session; enter and leave sessions by the rule."""

    def __init__(self, client: Client, mode: SessionMode = SessionMode.AUTO) -> None:
        self.client = client
        self.mode = mode
        self.rule = SessionRule()
        self.current = Session.DEFAULT
        self.log: list[Reply] = []  # every session request sent and its reply

    def __enter__(self) -> SessionKeeper:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.leave()
            return
        with contextlib.suppress(errors.G15DiagError):  # the first error is the one to report
            self.leave()

    def ask(self, request: bytes) -> Reply:
        """One read in the current session; default-session refusals feed the rule."""
        reply = ask(self.client, request, self.current)
        if self.current is Session.DEFAULT and reply.outcome in (Outcome.REFUSED, Outcome.SILENT):
            self.rule.note_refusal(reply.nrc, request)
        return reply

    def may_enter(self, session: Session) -> bool:
        return (
            self.mode is SessionMode.AUTO
            and self.rule.permitted
            and self.rule.active is None
            and session is not Session.DEFAULT
        )

    def enter(self, session: Session) -> Reply:
        """Send the session request; a refusal means the unit stayed where it was."""
        request = self.rule.enter(session)
        reply = ask(self.client, request, Session.DEFAULT)
        self.log.append(reply)
        if reply.outcome is Outcome.REFUSED:
            self.rule.not_entered()
        elif reply.outcome is Outcome.ANSWERED:
            self.current = session
        return reply

    def leave(self) -> None:
        """Return the unit to its default session if a session was (or may have been) entered."""
        request = self.rule.leave()
        self.current = Session.DEFAULT
        if request is not None:
            self.log.append(ask(self.client, request, Session.DEFAULT))

    def new_address(self) -> None:
        """Leave any session before the next requests go to another unit."""
        self.leave()
        self.rule.new_address()
