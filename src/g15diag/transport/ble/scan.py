"""Search the air for Bluetooth LE OBD adapters (``g15diag adapters --ble``).

Listens to advertisements for a few seconds through bleak's ``BleakScanner`` (on the private
loop thread) and keeps the devices that look like OBD adapters: a known UART service in the
advertisement or a known adapter name (:func:`.gatt.looks_like_obd`). Nothing is connected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from g15diag import errors
from g15diag.transport.ble import gatt
from g15diag.transport.ble.gatt import BleAdapter
from g15diag.transport.ble.link import CLOSE_SECONDS, SCHEME, bluetooth_error
from g15diag.transport.ble.loop import LoopThread

if TYPE_CHECKING:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData


def scan(seconds: float, on_tick: Callable[[float], None] | None = None) -> list[BleAdapter]:
    """The OBD-looking devices heard in ``seconds``, strongest signal first."""
    loop = LoopThread()
    try:
        found = loop.run(_listen(seconds), seconds + CLOSE_SECONDS + 2.0, on_tick)
    except errors.G15DiagError:
        raise
    except Exception as exc:
        known = bluetooth_error(exc)
        if known is not None:
            raise known from exc
        raise errors.BluetoothError(f"The Bluetooth LE search failed: {exc}.") from exc
    finally:
        loop.stop()
    return adapters_in(found)


async def _listen(seconds: float) -> dict[str, tuple[BLEDevice, AdvertisementData]]:
    from bleak import BleakScanner

    result: dict[str, tuple[BLEDevice, AdvertisementData]] = await BleakScanner.discover(
        timeout=seconds, return_adv=True
    )
    return result


def adapters_in(found: dict[str, tuple[BLEDevice, AdvertisementData]]) -> list[BleAdapter]:
    """Keep what looks like an OBD adapter; name the port by name when it is unique."""
    names: dict[str, int] = {}
    for device, adv in found.values():
        name = adv.local_name or device.name or ""
        names[name.casefold()] = names.get(name.casefold(), 0) + 1
    out = []
    for device, adv in found.values():
        name = adv.local_name or device.name or ""
        why = gatt.looks_like_obd(name, adv.service_uuids)
        if why is None:
            continue
        unique = bool(name) and names[name.casefold()] == 1
        port = SCHEME + (quote(name, safe="") if unique else device.address)
        out.append(BleAdapter(name, device.address, adv.rssi, why, port))
    return sorted(out, key=lambda a: (-a.rssi, a.name, a.address))
