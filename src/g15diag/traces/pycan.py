"""Every other trace format, through python-can's ``LogReader`` (chosen by suffix)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from g15diag.errors import UsageError
from g15diag.traces.candump import Frame


def read(path: str | Path) -> Iterator[Frame]:
    """Stream frames from ``.asc .blf .trc .csv .db`` (and ``.gz``) files; skip error and
    remote frames."""
    import can

    try:
        reader = can.LogReader(str(path))
    except (ValueError, NotImplementedError) as exc:
        raise UsageError(f"Cannot read trace {path}: {exc}.") from exc
    with reader:
        try:
            for msg in reader:
                if msg.is_error_frame or msg.is_remote_frame:
                    continue
                yield msg.timestamp, msg.arbitration_id, bytes(msg.data)
        except ValueError as exc:
            raise UsageError(f"Cannot read trace {path}: {exc}.") from exc
