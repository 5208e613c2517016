"""Performance hygiene checked without timing anything (figures live in ``benchmarks/``).

``g15diag --help`` must not import the heavy libraries (python-can, can-isotp, udsoncan,
python-OBD, pyserial): they load only when a command needs them. And no code outside the
simulator's latency model may call ``sleep``: every wait in g15diag ends on an event or a
deadline, never on a fixed pause.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "g15diag"
HEAVY = ("can", "isotp", "udsoncan", "obd", "serial")

PROBE = """
import sys
from g15diag.cli import main
code = main(["--help"])
assert code == 0, code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.slow
def test_help_imports_no_heavy_library() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY], capture_output=True, text=True, check=True
    )
    marker = [line for line in proc.stdout.splitlines() if line.startswith("HEAVY:")]
    assert marker == ["HEAVY:"], f"g15diag --help imported {marker}"


@pytest.mark.slow
def test_help_via_module_imports_no_heavy_library() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "g15diag", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "Usage:" in proc.stdout
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def _sleep_calls(path: Path) -> list[int]:
    """Lines where the name ``sleep`` appears as code (not in a comment or string)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [tok.start[0] for tok in tokens if tok.type == tokenize.NAME and tok.string == "sleep"]


def test_no_fixed_sleeps_outside_the_simulator() -> None:
    simulator = SRC / "sim"
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if simulator not in path.parents
        for line in _sleep_calls(path)
    ]
    assert offenders == [], f"fixed sleeps outside src/g15diag/sim: {offenders}"


def test_sleep_check_sees_a_sleep(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""no sleep( here"""\nimport time\n# sleep(1)\ntime.sleep(0.1)\n')
    assert _sleep_calls(sample) == [4]


@pytest.mark.slow
def test_read_serial_imports_no_sheet_renderer() -> None:
    """Reading a serial renders no sheet: Jinja2 (HTML) and fpdf2 (PDF) load only for one
    (issue 20: the time to the serial)."""
    probe = (
        "import sys; from g15diag.cli import main; "
        "code = main(['read-serial', '--port', 'sim://', '--address', '747:767']); "
        "print('HEAVY:' + ','.join(sorted({n.split('.')[0] for n in sys.modules} & "
        "{'jinja2', 'fpdf', 'flask'})))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY:\n" in proc.stdout, proc.stdout[-300:] + proc.stderr[-300:]
