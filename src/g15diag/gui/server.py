"""Serve the page on 127.0.0.1 on a free port with Werkzeug's threaded server, until Quit,
page close or Ctrl-C."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable

from werkzeug.serving import make_server

from g15diag.adapter import AdapterOptions
from g15diag.gui.app import create_app
from g15diag.gui.worker import Worker

HOST = "127.0.0.1"
#: after the page reports it is closing: how long a reload has to come back
CLOSE_GRACE_S = 3.0
#: on stop: how long a running adapter session may take to finish and close its port
FINISH_S = 10.0


class Stopper:
    """Stops the server now (Quit) or after the close grace unless the page comes back."""

    def __init__(self, shutdown: Callable[[], None]) -> None:
        self._shutdown = shutdown
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def now(self) -> None:
        threading.Thread(target=self._shutdown, daemon=True).start()

    def soon(self) -> None:
        with self._lock:
            self.cancel_locked()
            self._timer = threading.Timer(CLOSE_GRACE_S, self.now)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            self.cancel_locked()

    def cancel_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def serve(
    *,
    options: AdapterOptions | None,
    open_browser: bool,
    echo: Callable[[str], None],
) -> None:
    """Run the page until it is stopped; ``echo`` gets the URL first, then status lines."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log with the token
    token = secrets.token_urlsafe(24)
    worker = Worker()
    holder: list[Stopper] = []
    app = create_app(
        token=token,
        worker=worker,
        options=options,
        on_quit=lambda: holder[0].now(),
        on_closing=lambda: holder[0].soon(),
        on_page=lambda: holder[0].cancel(),
    )
    server = make_server(HOST, 0, app, threaded=True)
    holder.append(Stopper(server.shutdown))
    port = server.server_port
    app.config["ALLOWED_HOSTS"] = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
    url = f"http://{HOST}:{port}/?token={token}"
    try:
        echo(url)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        echo("Serving on 127.0.0.1 only. Press Ctrl-C (or Quit in the page) to stop.")
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        worker.wait(FINISH_S)
    echo("Stopped.")
