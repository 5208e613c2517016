"""SIGINT, SIGTERM and SIGHUP end a CLI run the same way: unwind, clean up, exit 128+n.

:func:`installed` (used by the CLI only; the library never touches signal handlers) makes
each of them raise :class:`Interrupted`, a ``KeyboardInterrupt``, so every ``finally`` that
removes a temporary runs whichever signal came. After the first signal the others are
ignored, so a second Ctrl-C cannot interrupt the cleanup or the "Interrupted." message.
Inside :func:`deferred` a signal waits until the block is over (a file linked into place is
recorded as written before the interruption is raised).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from types import FrameType
from typing import Any, TypeAlias

#: the signals that end a run (SIGHUP does not exist on Windows)
HANDLED: tuple[int, ...] = tuple(
    sig
    for sig in (
        getattr(signal, "SIGINT", None),
        getattr(signal, "SIGTERM", None),
        getattr(signal, "SIGHUP", None),
    )
    if sig is not None
)
#: what signal.signal() takes and returns (None: a handler not installed from Python)
_Handler: TypeAlias = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Interrupted(KeyboardInterrupt):
    """A signal asked the run to end; ``exit_status`` is 128 + the signal number."""

    def __init__(self, signum: int = int(signal.SIGINT)) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


class Cancelled(KeyboardInterrupt):
    """The page stopped while a read ran in its thread: the read ends before its next
    request; like Ctrl-C it unwinds every ``with`` (sessions are left, the port closed)."""


#: the stop event of the run in this thread (the page's worker sets one per job)
_cancel: ContextVar[threading.Event | None] = ContextVar("g15diag_cancel", default=None)


@contextmanager
def cancelled_by(event: threading.Event) -> Iterator[None]:
    """Requests sent in this thread inside the block raise :class:`Cancelled` once ``event``
    is set (the transport asks :func:`check_cancelled` before each, except a session exit)."""
    token = _cancel.set(event)
    try:
        yield
    finally:
        _cancel.reset(token)


def check_cancelled() -> None:
    """Raise :class:`Cancelled` if this thread's run was asked to stop."""
    event = _cancel.get()
    if event is not None and event.is_set():
        raise Cancelled()


class _State:
    depth = 0  # nesting of deferred() blocks
    pending: int | None = None  # a signal that landed inside deferred()
    stopping = False  # the run is ending: further signals are ignored


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.stopping:
        return
    if _state.depth:
        _state.pending = _state.pending or signum
        return
    _state.stopping = True
    raise Interrupted(signum)


def stop() -> None:
    """The run is ending: ignore any further signal (called before "Interrupted.")."""
    _state.stopping = True


@contextmanager
def deferred() -> Iterator[None]:
    """Hold a signal that lands inside the block until the block is over."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0 and _state.pending is not None and not _state.stopping:
            signum, _state.pending = _state.pending, None
            _state.stopping = True
            raise Interrupted(signum)


@contextmanager
def installed(*, restore: bool = True) -> Iterator[None]:
    """Handle :data:`HANDLED` for the duration of a CLI run (main thread only); a signal
    the caller ignores (``nohup``) stays ignored. ``restore=False`` when the process exits
    right after (a signal between the restore and the exit would kill it untidily)."""
    _state.depth, _state.pending, _state.stopping = 0, None, False
    previous: dict[int, _Handler] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in HANDLED:
            try:
                if signal.getsignal(sig) is signal.SIG_IGN:
                    continue
                previous[sig] = signal.signal(sig, _handler)
            except (OSError, ValueError):  # not settable here
                pass
    try:
        yield
    finally:
        if not restore:
            previous.clear()
        for sig, old in previous.items():
            with suppress(OSError, ValueError, TypeError):
                signal.signal(sig, old)
