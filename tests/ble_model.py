"""A radio-free model of Bluetooth LE ELM327 adapters, as a bleak *backend*.

Tests replace only bleak's platform backend lookup (``bleak.get_platform_scanner_backend_type``
and ``bleak.get_platform_client_backend_type``) with :class:`ModelScanner` and
:class:`ModelClient`; the tool uses bleak's own ``BleakScanner``/``BleakClient`` front-end
classes unchanged. Each :class:`Peripheral` advertises (name, address, RSSI, service UUIDs)
and, once connected, offers a GATT table: a UART in one of the known layouts whose far end is
an ELM327 — the project's simulator (``SimStream``) or, with :class:`PtyElm`, any ELM327
on a pseudo-terminal (the third-party ELM327-emulator). Notifications are cut into
``notify_size``-byte pieces (20 at the BLE minimum), so lines and the ``>`` prompt arrive
split; writes longer than the link allows are refused as a real ATT layer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import bleak
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from g15diag.sim import config
from g15diag.sim.car import SIM_SERIAL
from g15diag.sim.stream import SimStream

BASE = "-0000-1000-8000-00805f9b34fb"
VGATE = "e7810a71-73ae-499d-8c15-faa9aef0c3f2"
VGATE_CHAR = "bef8d6c9-9c21-4c9e-b632-bd58c1009f9f"


def u16(short: str) -> str:
    return f"0000{short.lower()}{BASE}"


#: GATT tables: [(service UUID, [(characteristic UUID, properties)])]
GENERIC = (u16("1800"), [(u16("2a00"), ["read"])])
LAYOUTS: dict[str, list[tuple[str, list[tuple[str, list[str]]]]]] = {
    "vgate": [
        GENERIC,
        (VGATE, [(VGATE_CHAR, ["read", "write", "write-without-response", "notify"])]),
    ],
    "fff0": [
        GENERIC,
        (u16("fff0"), [(u16("fff1"), ["notify"]), (u16("fff2"), ["write-without-response"])]),
    ],
    "ffe0": [
        GENERIC,
        (u16("ffe0"), [(u16("ffe1"), ["read", "write-without-response", "notify"])]),
    ],
    # an HM-10 clone that repeats FFE1 in a second service: only the FFE0 one is the UART
    "ffe0-twice": [
        GENERIC,
        (u16("ffe5"), [(u16("ffe1"), ["notify"])]),
        (u16("ffe0"), [(u16("ffe1"), ["read", "write-without-response", "notify"])]),
    ],
    # not a known layout: a vendor service with a notifier and a writer
    "custom": [
        GENERIC,
        (u16("180a"), [(u16("2a29"), ["read"])]),
        (
            "49535343-fe7d-4ae5-8fa9-9fafd205e455",
            [
                ("49535343-1e4d-4bd9-ba61-23c647249616", ["notify"]),
                ("49535343-8841-43f4-a8d4-ecbe34729bb3", ["write"]),
            ],
        ),
    ],
    "heart-rate": [
        GENERIC,
        (u16("180d"), [(u16("2a37"), ["notify"]), (u16("2a39"), ["write"])]),
        (u16("180f"), [(u16("2a19"), ["read", "notify"])]),
    ],
}


class PtyElm:
    """An ELM327 on a pseudo-terminal (e.g. ELM327-emulator) as the model's far end."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self.dropped = False

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def take_ready(self) -> bytes:
        try:
            return os.read(self.fd, 4096)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


@dataclass
class Peripheral:
    """One advertising device."""

    name: str
    address: str
    layout: str = "vgate"
    rssi: int = -60
    advertised: list[str] = field(default_factory=list)  # service UUIDs in the advertisement
    sim_url: str = "sim://"
    far_end: Callable[[], Any] | None = None  # a PtyElm factory instead of the simulator
    mtu: int = 23  # ATT MTU: writes carry at most mtu - 3 bytes
    notify_size: int = 20  # bytes per notification
    notify_gap: float = 0.0  # seconds between notifications (a slow link)
    busy: bool = False  # connected to a phone: refuses another central
    advertises: bool = True
    # what the test sees
    writes: list[tuple[bytes, bool]] = field(default_factory=list)  # (chunk, with response)
    notifications: list[bytes] = field(default_factory=list)
    received: bytearray = field(default_factory=bytearray)  # every byte written to the UART
    streams: list[Any] = field(default_factory=list)
    connected: bool = False


@dataclass
class World:
    """What the model radio sees; ``error`` is raised when a scan starts (no Bluetooth...)."""

    peripherals: list[Peripheral] = field(default_factory=list)
    error: BaseException | None = None

    def find(self, address: str) -> Peripheral | None:
        return next((p for p in self.peripherals if p.address.lower() == address.lower()), None)


WORLD = World()


