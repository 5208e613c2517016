"""Native CAN adapters through python-can and can-isotp: socketcan, slcan, pcan, kvaser, gs_usb...

ISO-TP runs in can-isotp's ``NotifierBasedCanStack`` (8-byte frames padded with 00, block
size 0, STmin 0); its error handler tells a silent ECU (no answer: ``receive`` returns None)
from a multi-frame answer that broke (:class:`~g15diag.errors.IsoTpError`). Requests still pass
the read-only guard in ``Transport.send``. ``--interface config`` leaves interface, channel and
bit rate to python-can's configuration files and ``CAN_*`` environment variables.

``--interface virtual --channel sim://...`` starts the simulated car (``sim/can_bus.py``) on
that in-process virtual channel: the same car model the ELM327 simulator answers from. The
simulator is handed in by ``g15diag.app.adapter.make_transport`` (this module does not import it).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import can
import isotp

from g15diag import errors
from g15diag.protocol import guard
from g15diag.protocol.can import OBD_FUNCTIONAL, Frame, Target, Traffic, TrafficLog, learnable
from g15diag.transport.base import AdapterInfo, Transport

PAD_BYTE = 0x00
POLL = 0.05  # longest one blocking wait lasts before the deadline is checked again
CF_TIMEOUT_MS = 1000  # N_Cr: a gap this long inside a multi-frame answer breaks it
NOTIFIER_TIMEOUT = 0.05  # short, or stopping the notifier costs a second
READ_TIMEOUT = 0.05  # can-isotp's reading thread's poll (its default): stopping a stack waits it
_BROKEN = (
    isotp.errors.ConsecutiveFrameTimeoutError,
    isotp.errors.WrongSequenceNumberError,
    isotp.errors.UnexpectedConsecutiveFrameError,
    isotp.errors.ReceptionInterruptedWithFirstFrameError,
    isotp.errors.ReceptionInterruptedWithSingleFrameError,
    isotp.errors.InvalidCanDataError,
)


class NativeCanTransport(Transport):
    """One python-can bus; one can-isotp stack for the current target."""

    resend_after_pending = False

    def __init__(
        self,
        interface: str,
        channel: str | None = None,
        bitrate: int | None = None,
        *,
        timeout: float = 5.0,
        traffic: TrafficLog | None = None,
        simulator: Callable[[str, int | None], Any] | None = None,
    ) -> None:
        """``simulator(channel, bitrate)`` starts a simulated car on the channel when it is
        opened (``g15diag.sim.can_simulator`` for ``sim://`` channels); its ``close()`` stops it."""
        super().__init__()
        self.interface = None if interface == "config" else interface
        self.channel = channel
        self.bitrate = bitrate
        self.fixed_bitrate = bitrate
        self.timeout = timeout
        if traffic is not None:
            self.traffic_listeners.append(traffic)
        self._request: bytes | None = None  # the last request sent (what answers belong to)
        self._bus: can.BusABC | None = None
        self._notifier: can.Notifier | None = None
        self._stack: isotp.NotifierBasedCanStack | None = None
        self._target: Target | None = None
        self._probing = False  # a learning target's request is out (see _learn)
        self._simulator = simulator
        self._sim: Any = None
        self._errors: deque[Exception] = deque()
        self.info = AdapterInfo(
            kind="python-can",
            port=f"{interface}:{channel or ''}",
            simulated=simulator is not None,
        )

    # -- bus -----------------------------------------------------------------------------

    def open(self) -> None:
        logging.getLogger("isotp").setLevel(logging.CRITICAL)  # errors come via the handler
        kwargs: dict[str, Any] = {}
        if self.channel is not None:
            kwargs["channel"] = self.channel
        if self.bitrate is not None:
            kwargs["bitrate"] = self.bitrate
        if self._simulator is not None and self._sim is None:
            assert self.channel is not None
            self._sim = self._simulator(self.channel, self.bitrate)
        try:
            self._bus = can.Bus(interface=self.interface, **kwargs)
        except (can.CanError, ValueError, ImportError, OSError, NotImplementedError) as exc:
            self.close()
            raise errors.PortError(
                f"Cannot open CAN interface {self.interface or '(from config)'} "
                f"channel {self.channel or '(from config)'}: {exc}.",
                hint="Check --interface/--channel/--bitrate (for socketcan: ip link set can0 "
                "up type can bitrate 500000), or python-can's config file.",
            ) from exc
        self._notifier = can.Notifier(self._bus, [self._on_message], timeout=NOTIFIER_TIMEOUT)
        self.info.identity = f"python-can {can.__version__} {self._bus.channel_info}"
        self.info.details = {
            "interface": self.interface or "(python-can config)",
            "bitrate": str(self.bitrate or ""),
        }

    def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.stop()
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            notifier.stop()
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.shutdown()
        sim, self._sim = self._sim, None
        if sim is not None:
            sim.close()

    # -- target ----------------------------------------------------------------------------

    def set_target(self, target: Target) -> None:
        bus, notifier = self._require_open()
        if self._stack is not None:
            self._stack.stop()
            self._stack = None
        mode = (
            isotp.AddressingMode.Normal_29bits
            if target.extended
            else isotp.AddressingMode.Normal_11bits
        )
        # A target whose answer ID is to be learned listens on the functional request ID
        # (a tester's, never an answer; what arrives there is dropped) until _on_message
        # hears the first learnable frame and moves rxid there.
        rxid = OBD_FUNCTIONAL if target.learning else target.response_id
        address = isotp.Address(mode, txid=target.request_id, rxid=rxid)
        params = {
            "tx_padding": PAD_BYTE,
            "tx_data_length": 8,
            "blocksize": 0,
            "stmin": 0,
            "rx_consecutive_frame_timeout": CF_TIMEOUT_MS,
            "wftmax": 10,
            "max_frame_size": 4095,
        }
        stack = isotp.NotifierBasedCanStack(
            bus,
            notifier,
            address=address,
            error_handler=self._errors.append,
            params=params,
            read_timeout=READ_TIMEOUT,
        )
        inner = stack.txfn

        def txfn(msg: isotp.CanMessage) -> None:
            refusal = _wire_check(bytes(msg.data), self._session_check_wire)
            if refusal is not None:  # lowest write: an unchecked frame never reaches the bus
                self._errors.append(refusal)
                return
            self._emit_frame(msg.arbitration_id, bytes(msg.data), True)
            self._log(">", msg.arbitration_id, bytes(msg.data))
            inner(msg)

        stack.txfn = txfn
        stack.start()
        self._probing = False
        self._stack = stack
        self._target = target
        self._emit_target(target)

    # -- requests --------------------------------------------------------------------------

    def _send(self, pdu: bytes) -> None:
        stack = self._require_stack()
        guard.check_request(pdu)  # again (send() did): nothing unchecked reaches the stack
        self._session_check_wire(pdu)  # and the session rule's admission
        self._errors.clear()
        while stack.recv(block=False) is not None:
            pass  # a late answer to an earlier request is not an answer to this one
        self._request = pdu
        self._probing = self._target is not None and self._target.learning
        stack.send(pdu)

    def _receive(self, timeout: float) -> bytes | None:
        stack = self._require_stack()
        deadline = time.monotonic() + timeout
        while True:
            wait = min(POLL, max(0.0, deadline - time.monotonic()))
            pdu = stack.recv(block=True, timeout=wait)
            if pdu is not None and (self.learned is not None or not self._probing):
                return bytes(pdu)  # (while learning, only what came at the learned ID)
            self._raise_if_broken()
            if time.monotonic() >= deadline:
                if stack.is_rx_active():  # a multi-frame answer is arriving: let it finish
                    deadline = time.monotonic() + CF_TIMEOUT_MS / 1000
                    continue
                return None

    def _raise_if_broken(self) -> None:
        while self._errors:
            error = self._errors.popleft()
            if isinstance(error, errors.ReadOnlyViolation):
                raise error
            if isinstance(error, _BROKEN):
                raise errors.IsoTpError(
                    f"The unit's multi-frame answer broke: {error}.",
                    hint="The unit answered, but frames were lost or came out of order: check "
                    "the wiring/termination and the bit rate, then read again.",
                )

    # -- frames ------------------------------------------------------------------------------

    def _on_message(self, msg: can.Message) -> None:
        if msg.is_error_frame or msg.is_remote_frame:
            return
        data = bytes(msg.data)
        if not msg.is_extended_id:
            self._learn(msg.arbitration_id)
        self._emit_frame(msg.arbitration_id, data, False)
        self._log("<", msg.arbitration_id, data)

    def _learn(self, can_id: int) -> None:
        """While a learning target's request is out: the first learnable ID that answers is
        the unit's answer ID; the stack listens there before it sees this frame (this
        listener runs before the stack's, which was added later to the notifier)."""
        target, stack = self._target, self._stack
        if not self._probing or self.learned is not None or target is None or stack is None:
            return
        if learnable(can_id, target.request_id):
            self.learned = can_id
            mode = isotp.AddressingMode.Normal_11bits
            stack.set_address(isotp.Address(mode, txid=target.request_id, rxid=can_id))

    def _log(self, direction: str, can_id: int, data: bytes) -> None:
        if self.traffic_listeners:
            sent = direction == ">"
            self._emit_traffic(Traffic.frame(sent, Frame(can_id, data), self._request))

    def _require_open(self) -> tuple[can.BusABC, can.Notifier]:
        if self._bus is None or self._notifier is None:
            raise errors.PortError("The CAN interface is not open.")
        return self._bus, self._notifier

    def _require_stack(self) -> isotp.NotifierBasedCanStack:
        if self._stack is None:
            raise errors.UsageError("No target set: call set_target() first.")
        return self._stack


def _wire_check(
    frame: bytes, session_check: Callable[..., None]
) -> errors.ReadOnlyViolation | None:
    """The read-only guard on one frame the stack is about to put on the request ID.

    Flow control frames (the tester's clear-to-send) pass; a single frame passes when its
    payload passes :func:`~g15diag.protocol.guard.check_request` and the session rule's
    :meth:`~g15diag.protocol.session.SessionRule.check_wire`; a first or consecutive frame
    (a multi-frame request, which no allowed request needs) and anything else are refused.
    """
    kind = frame[0] >> 4 if frame else -1
    if kind == 3:
        return None
    if kind == 0:
        length = frame[0] & 0x0F
        try:
            session_check(guard.check_request(frame[1 : 1 + length]), consume=True)
        except errors.ReadOnlyViolation as exc:
            return exc
        return None
    return errors.ReadOnlyViolation(
        f"Refused CAN frame {frame.hex(' ').upper() or '(empty)'}: only single-frame "
        "identification requests and flow control are sent. Nothing was sent."
    )
