"""CAN traces: reading and writing logs, sidecars, recording sessions, decoding transactions.

One module per format, as python-can does: :mod:`.candump` is the fast dedicated reader and
the plain writer for ``candump -L`` text (the hot path), :mod:`.pycan` reads every other
format python-can knows (``.asc .blf .trc .csv .db`` and ``.gz`` variants). Nothing here is
imported by ``g15diag --help``; python-can is imported only for non-candump files.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from g15diag.errors import UsageError
from g15diag.traces.candump import Frame, Wanted

__all__ = ["Frame", "Wanted", "is_candump", "read_frames"]


#: a compressed trace may expand to this many times its size (real logs: 5-20x), plus 16 MiB
MAX_EXPANSION = 100
EXPANSION_FLOOR = 16 << 20


def check_expansion(path: Path) -> None:
    """Refuse a ``.gz`` trace that expands beyond MAX_EXPANSION times its size (a
    decompression bomb of blank lines would keep the reader busy for minutes): one pass of
    zlib over the file, at C speed, in 1 MiB pieces (memory stays flat)."""
    import gzip
    import zlib

    limit = path.stat().st_size * MAX_EXPANSION + EXPANSION_FLOOR
    total = 0
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise UsageError(
                        f"Trace {path} expands to more than {MAX_EXPANSION} times its size: "
                        "refused (that is not a CAN log)."
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"Cannot read trace {path}: {exc}.") from exc


def is_candump(path: str | Path) -> bool:
    """True for plain ``.log`` files, which the fast reader handles."""
    return Path(path).suffix.lower() == ".log"


def read_frames(path: str | Path, wanted: Wanted | None = None) -> Generator[Frame, None, None]:
    """Stream ``(timestamp, can_id, data)`` from a trace file of any supported format.

    With ``wanted``, only the frames of those IDs (candump files then skip converting the
    others; see :func:`g15diag.traces.candump.read`).
    """
    path = Path(path)
    try:
        if not path.is_file():
            raise UsageError(f"No trace file {path}.")
    except OSError as exc:  # a name too long to look up
        raise UsageError(f"Cannot read the trace: {exc.strerror or exc}.") from exc
    if path.suffix.lower() == ".gz":
        check_expansion(path)
    if is_candump(path):
        from g15diag.traces import candump

        return candump.read(path, wanted)
    from g15diag.traces import pycan

    frames = pycan.read(path)
    if wanted is None:
        return frames
    return (frame for frame in frames if frame[1] in wanted)
