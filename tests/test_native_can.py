"""Native CAN through python-can's ``virtual`` bus against the simulated car (sim/can_bus.py)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import can
import pytest

from g15diag import errors
from g15diag.sim.can_bus import CanBusSimulator
from g15diag.sim.car import SIM_SERIAL, SimCar, head_unit
from g15diag.transport.base import Target
from g15diag.transport.client import Client
from g15diag.transport.native_can import NativeCanTransport

_channels = itertools.count()


@pytest.fixture
def channel() -> str:
    """A fresh in-process virtual channel name per test."""
    return f"g15diag-test-{next(_channels)}"


@pytest.mark.parametrize(
    "query",
    ["sim://?hu=747:767", "sim://?hu=747:767&pending=inline&pending_count=3", "sim://?pad=none"],
)
def test_read_serial_over_native_can(run_cli, query: str) -> None:
    code, out, err = run_cli(
        "read-serial", "--json", "--interface", "virtual", "--channel", query, "--address",
        "747:767",
    )  # fmt: skip
    assert (code, err) == (0, "")
    got = json.loads(out)
    assert got["serial_hex"] == SIM_SERIAL.hex().upper()
    assert got["adapter"]["kind"] == "python-can"
    assert got["simulated"] is True


def test_profile_search_and_29bit_and_250k(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--json", "--interface", "virtual", "--channel", "sim://")
    assert code == 0 and json.loads(out)["request_id"] == "0x747"
    code, out, _ = run_cli(
        "read-serial", "--json", "--interface", "virtual", "--channel",
        "sim://?hu=18DA60F1:18DAF160", "--address", "18DA60F1:18DAF160",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["response_id"] == "0x18DAF160"
    url = "sim://?hu=747:767&bitrate=250"
    args = ["read-serial", "--json", "--interface", "virtual", "--channel", url]
    assert run_cli(*args, "--address", "747:767")[0] == errors.ExitStatus.NO_ANSWER
    code, out, _ = run_cli(*args, "--address", "747:767", "--bitrate", "250000")
    assert code == 0 and json.loads(out)["bitrate"] == 250_000


def test_refusal_and_silence(run_cli) -> None:
    base = ["read-serial", "--interface", "virtual", "--address", "747:767", "--channel"]
    code, _, err = run_cli(*base, "sim://?hu=747:767&refuse=F18C")
    assert code == errors.ExitStatus.REFUSED and "0x31" in err
    code, _, err = run_cli(*base, "sim://?no_hu=1")
    assert code == errors.ExitStatus.NO_ANSWER


def test_broken_multi_frame_is_not_silence(channel: str) -> None:
    car = SimCar([head_unit(0x747, 0x767)])
    drop_second = lambda cfs: cfs[:1] + cfs[2:]  # noqa: E731
    with CanBusSimulator(car, channel, mangle=drop_second):
        transport = NativeCanTransport("virtual", channel, 500_000)
        with transport:
            transport.set_target(Target(0x747, 0x767))
            client = Client(transport)
            with pytest.raises(errors.IsoTpError, match="multi-frame answer broke"):
                client.read(bytes.fromhex("22F18C"))
            transport.set_target(Target(0x712, 0x732))
            with pytest.raises(errors.NoAnswer):
                client.read(bytes.fromhex("22F18C"))


def test_guard_refuses_before_anything_reaches_the_bus(channel: str) -> None:
    seen: list[can.Message] = []
    with can.Bus(interface="virtual", channel=channel) as spy:
        notifier = can.Notifier(spy, [seen.append], timeout=0.05)
        try:
            with NativeCanTransport("virtual", channel, 500_000) as transport:
                transport.set_target(Target(0x747, 0x767))
                for pdu in (b"\x10\x02", b"\x2e\xf1\x8c\x00", b"\x27\x01", b"\x11\x01"):
                    with pytest.raises(errors.ReadOnlyViolation):
                        transport.send(pdu)
                transport.send(b"\x22\xf1\x8c")
                assert transport.receive(0.2) is None  # nobody home
        finally:
            notifier.stop()
    assert [bytes(m.data) for m in seen] == [bytes.fromhex("0322F18C00000000")]


def test_port_or_interface_is_required(run_cli) -> None:
    code, _, err = run_cli("read-serial")
    assert code == errors.ExitStatus.USAGE and "--port" in err
    code, _, err = run_cli("read-serial", "--port", "sim://", "--interface", "virtual")
    assert code == errors.ExitStatus.USAGE
    code, _, err = run_cli("read-serial", "--port", "sim://", "--channel", "can0")
    assert code == errors.ExitStatus.USAGE


def test_unknown_interface_is_a_usage_error(run_cli) -> None:
    # issue 13: an interface python-can does not know is a usage error (2), not an adapter one
    code, _, err = run_cli("read-serial", "--interface", "no-such-bus", "--channel", "x")
    assert code == errors.ExitStatus.USAGE
    assert "'no-such-bus' is not a python-can interface; known: " in err
    assert "socketcan" in err and "Traceback" not in err


def test_interface_that_cannot_open_is_a_port_error(run_cli) -> None:
    # a known interface whose hardware is absent is still the adapter's problem (3)
    code, _, err = run_cli("read-serial", "--interface", "slcan", "--channel", "/nonexistent/tty")
    assert code == errors.ExitStatus.ADAPTER and "Cannot open CAN interface slcan" in err


@pytest.mark.slow
def test_help_does_not_import_python_can() -> None:
    code = (
        "import sys; from g15diag.cli import main; main(['--help']);"
        "sys.exit(2 if {'can', 'isotp'} & set(sys.modules) else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_interface_config_uses_python_can_environment(run_cli, monkeypatch) -> None:
    channel = "g15diag-config-env"
    monkeypatch.setenv("CAN_INTERFACE", "virtual")
    monkeypatch.setenv("CAN_CHANNEL", channel)
    seen: list[can.Message] = []
    with can.Bus(interface="virtual", channel=channel) as spy:
        notifier = can.Notifier(spy, [seen.append], timeout=0.05)
        try:
            code, _, _ = run_cli("read-serial", "--interface", "config", "--address", "747:767")
        finally:
            notifier.stop()
    assert code == errors.ExitStatus.NO_ANSWER  # nobody on that bus, but it was that bus
    assert bytes(seen[0].data) == bytes.fromhex("0322F18C00000000")
    assert seen[0].arbitration_id == 0x747
