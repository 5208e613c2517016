"""Transports: one small interface (``base.Transport``), one module per kind of hardware."""

from __future__ import annotations

from g15diag.transport.base import Target, TrafficLog, Transport

PROTOCOL_BITRATES = {6: 500_000, 7: 500_000, 8: 250_000, 9: 250_000}


def make_transport(
    port: str,
    *,
    baud: int | str = 38400,
    protocol: int = 6,
    timeout: float = 5.0,
    traffic: TrafficLog | None = None,
    interface: str | None = None,
    channel: str | None = None,
    bitrate: int | None = None,
) -> Transport:
    """The transport a ``--port`` value names (ELM327 over any pyserial URL or sim://,
    ``replay:PATH`` for a recorded trace), or a native CAN bus when ``interface`` is given.

    ``baud`` is a speed or ``"auto"`` (find it; the adapter's stored speed is never changed).

    Not opened yet: use it as a context manager (``with make_transport(...) as t:``).
    """
    if interface:
        from g15diag.transport.native_can import NativeCanTransport

        return NativeCanTransport(interface, channel, bitrate, timeout=timeout, traffic=traffic)
    if port.startswith("replay:"):
        from g15diag.transport.replay import ReplayTransport

        return ReplayTransport(port)
    from g15diag.transport.elm327 import Elm327Transport

    transport = Elm327Transport(
        port, baud=baud, protocol=protocol, timeout=timeout, traffic=traffic
    )
    return transport


__all__ = ["PROTOCOL_BITRATES", "Target", "Transport", "make_transport"]
