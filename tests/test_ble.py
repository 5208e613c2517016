"""Bluetooth LE adapters (issue 21) without a radio: bleak's own BleakScanner/BleakClient
with only the platform backend replaced by a model of each GATT UART layout in front of the
built-in ELM327 simulator (tests/ble_model.py): reading through each layout, split
notifications, chunked writes, slow links, a disconnect mid-answer, sessions and signals, and
the read-only proof. Finding devices, errors and ``adapters --ble``: tests/test_ble_scan.py."""

from __future__ import annotations

import _thread
import os
import sys
import threading
import time

import pytest

from ble_model import (
    ADDRESS,
    FAST,
    SERIAL_LINE,
    VLINK,
    Peripheral,
    elm_lines,
    heart_rate,
    installed,
    vlink,
)
from g15diag import errors
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.app.read_serial import read_serial
from g15diag.errors import ExitStatus
from g15diag.transport.base import Target
from g15diag.transport.ble.link import BleLink
from g15diag.vehicles import profiles

LOST = (
    "Error: The Bluetooth LE connection to IOS-Vlink (D0:12:34:56:78:9A) was lost.\n"
    "Hint: Keep the computer within a few metres of the adapter and check that the adapter "
    "still has power (ignition on), then run the command again.\n"
)


# -- read-serial through each layout ------------------------------------------------------

LAYOUT_CASES = {
    "vgate-by-name": (vlink(), "ble://IOS-Vlink", "layout Vgate", True),
    "vgate-by-address": (vlink(), f"ble://{VLINK.lower()}", "layout Vgate", True),
    "fff0": (Peripheral("OBDII", "11:22:33:44:55:66", layout="fff0"), "ble://OBDII",
             "layout FFF0: service FFF0, notify FFF1, write FFF2 (without response)", False),
    "ffe0": (Peripheral("OBDBLE", "22:33:44:55:66:77", layout="ffe0"), "ble://OBDBLE",
             "layout FFE0: service FFE0, notify FFE1, write FFE1 (without response)", False),
    "ffe0-twice": (Peripheral("HM10", "44:55:66:77:88:99", layout="ffe0-twice"), "ble://HM10",
                   "layout FFE0: service FFE0, notify FFE1, write FFE1 (without response)", False),
    "custom": (Peripheral("VEEPEAK", "33:44:55:66:77:88", layout="custom"), "ble://VEEPEAK",
               "chosen by properties (not a known layout)", True),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LAYOUT_CASES))
def test_read_serial_through_each_layout(case: str, run_cli) -> None:
    device, port, said, with_response = LAYOUT_CASES[case]
    with installed(device, heart_rate()):
        code, out, err = run_cli("read-serial", "--port", port, *ADDRESS, *FAST, "-v")
    assert code == 0, err
    assert SERIAL_LINE in out
    assert f"  adapter      elm327 on {port}\n" in out  # no ATI to read a serial (issue 20)
    first = err.splitlines()[0]
    assert first.startswith(f">  (Bluetooth LE {device.name} ({device.address}): GATT UART ")
    assert said in first and first.endswith("writes of up to 20 bytes)")
    # every write fitted the 20-byte minimum, with response exactly when the layout allows it
    assert device.writes and all(len(c) <= 20 and r is with_response for c, r in device.writes)
    assert not device.connected  # disconnected at the end


def test_port_from_the_environment_and_the_config_file(run_cli, monkeypatch, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[adapter]\nport = "ble://OBDII"\n', encoding="utf-8")
    monkeypatch.setenv("G15DIAG_CONFIG", str(config))
    fff0 = Peripheral("OBDII", "11:22:33:44:55:66", layout="fff0")
    with installed(vlink(), fff0):
        code, out, _ = run_cli("read-serial", *ADDRESS, *FAST)
        assert code == 0 and "on ble://OBDII\n" in out
        monkeypatch.setenv("G15DIAG_PORT", "ble://IOS-Vlink")  # the variable beats the file
        code, out, _ = run_cli("read-serial", *ADDRESS, *FAST)
        assert code == 0 and "on ble://IOS-Vlink\n" in out


def test_baud_auto_is_ignored_over_ble(run_cli) -> None:
    device = vlink(notify_gap=0.02)  # slower than the 0.3 s speed probe would allow
    with installed(device):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", "--baud", "auto",
                                 *ADDRESS, "--timeout", "2")  # fmt: skip
    assert (code, err) == (0, "") and SERIAL_LINE in out  # no "--baud auto: ..." line either
    assert elm_lines(bytes(device.received))[0] == "ATD"  # no ATI speed probe first


