"""Every other trace format, through python-can's ``LogReader`` (chosen by suffix)."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from g15diag.errors import UsageError
from g15diag.traces.candump import Frame


def read(path: str | Path) -> Generator[Frame, None, None]:
    """Stream frames from ``.asc .blf .trc .csv .db`` (and ``.gz``) files; skip error and
    remote frames."""
    import can

    try:
        reader = can.LogReader(str(path))
    except Exception as exc:  # third-party parser on untrusted bytes: struct.error, zlib...
        raise _unreadable(path, exc) from exc
    with reader:
        try:
            for msg in reader:
                if msg.is_error_frame or msg.is_remote_frame:
                    continue
                yield msg.timestamp, msg.arbitration_id, bytes(msg.data)
        except Exception as exc:  # see above: any reader failure is a bad input file
            raise _unreadable(path, exc) from exc


def _unreadable(path: str | Path, exc: Exception) -> UsageError:
    """python-can's readers fail on a damaged file with whatever their parser raises
    (``struct.error`` for a truncated .blf, ``IndexError``, ``zlib.error``, ...): every such
    failure is the file's fault, reported as a bad input file, never as a traceback."""
    return UsageError(f"Cannot read trace {path}: {exc or type(exc).__name__}.")
