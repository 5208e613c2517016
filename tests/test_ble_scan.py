"""Bluetooth LE adapters (issue 21), finding them: decoys, every "cannot use Bluetooth" error,
``adapters --ble`` (text, JSON, progress) and the GATT/URL units; bleak's front end with only
the platform backend replaced by the model (tests/ble_model.py)."""

from __future__ import annotations

import json
import os
import sys

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
)

from ble_model import (
    ADDRESS,
    FAST,
    LAYOUTS,
    SERIAL_LINE,
    VLINK,
    Peripheral,
    heart_rate,
    installed,
    u16,
    vlink,
)
from g15diag import errors
from g15diag.errors import ExitStatus
from g15diag.transport.ble import gatt
from g15diag.transport.ble.link import parse_url

PHONE_HINT = (
    "Hint: A Bluetooth LE adapter takes one connection at a time and stops advertising while "
    "connected: close the OBD app on your phone (or switch the phone's Bluetooth off) and any "
    "other program using it, check the adapter has power (ignition on), then try again."
)


# -- finding the device: decoys and errors ---------------------------------------------------


def test_decoy_with_the_same_name_and_no_uart(run_cli) -> None:
    decoy = Peripheral("IOS-Vlink", "AA:AA:AA:AA:AA:AA", layout="heart-rate")
    with installed(decoy):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, *FAST)
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err == (
        "Error: IOS-Vlink (AA:AA:AA:AA:AA:AA) has no serial-like (UART) Bluetooth LE service, "
        "so it is not an ELM327 adapter; it offers: 1800 Generic Access Profile, "
        "180D Heart Rate, 180F Battery Service.\n"
        "Hint: Run `g15diag adapters --ble` to list the devices that look like OBD adapters.\n"
    )
    assert decoy.writes == []  # nothing was written to it


def test_a_similar_name_is_not_taken(run_cli) -> None:
    other = Peripheral("IOS-Vlink2", "BB:BB:BB:BB:BB:BB")
    with installed(other, heart_rate()):
        code, _, err = run_cli("read-serial", "--port", "ble://IOS-Vlink?scan=0.3", *ADDRESS)
    assert code == ExitStatus.ADAPTER
    assert err == (
        "Error: No Bluetooth LE device with the name 'IOS-Vlink' was found in 0.3 s of "
        "searching (OBD adapters seen: IOS-Vlink2 (BB:BB:BB:BB:BB:BB)).\n"
        + PHONE_HINT
        + " `g15diag adapters --ble` lists the adapters in range.\n"
    )
    assert other.writes == []


def test_device_not_found_names_it_and_the_time(run_cli) -> None:
    with installed(heart_rate()):
        code, out, err = run_cli("read-serial", "--port", f"ble://{VLINK}?scan=0.2", *ADDRESS)
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err.startswith(
        f"Error: No Bluetooth LE device with the address '{VLINK}' was found in 0.2 s of "
        "searching.\n"
    )