class ModelScanner(BaseBleakScanner):
    """Advertisements of :data:`WORLD`, repeated every 50 ms while scanning."""

    def __init__(
        self,
        detection_callback: Any,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if WORLD.error is not None:
            raise WORLD.error
        self.seen_devices = {}
        self._task = asyncio.create_task(self._advertise())

    async def _advertise(self) -> None:
        while True:
            for p in WORLD.peripherals:
                if not p.advertises:
                    continue
                adv = AdvertisementData(
                    local_name=p.name,
                    manufacturer_data={},
                    service_data={},
                    service_uuids=list(p.advertised),
                    tx_power=None,
                    rssi=p.rssi,
                    platform_data=(),
                )
                if self.is_allowed_uuid(adv.service_uuids):
                    device = self.create_or_update_device(p.address, p.address, p.name, p, adv)
                    self.call_detection_callbacks(device, adv)
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class ModelClient(BaseBleakClient):
    """A GATT client connected to one :class:`Peripheral`'s model."""

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(
            address_or_ble_device,
            disconnected_callback=kwargs.get("disconnected_callback"),
            timeout=kwargs.get("timeout", 10.0),
        )
        self.peripheral = WORLD.find(self.address)
        self._connected = False
        self._callback: NotifyCallback | None = None
        self._stream: Any = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.peripheral.name if self.peripheral else self.address

    @property
    def mtu_size(self) -> int:
        return self.peripheral.mtu if self.peripheral else 23

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        p = self.peripheral
        if p is None:
            raise bleak.exc.BleakDeviceNotFoundError(self.address, "not found")
        if p.busy:
            await asyncio.sleep(0.05)
            raise BleakError("le-connection-abort-by-local")
        self.services = self._table(p)
        if p.far_end is not None:
            self._stream = p.far_end()
        else:
            car, options = config.build(p.sim_url)
            self._stream = SimStream(car, options)
        p.streams.append(self._stream)
        self._connected = p.connected = True

    def _table(self, p: Peripheral) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        handle = 1
        for service_uuid, chars in LAYOUTS[p.layout]:
            service = BleakGATTService(None, handle, service_uuid)
            collection.add_service(service)
            for char_uuid, props in chars:
                handle += 2
                char = BleakGATTCharacteristic(
                    None,
                    handle,
                    char_uuid,
                    list(props),
                    lambda: p.mtu - 3,
                    service,  # type: ignore[arg-type]
                )
                collection.add_characteristic(char)
            handle += 1
        return collection

    async def disconnect(self) -> None:
        self._drop(notify=False)

    def _drop(self, *, notify: bool) -> None:
        if not self._connected:
            return
        self._connected = False
        if self.peripheral is not None:
            self.peripheral.connected = False
        if self._pump is not None:
            self._pump.cancel()
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()
        if notify and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("pairing is not modelled (BLE adapters need none)")

    async def unpair(self) -> None:
        raise BleakError("pairing is not modelled")

    async def read_gatt_char(self, characteristic: Any, **kwargs: Any) -> bytearray:
        raise BleakError("reads are not modelled")

    async def read_gatt_descriptor(self, descriptor: Any, **kwargs: Any) -> bytearray:
        raise BleakError("reads are not modelled")

    async def write_gatt_descriptor(self, descriptor: Any, data: Any) -> None:
        raise BleakError("descriptor writes are not modelled")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        p = self.peripheral
        assert p is not None
        if not self._connected:
            raise BleakError("Not connected")
        kind = "write" if response else "write-without-response"
        if kind not in characteristic.properties:
            raise BleakError(f"characteristic does not allow {kind}")
        chunk = bytes(data)
        if len(chunk) > p.mtu - 3:
            raise BleakError(f"ATT write of {len(chunk)} bytes exceeds MTU {p.mtu}")
        if response:
            await asyncio.sleep(0.001)  # the write response's round trip
        p.writes.append((chunk, response))
        p.received += chunk
        self._stream.write(chunk)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        if not ({"notify", "indicate"} & set(characteristic.properties)):
            raise BleakError("characteristic does not notify")
        self._callback = callback
        self._pump = asyncio.create_task(self._run_pump())

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._callback = None

    async def _run_pump(self) -> None:
        p = self.peripheral
        assert p is not None
        while self._connected:
            out = self._stream.take_ready()
            for i in range(0, len(out), p.notify_size):
                piece = out[i : i + p.notify_size]
                p.notifications.append(piece)
                if self._callback is not None:
                    self._callback(bytearray(piece))
                if p.notify_gap:
                    await asyncio.sleep(p.notify_gap)
            if getattr(self._stream, "dropped", False):
                self._drop(notify=True)  # the link went down mid-answer
                return
            if not out:
                await asyncio.sleep(0.002)


@contextlib.contextmanager
def installed(*peripherals: Peripheral, error: BaseException | None = None) -> Iterator[World]:
    """Replace bleak's platform backend lookup with the model (and restore it)."""
    saved = (bleak.get_platform_scanner_backend_type, bleak.get_platform_client_backend_type)
    WORLD.peripherals[:] = list(peripherals)
    WORLD.error = error
    bleak.get_platform_scanner_backend_type = lambda: (ModelScanner, "model")  # type: ignore[assignment]
    bleak.get_platform_client_backend_type = lambda: (ModelClient, "model")  # type: ignore[assignment]
    try:
        yield WORLD
    finally:
        bleak.get_platform_scanner_backend_type, bleak.get_platform_client_backend_type = saved
        WORLD.peripherals.clear()
        WORLD.error = None


def elm_lines(received: bytes) -> list[str]:
    """The command lines the adapter got (reassembled from the GATT writes)."""
    return [line.decode("ascii") for line in received.split(b"\r") if line]


def wait_until(check: Callable[[], bool], seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


# -- what the BLE tests share ---------------------------------------------------------------

VLINK = "D0:12:34:56:78:9A"
ADDRESS = ("--address", "747:767")
FAST = ("--timeout", "1")
SERIAL_LINE = f"Head-unit serial number: {SIM_SERIAL.decode()}\n"


def vlink(**kwargs: Any) -> Peripheral:
    """A Vgate iCar Pro BLE ("IOS-Vlink") in front of the simulator."""
    return Peripheral("IOS-Vlink", VLINK, **kwargs)


def heart_rate() -> Peripheral:
    """A heart-rate sensor advertising beside the adapters (never listed)."""
    return Peripheral("Polar H10 7E3A", "C4:7C:8D:6A:11:22", layout="heart-rate", rssi=-40,
                      advertised=[u16("180d")])  # fmt: skip
