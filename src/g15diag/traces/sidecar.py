"""The JSON sidecar next to a trace: who recorded it, with what, on which IDs, and the result.

``FILE.log`` (also ``FILE.log.gz``, ``FILE.asc`` ...) has its sidecar at ``FILE.json``.
Fixtures add an ``expected`` object with the results CI checks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from g15diag import inputs
from g15diag.errors import UsageError

SCHEMA = 1


def path_for(trace: str | Path) -> Path:
    """Where the sidecar of ``trace`` lives."""
    path = Path(trace)
    if path.suffix.lower() == ".gz":
        path = path.with_suffix("")
    return path.with_suffix(".json")


def load_for(trace: str | Path) -> dict[str, Any] | None:
    """The sidecar of ``trace``, or None when it has none."""
    path = path_for(trace)
    if not path.is_file():
        return None
    text = inputs.read_text(path, "the trace sidecar")
    inputs.check_structure(text, f"Trace sidecar {path}")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"Cannot read trace sidecar {path}: {exc}.") from exc
    if not isinstance(data, dict):
        raise UsageError(f"Trace sidecar {path} is not a JSON object.")
    return data


def dump(data: dict[str, Any]) -> str:
    """The sidecar text (stable key order, one trailing newline)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
