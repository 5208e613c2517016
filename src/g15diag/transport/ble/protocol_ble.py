"""pyserial URL handler for ``ble://``: a Bluetooth LE ELM327 behind pyserial's own API.

Registered by :func:`g15diag.transport.ble.register`, so ``serial.serial_for_url("ble://
IOS-Vlink")`` returns this class and the ELM327 transport runs unchanged over Bluetooth LE.
Speeds (``--baud``) mean nothing on BLE and are accepted and ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from g15diag.transport.ble.link import BleLink

if TYPE_CHECKING:
    from typing_extensions import Buffer


class Serial(SerialBase):
    """A pyserial port whose far end is a BLE adapter's GATT UART."""

    link: BleLink | None = None

    def open(self) -> None:
        if self.port is None:
            raise SerialException("Port must be configured before it can be used.")
        if self.is_open:
            raise SerialException("Port is already open.")
        link = BleLink(str(self.port))
        link.open()  # a BluetoothError (one sentence, a hint, exit 3) when it cannot
        self.link = link
        self.is_open = True

    def close(self) -> None:
        self.is_open = False
        link, self.link = self.link, None
        if link is not None:
            link.close()

    def _reconfigure_port(self) -> None:
        """No speed on a BLE link: nothing to configure."""

    @property
    def in_waiting(self) -> int:
        return self._require_link().in_waiting

    def read(self, size: int = 1) -> bytes:
        return self._require_link().read(size, self.timeout)

    def write(self, data: Buffer) -> int:
        payload = bytes(data)
        self._require_link().write(payload)
        return len(payload)

    def reset_input_buffer(self) -> None:
        self._require_link().discard()

    def reset_output_buffer(self) -> None:
        self._require_link()

    def _require_link(self) -> BleLink:
        if not self.is_open or self.link is None:
            raise PortNotOpenError()
        return self.link
