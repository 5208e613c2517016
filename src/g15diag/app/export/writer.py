"""Atomic file writing for exports (to be replaced by the shared g15diag.files writer)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from g15diag.errors import OutputError


def write(path: str | Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` (text as UTF-8) atomically; never over an existing file without force."""
    return write_atomic(path, content, force=force)


def check_writable(path: str | Path, *, force: bool) -> None:
    """Fail early (before any read of the car) when ``path`` exists and ``force`` is off."""
    target = Path(path)
    if target.exists() and not force:
        raise OutputError(
            f"{target} already exists; nothing was written.",
            hint="Use --force to replace it, or choose another --output.",
        )
    if not target.parent.exists() and str(target.parent) not in ("", "."):
        raise OutputError(f"Cannot write {target}: the folder {target.parent} does not exist.")


def write_atomic(path: str | Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` to a temporary file beside ``path``, then rename it into place.

    Without ``force`` an existing file is never replaced (even one that appears meanwhile).
    On any failure or interruption the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    check_writable(target, force=force)
    try:
        payload = content if isinstance(content, bytes) else content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(f"Cannot write {target}: the text is not valid Unicode.") from exc
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path(".")
        )
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        _place(tmp, target, force)
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return target


def _place(tmp: str, target: Path, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the target exists: no overwrite race
    except FileExistsError:
        raise OutputError(
            f"{target} already exists; nothing was written.",
            hint="Use --force to replace it, or choose another --output.",
        ) from None
    except OSError:
        if target.exists():
            raise
        os.replace(tmp, target)  # a file system without hard links
