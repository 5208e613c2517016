"""The simulated adapter as a byte stream: bytes in, timed bytes out.

Shared by the in-process pyserial handler (``sim://``) and the pseudo-terminal / TCP
servers, so every face runs the same adapter model. Output becomes readable only when its
simulated time has come (the simulator's latency model).
"""

from __future__ import annotations

import time
from collections import deque

from g15diag.sim.car import SimCar
from g15diag.sim.elm327 import AdapterOptions, Elm327Simulator


class SimStream:
    """Feed written bytes; collect the adapter's answers when they are due."""

    def __init__(self, car: SimCar, options: AdapterOptions | None = None) -> None:
        self.adapter = Elm327Simulator(car, options or AdapterOptions())
        self._partial = bytearray()
        self._queue: deque[tuple[float, bytes]] = deque()
        self._busy_until = 0.0

    def write(self, data: bytes) -> None:
        """Take bytes from the host; each CR completes a command."""
        self._partial += data
        while b"\r" in self._partial:
            line, _, rest = bytes(self._partial).partition(b"\r")
            self._partial = bytearray(rest)
            text = line.decode("ascii", "replace").strip("\n")
            delay, answer = self.adapter.handle(text)
            due = max(time.monotonic(), self._busy_until) + delay
            self._busy_until = due
            self._queue.append((due, answer.encode("ascii")))

    def next_due(self) -> float | None:
        """Monotonic time when the next answer becomes readable, or None."""
        return self._queue[0][0] if self._queue else None

    def take_ready(self) -> bytes:
        """All answer bytes whose time has come."""
        now = time.monotonic()
        out = bytearray()
        while self._queue and self._queue[0][0] <= now:
            out += self._queue.popleft()[1]
        return bytes(out)

    def wait_ready(self, deadline: float) -> bytes:
        """Block (latency model) until an answer is due or ``deadline`` passes."""
        due = self.next_due()
        if due is None:
            remaining = deadline - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)  # simulator latency model: nothing will ever arrive
            return b""
        pause = min(due, deadline) - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # simulator latency model
        return self.take_ready()

    def discard(self) -> None:
        """Drop everything not yet read (reset_input_buffer)."""
        self._queue.clear()
