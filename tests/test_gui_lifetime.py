"""Issue 18: the page always returns the unit, lives as long as a page is open, and starts
the browser with a one-use address.

Before: Quit, a closed tab or a signal during the page's ``10 03`` with a slow unit ended the
process ~10 s later with ``10 01`` never sent (the read ran on in a daemon thread); a reload
or closing one of two tabs stopped the server; the browser's command line carried the
reusable token; a signal ended ``gui`` with status 0."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from g15diag.gui import server as gui_server
from g15diag.gui.server import CLOSE_GRACE_S, IDLE_S, Launch, Lifetime
from gui_helpers import Gui, start_gui

#: a unit that identifies only inside 10 03 and takes 0.3 s for every answer: the page's
#: read enters 10 03, reads the serial twice and the other identifiers there (over 3 s), then
#: sends 10 01 and reads on (09 02), so a stop is seen to have ended it in the session
SLOW_UNIT = "sim://?unit=uds_extended&latency=0.3"
#: the same unit taking 0.6 s per answer: its read is still in 10 03 when a closed tab's
#: grace (CLOSE_GRACE_S) runs out
SLOWER_UNIT = "sim://?unit=uds_extended&latency=0.6"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_reload_keeps_the_server() -> None:
    clock = Clock()
    life = Lifetime(clock)
    life.alive("old")
    clock.now += 1
    life.closing("old")  # the old page's unload arrives after the new page's first request
    life.alive("new")
    clock.now += CLOSE_GRACE_S * 10
    life.alive("new")
    assert not life.should_stop()


def test_closing_one_of_two_tabs_keeps_the_server() -> None:
    clock = Clock()
    life = Lifetime(clock)
    life.alive("a")
    life.alive("b")
    life.closing("a")
    clock.now += CLOSE_GRACE_S + 1
    assert not life.should_stop()
    life.closing("b")
    assert not life.should_stop()  # the grace runs from the last request
    clock.now += CLOSE_GRACE_S + 1
    assert life.should_stop()


def test_a_silent_page_is_gone_after_a_while_and_none_seen_means_wait() -> None:
    clock = Clock()
    life = Lifetime(clock)
    clock.now += IDLE_S * 3
    assert not life.should_stop()  # --no-browser: nobody has opened the page yet
    life.alive("a")
    clock.now += IDLE_S - 1
    assert not life.should_stop()
    clock.now += CLOSE_GRACE_S + 2
    assert life.should_stop()


def test_launch_code_is_good_once() -> None:
    launch = Launch()
    code = launch.code
    assert not launch.use("x" * len(code))
    assert launch.use(code)
    assert not launch.use(code)


def test_finish_bound_follows_the_adapter_timeout() -> None:
    from g15diag.app.adapter import AdapterOptions

    assert gui_server.finish_bound(AdapterOptions(port="sim://", timeout=2)) == 7.0


# -- through the real server ----------------------------------------------------------------


def browser_recorder(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A BROWSER command that records the address it was started with (what ``ps`` shows)."""
    record = tmp_path / "argv.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"BROWSER": f"{script} %s"}, record


