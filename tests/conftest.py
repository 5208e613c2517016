"""Shared fixtures: real pseudo-terminal and loopback TCP simulators, CLI runners."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from g15diag.cli import main
from g15diag.sim import can_bus as sim_can_bus
from g15diag.sim import register
from g15diag.sim.clock import ENV as SIM_TIME
from g15diag.sim.clock import SimulatedTime
from g15diag.sim.protocol_sim import Serial as SimSerial
from g15diag.transport import client as client_module
from g15diag.transport import native_can
from g15diag.transport.client import Timing

# tests open sim:// with Elm327Transport directly (the CLI does it in g15diag.app.adapter)
register()


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """The tester's own G15DIAG_* variables and config file never reach a test."""
    for name in ("G15DIAG_PORT", "G15DIAG_BAUD"):
        monkeypatch.delenv(name, raising=False)
    missing = tmp_path_factory.getbasetemp() / "no-such-g15diag-config.toml"
    monkeypatch.setenv("G15DIAG_CONFIG", str(missing))


@pytest.fixture(autouse=True)
def _simulated_time(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process ``sim://`` ports run on simulated time: an adapter's silence or a fault's
    timeout costs no wall time. Real ptys, TCP, subprocesses and ``real_time`` tests keep
    the wall clock."""
    if request.node.get_closest_marker("real_time") is None:
        monkeypatch.setattr(SimSerial, "clock_factory", SimulatedTime)


#: P2 of the tests' client: the simulated car on python-can's ``virtual`` bus answers within
#: milliseconds, so a silent address is known after 0.1 s (still twice ISO 14229-2's 50 ms
#: P2server), not the tool's 0.25 s with its margin for a busy PC and a real bus
TEST_P2 = 0.1
#: N_Cr of the tests' ISO-TP stack: the simulator sends consecutive frames back to back, so
#: a gap of 0.2 s already means the answer broke (ISO 15765-2's 1 s is for a real bus)
TEST_CF_TIMEOUT_MS = 200
#: how often the ``virtual`` bus's reader threads look up: stopping each of them waits that long
TEST_CAN_POLL = 0.005


@pytest.fixture(autouse=True)
def _quick_can(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-can's ``virtual`` bus runs on the wall clock (its threads, can-isotp's timers):
    the waits that cost its tests real seconds are shortened, not removed. Only the native
    CAN transport waits on the client's P2 (an ELM327's answer is read up to its prompt)."""
    monkeypatch.setattr(client_module, "Timing", functools.partial(Timing, p2=TEST_P2))
    monkeypatch.setattr(native_can, "CF_TIMEOUT_MS", TEST_CF_TIMEOUT_MS)
    monkeypatch.setattr(native_can, "NOTIFIER_TIMEOUT", TEST_CAN_POLL)
    monkeypatch.setattr(native_can, "READ_TIMEOUT", TEST_CAN_POLL)
    monkeypatch.setattr(sim_can_bus, "NOTIFIER_TIMEOUT", TEST_CAN_POLL)


class _SubprocessInQuickTier(subprocess.Popen):  # type: ignore[type-arg]
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError(
            "this test starts a subprocess: mark it @pytest.mark.slow (see pyproject.toml)"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """The quick tier (``-m "not slow"``) really is: a test that starts a process, in its
    body or in a fixture of any scope, must say so with ``@pytest.mark.slow``."""
    if item.get_closest_marker("slow") is not None:
        yield
        return
    real = subprocess.Popen
    subprocess.Popen = _SubprocessInQuickTier  # type: ignore[misc]
    try:
        yield
    finally:
        subprocess.Popen = real  # type: ignore[misc]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process: returns (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_process():
    """Run ``python -m g15diag`` as a real subprocess: returns CompletedProcess."""

    def run(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("G15DIAG_DEBUG", None)
        env[SIM_TIME] = "simulated"  # its sim:// ports too (signal tests start their own)
        return subprocess.run(
            [sys.executable, "-m", "g15diag", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            **kwargs,
        )

    return run


def _server_factory(kind: str) -> Iterator[object]:
    """Start simulator servers of ``kind`` ("PtyServer"/"TcpServer") on demand; close them all."""
    from g15diag.sim import server as servers_module

    cls = getattr(servers_module, kind)
    servers = []

    def start(url: str = "sim://"):  # type: ignore[no-untyped-def]
        server = cls(url).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def pty_sim() -> Iterator[object]:
    """Factory: a simulated adapter on a real pseudo-terminal (``server.path``)."""
    yield from _server_factory("PtyServer")


@pytest.fixture
def tcp_sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Factory: a simulated Wi-Fi adapter on 127.0.0.1 (``server.url``).

    pyserial pauses 0.3 s after closing a ``socket://`` port so that a real Wi-Fi adapter
    can take the next connection; the simulator takes it at once, so the pause is skipped
    (the socket is still shut down and closed for real)."""
    from types import SimpleNamespace

    from serial.urlhandler import protocol_socket

    monkeypatch.setattr(protocol_socket, "time", SimpleNamespace(sleep=lambda seconds: None))
    yield from _server_factory("TcpServer")
