"""The JSON sidecar next to a trace: who recorded it, with what, on which IDs, and the result.

``FILE.log`` (also ``FILE.log.gz``, ``FILE.asc`` ...) has its sidecar at ``FILE.json``.
Fixtures add an ``expected`` object with the results CI checks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from g15diag.errors import UsageError
from g15diag.system import inputs

SCHEMA = 1


def path_for(trace: str | Path) -> Path:
    """Where the sidecar of ``trace`` lives."""
    path = Path(trace)
    if path.suffix.lower() == ".gz":
        path = path.with_suffix("")
    return path.with_suffix(".json")


#: a sidecar the tool wrote itself a moment ago (``discover --report``'s temporary one): it
#: holds every answer of the run (48 identifiers of 4,095 bytes, twice), not a user's input
OWN_LIMIT = 64 << 20


def load_for(trace: str | Path, *, own: bool = False) -> dict[str, Any] | None:
    """The sidecar of ``trace``, or None when it has none. ``own``: the tool wrote it in
    this run (bounded by :data:`OWN_LIMIT`, not by the limit for users' files)."""
    path = path_for(trace)
    if not path.is_file():
        return None
    limit = OWN_LIMIT if own else inputs.LIMIT
    text = inputs.read_text(path, "the trace sidecar", limit)
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
