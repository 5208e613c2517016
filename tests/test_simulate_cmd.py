"""`g15diag simulate`: says how to use it and how to stop it, stops promptly on SIGTERM, and
documents every sim:// option from the one table in g15diag.sim.options."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from g15diag.sim import config, faults
from g15diag.sim.options import OPTIONS, markdown_table, names

README = Path(__file__).resolve().parents[1] / "README.md"


def _start(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("G15DIAG_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "g15diag", "simulate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics are POSIX")
def test_simulate_prints_usage_and_stops_promptly_on_sigterm(run_process) -> None:
    proc = _start("--tcp", "0")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("socket://127.0.0.1:")
        # the simulator answers on the printed port
        read = run_process("read-serial", "--port", url, "--json", timeout=30)
        assert read.returncode == 0 and '"serial": "SIM0O1Il5S8B2024"' in read.stdout
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert elapsed < 2.0
    assert f"Use it from another terminal:  g15diag read-serial --port {url}" in err
    assert "Stop it with Ctrl-C (or SIGTERM)." in err
    assert err.rstrip().endswith("Simulator stopped.")
    assert "Traceback" not in err and out == ""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX here")
def test_simulate_stops_on_ctrl_c_too() -> None:
    proc = _start("--tcp", "0")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("socket://127.0.0.1:")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert err.rstrip().endswith("Simulator stopped.") and "Traceback" not in err


def test_every_parser_option_is_in_the_table_and_the_table_is_the_parser() -> None:
    assert names() == config.KNOWN | faults.KNOWN
    assert len({o.name for o in OPTIONS}) == len(OPTIONS)


def test_simulate_help_lists_every_option(run_cli) -> None:
    code, out, _ = run_cli("simulate", "--help")
    assert code == 0
    for option in OPTIONS:
        assert f"  {option.name} " in out
    assert "Stop" not in out or "SIGTERM" in out


def test_readme_carries_the_table() -> None:
    assert markdown_table() in README.read_text(encoding="utf-8")
