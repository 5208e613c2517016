"""Reading the files a user hands the tool (profiles, ``export --from``, trace sidecars):
bounded before any parser sees them.

A FIFO, a device (``/dev/zero``), a folder or a socket is refused from its ``stat``, without
opening it blocking; a regular file is opened non-blocking, checked again on the open handle
(a name swapped meanwhile), and read to at most ``limit`` bytes. :func:`check_structure` then
bounds nesting depth and number length, so a 5,000-digit integer or ``[[[[...]]]]`` never
reaches ``json``/``tomllib`` (which would raise ValueError or RecursionError).
Every refusal is one sentence, a :class:`~g15diag.errors.UsageError` (exit 2).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from g15diag.errors import UsageError

#: the largest input file read (a profile or an identify --json file is a few KiB)
LIMIT = 1 << 20
MAX_DEPTH = 32
MAX_DIGITS = 40


class InputError(UsageError):
    """An input file that cannot be read; ``reason`` is the part after "Cannot read X:"."""

    def __init__(self, what: str, path: str | Path, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Cannot read {what} {path}: {reason}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _unreadable(path: str | Path, what: str, exc: OSError) -> UsageError:
    if exc.errno == errno.ENAMETOOLONG:
        reason = f"the name ({len(str(path))} characters) is too long for the file system."
        return InputError(what, f"{str(path)[:24]}...", reason)
    return InputError(what, path, f"{exc.strerror or exc}.")


def read_bytes(path: str | Path, what: str, limit: int = LIMIT) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); UsageError otherwise."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError(what, path, f"it is {_kind(info.st_mode)}, not a file.")
    if info.st_size > limit:
        raise InputError(
            what, path, f"{info.st_size:,} bytes is more than the {limit:,} such a file can be."
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):  # replaced between the stat and the open
            raise InputError(what, path, f"it is {_kind(mode)}, not a file.")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(what, path, f"it is larger than {limit:,} bytes.")
    return data


def read_text(path: str | Path, what: str, limit: int = LIMIT) -> str:
    """:func:`read_bytes` as UTF-8 text."""
    try:
        return read_bytes(path, what, limit).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(what, path, "it is not UTF-8 text.") from exc


_STRINGS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'')
_COMMENT = re.compile(r"#[^\n]*")
_BRACKETS = re.compile(r"[\[\]{}]")


def check_structure(
    text: str,
    what: str,
    *,
    comments: bool = False,
    depth: int = MAX_DEPTH,
    digits: int = MAX_DIGITS,
) -> None:
    """Refuse nesting deeper than ``depth`` and digit runs longer than ``digits`` (outside
    strings) before a JSON or TOML parser sees ``text``. ``comments``: ``#`` starts a comment
    (TOML)."""
    bare = _STRINGS.sub('""', text)
    if comments:
        bare = _COMMENT.sub("", bare)
    # a digit run, TOML's 1_2_3 and 0xFFFF... included (a word outside quotes is a number,
    # a key, true/false/null: none of them is this long in a file the tool reads)
    if re.search(rf"[0-9A-Za-z_]{{{digits + 1}}}", bare):
        raise UsageError(
            f"{what} holds a value Python cannot read: a number longer than {digits} digits."
        )
    level = 0
    for match in _BRACKETS.finditer(bare):
        level += 1 if match.group() in "[{" else -1
        if level > depth:
            raise UsageError(
                f"{what} holds a value Python cannot read: nesting deeper than {depth} levels."
            )
