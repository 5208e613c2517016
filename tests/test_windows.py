"""The CLI's production modules import and run under a faked Windows (``sys.platform ==
"win32"``, POSIX-only modules refused to every g15diag module, lazy imports included).

What this proves: g15diag's own code takes its Windows paths (no pty, no Linux host checks,
COM ports listed with their chip and Bluetooth SPP ports) and never reaches for fcntl,
termios, pty, tty, grp, pwd or resource. Third-party libraries (click, pyserial, python-can)
are loaded before the platform is faked, as they are on this machine: their own Windows code
is theirs to test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the Windows-like interpreter is a subprocess
ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    r"""
    import builtins, contextlib, importlib, io, json, pkgutil, sys
    from dataclasses import dataclass

    import click, serial, serial.tools.list_ports, can, isotp, udsoncan  # noqa: F401

    POSIX_ONLY = {"fcntl", "termios", "pty", "tty", "grp", "pwd", "resource", "posix"}
    real_import = builtins.__import__
    refused = []

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        caller = (globals or {}).get("__name__") or ""
        if level == 0 and name.split(".")[0] in POSIX_ONLY and caller.startswith("g15diag"):
            refused.append(f"{caller} imports {name}")
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded
    sys.platform = "win32"

    import g15diag
    modules = [m.name for m in pkgutil.walk_packages(g15diag.__path__, "g15diag.")]
    for name in modules:
        if not name.endswith("__main__"):
            importlib.import_module(name)

    @dataclass
    class Port:
        device: str
        description: str
        manufacturer: str | None
        vid: int | None
        pid: int | None
        hwid: str

    from g15diag.app import adapters
    adapters._default_comports = lambda: [
        Port("COM3", "USB-SERIAL CH340 (COM3)", "wch.cn", 0x1A86, 0x7523,
             "USB VID:PID=1A86:7523 SER= LOCATION=1-2"),
        Port("COM5", "Standard Serial over Bluetooth link (COM5)", "Microsoft", None, None,
             "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&1&0&"
             "AABBCCDDEEFF_C00000000"),
    ]

    from g15diag.cli import main
    results = []
    for args in json.loads(sys.argv[1]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        results.append([args, code, out.getvalue(), err.getvalue()])
    print(json.dumps({"modules": modules, "refused": refused, "results": results}))
    """
)

TRACE = str(ROOT / "fixtures" / "can_traces" / "nrc.log")
RUNS = [
    ["--help"],
    [],
    ["adapters"],
    ["adapters", "--json"],
    ["read-serial", "--port", "sim://", "--json"],
    ["identify", "--port", "sim://?hu=714:734", "--json"],
    ["scan", "--port", "sim://", "--json"],
    ["doctor", "--port", "sim://", "--json"],
    ["doctor", "--port", "COM9", "--json"],
    ["simulate"],
    ["replay", TRACE],
    ["help", "adapters"],
    ["profile", "show"],
]


@pytest.fixture(scope="module")
def windows() -> dict:
    env = dict(os.environ, G15DIAG_CONFIG=str(ROOT / "no-such-config.toml"))
    for name in ("G15DIAG_PORT", "G15DIAG_BAUD", "G15DIAG_DEBUG"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(RUNS)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    data["by_args"] = {" ".join(args): (code, out, err) for args, code, out, err in data["results"]}
    return data


def test_every_module_imports_and_nothing_posix_only_is_reached(windows: dict) -> None:
    assert len(windows["modules"]) > 50
    assert windows["refused"] == []


def test_every_command_runs_with_its_documented_status(windows: dict) -> None:
    status = {" ".join(a): code for a, code, _out, _err in windows["results"]}
    assert status == {
        "--help": 0,
        "": 0,
        "adapters": 0,
        "adapters --json": 0,
        "read-serial --port sim:// --json": 0,
        "identify --port sim://?hu=714:734 --json": 0,
        "scan --port sim:// --json": 0,
        "doctor --port sim:// --json": 0,
        "doctor --port COM9 --json": 7,
        "simulate": 2,
        f"replay {TRACE}": 0,
        "help adapters": 0,
        "profile show": 0,
    }
    assert not any("Traceback" in err or "Internal error" in err for *_, err in windows["results"])


def test_com_ports_with_chip_and_bluetooth(windows: dict) -> None:
    _code, out, _err = windows["by_args"]["adapters"]
    assert "COM3  [usb-serial]" in out and "chip: WCH CH340" in out
    assert "COM5  [bluetooth]" in out
    ports = json.loads(windows["by_args"]["adapters --json"][1])["ports"]
    assert [(p["port"], p["kind"], p["chip"]) for p in ports][:2] == [
        ("COM3", "usb-serial", "WCH CH340"),
        ("COM5", "bluetooth", None),
    ]


def test_doctor_has_no_linux_checks_on_windows(windows: dict) -> None:
    report = json.loads(windows["by_args"]["doctor --port COM9 --json"][1])
    assert list(report["checks"]) == ["port"]  # no permission / busy / brltty lines
    sim = json.loads(windows["by_args"]["doctor --port sim:// --json"][1])
    assert sim["verdict"] == "usable" and "brltty" not in sim["checks"]


def test_simulate_says_to_use_tcp(windows: dict) -> None:
    _code, _out, err = windows["by_args"]["simulate"]
    assert "Windows has no pseudo-terminals" in err and "--tcp 0" in err


def test_read_serial_works(windows: dict) -> None:
    data = json.loads(windows["by_args"]["read-serial --port sim:// --json"][1])
    assert data["serial"] == "SIM0O1Il5S8B2024"
