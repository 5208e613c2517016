"""Diagnostic sessions at the app layer: entered only when the rule allows, always left.

The rule itself (:class:`~g15diag.protocol.session.SessionRule`) belongs to the transport and
is checked in its final ``send``; the transport feeds it what it received itself. The
:class:`SessionKeeper` is the app's side: a context manager around one command's requests that
asks only what the rule allows, knows the session reads happen in, and on leaving the
``with`` block — normally, on an error or on Ctrl-C — returns the unit to its default session.
"""

from __future__ import annotations

import contextlib
import enum
from types import TracebackType

from g15diag import errors
from g15diag.app.outcome import Outcome, Reply, ask
from g15diag.protocol.session import Session
from g15diag.transport.client import Client


class SessionMode(enum.Enum):
    """``--sessions``: ``auto`` climbs session rungs after a refusal; ``never`` does not."""

    NEVER = "never"
    AUTO = "auto"


class SessionKeeper:
    """Ask requests in the current session; enter and leave sessions by the rule."""

    def __init__(self, client: Client, mode: SessionMode = SessionMode.AUTO) -> None:
        self.client = client
        self.mode = mode
        self.transport = client.transport  # owns the session rule; read, never fed, here
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
        """One read in the current session (the transport tells its rule about refusals)."""
        return ask(self.client, request, self.current)

    def may_enter(self, session: Session) -> bool:
        return (
            self.mode is SessionMode.AUTO
            and self.transport.session_permitted
            and self.transport.session_active is None
            and session is not Session.DEFAULT
        )

    def enter(self, session: Session) -> Reply:
        """Send the session request; a refusal means the unit stayed where it was."""
        if not self.may_enter(session):
            raise errors.ReadOnlyViolation(
                f"Not entering the {session.label} session: no refusal seen, another session "
                "open, or --sessions never. Nothing was sent."
            )
        assert session.request is not None
        reply = ask(self.client, session.request, Session.DEFAULT)  # the transport's rule admits it
        self.log.append(reply)  # a refusal: the transport noted that nothing was entered
        if reply.outcome is Outcome.ANSWERED:
            self.current = session
        return reply

    def leave(self) -> None:
        """Return the unit to its default session if a session was (or may have been) entered."""
        active = self.transport.session_active
        self.current = Session.DEFAULT
        if active is not None and active.exit_request is not None:
            self.log.append(ask(self.client, active.exit_request, Session.DEFAULT))

    def new_address(self) -> None:
        """Leave any session before the next requests go to another unit (the transport
        starts the rule over when it is pointed elsewhere)."""
        self.leave()
