"""``candump -L`` text: a fast dedicated line reader and a plain writer.

The reader splits each line on whitespace, partitions ``ID#DATA`` and converts with ``int`` and
``bytes.fromhex``: several times faster than python-can's ``CanutilsLogReader``, which builds a
``can.Message`` and converts hex two digits at a time. Remote and error frames are skipped;
CAN FD (``ID##F...``) data is kept; ``#`` comment lines and a trailing ``R``/``T`` direction
mark are tolerated on input. The writer emits only what tshark accepts: no comments, no
direction mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from g15diag.errors import UsageError

#: (timestamp in seconds, CAN ID, data bytes); an ID above 0x7FF is 29-bit.
Frame = tuple[float, int, bytes]

CAN_ERR_FLAG = 0x20000000
ID_CACHE = 4096  # distinct ID texts remembered (memory stays flat)


def parse(lines: Iterable[str], name: str = "trace") -> Iterator[Frame]:
    """Frames from candump ``-L`` lines; an unreadable line is a :class:`UsageError`."""
    fromhex = bytes.fromhex
    ids: dict[str, int] = {}  # ID text -> value: a trace repeats a few IDs a million times
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) < 3:
            if not parts or parts[0].startswith("#"):
                continue
            raise UsageError(f"{name} line {number} is not a candump -L line: {line.strip()!r}.")
        stamp, _channel, body = parts[0], parts[1], parts[2]
        ident, _, data = body.partition("#")
        try:
            if data[:1] == "#":  # CAN FD: one flags digit, then the data
                data = data[2:]
            elif data[:1] in ("R", "r"):
                continue  # remote frame: no data
            can_id = ids.get(ident)
            if can_id is None:
                can_id = int(ident, 16)
                if len(ident) == 8 and can_id & CAN_ERR_FLAG:
                    continue  # error frame
                if len(ids) < ID_CACHE:
                    ids[ident] = can_id
            yield float(stamp.strip("()")), can_id, fromhex(data)
        except ValueError:
            if stamp.startswith("#"):
                continue
            raise UsageError(
                f"{name} line {number} is not a candump -L line: {line.strip()!r}."
            ) from None


def read(path: str | Path) -> Iterator[Frame]:
    """Stream the frames of a candump ``-L`` file (memory stays flat)."""
    path = Path(path)
    with path.open(encoding="ascii", errors="replace", newline=None) as handle:
        yield from parse(handle, path.name)


def id_text(can_id: int) -> str:
    """``7A0`` for 11-bit IDs, ``18DAF1A0`` (8 digits) for 29-bit ones."""
    return f"{can_id:03X}" if can_id <= 0x7FF else f"{can_id:08X}"


def line(stamp: float, channel: str, can_id: int, data: bytes) -> str:
    """One plain ``candump -L`` line, without newline."""
    return f"({stamp:.6f}) {channel} {id_text(can_id)}#{data.hex().upper()}"


def write(handle: IO[str], frames: Iterable[Frame], channel: str = "can0") -> int:
    """Write frames as candump ``-L`` lines; returns how many were written."""
    count = 0
    for stamp, can_id, data in frames:
        handle.write(line(stamp, channel, can_id, data) + "\n")
        count += 1
    return count
