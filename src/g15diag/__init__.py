"""g15diag: read-only identification reads for the Nissan Almera G15 head unit.

The small Python API (the CLI is built on the same functions) is loaded lazily, so
``import g15diag`` stays cheap::

    import g15diag
    result = g15diag.identify(port="/dev/ttyUSB0")   # -> IdentifyResult
    print(result.value("serial"), result.vin.value)
    g15diag.export(result, "request.pdf", lang="ru")     # or .txt/.html/.json/.csv
    g15diag.export(g15diag.session(port="sim://"), "sheet.html")  # identify + ATRV volts
    table = g15diag.scan(port="sim://")               # -> ScanResult
    serial = g15diag.read_serial(port="sim://", progress=print)  # -> SerialResult
    g15diag.identify(port="sim://", trace="x.log", traffic=print)  # x.log + x.json; -v lines
    report = g15diag.doctor(port="/dev/ttyUSB0")       # -> DoctorReport
    opts = g15diag.AdapterOptions(port="COM3", baud="auto", timeout=2.0)
    result = g15diag.identify(options=opts)           # the same record the CLI builds

A bad value raises :class:`g15diag.UsageError` (exit status 2 in the CLI) with one sentence.

See :mod:`g15diag.app.api`.
"""

from __future__ import annotations

import typing as _typing

__version__ = "0.1.0"
__all__ = [
    "AdapterOptions",
    "G15DiagError",
    "IdentifyResult",
    "Run",
    "ScanResult",
    "SearchProgress",
    "SerialResult",
    "TrafficEvent",
    "UsageError",
    "__version__",
    "adapters",
    "discover",
    "doctor",
    "export",
    "identify",
    "make_transport",
    "read_serial",
    "scan",
    "session",
    "voltage",
]

_LAZY = {
    "AdapterOptions": "g15diag.app.adapter",
    "make_transport": "g15diag.app.adapter",
    "G15DiagError": "g15diag.errors",
    "UsageError": "g15diag.errors",
    "identify": "g15diag.app.api",
    "discover": "g15diag.app.api",
    "doctor": "g15diag.app.api",
    "adapters": "g15diag.app.api",
    "Run": "g15diag.app.link",
    "TrafficEvent": "g15diag.app.link",
    "read_serial": "g15diag.app.api",
    "SearchProgress": "g15diag.app.search",
    "SerialResult": "g15diag.app.read_serial",
    "scan": "g15diag.app.api",
    "export": "g15diag.app.api",
    "session": "g15diag.app.api",
    "voltage": "g15diag.app.api",
    "IdentifyResult": "g15diag.app.identify",
    "ScanResult": "g15diag.app.scan",
}


def __getattr__(name: str) -> _typing.Any:
    """Import the API on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'g15diag' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (``__all__``) and the subpackages already imported."""
    modules = {k for k, v in globals().items() if isinstance(v, type(_typing))}
    return sorted(set(__all__) | {m for m in modules if not m.startswith("_")})
