"""Serve the page on 127.0.0.1 on a free port with Werkzeug's threaded server.

Lifetime: the server stops on Quit, on Ctrl-C/SIGTERM/SIGHUP (then the CLI exits 130/143/129),
or when no page has been seen for a while. Each open page sends a heartbeat; closing a tab
only forgets that page, so a reload or a second tab keeps the tool running (:class:`Lifetime`).
Stopping first ends a running read between two requests: a session it entered is left
(``10 01`` on the wire) and the port closed, within :func:`finish_bound` seconds.

The key: the page's token is printed on stdout (the user's own terminal); the browser is
started with a different, one-use launch URL (``/?launch=...``) that the first load exchanges
for the page, so the address other local users can read with ``ps`` is worthless once used.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable

from werkzeug.serving import BaseWSGIServer, make_server

from g15diag import signals
from g15diag.adapter import AdapterOptions
from g15diag.gui.app import create_app
from g15diag.gui.worker import Worker

HOST = "127.0.0.1"
#: after the last page closed (or went silent): how long a reload has to come back
CLOSE_GRACE_S = 5.0
#: a page that sent no heartbeat for this long is gone (a hidden tab's timers may be throttled
#: to one a minute by the browser, so this is well above that)
IDLE_S = 150.0
#: how often the lifetime is checked
TICK_S = 0.5
#: on stop, the wait for a running read beyond two adapter timeouts (request, then 10 01)
FINISH_MARGIN_S = 3.0


def finish_bound(options: AdapterOptions | None) -> float:
    """How long stopping waits for a running read: the request on the wire, the return to
    the default session, the port's close."""
    timeout = options.timeout if options is not None else 5.0
    return 2 * timeout + FINISH_MARGIN_S


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
        import hmac

        with self._lock:
            if self._code is None or not hmac.compare_digest(given.encode(), self._code.encode()):
                return False
            self._code = None
            return True


def serve(
    *,
    options: AdapterOptions | None,
    open_browser: bool,
    echo: Callable[[str], None],
) -> None:
    """Run the page until it is stopped; ``echo`` gets the URL first, then status lines.

    A signal (Ctrl-C, SIGTERM, SIGHUP) is raised again after the cleanup, so the CLI exits
    with 128 + its number.
    """
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log with the token
    token = secrets.token_urlsafe(24)
    worker = Worker()
    lifetime = Lifetime()
    launch = Launch()
    done = threading.Event()
    app = create_app(
        token=token,
        worker=worker,
        options=options,
        on_quit=done.set,
        lifetime=lifetime,
        launch=launch,
    )
    server = make_server(HOST, 0, app, threaded=True)
    port = server.server_port
    app.config["ALLOWED_HOSTS"] = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
    url = f"http://{HOST}:{port}/?token={token}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.daemon = True
    interrupted: KeyboardInterrupt | None = None
    try:
        thread.start()
        echo(url)
        if open_browser:
            import webbrowser

            webbrowser.open(f"http://{HOST}:{port}/?launch={launch.code}")
        echo("Serving on 127.0.0.1 only. Press Ctrl-C (or Quit in the page) to stop.")
        while not done.wait(TICK_S):  # the main thread stays free for signals
            if lifetime.should_stop():
                echo("No page has been open for a while: stopping.")
                break
    except KeyboardInterrupt as exc:  # signals.Interrupted: 128 + n once cleaned up
        interrupted = exc
    finally:
        with signals.deferred():  # a second signal waits: the unit is returned first
            _finish(worker, server, thread, finish_bound(options), echo)
    if interrupted is not None:
        raise interrupted


def _finish(
    worker: Worker,
    server: BaseWSGIServer,
    thread: threading.Thread,
    bound: float,
    echo: Callable[[str], None],
) -> None:
    """End a running read (its session left, its port closed), then the server."""
    if not worker.stop(bound):
        echo(
            f"The adapter did not finish within {bound:g} s (it may be frozen): the unit "
            "returns to its default session by itself within about 5 s. Unplug the adapter "
            "to reset it."
        )
    if thread.is_alive():
        server.shutdown()
    server.server_close()
    echo("Stopped.")
