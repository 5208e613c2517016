"""A Bluetooth LE ELM327 as a synchronous byte stream: bleak on one private loop thread.

:class:`BleLink` finds the device named by a ``ble://NAME`` or ``ble://ADDRESS`` port
(bleak's ``BleakScanner``), connects (``BleakClient``), picks the GATT UART
(:mod:`.gatt`), subscribes to its notifications and writes in chunks that fit the link.
Notifications are appended to one buffer as they come, so a line or the ``>`` prompt split
across notifications is whole again for the ELM327 transport reading it. Every bleak failure
a user or an adapter can cause becomes one :class:`~g15diag.errors.BluetoothError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from g15diag import errors
from g15diag.transport.ble import gatt
from g15diag.transport.ble.loop import SLICE, LoopThread, LoopTimeout

if TYPE_CHECKING:
    from bleak import BleakClient, BleakScanner
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

SCHEME = "ble://"
SCAN_SECONDS = 10.0  # how long the device is searched for (``ble://NAME?scan=5`` changes it)
SCAN_MAX = 120.0
CONNECT_SECONDS = 20.0
WRITE_SECONDS = 5.0
CLOSE_SECONDS = 3.0
MAC = re.compile(r"(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}", re.IGNORECASE)
APPLE_ID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.IGNORECASE)
PHONE_HINT = (
    "A Bluetooth LE adapter takes one connection at a time and stops advertising while "
    "connected: close the OBD app on your phone (or switch the phone's Bluetooth off) and "
    "any other program using it, check the adapter has power (ignition on), then try again."
)


def is_address(text: str) -> bool:
    """True for a MAC address (Windows, Linux) or a CoreBluetooth UUID (macOS)."""
    return bool(MAC.fullmatch(text) or APPLE_ID.fullmatch(text))


def parse_url(url: str) -> tuple[str, float]:
    """``ble://NAME[?scan=SECONDS]`` -> (name or address, seconds to search)."""
    rest = url[len(SCHEME) :] if url.lower().startswith(SCHEME) else url
    parts = urlsplit(SCHEME + rest)
    target = unquote((parts.netloc + parts.path).strip("/")).strip()
    if not target:
        raise errors.UsageError(
            "--port ble:// needs the adapter's name or address, e.g. ble://IOS-Vlink.",
            hint="Run `g15diag adapters --ble` to list the Bluetooth LE adapters in range.",
        )
    seconds = SCAN_SECONDS
    query = parse_qs(parts.query)
    if "scan" in query:
        try:
            seconds = float(query["scan"][-1])
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= SCAN_MAX:
            raise errors.UsageError(
                f"--port {url!r}: scan= is a number of seconds above 0 and at most {SCAN_MAX:g}."
            )
    return target, seconds


def bluetooth_error(exc: BaseException) -> errors.BluetoothError | None:
    """The one-sentence error for a bleak/OS failure to use Bluetooth at all, or None."""
    from bleak.exc import (
        BleakBluetoothNotAvailableError,
        BleakBluetoothNotAvailableReason,
        BleakDBusError,
        BleakError,
    )

    if isinstance(exc, BleakBluetoothNotAvailableError):
        reason = exc.reason
        if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
            return errors.BluetoothUnavailable(
                "Bluetooth is switched off on this computer.",
                hint="Switch Bluetooth on in the system settings, then try again.",
            )
        if reason.name.startswith("DENIED"):
            return errors.BluetoothUnavailable(
                "This program is not allowed to use Bluetooth.",
                hint="macOS: System Settings > Privacy & Security > Bluetooth, allow your "
                "terminal. Linux: your user must be allowed to use BlueZ (a local desktop "
                "session, or the 'bluetooth' group).",
            )
        return errors.BluetoothUnavailable(
            "This computer has no Bluetooth LE radio that can be used.",
            hint="Use a computer with Bluetooth 4.0 or later, or a USB Bluetooth LE dongle.",
        )
    if isinstance(exc, BleakDBusError) and (
        "ServiceUnknown" in exc.dbus_error or "org.bluez" in (exc.dbus_error_details or "")
    ):
        return errors.BluezNotRunning("The Bluetooth service (BlueZ) is not running.")
    if sys.platform.startswith("linux") and isinstance(
        exc, (FileNotFoundError, ConnectionRefusedError)
    ):
        return errors.BluezNotRunning(
            "Bluetooth cannot be reached: the system D-Bus is not running, so BlueZ is not either."
        )
    if isinstance(exc, BleakError) and "adapter" in str(exc).lower():
        return errors.BluetoothUnavailable(f"Bluetooth LE cannot be used here: {exc}.")
    return None


