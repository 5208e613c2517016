"""CAN traces: reading and writing logs, sidecars, recording sessions, decoding transactions.

One module per format, as python-can does: :mod:`.candump` is the fast dedicated reader and
the plain writer for ``candump -L`` text (the hot path), :mod:`.pycan` reads every other
format python-can knows (``.asc .blf .trc .csv .db`` and ``.gz`` variants). Nothing here is
imported by ``g15diag --help``; python-can is imported only for non-candump files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from g15diag.errors import UsageError
from g15diag.traces.candump import Frame, Wanted

__all__ = ["Frame", "Wanted", "is_candump", "read_frames"]


def is_candump(path: str | Path) -> bool:
    """True for plain ``.log`` files, which the fast reader handles."""
    return Path(path).suffix.lower() == ".log"


def read_frames(path: str | Path, wanted: Wanted | None = None) -> Iterator[Frame]:
    """Stream ``(timestamp, can_id, data)`` from a trace file of any supported format.

    With ``wanted``, only the frames of those IDs (candump files then skip converting the
    others; see :func:`g15diag.traces.candump.read`).
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"No trace file {path}.")
    if is_candump(path):
        from g15diag.traces import candump

        return candump.read(path, wanted)
    from g15diag.traces import pycan

    frames = pycan.read(path)
    if wanted is None:
        return frames
    return (frame for frame in frames if frame[1] in wanted)
