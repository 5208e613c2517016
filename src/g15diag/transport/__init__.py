"""Transports: one small interface (``base.Transport``), one module per kind of hardware."""

from __future__ import annotations

from g15diag.transport.base import Target, TrafficLog, Transport

PROTOCOL_BITRATES = {6: 500_000, 7: 500_000, 8: 250_000, 9: 250_000}


def make_transport(
    port: str,
    *,
    baud: int = 38400,
    protocol: int = 6,
    timeout: float = 5.0,
    traffic: TrafficLog | None = None,
) -> Transport:
    """The transport a ``--port`` value names (ELM327 over any pyserial URL or sim://).

    Not opened yet: use it as a context manager (``with make_transport(...) as t:``).
    """
    from g15diag.transport.elm327 import Elm327Transport

    transport = Elm327Transport(
        port, baud=baud, protocol=protocol, timeout=timeout, traffic=traffic
    )
    return transport


__all__ = ["PROTOCOL_BITRATES", "Target", "Transport", "make_transport"]