def test_notifications_split_lines_and_prompts(run_cli) -> None:
    # 19 bytes: with answers spaced (issue 20) this size cuts a line before its prompt
    device = vlink(notify_size=19)
    with installed(device):
        code, out, _ = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, *FAST)
    assert code == 0 and SERIAL_LINE in out
    pieces = device.notifications
    assert max(len(p) for p in pieces) == 19
    # lines really arrived cut: pieces ending inside a line, and a prompt after a cut
    assert any(not p.endswith((b"\r", b"\n", b">")) for p in pieces)
    assert any(p.startswith((b"\n", b">")) or p == b">" for p in pieces) or any(
        p.endswith(b"\r") for p in pieces
    )


@pytest.mark.parametrize("size", [1, 3, 7])
def test_any_notification_size_reassembles(size: int, run_cli) -> None:
    device = vlink(notify_size=size)
    with installed(device):
        code, out, _ = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, *FAST)
    assert code == 0 and SERIAL_LINE in out
    assert {len(p) for p in device.notifications} <= set(range(1, size + 1))
    assert any(p == b">" or p.endswith(b">") for p in device.notifications)


@pytest.mark.parametrize(("mtu", "sizes"), [(23, [20, 20, 5]), (27, [24, 21]), (185, [45])])
def test_writes_are_chunked_to_the_link(mtu: int, sizes: list[int]) -> None:
    device = vlink(mtu=mtu)
    with installed(device):
        link = BleLink("ble://IOS-Vlink")
        link.open()
        try:
            link.write(b"ATRV\r" * 9)  # 45 bytes: nine harmless voltage reads
            deadline = time.monotonic() + 2
            text = b""
            while text.count(b">") < 9 and time.monotonic() < deadline:
                text += link.read(64, 0.05)
        finally:
            link.close()
    assert [len(c) for c, _ in device.writes] == sizes
    assert b"".join(c for c, _ in device.writes) == b"ATRV\r" * 9
    assert text.count(b"12.6V") == 9 and text.count(b">") == 9


def test_slow_link_still_reads(run_cli) -> None:
    device = vlink(notify_gap=0.01)  # about 2 kB/s: a long answer takes a few tenths
    with installed(device):
        started = time.monotonic()
        code, out, _ = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, "--timeout",
                               "2")  # fmt: skip
    assert code == 0 and SERIAL_LINE in out
    assert time.monotonic() - started > 0.2  # the gaps were really there


def test_slow_link_beyond_the_deadline_is_a_timeout(run_cli) -> None:
    device = vlink(notify_size=5, notify_gap=0.1)  # about 50 bytes/s
    with installed(device):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS,
                                 "--timeout", "0.3")  # fmt: skip
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err.startswith("Error: The adapter on ble://IOS-Vlink ")
    assert err.endswith(
        "Hint: The answer was still arriving over Bluetooth LE when the time was up: the link "
        "is slow. Move the computer closer to the adapter, or give a longer --timeout.\n"
    )


def test_a_freezing_clone_over_ble_is_not_called_a_slow_link(run_cli) -> None:
    device = vlink(sim_url="sim://?clone=freeze")
    with installed(device):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS,
                                 "--timeout", "0.5")  # fmt: skip
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err == (
        "Error: The adapter on ble://IOS-Vlink stopped in the middle of an answer and gave no "
        "'>' prompt within 0.5 s (it sent '767 ** ** ** ** ** ** ** **').\n"
        "Hint: Cheap clones freeze on multi-frame answers. Unplug the adapter to reset it, then "
        "run `g15diag doctor` (`g15diag help adapters`).\n"
    )


