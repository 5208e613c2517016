"""Issue 18: a port is an adapter, never a file. pyserial's ``spy://`` handler opened
``?file=victim.txt`` for writing (emptying it) from --port, G15DIAG_PORT, the config file and
the page's adapter field alike; every non-adapter scheme is now refused, exit 2, before
anything is opened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.errors import ExitStatus as S
from g15diag.errors import UsageError
from g15diag.transport import port_names
from g15diag.transport.elm327 import Elm327Transport

VICTIM = "keep me\n"

HOSTILE = [
    "spy://{dev}?file={victim}",
    "SPY://{dev}?file={victim}",
    "loop://?logging=debug",
    "hwgrep://.*",
    "alt://{dev}?class=PosixPollSerial",
    "unknown://x",
    "socket://127.0.0.1:35000?logging=debug",
    "rfc2217://127.0.0.1:35000?logging=debug",
    "socket://127.0.0.1:1/x",
]


def victim_file(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM)
    return victim


def hostile(tmp_path: Path, pattern: str) -> str:
    return pattern.format(dev="/dev/null", victim=victim_file(tmp_path))


@pytest.mark.parametrize(
    "port",
    [
        "/dev/ttyUSB0",
        "COM3",
        "\\\\.\\COM12",
        "socket://192.168.0.10:35000",
        "sim://",
        "sim://?hu=7A0:7A8",
        "replay:car.log",
        "ble://AA:BB:CC:DD:EE:FF",
        "rfc2217://10.0.0.1:2217",
    ],
)
def test_adapter_ports_pass(port: str) -> None:
    assert port_names.check(port) == port
    assert AdapterOptions(port=port).port == port


@pytest.mark.parametrize("pattern", HOSTILE)
def test_api_refuses_before_opening(tmp_path: Path, pattern: str) -> None:
    port = hostile(tmp_path, pattern)
    with pytest.raises(UsageError) as caught:
        AdapterOptions(port=port)
    assert caught.value.exit_status == S.USAGE
    assert str(caught.value).startswith("Bad port: ") and str(caught.value).count(".") >= 1
    # the transport checks once more: built by hand, it still opens nothing
    with pytest.raises(UsageError):
        Elm327Transport(port).open()
    assert (tmp_path / "victim.txt").read_text() == VICTIM


def test_make_transport_cannot_be_fed_a_hostile_record(tmp_path: Path) -> None:
    opts = AdapterOptions(port="sim://")
    object.__setattr__(opts, "port", hostile(tmp_path, HOSTILE[0]))  # bypass the record
    with pytest.raises(UsageError):
        make_transport(opts).open()
    assert (tmp_path / "victim.txt").read_text() == VICTIM


def test_a_regular_file_is_not_a_serial_port(tmp_path: Path, run_cli) -> None:
    victim = victim_file(tmp_path)
    code, _out, err = run_cli("read-serial", "--port", str(victim))
    assert code == S.USAGE and "is not a serial device" in err, err
    assert victim.read_text() == VICTIM


@pytest.mark.parametrize("pattern", HOSTILE[:5])
def test_cli_option_refused(tmp_path: Path, run_cli, pattern: str) -> None:
    port = hostile(tmp_path, pattern)
    code, out, err = run_cli("read-serial", "--port", port)
    assert code == S.USAGE, err
    assert err.startswith("Error: Bad port: ") and err.count("Error:") == 1, err
    assert "Traceback" not in err and out == ""
    assert (tmp_path / "victim.txt").read_text() == VICTIM


def test_environment_variable_refused(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("G15DIAG_PORT", hostile(tmp_path, HOSTILE[0]))
    code, _, err = run_cli("read-serial")
    assert code == S.USAGE and "Bad port: " in err, err
    assert (tmp_path / "victim.txt").read_text() == VICTIM


def test_environment_escape_is_shown_visibly(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("G15DIAG_PORT", "/dev/tty\x1b]0;pwned\x07USB0")
    code, _, err = run_cli("read-serial")
    assert code == S.USAGE, err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned\\x07" in err, err


def test_config_file_refused(tmp_path: Path, run_cli, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[adapter]\nport = "{hostile(tmp_path, HOSTILE[0])}"\n')
    monkeypatch.setenv("G15DIAG_CONFIG", str(config))
    code, _, err = run_cli("read-serial")
    assert code == S.USAGE and "Bad config file" in err and "not an adapter port" in err, err
    assert (tmp_path / "victim.txt").read_text() == VICTIM


@pytest.mark.slow
def test_page_refuses_a_hostile_port(tmp_path: Path) -> None:
    from gui_helpers import start_gui

    gui = start_gui("--port", "sim://")
    try:
        port = hostile(tmp_path, HOSTILE[0])
        status, body, _ = gui.request("POST", "/api/read", body={"port": port})
        assert status == 400, body
        error = json.loads(body)["error"]
        assert error["message"].startswith("Bad port: ") and error["exit_status"] == "2"
        assert (tmp_path / "victim.txt").read_text() == VICTIM
    finally:
        gui.stop()
