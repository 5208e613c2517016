"""The simulated adapter as a byte stream: bytes in, timed bytes out.

Shared by the in-process pyserial handler (``sim://``) and the pseudo-terminal / TCP
servers, so every face runs the same adapter model. Output becomes readable only when its
simulated time has come (the simulator's latency model), on the stream's clock
(:mod:`g15diag.sim.clock`): real time on a pty or TCP port, simulated time when asked.

The host-link speed is modelled too: when the adapter has a fixed speed (``baud=`` option)
and the host's port is set to another, the adapter sees noise, answers ``?`` at its own speed,
and the host reads line noise without a ``>`` prompt — what a real UART does. A dropped link
(the ``disconnect`` fault) is a marker in the queue; the face closes once it is reached.
"""

from __future__ import annotations

from collections import deque

from g15diag.sim.car import SimCar
from g15diag.sim.clock import Clock, RealTime
from g15diag.sim.elm327 import Elm327Simulator, SimAdapterOptions


def garble(data: bytes, host_baud: int, adapter_baud: int) -> bytes:
    """What a host UART at ``host_baud`` makes of ``data`` sent at ``adapter_baud``.

    Deterministic noise: every byte has its high bit set (framing errors), so it is never a
    prompt, a '?' or a hex digit; the count scales with the speed ratio.
    """
    count = max(1, round(len(data) * host_baud / adapter_baud))
    seed = sum(data) + host_baud // 100 + adapter_baud // 100
    return bytes(0x80 | ((seed + 37 * i) & 0x7F) for i in range(count))


class SimStream:
    """Feed written bytes; collect the adapter's answers when they are due."""

    def __init__(
        self, car: SimCar, options: SimAdapterOptions | None = None, clock: Clock | None = None
    ) -> None:
        #: the time every delay is measured on; the car's units age on it too (S3)
        self.clock: Clock = clock or RealTime()
        for ecu in car.ecus:
            ecu.clock = self.clock.now
        self.adapter = Elm327Simulator(car, options or SimAdapterOptions())
        self._partial = bytearray()
        self._queue: deque[tuple[float, bytes | None]] = deque()  # None: link drops
        self._busy_until = 0.0
        #: the speed the host's port is set to (None: unknown, taken as matching)
        self.host_baud: int | None = None
        #: True once the link dropped (disconnect fault): the face must close
        self.dropped = False

    @property
    def speed_mismatch(self) -> bool:
        """True when host and adapter UARTs run at different speeds."""
        adapter_baud = self.adapter.options.baud
        return adapter_baud is not None and self.host_baud not in (None, adapter_baud)

    def write(self, data: bytes) -> None:
        """Take bytes from the host; each CR completes a command."""
        if self.dropped:
            return
        if self.speed_mismatch:
            self._partial.clear()  # the adapter sees noise; it answers '?' to each "line"
            for _ in range(data.count(b"\r")):
                noise = garble(b"?\r\r>", self.host_baud or 0, self.adapter.options.baud or 1)
                self._enqueue(0.0, noise)
            return
        self._partial += data
        while b"\r" in self._partial:
            line, _, rest = bytes(self._partial).partition(b"\r")
            self._partial = bytearray(rest)
            text = line.decode("ascii", "replace").strip("\n")
            delay, answer = self.adapter.handle(text)
            if answer:
                self._enqueue(delay, answer.encode("latin-1"))
            for later_delay, later in self.adapter.later:  # late and slow adapters
                self._enqueue(later_delay, later.encode("latin-1"))
            self.adapter.later.clear()
            if self.adapter.dropped:
                self._enqueue(0.0, None)
                self._partial.clear()
                return

    def _enqueue(self, delay: float, data: bytes | None) -> None:
        due = max(self.clock.now(), self._busy_until) + delay
        self._busy_until = due
        self._queue.append((due, data))

    def next_due(self) -> float | None:
        """Time (on :attr:`clock`) when the next answer becomes readable, or None."""
        return self._queue[0][0] if self._queue else None

    def take_ready(self) -> bytes:
        """All answer bytes whose time has come (up to a dropped link)."""
        now = self.clock.now()
        out = bytearray()
        while self._queue and self._queue[0][0] <= now:
            chunk = self._queue.popleft()[1]
            if chunk is None:
                self.dropped = True
                self._queue.clear()
                break
            out += chunk
        return bytes(out)

    def wait_ready(self, deadline: float) -> bytes:
        """Block (latency model) until an answer is due or ``deadline`` passes."""
        due = self.next_due()
        if due is None:
            if not self.dropped:  # simulator latency model: nothing will ever arrive
                self.clock.sleep(deadline - self.clock.now())
            return b""
        self.clock.sleep(min(due, deadline) - self.clock.now())  # simulator latency model
        return self.take_ready()

    def discard(self) -> None:
        """Drop everything not yet read (reset_input_buffer)."""
        self._queue.clear()
