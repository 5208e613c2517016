"""``candump -L`` text: a fast dedicated line reader and a plain writer.

The reader splits each line on whitespace, partitions ``ID#DATA`` and converts with ``int`` and
``bytes.fromhex``: several times faster than python-can's ``CanutilsLogReader``, which builds a
``can.Message`` and converts hex two digits at a time. Remote and error frames are skipped;
CAN FD (``ID##F...``) data is kept; ``#`` comment lines and a trailing ``R``/``T`` direction
mark are tolerated on input. The writer emits only what tshark accepts: no comments, no
direction mark.

Given the IDs it needs (:class:`Wanted`), :func:`read` checks each 1 MiB block of plain
``candump -L`` lines with one regular expression and converts only the lines of those IDs,
found by a search for `` ID#``: the other frames of a trace are never converted. A block
with any other kind of line (comments, CAN FD, remote or error frames, a direction mark, a bad
line) goes through the line reader, so the frames and the errors are exactly the line
reader's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from g15diag import errors
from g15diag.errors import UsageError
from g15diag.protocol.can import id_text, is_diagnostic_id

#: (timestamp in seconds, CAN ID, data bytes); an ID above 0x7FF is 29-bit.
Frame = tuple[float, int, bytes]

CAN_ERR_FLAG = 0x20000000
ID_CACHE = 4096  # distinct ID texts remembered (memory stays flat)
BLOCK = 1 << 20  # characters per block for the Wanted fast path
#: the longest line read: a CAN FD frame is under 200 characters; a longer line means the
#: file is not a candump log (and reading it whole would cost its size in memory)
MAX_LINE = 4096
_HEX = "[0-9A-Fa-f]"
#: A block of plain candump -L lines: ``(SECONDS.FRACTION) CHANNEL ID#DATA``, ID of 3 digits
#: or 8 without the error flag, whole data bytes. Possessive where the ``re`` module has it
#: (Python 3.11+: a failed match never backtracks, ~1.6x faster); plain on Python 3.10.
_P = "+" if sys.version_info >= (3, 11) else ""
_PLAIN_BLOCK = re.compile(
    rf"(?:\([0-9]+{_P}\.[0-9]+{_P}\) [A-Za-z0-9_.-]+{_P} (?:{_HEX}{{3}}|[01]{_HEX}{{7}})#"
    rf"(?:{_HEX}{_HEX})*{_P}\n)*{_P}"
)


@dataclass(frozen=True)
class Wanted:
    """The CAN IDs a reader yields: ``ids``, and with ``diagnostic`` also the diagnostic
    ranges (0x700-0x7FF, 0x18DAxxxx, 0x18DBxxxx)."""

    ids: frozenset[int] = frozenset()
    diagnostic: bool = False

    def __contains__(self, can_id: object) -> bool:
        if can_id in self.ids:
            return True
        if not self.diagnostic or not isinstance(can_id, int):
            return False
        return is_diagnostic_id(can_id)

    def pattern(self) -> re.Pattern[str]:
        """`` ID#`` for every way a plain line may write a wanted ID (3 or 8 digits)."""
        forms = []
        for can_id in sorted(self.ids):
            if can_id <= 0xFFF:
                forms.append(f"{can_id:03X}")
            if can_id <= 0x1FFFFFFF:
                forms.append(f"{can_id:08X}")
        if self.diagnostic:
            forms += [f"7{_HEX}{_HEX}", f"000007{_HEX}{_HEX}", f"18[Dd][AaBb]{_HEX}{{4}}"]
        return re.compile(rf" ({'|'.join(forms) or '(?!)'})#", re.IGNORECASE)


def parse(lines: Iterable[str], name: str = "trace", first: int = 1) -> Iterator[Frame]:
    """Frames from candump ``-L`` lines; an unreadable line is a :class:`UsageError`.

    ``first`` is the line number of the first line (for error messages).
    """
    fromhex = bytes.fromhex
    ids: dict[str, int] = {}  # ID text -> value: a trace repeats a few IDs a million times
    for number, line in enumerate(lines, first):
        parts = line.split()
        if len(parts) < 3:
            if not parts or parts[0].startswith("#"):
                continue
            raise UsageError(
                (
                    f"{name} line {number} is not a candump -L line: ",
                    errors.Quote(line.strip()),
                    ".",
                )
            )
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
                (
                    f"{name} line {number} is not a candump -L line: ",
                    errors.Quote(line.strip()),
                    ".",
                )
            ) from None


def read(path: str | Path, wanted: Wanted | None = None) -> Generator[Frame, None, None]:
    """Stream the frames of a candump ``-L`` file (memory stays flat).

    With ``wanted``, only the frames of those IDs: the same frames, in the same order, and the
    same errors as filtering the full stream, several times faster.
    """
    path = Path(path)
    with path.open(encoding="ascii", errors="replace", newline=None) as handle:
        if wanted is None:
            yield from parse(_lines(handle, path.name), path.name)
        else:
            yield from _read_wanted(handle, path.name, wanted)


def _too_long(name: str, number: int) -> UsageError:
    return UsageError(
        f"{name} line {number} is longer than {MAX_LINE} characters: not a candump -L line."
    )


def _lines(handle: IO[str], name: str) -> Iterator[str]:
    """The lines of ``handle``, none longer than MAX_LINE (memory stays flat)."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise _too_long(name, number)
        yield line


def _read_wanted(handle: IO[str], name: str, wanted: Wanted) -> Iterator[Frame]:
    plain = _PLAIN_BLOCK.fullmatch
    hits = wanted.pattern().finditer
    fromhex = bytes.fromhex
    number = 1  # line number of the block's first line
    carry = ""
    while True:
        text = handle.read(BLOCK)
        if text:
            text = carry + text
            cut = text.rfind("\n") + 1
            if not cut:
                if len(text) > MAX_LINE:
                    raise _too_long(name, number)
                carry = text  # a line longer than a block: keep reading
                continue
            block, carry = text[:cut], text[cut:]
        elif carry:
            block, carry = carry + "\n", ""  # the last line had no line end
        else:
            return
        if len(carry) > MAX_LINE:
            raise _too_long(name, number + block.count("\n"))
        if plain(block):
            for hit in hits(block):  # in a plain line, " ID#" can only be the ID field
                start = block.rfind("\n", 0, hit.start()) + 1
                end = block.index("\n", hit.end())
                stamp = block[start + 1 : block.index(")", start)]
                yield float(stamp), int(hit[1], 16), fromhex(block[hit.end() : end])
        else:
            for frame in parse(block[:-1].split("\n"), name, number):
                if frame[1] in wanted:
                    yield frame
        number += block.count("\n")


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
