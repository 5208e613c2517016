"""The simulated car on a python-can ``virtual`` channel: the native-CAN face of ``sim/car.py``.

The same :class:`~g15diag.sim.car.SimCar` the ELM327 simulator uses answers frame by frame:
each ECU reassembles requests on its request ID, answers with its own padding byte, and sends
a multi-frame answer only as the tester's flow control allows (block size, STmin, wait). The
``virtual`` interface is in-process only, so the simulator runs in the tool's own process.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import can

from g15diag.errors import IsoTpError
from g15diag.protocol import isotp
from g15diag.sim.car import SimCar, SimEcu

#: how often the simulator's notifier looks up from the bus: stopping it waits this long
NOTIFIER_TIMEOUT = 0.05


class _Scheduler:
    """One thread running callables at given monotonic times (simulated ECU reaction time)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sim-can", daemon=True)
        self._thread.start()

    def at(self, due: float, action: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._counter), action))
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                _, _, action = heapq.heappop(self._heap)
            action()


@dataclass
class _EcuOnBus:
    """One simulated ECU's ISO-TP state on the bus."""

    ecu: SimEcu
    rx: isotp.Reassembler = field(default_factory=isotp.Reassembler)
    outbox: deque[tuple[float, bytes]] = field(default_factory=deque)
    sending: bool = False
    cfs: deque[bytes] = field(default_factory=deque)
    waiting_fc: bool = False


class CanBusSimulator:
    """Serve ``car`` on the virtual channel ``channel`` at ``bitrate`` until :meth:`close`."""

    def __init__(
        self,
        car: SimCar,
        channel: str,
        bitrate: int = 500_000,
        latency: float = 0.0,
        mangle: Callable[[list[bytes]], list[bytes]] | None = None,
    ) -> None:
        """``mangle`` rewrites the consecutive frames of every multi-frame answer (faults)."""
        self.car = car
        self.mangle = mangle
        self.bitrate = bitrate
        self.latency = latency
        self._states = {id(e): _EcuOnBus(e) for e in car.ecus if e.bitrate == bitrate}
        self._lock = threading.Lock()
        self._scheduler = _Scheduler()
        self.bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        self.notifier = can.Notifier(self.bus, [self._on_message], timeout=NOTIFIER_TIMEOUT)

    def close(self) -> None:
        """Stop answering and release the channel."""
        self.notifier.stop()
        self._scheduler.stop()
        self.bus.shutdown()

    def __enter__(self) -> CanBusSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- receiving ---------------------------------------------------------------------

    def _on_message(self, msg: can.Message) -> None:
        if msg.is_error_frame or msg.is_remote_frame or not msg.data:
            return
        data = bytes(msg.data)
        with self._lock:
            for ecu in self.car.listeners(msg.arbitration_id, self.bitrate):
                state = self._states.get(id(ecu))
                if state is not None:
                    self._frame(state, msg.arbitration_id, data)

    def _frame(self, state: _EcuOnBus, can_id: int, data: bytes) -> None:
        if data[0] >> 4 == isotp.FLOW_CONTROL:
            if can_id == state.ecu.request_id and state.waiting_fc:
                self._flow_control(state, data)
            return
        try:
            pdu = state.rx.feed(data)
        except IsoTpError:
            return
        if pdu is None:
            return
        state.outbox.extend(state.ecu.respond(pdu))
        if not state.sending:
            self._next(state)

    # -- sending -----------------------------------------------------------------------

    def _next(self, state: _EcuOnBus) -> None:
        if not state.outbox:
            state.sending = False
            return
        state.sending = True
        delay, pdu = state.outbox.popleft()
        due = time.monotonic() + delay + self.latency
        self._scheduler.at(due, lambda: self._start(state, pdu))

    def _start(self, state: _EcuOnBus, pdu: bytes) -> None:
        frames = state.ecu.frames(pdu)
        with self._lock:
            self._put(state.ecu, frames[0])
            if len(frames) == 1:
                self._next(state)
                return
            cfs = frames[1:]
            state.cfs = deque(self.mangle(cfs) if self.mangle else cfs)
            state.waiting_fc = True

    def _flow_control(self, state: _EcuOnBus, data: bytes) -> None:
        status = data[0] & 0x0F
        if status == 1:  # wait: keep waiting for the next flow control
            return
        state.waiting_fc = False
        if status != 0:  # overflow / invalid: abandon this answer
            state.cfs.clear()
            self._next(state)
            return
        block = data[1] if len(data) > 1 else 0
        st_min = _st_min_seconds(data[2] if len(data) > 2 else 0)
        count = len(state.cfs) if block == 0 else min(block, len(state.cfs))
        start = time.monotonic()
        for n in range(count):
            frame = state.cfs.popleft()
            last_of_block = n == count - 1
            self._scheduler.at(start + n * st_min, self._cf_action(state, frame, last_of_block))

    def _cf_action(self, state: _EcuOnBus, frame: bytes, last: bool) -> Callable[[], None]:
        def send() -> None:
            with self._lock:
                self._put(state.ecu, frame)
                if last:
                    if state.cfs:
                        state.waiting_fc = True  # block done: the tester must clear us again
                    else:
                        self._next(state)

        return send

    def _put(self, ecu: SimEcu, data: bytes) -> None:
        msg = can.Message(
            arbitration_id=ecu.response_id,
            data=data,
            is_extended_id=ecu.response_id > 0x7FF,
        )
        with contextlib.suppress(can.CanError):
            self.bus.send(msg)


def _st_min_seconds(value: int) -> float:
    if value <= 0x7F:
        return value / 1000
    if 0xF1 <= value <= 0xF9:
        return (value - 0xF0) / 10000
    return 0.127
