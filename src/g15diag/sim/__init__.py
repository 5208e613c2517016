"""The simulated car and ELM327 adapter (every value it returns is fictional).

The simulator plugs itself into the tool from here, so ``transport/`` never imports it:
:func:`register` makes ``sim://`` a pyserial URL (``g15diag.app.adapter`` calls it for
``sim://`` ports), :func:`can_simulator` serves the car on a python-can ``virtual`` channel
named ``sim://...``. The ``sim://`` options are listed in :mod:`g15diag.sim.options`.
"""

from __future__ import annotations

from typing import Any


def register() -> None:
    """Make ``sim://`` known to :func:`serial.serial_for_url` (idempotent)."""
    from g15diag.sim.protocol_sim import register as register_handler

    register_handler()


def can_simulator(channel: str, bitrate: int | None) -> Any:
    """Start the simulated car on the virtual CAN channel ``channel`` (a ``sim://`` URL);
    returns the running simulator (``close()`` stops it)."""
    from g15diag.sim.can_bus import CanBusSimulator
    from g15diag.sim.config import build

    car, adapter = build(channel)
    return CanBusSimulator(car, channel, bitrate or 500_000, latency=adapter.latency)
