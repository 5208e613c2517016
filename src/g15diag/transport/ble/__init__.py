"""Bluetooth LE ELM327 adapters (``--port ble://NAME`` or ``ble://ADDRESS``) through bleak.

A BLE adapter is one more byte stream under the ELM327 dialect: :func:`register` makes
``ble://`` a pyserial URL (``g15diag.app.adapter`` calls it for ``ble://`` ports, like
``sim://``), so :class:`~g15diag.transport.elm327.Elm327Transport` with its guard at the
lowest write, the search and every command above it run unchanged. bleak is imported only
here, and only when a ``ble://`` port is used or ``adapters --ble`` scans.
"""

from __future__ import annotations

PACKAGE = "g15diag.transport.ble"


def register() -> None:
    """Make ``ble://`` known to :func:`serial.serial_for_url` (idempotent)."""
    import serial

    if PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(PACKAGE)
