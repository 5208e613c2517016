"""Appending one row to a shared file (``export --append``): in place, serialised, nothing
else changed.

The file is opened ``O_APPEND`` (links followed) and locked exclusively for the whole
append (``flock``; ``msvcrt.locking`` on Windows), its header is checked by reading only the
header's bytes, and the row goes out in one write at the end: ten garages' PCs appending at
once keep ten rows, and the file keeps its inode, owner and mode. A file marked read-only (no
write bit: refused even for root), a pipe, a device or a folder is refused unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from g15diag.errors import OutputError, UsageError
from g15diag.system import signals
from g15diag.system.files import note_written, os_error

_LF, _CRLF = "\n".encode("ascii"), "\r\n".encode("ascii")


def _append_refusal(path: Path, problem: str) -> OutputError:
    return OutputError(f"Cannot append to {path}: {problem}", hint=None)


def _check_append_stat(path: Path, info: os.stat_result) -> None:
    import stat

    if not stat.S_ISREG(info.st_mode):
        raise _append_refusal(path, "it is not a regular file (a pipe, a device or a folder).")
    if not info.st_mode & 0o222:
        raise _append_refusal(
            path, "it is marked read-only; nothing was changed (make it writable to add rows)."
        )


def check_appendable(path: str | Path, header: bytes) -> bool:
    """Before any read of the car: True when ``path`` exists and a row can be appended to
    it (a regular file, not marked read-only, starting with ``header``); False when it does
    not exist (a new file is written instead). Links are followed."""
    target = Path(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise os_error(target, exc, "append to") from exc
    _check_append_stat(target, info)
    fd = _open_append(target)
    try:
        _check_header(target, fd, header)
    finally:
        os.close(fd)
    return True


def _open_append(path: Path) -> int:
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise os_error(path, exc, "append to") from exc
    try:
        _check_append_stat(path, os.fstat(fd))  # the name may have been swapped meanwhile
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_header(path: Path, fd: int, header: bytes) -> None:
    """The file starts with ``header`` (only that many bytes are read)."""
    first = os.pread(fd, len(header), 0) if hasattr(os, "pread") else _read_at(fd, len(header), 0)
    if first != header:
        raise UsageError(
            f"Cannot append to {path}: its first row is not the g15diag export header."
        )


def _read_at(fd: int, size: int, offset: int) -> bytes:  # Windows has no os.pread
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def _lock(fd: int) -> None:
    """An exclusive lock for the whole append (POSIX flock; Windows: msvcrt on byte 0)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]  # Windows-only module
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def append_row(path: str | Path, header: bytes, row: bytes) -> Path:
    """Add ``row`` at the end of the existing file ``path`` in place, under an exclusive lock:
    its identity (inode, links, owner, mode) stays, concurrent appends each keep their row,
    a file marked read-only or not regular is refused unchanged. Links are followed."""
    target = Path(path)
    fd = _open_append(target)
    try:
        with signals.deferred():  # the row whole, or not at all
            _lock(fd)
            _check_header(target, fd, header)
            size = os.fstat(fd).st_size
            last = os.pread(fd, 1, size - 1) if hasattr(os, "pread") else _read_at(fd, 1, size - 1)
            data = row if last == _LF else _CRLF + row  # a last row without its line end
            written = 0
            while written < len(data):  # O_APPEND: every write lands at the current end
                written += os.write(fd, data[written:])
            os.fsync(fd)
            note_written(target)
    except OSError as exc:
        raise os_error(target, exc, "append to") from exc
    finally:
        os.close(fd)  # closing releases the lock
    return target
