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
from collections.abc import Callable

from werkzeug.serving import BaseWSGIServer, make_server

from g15diag.app.adapter import AdapterOptions
from g15diag.gui.app import create_app
from g15diag.gui.lifetime import CLOSE_GRACE_S, IDLE_S, Launch, Lifetime
from g15diag.gui.worker import Worker
from g15diag.system import signals

HOST = "127.0.0.1"
#: how often the lifetime is checked
TICK_S = 0.5
#: on stop, the wait for a running read beyond two adapter timeouts (request, then 10 01)
FINISH_MARGIN_S = 3.0


def finish_bound(options: AdapterOptions | None) -> float:
    """How long stopping waits for a running read: the request on the wire, the return to
    the default session, the port's close."""
    timeout = options.timeout if options is not None else 5.0
    return 2 * timeout + FINISH_MARGIN_S


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


__all__ = ["CLOSE_GRACE_S", "IDLE_S", "Launch", "Lifetime", "finish_bound", "serve"]
