"""`g15diag read-serial` end to end: real pseudo-terminal, loopback socket://, exit statuses."""

from __future__ import annotations

import json

import pytest

SERIAL = "SIM0O1Il5S8B2024"
SERIAL_HEX = SERIAL.encode().hex().upper()


@pytest.mark.slow
def test_pty_with_non_default_address(pty_sim, run_process) -> None:
    server = pty_sim("sim://?hu=7A0:7A8")
    proc = run_process("read-serial", "--port", server.path, "--address", "7A0:7A8", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["serial"] == SERIAL
    assert data["serial_hex"] == SERIAL_HEX
    assert (data["request_id"], data["response_id"]) == ("0x7A0", "0x7A8")
    assert data["identifier"] == "0xF18C"
    assert data["reads"] == 2


@pytest.mark.slow
def test_socket_with_non_default_address(tcp_sim, run_process) -> None:
    server = tcp_sim("sim://?hu=7A0:7A8&pad=55")
    proc = run_process("read-serial", "--port", server.url, "--address", "7A0:7A8")
    assert proc.returncode == 0, proc.stderr
    assert f"Head-unit serial number: {SERIAL}\n" in proc.stdout
    assert "  raw hex      53 49 4D 30 4F 31 49 6C 35 53 38 42 32 30 32 34\n" in proc.stdout
    assert "request 0x7A0, response 0x7A8 at 500 kbit/s" in proc.stdout
    assert "  reads        2 identical\n" in proc.stdout
    # a real socket, but the simulator says who it is in its ATI answer: still marked
    assert proc.stdout.startswith("SIMULATED: this value comes from the built-in simulator")


def test_candidate_search_over_pty(pty_sim, run_cli) -> None:
    server = pty_sim("sim://?hu=714:734")
    code, out, err = run_cli("read-serial", "--port", server.path, "--json", "-v")
    assert code == 0, err
    data = json.loads(out)
    assert (data["request_id"], data["response_id"]) == ("0x714", "0x734")
    assert "> ATSH712" in err and "> ATSH747" in err and "> ATSH714" in err


def test_sim_url_is_marked_simulated(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--port", "sim://")
    assert code == 0
    assert out.startswith("SIMULATED: this value comes from the built-in simulator")
    assert "look-alikes  1: S capital s, 2: I capital i, 4: 0 zero, 5: O capital o" in out
    code, out, _ = run_cli("read-serial", "--port", "sim://", "--json")
    assert json.loads(out)["simulated"] is True


def test_padding_inside_answer_is_reported_not_dropped(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--port", "sim://?serial=AB12%00%00", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["serial"] == "AB12"
    assert data["serial_hex"] == "41423132" + "0000"
    assert data["padding_hex"] == "0000"


def test_250_kbit_unit_with_protocol_8(run_cli) -> None:
    code, out, err = run_cli("read-serial", "--port", "sim://?bitrate=250", "--protocol", "8")
    assert code == 0, err
    assert "at 250 kbit/s" in out


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--port", "sim://", "--address", "7A0"], 2, "is not REQ:RESP in hex"),
        (["--port", "/dev/ttyDOESNOTEXIST"], 3, "Cannot open /dev/ttyDOESNOTEXIST"),
        (["--port", "sim://?no_hu=1"], 4, "No head unit answered at "),
        (["--port", "sim://?refuse=F18C"], 5, "NRC 0x31 (requestOutOfRange)"),
        (["--port", "sim://?unstable=1"], 6, "Read 1 and read 2 of the serial differ"),
        (["--port", "sim://?no_hu=1", "--protocol", "8"], 4, "0x712/0x732@250k, 0x747"),
        (["--port", "sim://?fault=can_error"], 3, "The adapter answered 'CAN ERROR'"),
        (["--port", "sim://?bogus=1"], 2, "Unknown simulator option(s) bogus"),
    ],
)
@pytest.mark.slow
def test_exit_statuses(run_process, args: list[str], status: int, message: str) -> None:
    proc = run_process("read-serial", *args)
    assert proc.returncode == status, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_no_head_unit_hint_points_to_pins_13_12(run_cli) -> None:
    from g15diag.app import hints

    code, _, err = run_cli("read-serial", "--port", "sim://?no_hu=1")
    assert code == 4
    assert f"Hint: {hints.NOTHING_ANSWERED_HINT}\n" in err
    assert "OBD pins 13 (H) / 12 (L)" in err and "`g15diag help adapters`" in err


@pytest.mark.parametrize("protocol", ["6", "8"])
def test_250_kbit_unit_found_whatever_the_protocol(run_cli, protocol: str) -> None:
    """read-serial searches every bit rate as identify does (issue 11 item 1)."""
    code, out, err = run_cli(
        "read-serial", "--port", "sim://?bitrate=250", "--protocol", protocol, "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert (data["request_id"], data["bitrate"], data["serial"]) == ("0x747", 250_000, SERIAL)
    assert data["session"] == "default"


def test_500_kbit_unit_found_after_bus_errors_at_250(run_cli) -> None:
    code, out, err = run_cli("read-serial", "--port", "sim://", "--protocol", "8", "--json")
    assert code == 0, err  # CAN ERROR at 250 kbit/s is an outcome of the search, not an exit
    assert json.loads(out)["bitrate"] == 500_000


@pytest.mark.slow
def test_usage_error_is_status_2(run_process) -> None:
    proc = run_process("read-serial")
    assert proc.returncode == 2
    assert "Missing option '--port'" in proc.stderr
