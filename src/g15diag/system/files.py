"""The one way g15diag writes a file: whole or not at all, and never over an existing one.

Data goes to a short hidden temporary in the target's folder, is flushed and fsynced, and is
then hard-linked to its name: ``os.link`` fails when the name exists (a dangling symlink
included), so a file that appears meanwhile, or a second run racing for the same name, is
never replaced. Only ``force=True`` uses ``os.replace``. Temporaries are removed on every
error and interruption (:mod:`g15diag.system.signals` turns SIGTERM/SIGHUP into the same unwinding
as Ctrl-C). A run keeps its own :class:`Ledger` (``with files.ledger() as book:``, the CLI's
run does): the temporaries still to remove and the files put in place, so that a signal's
report names the files that were complete. Nothing of it is module state: a ledger belongs to
the context that opened it (a :mod:`contextvars` value), never to the next run.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from g15diag.errors import OutputError, UsageError
from g15diag.system import signals

#: temporaries are ``.g15diag-XXXXXXXX.tmp``: short, so a 255-byte target name still works
TEMP_PREFIX = ".g15diag-"
TEMP_SUFFIX = ".tmp"
_DEFAULT_NAME_MAX = 255


@dataclass
class Ledger:
    """One run's files: temporaries not yet removed, and the files put in place in order (for
    the "interrupted after ..." report)."""

    live: set[str] = field(default_factory=set)
    written: list[Path] = field(default_factory=list)

    def remove_temporaries(self) -> None:
        """Remove every temporary this run still holds (the CLI's last line of defence)."""
        for temp in list(self.live):
            with contextlib.suppress(OSError):
                os.unlink(temp)
            self.live.discard(temp)


#: the ledger of the run in this context (None outside one: nothing is noted)
_ledger: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar(
    "g15diag_files_ledger", default=None
)


@contextlib.contextmanager
def ledger() -> Iterator[Ledger]:
    """``with ledger() as book:`` notes this run's temporaries and written files in ``book``;
    at the end every temporary still there is removed."""
    book = Ledger()
    token = _ledger.set(book)
    try:
        yield book
    finally:
        book.remove_temporaries()
        _ledger.reset(token)


def _exists_error(path: Path, hint: str | None) -> OutputError:
    return OutputError(
        f"{path} already exists; nothing was written.",
        hint=hint or "Use --force to replace it, or choose another name.",
    )


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # Windows, or a folder that is not there
        return _DEFAULT_NAME_MAX


def os_error(path: str | Path, exc: OSError, verb: str = "write") -> Exception:
    """The project's error for an OSError on ``path`` (a too-long name is a usage error)."""
    if exc.errno == errno.ENAMETOOLONG:
        return UsageError(
            f"Cannot {verb} that file: its path ({len(str(path))} characters) is too long for "
            "the file system."
        )
    if isinstance(exc, FileExistsError):
        return _exists_error(Path(path), None)
    return OutputError(f"Cannot {verb} {path}: {exc.strerror or exc}.")


def check_new(path: str | Path, *, force: bool = False, hint: str | None = None) -> Path:
    """Fail early (before any read of the car) unless ``path`` can be created.

    Refuses an existing name (a dangling symlink counts), a missing folder and a name longer
    than the file system allows. With ``force`` an existing regular file may be replaced.
    """
    target = Path(path)
    folder = target.parent
    if len(os.fsencode(target.name)) > _name_max(folder):
        raise UsageError(
            f"Cannot write a file named with {len(os.fsencode(target.name))} bytes: the file "
            f"system allows {_name_max(folder)}."
        )
    try:
        if os.path.lexists(target):
            if not force:
                raise _exists_error(target, hint)
            if not target.is_file():
                raise OutputError(f"Cannot write {target}: it is not a regular file.")
        if not folder.is_dir():
            raise OutputError(f"Cannot write {target}: the folder {folder} does not exist.")
    except OSError as exc:  # a path longer than the system allows, a folder we cannot see
        raise os_error(target, exc) from exc
    return target


class Staged:
    """A temporary beside ``path`` that becomes ``path`` on :meth:`commit` (or vanishes)."""

    def __init__(self, path: str | Path, *, force: bool = False, hint: str | None = None) -> None:
        self.path = check_new(path, force=force, hint=hint)
        self.force = force
        self.hint = hint
        self.temp = ""
        self._book = _ledger.get()  # the run that made it (a bus thread may write to it)
        try:
            with signals.deferred():  # a signal here must not orphan the temporary
                try:
                    fd, self.temp = tempfile.mkstemp(
                        prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.path.parent
                    )
                except OSError as exc:
                    raise os_error(self.path, exc) from exc
                if self._book is not None:
                    self._book.live.add(self.temp)
                self.handle: IO[bytes] = os.fdopen(fd, "wb")
        except BaseException:  # a signal held until the block ended: nothing stays behind
            self.discard()
            raise

    def write(self, data: bytes) -> None:
        self.handle.write(data)

    def _seal(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()

    def link(self) -> None:
        """Put the sealed temporary at its name (never over an existing file unless force)."""
        with signals.deferred():  # linked and recorded as written, or neither
            if self.force:
                os.replace(self.temp, self.path)
                self._forget()
            else:
                try:
                    os.link(self.temp, self.path)
                except FileExistsError:
                    raise _exists_error(self.path, self.hint) from None
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                        raise
                    self._link_without_hard_links()
            if self._book is not None:
                self._book.written.append(self.path)

    def _link_without_hard_links(self) -> None:
        # A file system without hard links (FAT on a USB stick): O_EXCL claims the name.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.close(fd)
        os.replace(self.temp, self.path)
        self._forget()

    def _forget(self) -> None:
        if self._book is not None:
            self._book.live.discard(self.temp)

    def commit(self) -> Path:
        """Seal and link; on any failure the temporary is gone and ``path`` untouched."""
        try:
            self._seal()
            self.link()
        except OSError as exc:
            raise os_error(self.path, exc) from exc
        finally:
            self.discard()
        return self.path

    def discard(self) -> None:
        """Remove the temporary (safe to call twice, and after :meth:`commit`)."""
        handle = getattr(self, "handle", None)
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
        if self.temp:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self._forget()


def _encode(path: Path, data: bytes | str) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return data.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(f"Cannot write {path}: the text is not valid Unicode.") from exc


def write_new(
    path: str | Path, data: bytes | str, *, force: bool = False, hint: str | None = None
) -> Path:
    """Write ``data`` (text as UTF-8) to the new file ``path``, whole or not at all."""
    payload = _encode(Path(path), data)
    staged: Staged | None = None
    try:
        with signals.deferred():  # constructed and bound, or neither: never an orphan temp
            staged = Staged(path, force=force, hint=hint)
        staged.write(payload)
        return staged.commit()
    except OSError as exc:
        raise os_error(path, exc) from exc
    finally:
        if staged is not None:
            staged.discard()  # the temporary only: a committed file stays


def commit_all(staged: list[Staged]) -> list[Path]:
    """Link several staged files as one: if one name is taken, none stays in place."""
    done: list[Path] = []
    try:
        for item in staged:
            done.append(item.commit())
    except BaseException:
        book = _ledger.get()
        for path in done:  # ours: linked a moment ago from our own temporary
            with contextlib.suppress(OSError):
                os.unlink(path)
            if book is not None:
                with contextlib.suppress(ValueError):
                    book.written.remove(path)
        for item in staged:
            item.discard()
        raise
    return done


@contextlib.contextmanager
def new_file(path: str | Path, *, force: bool = False) -> Iterator[Staged]:
    """``with new_file(p) as f: f.write(...)``: committed on success, discarded otherwise."""
    with signals.deferred():  # constructed and bound, or neither
        staged = Staged(path, force=force)
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    staged.commit()


def written() -> list[Path]:
    """The files this run (its :func:`ledger`) put in place and that are still there, in
    order ("interrupted after ..." never names a temporary folder removed meanwhile); [] outside
    a run."""
    book = _ledger.get()
    return [p for p in book.written if os.path.lexists(p)] if book is not None else []


def note_written(path: Path) -> None:
    """Record ``path`` as changed by this run (an in-place append: named after a signal)."""
    book = _ledger.get()
    if book is not None:
        book.written.append(path)


def check_distinct(named: list[tuple[str, str | Path]]) -> None:
    """Before anything is opened: every file a run will write has its own name.

    ``named`` is (what, path) for each output (``-`` is standard output and skipped); two
    that resolve to the same file (links followed) are refused in one sentence, exit 2.
    """
    seen: dict[str, str] = {}
    for what, path in named:
        if str(path) == "-":
            continue
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            raise UsageError(
                f"{seen[key]} and {what} would both write {path}: give them different "
                "names. Nothing was written."
            )
        seen[key] = what
