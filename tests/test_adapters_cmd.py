"""`g15diag adapters`: ports with their chips, Bluetooth, the Wi-Fi hint; --probe sends ATI only."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from g15diag.app import adapters


@dataclass
class FakePort:
    device: str
    description: str = "n/a"
    manufacturer: str | None = None
    vid: int | None = None
    pid: int | None = None
    hwid: str = "n/a"


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
        "  Plug the adapter in (USB) or pair it (Bluetooth), then run this again (Linux: "
        "/dev/ttyUSB* or /dev/ttyACM*; Bluetooth needs `rfcomm bind`). See "
        "`g15diag help adapters`.\n"
        "socket://192.168.0.10:35000  [wifi-hint]\n"
        "    the usual address of Wi-Fi adapters (join the adapter's Wi-Fi first; some use "
        "another address)\n"
    )


@pytest.mark.slow
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


def test_only_builtin_serial_ports_says_no_usb_adapter(run_cli, monkeypatch) -> None:
    monkeypatch.setattr(adapters, "_default_comports", lambda: [FakePort("/dev/ttyS0")])
    monkeypatch.setattr(adapters.globmod, "glob", lambda _: [])
    code, out, _ = run_cli("adapters")
    assert code == 0
    assert out.startswith(
        "No USB or Bluetooth adapter found: only the computer's built-in serial port(s) below, "
        "which are not an OBD adapter.\n  Plug the adapter in (USB) or pair it (Bluetooth)"
    )
    assert "/dev/ttyS0  [serial]\n" in out


# What pyserial's list_ports reports on Windows (serial/tools/list_ports_windows.py: device,
# description "<friendly name> (COMn)", hwid "USB VID:PID=... SER=... LOCATION=..." for USB
# and the BTHENUM instance ID for Bluetooth SPP ports).
# fmt: off
WINDOWS = [
    FakePort("COM3", "USB-SERIAL CH340 (COM3)", "wch.cn", 0x1A86, 0x7523,
             "USB VID:PID=1A86:7523 SER= LOCATION=1-2"),
    FakePort("COM4", "USB Serial Port (COM4)", "FTDI", 0x0403, 0x6015,
             "USB VID:PID=0403:6015 SER=D30A1B2CA LOCATION=1-1"),
    FakePort("COM5", "Standard Serial over Bluetooth link (COM5)", "Microsoft", None, None,
             "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&1A2B3C4D&0&"
             "AABBCCDDEEFF_C00000000"),
    FakePort("COM6", "Standard Serial over Bluetooth link (COM6)", "Microsoft", None, None,
             "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0000\\7&1A2B3C4D&0&"
             "000000000000_00000000"),
    FakePort("COM1", "Communications Port (COM1)", "(Standard port types)", None, None,
             "ACPI\\PNP0501\\0"),
]
# fmt: on


def test_windows_com_ports_with_chip_and_bluetooth_spp() -> None:
    found = adapters.list_adapters(comports=lambda: WINDOWS, glob=lambda _: [], platform="win32")
    rows = [(p.port, p.kind, p.chip, p.warning) for p in found]
    assert rows == [
        ("COM1", "serial", None, None),
        ("COM3", "usb-serial", "WCH CH340", None),
        ("COM4", "usb-serial", adapters.CHIPS[0x0403, 0x6015], None),
        ("COM5", "bluetooth", None, None),
        ("COM6", "bluetooth", None, adapters.BT_INCOMING_WARNING),
        ("socket://192.168.0.10:35000", "wifi-hint", None, None),
    ]


def test_windows_text(run_cli, monkeypatch) -> None:
    monkeypatch.setattr(adapters, "_default_comports", lambda: WINDOWS)
    code, out, _ = run_cli("adapters")
    assert code == 0
    assert (
        "COM3  [usb-serial]\n    USB-SERIAL CH340 (COM3) wch.cn\n    USB 1A86:7523  chip: WCH CH340"
        in out
    )
    assert "COM5  [bluetooth]\n    Standard Serial over Bluetooth link (COM5) Microsoft\n" in out
    assert "COM6  [bluetooth]" in out and "WARNING: Windows' incoming Bluetooth port" in out
    assert "No USB" not in out