# -- a disconnect in the middle of a multi-frame answer -------------------------------------


def test_disconnect_mid_multiframe_answer(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    device = vlink(sim_url="sim://?fault=disconnect")
    with installed(device):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, *FAST)
    assert (code, out, err) == (ExitStatus.ADAPTER, "", LOST)
    # the link dropped inside the 22 F18C answer: a first frame arrived, the rest never did
    text = b"".join(device.notifications)
    assert b"767 10 13" in text and not text.endswith(b">")  # spaces on (issue 20)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_disconnect_error_class() -> None:
    assert issubclass(errors.BleDisconnected, errors.PortError)
    assert errors.BleDisconnected.exit_status == ExitStatus.ADAPTER == 3


# -- sessions, Ctrl-C and the loop thread ------------------------------------------------------


def test_ctrl_c_inside_a_session_still_returns_to_default_over_ble() -> None:
    from test_sessions import check_wire

    device = vlink(sim_url="sim://?unit=uds_extended")
    with installed(device):
        transport = make_transport(AdapterOptions(port="ble://IOS-Vlink", timeout=1))
        with transport:
            ecu = device.streams[0].adapter.car.ecus[1]

            def interrupt(can_id: int, data: bytes, is_request: bool) -> None:
                if is_request and data[1:4] == b"\x22\xf1\x8c" and ecu.session == 0x03:
                    raise KeyboardInterrupt

            transport.frame_listeners.append(interrupt)
            with pytest.raises(KeyboardInterrupt):
                read_serial(transport, profiles.load(), bitrate=500_000)
        assert check_wire(ecu.wire) == [b"\x10\x03"]
        assert ecu.wire[-1][0] == b"\x10\x01" and ecu.in_default_session
        assert not device.connected
    assert not [t for t in threading.enumerate() if t.name == "g15diag-ble"]


def test_real_ctrl_c_while_waiting_for_the_adapter() -> None:
    """SIGINT (as Ctrl-C sends it) while the tool waits on a slow answer: it stops within a
    fraction of a second, the link is closed and the loop thread is gone."""
    device = vlink(sim_url="sim://?latency=5")
    with installed(device):
        transport = make_transport(AdapterOptions(port="ble://IOS-Vlink", timeout=10))

        def press_ctrl_c() -> None:
            deadline = time.monotonic() + 5
            while b"22F18C" not in device.received and time.monotonic() < deadline:
                time.sleep(0.005)
            _thread.interrupt_main()

        presser = threading.Thread(target=press_ctrl_c)
        with pytest.raises(KeyboardInterrupt), transport:
            transport.set_target(Target(0x747, 0x767))
            presser.start()
            transport.send(b"\x22\xf1\x8c")  # the car answers after 5 s
        pressed_at = time.monotonic()
        presser.join()
        assert not device.connected
    assert time.monotonic() - pressed_at < 1.0
    assert not [t for t in threading.enumerate() if t.name == "g15diag-ble"]


# -- read-only proof over Bluetooth LE -------------------------------------------------------


def test_only_allowed_requests_reach_a_ble_adapter() -> None:
    """Every service ID, every session request and malformed PDUs through ``send``; and the
    lowest write with ``send`` bypassed: what crossed the GATT write characteristic (the
    wire here, reassembled from the chunks) holds only the allowlist."""
    from ble_model import elm_lines
    from g15diag.protocol import guard
    from test_readonly_proof import (
        ALLOWED,
        HU,
        MALFORMED,
        SESSION_CONTROL,
        assert_wire,
        elm_requests,
        push_everything,
    )

    device = vlink()
    with installed(device):
        with make_transport(AdapterOptions(port="ble://IOS-Vlink", timeout=2)) as transport:
            transport.set_target(HU)
            passed = push_everything(transport)
            before = bytes(device.received)
            for sid in sorted(set(range(256)) - ALLOWED):
                with pytest.raises(errors.ReadOnlyViolation):
                    transport._send(bytes([sid, 0xF1, 0x8C]))  # type: ignore[attr-defined]
            for pdu in SESSION_CONTROL + MALFORMED:
                if not guard.is_allowed(pdu):
                    with pytest.raises((errors.ReadOnlyViolation, ValueError)):
                        transport._send(pdu)  # type: ignore[attr-defined]
            assert bytes(device.received) == before  # not one more byte was written
        sim_log = device.streams[0].adapter.commands
    lines = elm_lines(bytes(device.received))
    assert_wire(elm_requests(lines), passed)
    assert [line.replace(" ", "").upper() for line in lines] == sim_log  # the model lost none