@pytest.mark.slow
def test_the_browser_command_line_is_good_for_one_load(tmp_path: Path) -> None:
    import http.client
    from urllib.parse import urlsplit

    env, record = browser_recorder(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", "gui"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert proc.stdout is not None
        printed = proc.stdout.readline().strip()
        token = printed.split("token=", 1)[1]
        deadline = time.monotonic() + 10
        while not record.exists() or not record.read_text():
            assert time.monotonic() < deadline, "the browser was not started"
            time.sleep(0.05)
        started = record.read_text()
        assert token not in started and "launch=" in started
        parts = urlsplit(started)

        def get(path: str) -> tuple[int, str]:
            conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
            conn.request("GET", path, headers={"Host": parts.netloc})
            response = conn.getresponse()
            response.read()
            conn.close()
            return response.status, response.getheader("Location") or ""

        assert get(f"/?{parts.query}") == (303, f"/?token={token}")  # the first load
        assert get(f"/?{parts.query}")[0] == 403  # a second use: refused
        assert get(f"/?token={token}")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def wire(tcp) -> list[str]:  # type: ignore[no-untyped-def]
    """The session requests the adapter received (the sim logs every line)."""
    if not tcp.streams:
        return []
    return [c[:4] for c in tcp.streams[-1].adapter.commands if c.startswith("10")]


def requests(tcp) -> list[str]:  # type: ignore[no-untyped-def]
    """The service of every request that reached the unit, in order ("22", "10", "09")."""
    return [c[:2] for c in tcp.streams[-1].adapter.commands if not c.startswith("AT")]


def after_session(tcp) -> list[str]:  # type: ignore[no-untyped-def]
    """The requests that reached the unit after its 10 01 (a read left to finish goes on)."""
    sent = requests(tcp)
    return sent[sent.index("10", sent.index("10") + 1) + 1 :]


#: a unit that answers responsePending (0x78) before each answer, the adapter giving up
#: its wait after it (the client sends the request again)
PENDING_UNIT = "sim://?unit=uds_extended&pending=gaveup&latency=0.3"


def start_slow_read(tcp_sim, unit: str = SLOW_UNIT) -> tuple[Gui, object]:  # type: ignore[no-untyped-def]
    tcp = tcp_sim(unit)
    gui = start_gui("--port", tcp.url, "--timeout", "3")
    status, body, _ = gui.request("POST", "/api/read", body={"port": tcp.url})
    assert status == 202, body
    deadline = time.monotonic() + 30
    while "1003" not in wire(tcp):
        assert time.monotonic() < deadline, f"the read never entered 10 03: {wire(tcp)}"
        time.sleep(0.05)
    return gui, tcp


STOPS = ["quit", "tab-closed", "SIGINT", "SIGTERM", "SIGHUP"]


@pytest.mark.slow
@pytest.mark.parametrize("how", STOPS)
def test_stopping_mid_session_returns_the_unit(tcp_sim, how: str) -> None:
    gui, tcp = start_slow_read(tcp_sim, SLOWER_UNIT if how == "tab-closed" else SLOW_UNIT)
    stopped_at = time.monotonic()
    if how == "quit":
        assert gui.request("POST", "/api/quit")[0] == 200
        expected = 0
    elif how == "tab-closed":
        gui.request("POST", "/api/alive?page=p1")
        gui.request("POST", "/api/closing?page=p1")
        expected = 0
    else:
        signum = getattr(signal, how)
        gui.proc.send_signal(signum)
        expected = 128 + signum
    code, out, err = gui.wait()
    took = time.monotonic() - stopped_at
    assert code == expected, (out, err)
    assert "Traceback" not in err and out.rstrip().endswith("Stopped.")
    assert wire(tcp) == ["1003", "1001"]  # the unit was returned before the port closed
    assert after_session(tcp) == []  # the stop ended the read: it did not go on
    bound = gui_server.finish_bound(None) + (CLOSE_GRACE_S + 1 if how == "tab-closed" else 0)
    assert took < bound, took


@pytest.mark.slow
@pytest.mark.parametrize("how", ["quit", "SIGTERM"])
def test_stopping_during_response_pending_returns_the_unit(tcp_sim, how: str) -> None:
    gui, tcp = start_slow_read(tcp_sim, PENDING_UNIT)
    if how == "quit":
        assert gui.request("POST", "/api/quit")[0] == 200
    else:
        gui.proc.send_signal(signal.SIGTERM)
    code, out, err = gui.wait()
    assert code == (0 if how == "quit" else 128 + signal.SIGTERM), (out, err)
    assert wire(tcp) == ["1003", "1001"] and "Traceback" not in err
    assert after_session(tcp) == []  # the stop ended the read


def test_a_frozen_adapter_is_said_and_the_wait_is_bounded() -> None:
    import threading

    from g15diag.gui.worker import Worker

    release = threading.Event()
    worker = Worker()
    worker.start("read", lambda progress: release.wait(10))  # a port that never comes back
    said: list[str] = []

    class Server:
        def shutdown(self) -> None: ...
        def server_close(self) -> None: ...

    started = time.monotonic()
    gui_server._finish(worker, Server(), threading.Thread(), 0.3, said.append)  # type: ignore[arg-type]
    assert time.monotonic() - started < 2
    release.set()
    assert said[0].startswith("The adapter did not finish within 0.3 s (it may be frozen)")
    assert said[-1] == "Stopped."
