"""The user config file: a garage sets its adapter once (like python-can's ``can.conf``).

A small TOML file, read on every run and never written by the tool::

    [adapter]
    port = "COM3"          # or /dev/ttyUSB0, socket://192.168.0.10:35000 ...
    baud = "auto"          # or 38400
    protocol = 6
    timeout = 5
    # interface = "pcan"; channel = "PCAN_USBBUS1"; bitrate = 500000
    # profile = "almera-g15"

It lives in the platform's settings folder (``click.get_app_dir``: ``~/.config/g15diag`` on
Linux, ``~/Library/Application Support/g15diag`` on macOS, ``%APPDATA%\\g15diag`` on Windows)
or wherever ``G15DIAG_CONFIG`` points. The command line wins over ``G15DIAG_PORT`` /
``G15DIAG_BAUD``, which win over the file, which wins over the built-in defaults. Every value
passes the same validators as the command line (``g15diag.app.adapter``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from g15diag.app import adapter
from g15diag.errors import UsageError
from g15diag.system import inputs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_CONFIG = "G15DIAG_CONFIG"
FILE_NAME = "config.toml"
SECTION = "adapter"
MAX_BYTES = 64 * 1024
#: key -> validator; the same ones the click options and the API use
KEYS = {
    "port": adapter.check_port,
    "baud": adapter.check_baud,
    "protocol": adapter.check_protocol,
    "timeout": adapter.check_timeout,
    "pending_cap": adapter.check_pending_cap,
    "interface": adapter.check_interface,
    "channel": lambda v: adapter.check_text("channel", v),
    "bitrate": adapter.check_bitrate,
    "profile": adapter.check_profile,
}


def path() -> Path:
    """Where the config file is looked for (it need not exist)."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    import click

    return Path(click.get_app_dir("g15diag")) / FILE_NAME


def load(file: Path | None = None) -> dict[str, Any]:
    """The validated ``[adapter]`` settings of the config file; {} when there is none."""
    file = path() if file is None else file
    try:
        if not os.path.lexists(file):
            return {}
    except (OSError, ValueError):
        pass  # a name the system cannot look up: the reader says why
    # the one reader every input file goes through: bounded size, nesting and numbers
    text = inputs.read_text(file, "the config file", MAX_BYTES)
    inputs.check_structure(text, f"The config file {file}", comments=True)
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise _bad(file, f"it is not valid TOML ({exc})") from None
    table = data.get(SECTION, {})
    if not isinstance(table, dict):
        raise _bad(file, f"[{SECTION}] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise _bad(file, f"unknown key(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
    settings: dict[str, Any] = {}
    for key, value in table.items():
        try:
            settings[key] = KEYS[key](value)
        except UsageError as exc:
            problem = getattr(exc, "problem", str(exc))
            raise _bad(file, f"{key}: {problem}") from None
    return settings


def _bad(file: Path, problem: str) -> UsageError:
    return UsageError(
        f"Bad config file {file}: {problem}",
        hint="Fix or remove the file; `g15diag help config` shows the format.",
    )
