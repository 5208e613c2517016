"""How the simulated adapter keeps time: the wall clock, or simulated time that costs none.

The simulator's latency model waits (an ``ATST`` silence, a slow clone, a fault that never
answers). Served on a real pty or TCP port it must wait in real time; behind the in-process
``sim://`` port it may run on :class:`SimulatedTime`, where a wait only moves the clock on.
The ELM327 transport reads the same clock from the port (its ``clock`` attribute), so its
deadlines expire in simulated time too: a 5 s timeout costs microseconds in a unit test.
``G15DIAG_SIM_TIME=simulated`` asks for it in a whole process (the test suite's CLI
subprocesses); the values stay simulated either way.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Protocol


class Clock(Protocol):
    """A monotonic time source the simulator can also wait on."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (no-op for zero or less)."""
        ...


class RealTime:
    """The wall clock: waits really wait (pty and TCP servers, ``g15diag simulate``)."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)  # simulator latency model


class SimulatedTime:
    """Time that passes when someone waits on it: a wait costs no wall time.

    Like the wall clock it never stands still: every reading moves it on by :attr:`TICK`,
    so two events are never simultaneous and a loop that polls a deadline always ends.
    """

    TICK = 1e-6

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            self._now += self.TICK
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._now += seconds


#: the environment variable that puts a process's ``sim://`` ports on simulated time
ENV = "G15DIAG_SIM_TIME"


def from_environment() -> Clock:
    """:class:`SimulatedTime` when ``G15DIAG_SIM_TIME=simulated``, else :class:`RealTime`."""
    return SimulatedTime() if os.environ.get(ENV, "").lower() == "simulated" else RealTime()
