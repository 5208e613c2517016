"""Helpers shared by the benchmarks: child processes with their own peak RSS, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Run:
    """One finished child process."""

    wall: float  # seconds
    max_rss_kib: int  # the child's own peak resident set size
    returncode: int
    stdout: str
    stderr: str


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``cmd`` to completion; wall time and that child's peak RSS (``os.wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        text=True,
    )
    out, err = _drain(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_maxrss, proc.returncode, out, err)


def _drain(proc: subprocess.Popen) -> tuple[str, str]:
    """Read both pipes to EOF without reaping the child (``communicate`` would reap it)."""
    import selectors

    sel = selectors.DefaultSelector()
    chunks: dict[int, list[str]] = {1: [], 2: []}
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ, 1)
    sel.register(proc.stderr, selectors.EVENT_READ, 2)
    while sel.get_map():
        for key, _ in sel.select():
            data = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
            if not data:
                sel.unregister(key.fileobj)
                continue
            chunks[key.data].append(data.decode("utf-8", "replace"))
    sel.close()
    return "".join(chunks[1]), "".join(chunks[2])


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def g15diag_script() -> str:
    """The installed ``g15diag`` console script next to this interpreter (not a pyenv shim)."""
    beside = Path(PYTHON).parent / "g15diag"
    if beside.exists():
        return str(beside)
    found = shutil.which("g15diag")
    if found is None:
        raise SystemExit("g15diag is not installed: run pip install -e . first")
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "cpus (nproc)": str(os.cpu_count()),
        "cpu model": cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
    }


def ratio(better: float, worse: float) -> str:
    """``worse / better`` as ``12.3x`` (how many times better the first figure is)."""
    if better <= 0:
        return "n/a"
    return f"{worse / better:.1f}x"
