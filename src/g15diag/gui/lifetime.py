"""How long the page's server lives, and the one-use address the browser is started with.

No I/O and an injected clock: the server asks :meth:`Lifetime.should_stop` every tick.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable

#: after the last page closed (or went silent): how long a reload has to come back
CLOSE_GRACE_S = 5.0
#: a page that sent no heartbeat for this long is gone (a hidden tab's timers may be throttled
#: to one a minute by the browser, so this is well above that)
IDLE_S = 150.0


class Lifetime:
    """Which pages are open, and when the server should stop (no I/O; an injected clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pages: dict[str, float] = {}  # page id -> last heartbeat
        self._last_seen = clock()  # the last request of any page
        self._armed = False  # a page was seen: from now on "no page" means stop

    def seen(self) -> None:
        """Any authenticated request: a page is there."""
        with self._lock:
            self._last_seen = self._clock()

    def alive(self, page: str) -> None:
        """A page's heartbeat."""
        with self._lock:
            now = self._clock()
            self._pages[page] = self._last_seen = now
            self._armed = True

    def closing(self, page: str) -> None:
        """A page said it is going away (unload): forget it; others keep the server up."""
        with self._lock:
            self._pages.pop(page, None)
            self._last_seen = self._clock()  # the grace for a reload runs from here
            self._armed = True

    def should_stop(self) -> bool:
        """True when no page is open and none came back within the grace."""
        with self._lock:
            now = self._clock()
            for page, last in list(self._pages.items()):
                if now - last > IDLE_S:
                    del self._pages[page]
            if not self._armed or self._pages:
                return False
            return now - self._last_seen > CLOSE_GRACE_S


class Launch:
    """The one-use launch code the browser is started with."""

    def __init__(self) -> None:
        self._code: str | None = secrets.token_urlsafe(24)
        self._lock = threading.Lock()

    @property
    def code(self) -> str:
        assert self._code is not None
        return self._code

    def use(self, given: str) -> bool:
        """True once for the right code; never again."""
        with self._lock:
            if self._code is None or not hmac.compare_digest(given.encode(), self._code.encode()):
                return False
            self._code = None
            return True