# -- bleak loads only for ble:// ------------------------------------------------------------------

BLEAK_PROBE = """
import sys
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.cli import main
assert main(["--help"]) == 0
make_transport(AdapterOptions(port="sim://"))
main(["adapters", "--json"])
print("BLEAK:" + ",".join(sorted(m for m in sys.modules if m.split(".")[0] == "bleak")))
make_transport(AdapterOptions(port="ble://IOS-Vlink"))  # registers ble://, opens nothing
print("BLEAK-AFTER:" + str("bleak" in sys.modules))
"""


@pytest.mark.slow
def test_bleak_is_imported_only_when_a_ble_port_is_used() -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", BLEAK_PROBE], capture_output=True, text=True, check=True
    )
    marks = [line for line in proc.stdout.splitlines() if line.startswith("BLEAK")]
    assert marks == ["BLEAK:", "BLEAK-AFTER:False"]  # even ble:// loads it only on open


SIGTERM_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from ble_model import Peripheral, installed
from g15diag.cli import main
device = Peripheral("IOS-Vlink", "D0:12:34:56:78:9A", sim_url="sim://?unit=uds_extended&latency=1")
with installed(device):
    code = main(sys.argv[2:])
ecu = device.streams[0].adapter.car.ecus[1]
print("WIRE:" + ",".join(request.hex() for request, _ in ecu.wire))
print("CONNECTED:" + str(device.connected))
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM kills a process on Windows")
def test_sigterm_inside_a_session_returns_to_default_and_disconnects() -> None:
    """SIGTERM while the unit is in the extended session over BLE: exit 143, the unit got
    10 01 before the link was dropped, the link is closed."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}
    args = ["read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, "-v"]
    proc = subprocess.Popen(
        [sys.executable, "-c", SIGTERM_SCRIPT, str(Path(__file__).parent), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("> 22F18C") and any(s.startswith("> 1003") for s in seen):
            break
    else:
        raise AssertionError("never reached the read in the session: " + "".join(seen))
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    report = "".join(seen) + err + out
    assert proc.returncode == 143, report
    assert "Traceback" not in err
    wire = next(line for line in out.splitlines() if line.startswith("WIRE:"))[5:].split(",")
    assert wire[-1] == "1001" and "1003" in wire, report  # left the session, then the link
    assert "CONNECTED:False" in out


def test_the_loop_thread_leaves_nothing_pending() -> None:
    """A task still running on the private loop is cancelled and awaited by stop()."""
    import asyncio

    from g15diag.transport.ble.loop import LoopThread

    ended: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            ended.append("cancelled")

    loop = LoopThread()
    loop.call(lambda: loop.loop.create_task(forever()))
    time.sleep(0.05)
    loop.stop()
    assert ended == ["cancelled"] and loop.loop.is_closed()
    assert not [t for t in threading.enumerate() if t.name == "g15diag-ble"]


def test_loop_run_deadline_cancels_the_coroutine() -> None:
    import asyncio

    from g15diag.transport.ble.loop import LoopThread, LoopTimeout

    ended: list[str] = []
    ticks: list[float] = []

    async def hang() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            ended.append("cancelled")

    loop = LoopThread()
    try:
        started = time.monotonic()
        with pytest.raises(LoopTimeout):
            loop.run(hang(), 0.2, on_tick=ticks.append)
        assert 0.2 <= time.monotonic() - started < 0.5
        assert ticks and ticks == sorted(ticks) and ticks[-1] < 0.2
    finally:
        loop.stop()
    assert ended == ["cancelled"]
