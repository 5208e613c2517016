"""pyserial URL handler for ``sim://``: the simulated ELM327 behind pyserial's own API.

Registered by :func:`register` (``serial.protocol_handler_packages``), so
``serial.serial_for_url("sim://?hu=7A0:7A8")`` returns this class and the real ELM327
transport runs unchanged against the simulator.

The port keeps time on a :mod:`g15diag.sim.clock` clock made by :attr:`Serial.clock_factory`
(real time unless ``G15DIAG_SIM_TIME=simulated`` or a test sets
:class:`~g15diag.sim.clock.SimulatedTime`) and lends it to the transport as ``port.clock``,
so the adapter's waits and the tool's deadlines share one time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import serial
from serial.serialutil import PortNotOpenError, SerialBase

from g15diag.sim import config
from g15diag.sim.clock import Clock, RealTime, from_environment
from g15diag.sim.stream import SimStream

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


def register() -> None:
    """Make ``sim://`` known to :func:`serial.serial_for_url` (idempotent)."""
    if "g15diag.sim" not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append("g15diag.sim")


class Serial(SerialBase):
    """A pyserial port whose far end is the simulated adapter and car."""

    stream: SimStream | None = None
    #: makes the clock of every port opened from now on (tests: SimulatedTime)
    clock_factory: ClassVar[Callable[[], Clock]] = staticmethod(from_environment)
    _clock: Clock = RealTime()

    def open(self) -> None:
        if self.port is None:
            raise serial.SerialException("Port must be configured before it can be used.")
        if self.is_open:
            raise serial.SerialException("Port is already open.")
        car, options = config.build(str(self.port))
        self._clock = type(self).clock_factory()
        self.stream = SimStream(car, options, self._clock)
        self.stream.host_baud = self.baudrate
        self._buffer = bytearray()
        self.is_open = True

    def close(self) -> None:
        self.is_open = False
        self.stream = None

    def clock(self) -> float:
        """Now, on the simulated adapter's clock (the transport's deadlines use it)."""
        return self._clock.now()

    def _reconfigure_port(self) -> None:
        """Tell the simulated adapter the host's speed (``baud=`` makes a mismatch matter)."""
        if self.stream is not None:
            self.stream.host_baud = self.baudrate

    @property
    def in_waiting(self) -> int:
        self._require_open()
        assert self.stream is not None
        self._buffer += self.stream.take_ready()
        return len(self._buffer)

    def read(self, size: int = 1) -> bytes:
        self._require_open()
        assert self.stream is not None
        clock = self.stream.clock
        deadline = clock.now() + (self.timeout if self.timeout is not None else 3600.0)
        while len(self._buffer) < size:
            if self.stream.dropped:
                if self._buffer:
                    break
                # what pyserial raises on Linux when a USB adapter is unplugged mid-read
                raise serial.SerialException(
                    "device reports readiness to read but returned no data "
                    "(device disconnected or multiple access on port?)"
                )
            chunk = self.stream.wait_ready(deadline)
            self._buffer += chunk
            if clock.now() >= deadline and not chunk:
                break
            if chunk and self.timeout == 0:
                break
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def write(self, b: ReadableBuffer, /) -> int:
        self._require_open()
        assert self.stream is not None
        if self.stream.dropped:
            raise serial.SerialException("write failed: [Errno 5] Input/output error")
        data = bytes(b)
        self.stream.write(data)
        return len(data)

    def reset_input_buffer(self) -> None:
        self._require_open()
        self._buffer = bytearray()

    def reset_output_buffer(self) -> None:
        self._require_open()

    def _require_open(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()
