"""The ELM327 transport over Bluetooth LE: the same transport, plus what ``-v`` says.

:meth:`open_port` is extended: after the BLE link is up it names the device and the GATT
UART it chose (a ``-v`` line and ``info.details``); the speed, meaningless on BLE, is dropped
and never searched for (``--baud auto``). A timeout while notifications were still arriving
says the link is slow. Every write still goes through the ELM327 transport's guard at its
lowest write, and closing (``with`` / Ctrl-C / SIGTERM) still returns the unit to its
default session before the link is dropped (``Transport.__exit__``).
"""

from __future__ import annotations

import time
from typing import Any

from g15diag import errors
from g15diag.protocol.can import Traffic
from g15diag.transport.ble.link import BleLink
from g15diag.transport.elm327 import Elm327Transport

SLOW_HINT = (
    "The answer was still arriving over Bluetooth LE when the time was up: the link is slow. "
    "Move the computer closer to the adapter, or give a longer --timeout."
)


class BleElm327Transport(Elm327Transport):
    """An ELM327-compatible adapter on a ``ble://`` port."""

    def open_port(self) -> None:
        fresh = self._port is None
        super().open_port()
        link = getattr(self._port, "link", None)
        if not fresh or not isinstance(link, BleLink) or link.uart is None:
            return
        self.info.details.pop("baud", None)
        self.info.details["bluetooth"] = f"{link.name} {link.address}".strip()
        self.info.details["gatt"] = link.uart.describe()
        self.info.details["write_chunk"] = str(link.chunk)
        note = (
            f"Bluetooth LE {link.name} ({link.address}): {link.uart.describe()}, "
            f"writes of up to {link.chunk} bytes"
        )
        self._emit_traffic(Traffic(True, (), None, "", note))

    def _detect_baud(self, port: Any) -> int:
        """``--baud auto`` (e.g. from a config file): a BLE link has no speed to find, and
        probing one with short windows could fail on a slow link."""
        return int(port.baudrate)

    def _read_prompt(self, port: Any, timeout: float) -> str:
        """The ELM327 read; a timeout while notifications were still coming says so."""
        try:
            return super()._read_prompt(port, timeout)
        except errors.AdapterTimeout as exc:
            link = getattr(port, "link", None)
            last = link.last_data if isinstance(link, BleLink) else None
            if last is not None and time.monotonic() - last < timeout * 2 / 3:
                exc.hint = SLOW_HINT
            raise
