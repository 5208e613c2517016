"""``adapters``: candidate adapter ports and what is known about each. Python API; prints nothing.

Listing opens nothing: it reads the operating system's port list (``serial.tools.list_ports``),
maps the USB VID:PID to the USB-serial chip, adds ``/dev/rfcomm*`` (Bluetooth on Linux) and
``/dev/tty.*`` (Bluetooth on macOS), and the usual Wi-Fi address as a hint. Only
:func:`probe` opens a port, and it sends ``ATI`` only. :func:`search_ble` listens to
Bluetooth LE advertisements (``adapters --ble``) and connects to nothing.

On Windows pyserial reports COM ports with a ``hwid``: ``USB VID:PID=1A86:7523 ...`` for USB
adapters (the chip comes from the VID:PID as elsewhere) and ``BTHENUM\\{00001101-...}...`` for
Bluetooth SPP ports ("Standard Serial over Bluetooth link"). Windows makes two such ports per
paired device; the incoming one carries an all-zero device address and cannot reach the
adapter, so it is marked.
"""

from __future__ import annotations

import glob as globmod
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from g15diag import errors
from g15diag.transport.ble.gatt import BleAdapter

WIFI_HINT = "socket://192.168.0.10:35000"
PL2303_WARNING = (
    "Prolific PL2303: fake chips are common in cheap cables; Windows then shows "
    "'Error 10 - device cannot start' and ddt4all refuses these cables."
)
BT_INCOMING_WARNING = (
    "Windows' incoming Bluetooth port: the adapter cannot be reached on it. Use the outgoing "
    "port (Bluetooth settings > More Bluetooth settings > COM Ports)."
)
#: the device-address part of a Windows BTHENUM hwid that is all zeros (the incoming port)
_BT_NO_ADDRESS = re.compile(r"&0{12}(?:_|$)")
#: (VID, PID or None for any) -> chip name. Sources: users_adapters_dealer.md §1.3, §1.5.
CHIPS: dict[tuple[int, int | None], str] = {
    (0x0403, 0x6015): "FTDI FT231X/FT230X (OBDLink SX uses this chip)",
    (0x0403, None): "FTDI",
    (0x1A86, 0x7523): "WCH CH340",
    (0x1A86, 0x5523): "WCH CH341",
    (0x10C4, 0xEA60): "Silicon Labs CP210x",
    (0x067B, 0x2303): "Prolific PL2303",
}


@dataclass(frozen=True)
class PortInfo:
    """One candidate port: what to pass to ``--port`` and what is known about it."""

    port: str
    kind: str  # "usb-serial" | "bluetooth" | "serial" | "wifi-hint"
    description: str = ""
    vid: int | None = None
    pid: int | None = None
    chip: str | None = None
    warning: str | None = None
    identity: str | None = None  # ATI answer (--probe)
    probe_error: str | None = None  # why --probe got no ATI answer

    @property
    def usb_id(self) -> str | None:
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04X}:{self.pid:04X}"


def chip_for(vid: int | None, pid: int | None) -> str | None:
    """The USB-serial chip a VID:PID names, or None."""
    if vid is None:
        return None
    return CHIPS.get((vid, pid)) or CHIPS.get((vid, None))


def _default_comports() -> Iterable[Any]:
    from serial.tools import list_ports

    return list_ports.comports()


def list_adapters(
    *,
    comports: Callable[[], Iterable[Any]] | None = None,
    glob: Callable[[str], list[str]] | None = None,
    platform: str = sys.platform,
) -> list[PortInfo]:
    """Every candidate port, then the Wi-Fi hint. Opens nothing."""
    comports = comports or _default_comports
    glob = glob or globmod.glob
    found: list[PortInfo] = []
    seen: set[str] = set()
    for info in sorted(comports(), key=lambda p: p.device):
        vid, pid = getattr(info, "vid", None), getattr(info, "pid", None)
        chip = chip_for(vid, pid)
        device = info.device
        hwid = str(getattr(info, "hwid", "") or "")
        bluetooth = (
            "rfcomm" in device
            or hwid.upper().startswith("BTHENUM")
            or (vid is None and "bluetooth" in str(info.description).lower())
        )
        kind = "bluetooth" if bluetooth else "usb-serial" if vid is not None else "serial"
        warning = PL2303_WARNING if vid == 0x067B else None
        if bluetooth and hwid.upper().startswith("BTHENUM") and _BT_NO_ADDRESS.search(hwid):
            warning = BT_INCOMING_WARNING
        description = " ".join(
            str(x) for x in (info.description, getattr(info, "manufacturer", None)) if x
        )
        if description.strip().lower() == "n/a":
            description = ""
        found.append(
            PortInfo(
                port=device,
                kind=kind,
                description=description,
                vid=vid,
                pid=pid,
                chip=chip,
                warning=warning,
            )
        )
        seen.add(device)
    extra = []
    if platform.startswith("linux"):
        extra += glob("/dev/rfcomm*")
    if platform == "darwin":
        extra += [p for p in glob("/dev/tty.*") if "Bluetooth-Incoming-Port" not in p]
    for device in sorted(set(extra) - seen):
        found.append(PortInfo(port=device, kind="bluetooth", description="Bluetooth serial"))
    found.append(
        PortInfo(
            port=WIFI_HINT,
            kind="wifi-hint",
            description="the usual address of Wi-Fi adapters (join the adapter's Wi-Fi first; "
            "some use another address)",
        )
    )
    return found


def probe(
    ports: Iterable[PortInfo], *, baud: int | str = 38400, timeout: float = 2.0
) -> list[PortInfo]:
    """Ask each port (not the Wi-Fi hint) for ``ATI`` and nothing else."""
    from g15diag.app.adapter import AdapterOptions
    from g15diag.app.link import Link
    from g15diag.protocol import elm
    from g15diag.transport.elm327 import Elm327Transport

    out = []
    for info in ports:
        if info.kind == "wifi-hint":
            out.append(info)
            continue
        options = AdapterOptions(port=info.port, baud=baud, timeout=timeout)
        try:
            with Link(options, open_adapter=False) as link:
                transport = link.transport
                if not isinstance(transport, Elm327Transport):  # not a serial port
                    out.append(replace(info, probe_error="not a serial port"))
                    continue
                transport.open_port()
                lines = elm.check_ok("ATI", transport.command("ATI"))
                out.append(replace(info, identity=" ".join(lines) or "(empty answer)"))
        except errors.G15DiagError as exc:
            out.append(replace(info, probe_error=str(exc)))  # as the link presented it
    return out


#: how long ``adapters --ble`` listens for advertisements by default
BLE_SECONDS = 5.0


def search_ble(
    seconds: float = BLE_SECONDS, *, on_tick: Callable[[float], None] | None = None
) -> list[BleAdapter]:
    """Bluetooth LE devices that look like OBD adapters, heard in ``seconds`` (strongest
    first; each with the exact ``--port ble://...``). Connects to nothing. Raises a
    :class:`~g15diag.errors.BluetoothError` when Bluetooth cannot be used."""
    from g15diag.transport.ble.scan import scan

    return scan(seconds, on_tick)
