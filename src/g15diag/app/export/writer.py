"""Export files go through the project's one atomic writer, :mod:`g15diag.system.files`."""

from __future__ import annotations

from pathlib import Path

from g15diag.system import files

HINT = "Use --force to replace it, or choose another --output."


def check_writable(path: str | Path, *, force: bool) -> None:
    """Fail early (before any read of the car) unless ``path`` can be written."""
    files.check_new(path, force=force, hint=HINT)


def write(path: str | Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write ``content`` (text as UTF-8) whole or not at all; never over a file without force."""
    return files.write_new(path, content, force=force, hint=HINT)
