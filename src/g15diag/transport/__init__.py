"""Transports: one small interface (``base.Transport``), one module per kind of hardware.

Which transport a set of options names is decided in :func:`g15diag.app.adapter.make_transport`;
nothing here knows the simulator or trace files.
"""

from __future__ import annotations

from g15diag.protocol.can import PROTOCOL_BITRATES, Target, TrafficLog
from g15diag.transport.base import Transport

__all__ = ["PROTOCOL_BITRATES", "Target", "TrafficLog", "Transport"]
