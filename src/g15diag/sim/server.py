"""Serve the simulated adapter on a real pseudo-terminal or a loopback TCP port.

This is how tests and benchmarks drive the real serial and ``socket://`` code paths: the
tool opens ``/dev/pts/N`` or ``socket://127.0.0.1:PORT`` exactly as it would open a USB or
Wi-Fi adapter.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import sys
import threading
from collections.abc import Callable

from g15diag.errors import UsageError
from g15diag.sim import config
from g15diag.sim.stream import SimStream


class _Stop:
    """A stop flag that ``select`` can wait on, so a server stops at once (signal-safe)."""

    def __init__(self) -> None:
        self._wake, self._waker = socket.socketpair()  # a pipe would not select on Windows
        self._waker.setblocking(False)
        self._set = False

    def set(self) -> None:
        self._set = True
        with contextlib.suppress(OSError):  # already woken, or closed
            self._waker.send(b"\0")

    def is_set(self) -> bool:
        return self._set

    def fileno(self) -> int:
        return self._wake.fileno()

    def close(self) -> None:
        self._wake.close()
        self._waker.close()


def _pump(
    read_fd: int,
    write: Callable[[bytes], object],
    stream: SimStream,
    stop: _Stop,
    recv: Callable[[], bytes],
    before_write: Callable[[], None] | None = None,
) -> None:
    """Move bytes between a file descriptor and the simulated adapter until EOF, stop, or
    the simulated link drops (the caller then closes its end for real)."""
    while not stop.is_set():
        due = stream.next_due()
        wait = 0.1 if due is None else max(0.0, min(0.1, due - stream.clock.now()))
        ready, _, _ = select.select([read_fd, stop.fileno()], [], [], wait)
        if read_fd in ready:
            data = recv()
            if not data:
                return
            if before_write is not None:
                before_write()
            stream.write(data)
        out = stream.take_ready()
        if out:
            write(out)
        if stream.dropped:
            return


def _termios_speeds() -> dict[int, int]:
    """termios speed constant -> bits per second, for the constants this platform has."""
    import termios  # POSIX only (PtyServer)

    speeds = {}
    for name in dir(termios):
        if name.startswith("B") and name[1:].isdigit():
            speeds[getattr(termios, name)] = int(name[1:])
    return speeds


class PtyServer:
    """A simulated adapter on a pseudo-terminal; ``path`` is the port to open."""

    def __init__(self, url: str = "sim://") -> None:
        if sys.platform == "win32":
            raise UsageError(
                "Windows has no pseudo-terminals: serve the simulator on TCP instead "
                "(g15diag simulate --tcp 0), or use --port sim:// directly."
            )
        import tty  # POSIX only

        car, options = config.build(url)
        self.stream = SimStream(car, options)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = _Stop()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sim-pty")

    def _run(self) -> None:
        def recv() -> bytes:
            try:
                return os.read(self._master, 4096)
            except OSError:
                return b""

        import termios  # POSIX only

        speeds = _termios_speeds()

        def host_speed() -> None:
            # The speed the tool set on its end of the pty, as a real UART would see it.
            with contextlib.suppress(termios.error, OSError):
                self.stream.host_baud = speeds.get(termios.tcgetattr(self._slave)[4])

        _pump(
            self._master,
            lambda b: os.write(self._master, b),
            self.stream,
            self._stop,
            recv,
            host_speed,
        )
        if self.stream.dropped:  # hang up for real: the tool's next read fails like an unplug
            master, self._master = self._master, -1  # never close a reused fd number twice
            with contextlib.suppress(OSError):
                os.close(master)

    def __enter__(self) -> PtyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def serve_forever(self) -> None:
        self._run()

    def stop(self) -> None:
        """Make :meth:`serve_forever` return at once (safe from a signal handler)."""
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1.0)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        if not self._thread.is_alive():
            self._stop.close()


class TcpServer:
    """A simulated Wi-Fi adapter on loopback; ``url`` is ``socket://127.0.0.1:PORT``."""

    def __init__(self, url: str = "sim://", host: str = "127.0.0.1", port: int = 0) -> None:
        self._sim_url = url
        config.build(url)  # validate now, not in the thread
        self._listener = socket.create_server((host, port))
        self.host, self.port = self._listener.getsockname()[:2]
        self.url = f"socket://{self.host}:{self.port}"
        self._stop = _Stop()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="sim-tcp")
        self.streams: list[SimStream] = []  # one per connection, newest last (for tests)

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            listener = self._listener.fileno()
            ready, _, _ = select.select([listener, self._stop.fileno()], [], [], 0.1)
            if listener not in ready:
                continue
            conn, _ = self._listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            car, options = config.build(self._sim_url)  # a fresh car per connection
            stream = SimStream(car, options)
            self.streams.append(stream)

            def recv(c: socket.socket = conn) -> bytes:
                try:
                    return c.recv(4096)
                except OSError:
                    return b""

            with conn:
                _pump(conn.fileno(), conn.sendall, stream, self._stop, recv)

    def stop(self) -> None:
        """Make :meth:`serve_forever` return at once (safe from a signal handler)."""
        self._stop.set()

    def __enter__(self) -> TcpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1.0)
        self._listener.close()
        if not self._thread.is_alive():
            self._stop.close()