def test_a_mac_address_on_macos_says_macos_uses_uuids(run_cli, monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    with installed(vlink(advertises=False)):
        code, _, err = run_cli("read-serial", "--port", f"ble://{VLINK}?scan=0.2", *ADDRESS)
    assert code == ExitStatus.ADAPTER
    assert err.endswith(
        "Hint: macOS never shows a Bluetooth device's address, only a UUID of its own: use the "
        "adapter's name, or the ble://UUID `g15diag adapters --ble` prints.\n"
    )


def test_adapter_connected_to_a_phone(run_cli) -> None:
    with installed(vlink(busy=True)):
        code, out, err = run_cli("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS, *FAST)
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err == (
        "Error: IOS-Vlink (D0:12:34:56:78:9A) was found but refused the connection "
        "(le-connection-abort-by-local).\n" + PHONE_HINT + "\n"
    )


BLUETOOTH_ERRORS = {
    "off": (
        BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
        "Error: Bluetooth is switched off on this computer.\n"
        "Hint: Switch Bluetooth on in the system settings, then try again.\n",
    ),
    "no-radio": (
        BleakBluetoothNotAvailableError("none", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
        "Error: This computer has no Bluetooth LE radio that can be used.\n"
        "Hint: Use a computer with Bluetooth 4.0 or later, or a USB Bluetooth LE dongle.\n",
    ),
    "bluez-not-running": (
        BleakDBusError(
            "org.freedesktop.DBus.Error.ServiceUnknown",
            ["The name org.bluez was not provided by any .service files"],
        ),
        "Error: The Bluetooth service (BlueZ) is not running.\n"
        "Hint: Start it with `sudo systemctl start bluetooth` (and `sudo systemctl enable "
        "bluetooth` to keep it), then try again.\n",
    ),
}


@pytest.mark.parametrize("case", list(BLUETOOTH_ERRORS))
@pytest.mark.parametrize("command", ["read-serial", "adapters"])
def test_no_bluetooth(case: str, command: str, run_cli) -> None:
    error, message = BLUETOOTH_ERRORS[case]
    read = ("read-serial", "--port", "ble://IOS-Vlink", *ADDRESS)
    args = ("adapters", "--ble") if command == "adapters" else read
    with installed(vlink(), error=error):
        code, out, err = run_cli(*args)
    assert (code, out, err) == (ExitStatus.ADAPTER, "", message)


def test_doctor_over_ble(run_cli) -> None:
    with installed(vlink()):
        code, out, err = run_cli("doctor", "--port", "ble://IOS-Vlink", *FAST)
    assert code == 0, out + err
    assert out.startswith("Adapter self-test on ble://IOS-Vlink\n")
    assert "Verdict: " in out


# -- adapters --ble --------------------------------------------------------------------------


def test_adapters_ble_json_lists_obd_adapters_not_a_heart_rate_sensor(run_cli) -> None:
    devices = [
        vlink(rssi=-58),
        Peripheral("OBDII", "11:22:33:44:55:66", layout="fff0", rssi=-71,
                   advertised=[u16("fff0")]),
        Peripheral("", "22:33:44:55:66:77", layout="ffe0", rssi=-80, advertised=[u16("ffe0")]),
        heart_rate(),
        Peripheral("JBL Flip 5", "44:55:66:77:88:99", layout="heart-rate", rssi=-50),
    ]  # fmt: skip
    with installed(*devices):
        code, out, err = run_cli("adapters", "--ble", "--seconds", "0.3", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "schema_version": 1,
        "ble": True,
        "seconds": 0.3,
        "devices": [
            {"name": "IOS-Vlink", "address": VLINK, "rssi": -58, "port": "ble://IOS-Vlink",
             "why": "name"},
            {"name": "OBDII", "address": "11:22:33:44:55:66", "rssi": -71,
             "port": "ble://OBDII", "why": "name and FFF0 service"},
            {"name": "", "address": "22:33:44:55:66:77", "rssi": -80,
             "port": "ble://22:33:44:55:66:77", "why": "FFE0 service"},
        ],
    }  # fmt: skip
    assert not any(d.connected or d.writes for d in devices)  # listening only


def test_adapters_ble_text_and_port_round_trip(run_cli) -> None:
    twins = [Peripheral("OBDII", "11:22:33:44:55:66", layout="fff0", rssi=-60),
             Peripheral("OBDII", "66:55:44:33:22:11", layout="fff0", rssi=-75)]  # fmt: skip
    with installed(*twins):
        code, out, _ = run_cli("adapters", "--ble", "--seconds", "0.3")
        assert code == 0
        assert out == (
            "Bluetooth LE OBD adapters heard in 0.3 s (strongest first):\n"
            "OBDII  [bluetooth-le]  11:22:33:44:55:66  -60 dBm\n"
            "    use: --port ble://11:22:33:44:55:66   (recognised by its name)\n"
            "OBDII  [bluetooth-le]  66:55:44:33:22:11  -75 dBm\n"
            "    use: --port ble://66:55:44:33:22:11   (recognised by its name)\n"
        )
        # two adapters share a name: the printed port (the address) reaches the weaker one
        code, out, _ = run_cli("read-serial", "--port", "ble://66:55:44:33:22:11", *ADDRESS)
    assert code == 0 and SERIAL_LINE in out
    assert twins[1].writes and not twins[0].writes


def test_adapters_ble_text_says_when_only_the_service_matched(run_cli) -> None:
    printer = Peripheral("PT-210", "55:66:77:88:99:AA", advertised=[gatt.VGATE_SERVICE])
    with installed(printer):
        code, out, _ = run_cli("adapters", "--ble", "--seconds", "0.2")
    assert (code, out) == (
        0,
        "Bluetooth LE OBD adapters heard in 0.2 s (strongest first):\n"
        "PT-210  [bluetooth-le]  55:66:77:88:99:AA  -60 dBm\n"
        "    use: --port ble://PT-210   (recognised by its Vgate service only: printers and "
        "other gadgets use it too)\n",
    )


def test_adapters_ble_shows_progress_on_a_terminal_only(run_cli, monkeypatch) -> None:
    with installed(vlink()):
        code, out, err = run_cli("adapters", "--ble", "--seconds", "0.2")
        assert (code, err) == (0, "")  # not a terminal: no progress
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        code, out, err = run_cli("adapters", "--ble", "--seconds", "0.2")
    assert code == 0 and "ble://IOS-Vlink" in out
    assert err == "\rSearching for Bluetooth LE adapters... 0/0.2 s\r\x1b[K"


def test_progress_line_counts_whole_seconds(capsys, monkeypatch) -> None:
    from g15diag.commands.adapters_ble import _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # click keeps the erase code

    progress = _Progress(5.0)
    for elapsed in (0.05, 0.5, 1.0, 1.7, 4.99, 5.3):
        progress(elapsed)
    progress.clear()
    assert (
        capsys.readouterr().err
        == "".join(f"\rSearching for Bluetooth LE adapters... {n}/5 s" for n in (0, 1, 4, 5))
        + "\r\x1b[K"
    )


def test_adapters_ble_none_found(run_cli) -> None:
    with installed(heart_rate()):
        code, out, _ = run_cli("adapters", "--ble", "--seconds", "0.2")
    assert code == 0
    assert out.startswith("No Bluetooth LE OBD adapter heard in 0.2 s of searching.\n")
    assert "disconnect it from your phone first" in out


# -- units --------------------------------------------------------------------------------------


def test_parse_url() -> None:
    assert parse_url("ble://IOS-Vlink") == ("IOS-Vlink", 10.0)
    assert parse_url("ble://OBDLink%20CX?scan=4") == ("OBDLink CX", 4.0)
    assert parse_url("BLE://D0:12:34:56:78:9A") == ("D0:12:34:56:78:9A", 10.0)
    uuid = "5F0B6E2C-8A7B-4C3D-9E1F-0A2B3C4D5E6F"
    assert parse_url(f"ble://{uuid}") == (uuid, 10.0)
    for bad in ("ble://", "ble://X?scan=0", "ble://X?scan=abc", "ble://X?scan=999"):
        with pytest.raises(errors.UsageError):
            parse_url(bad)


def test_choose_prefers_known_layouts_and_skips_standard_services() -> None:
    class C:
        def __init__(self, uuid: str, props: list[str]) -> None:
            self.uuid, self.properties = uuid, props

    class S:
        description = ""

        def __init__(self, uuid: str, chars: list[C]) -> None:
            self.uuid, self.characteristics = uuid, chars

    def services(name: str) -> list[S]:
        return [S(s, [C(c, p) for c, p in chars]) for s, chars in LAYOUTS[name]]

    assert gatt.choose(services("heart-rate")) is None  # 180D notifies and writes: standard
    vgate = gatt.choose(services("vgate"))
    assert vgate is not None and vgate.how == "layout Vgate" and vgate.notify == vgate.write
    fff0 = gatt.choose(services("custom") + services("fff0"))
    assert fff0 is not None and (gatt.short(fff0.notify), gatt.short(fff0.write)) == (
        "FFF1",
        "FFF2",
    )
    assert gatt.chunks(b"x" * 41, 3) == [b"x" * 20, b"x" * 20, b"x"]  # never below 20
    dfu = S(u16("fe59"), [C("8ec90001-f315-4f60-9fb8-838830daea50", ["write", "indicate"])])
    assert gatt.choose([dfu]) is None  # a firmware-update service is never written to
    uart = gatt.choose([dfu, *services("custom")])
    assert uart is not None and uart.service.startswith("49535343")


def test_looks_like_obd() -> None:
    assert gatt.looks_like_obd("IOS-Vlink", []) == "name"
    assert gatt.looks_like_obd("OBDLink CX", []) == "name"
    assert gatt.looks_like_obd(None, ["0000fff0-0000-1000-8000-00805f9b34fb"]) == "FFF0 service"
    assert gatt.looks_like_obd("OBDII", [u16("ffe0")]) == "name and FFE0 service"
    assert gatt.looks_like_obd("Polar H10", [u16("180d")]) is None
    assert gatt.looks_like_obd("Galaxy Buds", []) is None


NO_SYSTEM_BUS = (
    not sys.platform.startswith("linux")
    or os.path.exists("/run/dbus/system_bus_socket")
    or os.path.exists("/var/run/dbus/system_bus_socket")
    or "DBUS_SYSTEM_BUS_ADDRESS" in os.environ
)


@pytest.mark.skipif(NO_SYSTEM_BUS, reason="needs Linux without a system D-Bus")
def test_real_bluez_backend_without_dbus_says_so(run_cli) -> None:
    """bleak's real BlueZ backend (nothing replaced) on a Linux without D-Bus: one sentence."""
    code, out, err = run_cli("adapters", "--ble", "--seconds", "0.2")
    assert (code, out) == (ExitStatus.ADAPTER, "")
    assert err.startswith("Error: Bluetooth cannot be reached: the system D-Bus is not running")
    assert err.endswith("Hint: Start it with `sudo systemctl start bluetooth` (and `sudo "
                        "systemctl enable bluetooth` to keep it), then try again.\n")  # fmt: skip


def test_adapters_ble_json_error_is_one_object_on_stdout(run_cli) -> None:
    off = BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF)
    with installed(vlink(), error=off):
        code, out, err = run_cli("adapters", "--ble", "--json")
    assert code == ExitStatus.ADAPTER
    assert json.loads(out) == {
        "schema_version": 1,
        "error": "Bluetooth is switched off on this computer.",
        "hint": "Switch Bluetooth on in the system settings, then try again.",
        "exit_status": 3,
    }
    assert err == BLUETOOTH_ERRORS["off"][1]
