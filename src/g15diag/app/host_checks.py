"""Host checks for ``doctor``: on Linux, the port's permission, whether another process has
it open, and whether ``brltty`` is installed. Elsewhere (Windows, macOS) there are none.

POSIX-only modules (``grp``) are imported inside the Linux-only functions, so this module
imports on Windows.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

from g15diag.app.checks import MISSING, OK, WARNING, Check


def linux_checks(
    port: str,
    *,
    platform: str = sys.platform,
    which: Callable[[str], str | None] | None = None,
    proc: str = "/proc",
) -> list[Check]:
    """Permission, busy and brltty checks for a local serial device on Linux ([] elsewhere)."""
    if not platform.startswith("linux") or "://" in port or not os.path.isabs(port):
        return []
    checks: list[Check] = []
    path = os.path.realpath(port)
    if not os.path.exists(path):
        checks.append(
            Check(
                "port exists",
                MISSING,
                f"{port} does not exist",
                advice="Plug the adapter in (or bind the Bluetooth port with `rfcomm bind`) "
                "and run `g15diag adapters` to find its name.",
                kind="port_missing",
            )
        )
    else:
        checks.append(_permission_check(port, path))
        if not path.startswith("/dev/pts/"):  # a pty's other end is always open: not "busy"
            checks.append(_busy_check(port, path, proc))
    checks.append(_brltty_check(which or find_program))
    return checks


def find_program(name: str) -> str | None:
    """``name`` on PATH, or in the system directories PATH may leave out (sbin)."""
    return shutil.which(name) or next(
        (
            p
            for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin")
            if os.path.exists(p := f"{d}/{name}")
        ),
        None,
    )


def _permission_check(port: str, path: str) -> Check:
    if os.access(path, os.R_OK | os.W_OK):
        return Check("port permission", OK, f"{port} can be read and written")
    group = _group_name(os.stat(path).st_gid)
    member = group in _configured_groups()
    advice = (
        f"You are in the '{group}' group but this session is not: log out and in again "
        f"(or run `newgrp {group}`)."
        if member
        else f"Add yourself to the '{group}' group: sudo usermod -aG {group} $USER, then log "
        "out and in again."
    )
    return Check(
        "port permission",
        MISSING,
        f"no read/write permission on {port} (group '{group}')",
        advice=advice,
        kind="permission_session" if member else "permission_group",
        params={"group": group},
    )


def _group_name(gid: int) -> str:
    import grp  # POSIX only; reached on Linux only

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _configured_groups() -> set[str]:
    import grp  # POSIX only; reached on Linux only

    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    try:
        return {g.gr_name for g in grp.getgrall() if user and user in g.gr_mem}
    except OSError:
        return set()


def _busy_check(port: str, path: str, proc: str) -> Check:
    users = port_users(path, proc)
    if not users:
        return Check(
            "port free",
            OK,
            f"no other process has {port} open (only your own processes are visible)",
        )
    names = ", ".join(f"{name} (PID {pid})" for pid, name in users)
    return Check(
        "port free",
        MISSING,
        f"{port} is open in {names}",
        advice="Close the other program using the port (another diagnostic app, a serial "
        "terminal, ModemManager) and run doctor again.",
        kind="port_busy",
        params={"users": names},
    )


def port_users(path: str, proc: str = "/proc") -> list[tuple[int, str]]:
    """(PID, command name) of the other visible processes that have ``path`` open."""
    found: list[tuple[int, str]] = []
    try:
        pids = [int(p) for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        if pid == os.getpid():
            continue
        fd_dir = os.path.join(proc, str(pid), "fd")
        try:
            targets = {os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)}
        except OSError:
            continue  # another user's process, or gone
        if path in targets:
            try:
                with open(os.path.join(proc, str(pid), "comm"), encoding="utf-8") as f:
                    name = f.read().strip()
            except OSError:
                name = "?"
            found.append((pid, name))
    return found


def _brltty_check(which: Callable[[str], str | None]) -> Check:
    location = which("brltty")
    if location is None:
        return Check("brltty", OK, "brltty is not installed", required=False)
    return Check(
        "brltty",
        WARNING,
        f"brltty is installed ({location}); it can take CH340/CP210x/FTDI adapters away "
        "as soon as they are plugged in",
        required=False,
        advice="Without a Braille display: sudo apt remove brltty (or mask its udev rules), "
        "then plug the adapter in again.",
        kind="brltty",
    )
