"""g15diag: read-only identification reads for the Nissan Almera G15 head unit.

The Python API the CLI is built on lives in :mod:`g15diag.app`; it is imported lazily so
``import g15diag`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
