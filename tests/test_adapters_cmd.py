"""`g15diag adapters`: ports with their chips, Bluetooth, the Wi-Fi hint; --probe sends ATI only."""

from __future__ import annotations

import json
from dataclasses import dataclass

from g15diag.app import adapters


@dataclass
class FakePort:
    device: str
    description: str = "n/a"
    manufacturer: str | None = None
    vid: int | None = None
    pid: int | None = None


# fmt: off
FAKES = [
    FakePort("/dev/ttyUSB0", "FT231X USB UART", "FTDI", 0x0403, 0x6015),
    FakePort("/dev/ttyUSB1", "USB Serial", None, 0x1A86, 0x7523),
    FakePort("/dev/ttyUSB2", "CP2102 USB to UART Bridge", "Silicon Labs", 0x10C4, 0xEA60),
    FakePort("/dev/ttyUSB3", "USB-Serial Controller", "Prolific", 0x067B, 0x2303),
    FakePort("/dev/rfcomm0"),
]
# fmt: on


def test_chips_and_kinds() -> None:
    found = adapters.list_adapters(
        comports=lambda: FAKES, glob=lambda _: ["/dev/rfcomm0", "/dev/rfcomm1"], platform="linux"
    )
    rows = [(p.port, p.kind, p.usb_id, p.chip, p.warning is not None) for p in found]
    assert rows == [
        ("/dev/rfcomm0", "bluetooth", None, None, False),
        ("/dev/ttyUSB0", "usb-serial", "0403:6015", adapters.CHIPS[0x0403, 0x6015], False),
        ("/dev/ttyUSB1", "usb-serial", "1A86:7523", "WCH CH340", False),
        ("/dev/ttyUSB2", "usb-serial", "10C4:EA60", "Silicon Labs CP210x", False),
        ("/dev/ttyUSB3", "usb-serial", "067B:2303", "Prolific PL2303", True),
        ("/dev/rfcomm1", "bluetooth", None, None, False),
        ("socket://192.168.0.10:35000", "wifi-hint", None, None, False),
    ]  # fmt: skip
    assert "fake chips" in found[4].warning  # type: ignore[operator]


def test_other_ftdi_and_ch341() -> None:
    assert adapters.chip_for(0x0403, 0x6001) == "FTDI"
    assert adapters.chip_for(0x1A86, 0x5523) == "WCH CH341"
    assert adapters.chip_for(0x1234, 0x5678) is None
    assert adapters.chip_for(None, None) is None


def test_macos_bluetooth_ports() -> None:
    found = adapters.list_adapters(
        comports=lambda: [],
        glob=lambda _: ["/dev/tty.OBDII", "/dev/tty.Bluetooth-Incoming-Port"],
        platform="darwin",
    )
    assert [(p.port, p.kind) for p in found] == [
        ("/dev/tty.OBDII", "bluetooth"),
        ("socket://192.168.0.10:35000", "wifi-hint"),
    ]


def test_no_adapter_text(run_cli, monkeypatch) -> None:
    monkeypatch.setattr(adapters, "_default_comports", lambda: [])
    monkeypatch.setattr(adapters.globmod, "glob", lambda _: [])
    code, out, err = run_cli("adapters")
    assert (code, err) == (0, "")
    assert out == (
        "No serial or Bluetooth adapter port found.\n"
        "  Plug the adapter in (USB) or pair it (Bluetooth; on Linux `rfcomm bind`), then run "
        "this again. See `g15diag help adapters`.\n"
        "socket://192.168.0.10:35000  [wifi-hint]\n"
        "    the usual address of Wi-Fi adapters (join the adapter's Wi-Fi first; some use "
        "another address)\n"
    )


def test_json_runs_on_this_machine(run_process) -> None:
    """Whatever ports this machine has (usually none): valid JSON, status 0, nothing opened."""
    proc = run_process("adapters", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    assert data["probed"] is False
    assert data["ports"][-1]["port"] == "socket://192.168.0.10:35000"
    assert all(p["identity"] is None for p in data["ports"])


def test_probe_asks_ati_only(pty_sim, run_cli, monkeypatch) -> None:
    good = pty_sim("sim://?identity=ELM327%20v2.1")
    monkeypatch.setattr(adapters, "_default_comports", lambda: [FakePort(good.path)])
    monkeypatch.setattr(adapters.globmod, "glob", lambda _: [])
    code, out, err = run_cli("adapters", "--probe", "--json", "--timeout", "0.5")
    assert (code, err) == (0, "")
    ports = json.loads(out)["ports"]
    assert ports[0]["port"] == good.path
    assert ports[0]["identity"] == "ELM327 v2.1 (g15diag simulator)"
    assert good.stream.adapter.commands == ["ATI"]  # nothing else reached the adapter


def test_probe_reports_a_silent_port(run_cli, monkeypatch, tmp_path) -> None:
    missing = str(tmp_path / "ttyUSB7")
    monkeypatch.setattr(adapters, "_default_comports", lambda: [FakePort(missing)])
    monkeypatch.setattr(adapters.globmod, "glob", lambda _: [])
    code, out, _ = run_cli("adapters", "--probe", "--timeout", "0.3")
    assert code == 0
    assert f"    probe: Cannot open {missing}: no such port.\n" in out