class BleLink:
    """One connection to a BLE adapter; bytes in, bytes out, with deadlines."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.target, self.scan_seconds = parse_url(url)
        self.name = ""
        self.address = ""
        self.uart: gatt.Uart | None = None
        self.chunk = gatt.MIN_CHUNK
        self._loop: LoopThread | None = None
        self._client: BleakClient | None = None
        self._buffer = bytearray()
        self._cond = threading.Condition()
        self._lost = False
        self._seen: dict[str, str] = {}  # address -> name of OBD-looking devices seen
        self.last_data: float | None = None  # monotonic time of the last notification

    # -- open ------------------------------------------------------------------------

    def open(self) -> None:
        """Find, connect, choose the UART and subscribe; a BluetoothError on failure."""
        self._loop = LoopThread()
        try:
            self._loop.run(self._connect(), self.scan_seconds + CONNECT_SECONDS + CLOSE_SECONDS)
        except LoopTimeout as exc:
            self.close()
            raise errors.BleBusy(
                f"{self._label()} did not accept a connection within {CONNECT_SECONDS:g} s.",
                hint=PHONE_HINT,
            ) from exc
        except errors.G15DiagError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            known = bluetooth_error(exc)
            if known is not None:
                raise known from exc
            raise errors.BluetoothError(f"Bluetooth LE failed on {self.url}: {exc}.") from exc
        except BaseException:
            self.close()
            raise

    async def _connect(self) -> None:
        from bleak import BleakClient, BleakScanner
        from bleak.exc import BleakError

        device = await self._find(BleakScanner)
        self.name, self.address = device.name or self.target, device.address
        client = BleakClient(
            device, disconnected_callback=self._on_disconnect, timeout=CONNECT_SECONDS
        )
        try:
            await client.connect()
        except (BleakError, asyncio.TimeoutError, OSError) as exc:
            if bluetooth_error(exc) is not None:
                raise
            raise errors.BleBusy(
                f"{self._label()} was found but refused the connection ({exc or 'timeout'}).",
                hint=PHONE_HINT,
            ) from exc
        self._client = client
        uart = gatt.choose(client.services)
        if uart is None:
            raise errors.BleNoUart(
                f"{self._label()} has no serial-like (UART) Bluetooth LE service, so it is not "
                f"an ELM327 adapter; it offers: {gatt.offered(client.services)}.",
                hint="Run `g15diag adapters --ble` to list the devices that look like OBD "
                "adapters.",
            )
        self.uart = uart
        self.chunk = max(gatt.MIN_CHUNK, uart.write_char.max_write_without_response_size)
        await client.start_notify(uart.notify_char, self._on_notify)

    async def _find(self, scanner: type[BleakScanner]) -> BLEDevice:
        wanted = self.target.casefold()
        by_address = is_address(self.target)

        def match(device: BLEDevice, adv: AdvertisementData) -> bool:
            names = {(adv.local_name or "").casefold(), (device.name or "").casefold()}
            if gatt.looks_like_obd(device.name or adv.local_name, adv.service_uuids):
                self._seen[device.address] = device.name or adv.local_name or ""
            if by_address:
                return device.address.casefold() == wanted
            return wanted in names

        device = await scanner.find_device_by_filter(match, timeout=self.scan_seconds)
        if device is None:
            what = "address" if by_address else "name"
            seen = ", ".join(
                f"{name or '(no name)'} ({address})" for address, name in self._seen.items()
            )
            hint = PHONE_HINT + " `g15diag adapters --ble` lists the adapters in range."
            if sys.platform == "darwin" and MAC.fullmatch(self.target):
                hint = (
                    "macOS never shows a Bluetooth device's address, only a UUID of its own: "
                    "use the adapter's name, or the ble://UUID `g15diag adapters --ble` prints."
                )
            raise errors.BleDeviceNotFound(
                f"No Bluetooth LE device with the {what} {self.target!r} was found in "
                f"{self.scan_seconds:g} s of searching"
                + (f" (OBD adapters seen: {seen})." if seen else "."),
                hint=hint,
            )
        return device

    # -- bytes -------------------------------------------------------------------------

    def _on_notify(self, _char: Any, data: bytearray) -> None:
        with self._cond:
            self._buffer += data
            self.last_data = time.monotonic()
            self._cond.notify_all()

    def _on_disconnect(self, _client: Any) -> None:
        with self._cond:
            self._lost = True
            self._cond.notify_all()

    @property
    def in_waiting(self) -> int:
        with self._cond:
            return len(self._buffer)

    def read(self, size: int, timeout: float | None) -> bytes:
        """Up to ``size`` bytes: returns once ``size`` are there or ``timeout`` passed."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600.0)
        with self._cond:
            while len(self._buffer) < size:
                if self._lost:
                    if self._buffer:
                        break
                    raise self._lost_error()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(SLICE, remaining))
            out = bytes(self._buffer[:size])
            del self._buffer[:size]
            return out

    def discard(self) -> None:
        with self._cond:
            self._buffer.clear()

    def write(self, data: bytes) -> None:
        """Write ``data`` to the UART in chunks that fit the link, within the deadline."""
        from bleak.exc import BleakError

        if self._lost or self._loop is None or self._client is None:
            raise self._lost_error()
        try:
            self._loop.run(self._write(self._client, data), WRITE_SECONDS)
        except LoopTimeout as exc:
            raise errors.BleDisconnected(
                f"{self._label()} did not take the command within {WRITE_SECONDS:g} s.",
                hint="Move the computer closer to the adapter and try again.",
            ) from exc
        except (BleakError, OSError, EOFError) as exc:
            raise self._lost_error() from exc
        except errors.G15DiagError:
            raise
        except Exception as exc:  # a platform backend's own error type: the link failed
            raise self._lost_error() from exc

    async def _write(self, client: BleakClient, data: bytes) -> None:
        assert self.uart is not None
        for piece in gatt.chunks(data, self.chunk):
            await client.write_gatt_char(
                self.uart.write_char, piece, response=self.uart.with_response
            )

    def _lost_error(self) -> errors.BleDisconnected:
        return errors.BleDisconnected(
            f"The Bluetooth LE connection to {self._label()} was lost.",
            hint="Keep the computer within a few metres of the adapter and check that the "
            "adapter still has power (ignition on), then run the command again.",
        )

    def _label(self) -> str:
        if self.name and self.address and self.name != self.address:
            return f"{self.name} ({self.address})"
        return self.name or self.address or self.target

    # -- close -------------------------------------------------------------------------

    def close(self) -> None:
        """Unsubscribe and disconnect (best effort, bounded), then stop the loop thread."""
        loop, self._loop = self._loop, None
        client, self._client = self._client, None
        if loop is None:
            return
        try:
            if client is not None and client.is_connected:
                with contextlib.suppress(Exception):  # closing: the link may already be gone
                    loop.run(self._disconnect(client), CLOSE_SECONDS)
        finally:
            loop.stop()

    async def _disconnect(self, client: BleakClient) -> None:
        from bleak.exc import BleakError

        if self.uart is not None:  # the link may already be half gone: disconnect anyway
            with contextlib.suppress(BleakError, OSError, EOFError):
                await client.stop_notify(self.uart.notify_char)
        await client.disconnect()
