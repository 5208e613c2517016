"""A trace file as the source of a ``--port replay:PATH`` transport.

``transport/replay.py`` answers requests from what this hands it; it does not import
``traces/`` itself (``g15diag.app.adapter.make_transport`` joins the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from g15diag.traces import read_frames, sidecar
from g15diag.traces.decode import Transaction, transactions


class TraceFile:
    """One recorded trace (any format :func:`read_frames` reads) and its sidecar."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def check(self) -> None:
        """Fail early (UsageError) on a missing or unreadable file."""
        read_frames(self.path).close()

    def sidecar(self) -> dict[str, Any]:
        """The JSON sidecar recorded with the trace, or {}."""
        return sidecar.load_for(self.path) or {}

    def transactions(self, request_id: int, response_id: int) -> Iterator[Transaction]:
        """The request/answer transactions between the two IDs, with their frames."""
        return transactions(read_frames(self.path), request_id, response_id, keep_frames=True)
