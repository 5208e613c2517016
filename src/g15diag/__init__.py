"""g15diag: read-only identification reads for the Nissan Almera G15 head unit.

The small Python API (the CLI is built on the same functions) is loaded lazily, so
``import g15diag`` stays cheap::

    import g15diag
    result = g15diag.identify(port="/dev/ttyUSB0")   # -> IdentifyResult
    print(result.value("serial"), result.vin.value)
    g15diag.export(result, "request.txt", lang="ru")
    table = g15diag.scan(port="sim://")               # -> ScanResult
    serial = g15diag.read_serial(port="sim://", progress=print)  # -> SerialResult

See :mod:`g15diag.app.api`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "IdentifyResult",
    "ScanResult",
    "SearchProgress",
    "SerialResult",
    "__version__",
    "export",
    "identify",
    "read_serial",
    "scan",
]

_LAZY = {
    "identify": "g15diag.app.api",
    "read_serial": "g15diag.app.api",
    "SearchProgress": "g15diag.app.search",
    "SerialResult": "g15diag.app.read_serial",
    "scan": "g15diag.app.api",
    "export": "g15diag.app.api",
    "IdentifyResult": "g15diag.app.identify",
    "ScanResult": "g15diag.app.scan",
}


def __getattr__(name: str) -> Any:
    """Import the API on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'g15diag' has no attribute {name!r}")
