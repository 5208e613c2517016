"""The session rule holds at the lowest write, not only in ``Transport.send``: the ELM327 line
write (over a real pty) and the native CAN frame write (python-can's ``virtual`` bus) refuse
a ``10 03`` that the rule did not admit — before any byte reaches the adapter or the bus."""

from __future__ import annotations

import itertools

import can
import pytest

from g15diag import errors
from g15diag.sim.can_bus import CanBusSimulator
from g15diag.sim.car import SimCar, head_unit, shape_unit
from g15diag.transport.base import Target
from g15diag.transport.client import Client
from g15diag.transport.elm327 import Elm327Transport
from g15diag.transport.native_can import NativeCanTransport

_channels = itertools.count()
UNIT = Target(0x747, 0x767)


def test_elm_line_write_refuses_an_unadmitted_session_request(pty_sim) -> None:
    server = pty_sim("sim://?unit=uds_extended")
    seen: list[bytes] = []
    write = server.stream.write
    server.stream.write = lambda data: (seen.append(bytes(data)), write(data))[1]
    with Elm327Transport(server.path) as transport:
        transport.set_target(UNIT)
        before = b"".join(seen)
        for line in ("1003", "10031", "10C0", "1001"):  # no refusal yet: nothing of 0x10
            with pytest.raises(errors.ReadOnlyViolation, match="at the lowest write"):
                transport._transact(line)  # the lowest write, driven directly
        assert b"".join(seen) == before  # not one byte reached the pty
        # the same request through send(), after the unit refused F18C, is admitted
        client = Client(transport)
        with pytest.raises(errors.G15DiagError):
            client.read(bytes.fromhex("22F18C"))  # 7F 22 7F: not in this session
        transport.send(b"\x10\x03")
        assert b"1003" in b"".join(seen)[len(before) :].upper()
        with pytest.raises(errors.ReadOnlyViolation, match="at the lowest write"):
            transport._transact("10C0")  # not what the rule admitted
        transport.send(b"\x10\x01")


def test_native_frame_write_refuses_an_unadmitted_session_request() -> None:
    channel = f"g15diag-lowest-{next(_channels)}"
    seen: list[can.Message] = []
    car = SimCar([shape_unit(head_unit(0x747, 0x767), "uds_extended")])
    with can.Bus(interface="virtual", channel=channel) as spy, CanBusSimulator(car, channel):
        notifier = can.Notifier(spy, [seen.append], timeout=0.05)
        try:
            with NativeCanTransport("virtual", channel, 500_000) as transport:
                transport.set_target(UNIT)
                with pytest.raises(errors.ReadOnlyViolation, match="at the lowest write"):
                    transport._send(b"\x10\x03")  # below send(): the rule is re-checked
                stack = transport._require_stack()
                stack.send(b"\x10\x03")  # below _send: the frame write itself refuses
                with pytest.raises(errors.ReadOnlyViolation, match="at the lowest write"):
                    transport.receive(0.3)
        finally:
            notifier.stop()
    assert [m for m in seen if m.arbitration_id == 0x747] == []  # nothing on the bus
