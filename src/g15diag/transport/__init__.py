"""Transports: one small interface (``base.Transport``), one module per kind of hardware.

Which transport a set of options names is decided in :func:`g15diag.adapter.make_transport`;
nothing here knows the simulator or trace files.
"""

from __future__ import annotations

from g15diag.transport.base import Target, TrafficLog, Transport

#: ELM327 protocol number -> CAN bit rate (6/7: 500 kbit/s, 8/9: 250; 7/9 are 29-bit)
PROTOCOL_BITRATES = {6: 500_000, 7: 500_000, 8: 250_000, 9: 250_000}

__all__ = ["PROTOCOL_BITRATES", "Target", "TrafficLog", "Transport"]
