"""Start-up: ``g15diag --help`` against bare ``python -c pass``, as whole processes.

The console script next to the interpreter is run directly (a pyenv or other shim in front of
it would add its own start-up to the figure, not g15diag's).
"""

from __future__ import annotations

from benchmarks.common import PYTHON, g15diag_script, median, run


def measure(rounds: int = 21) -> dict[str, float]:
    cases = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "g15diag --help": [g15diag_script(), "--help"],
        "python -m g15diag --help": [PYTHON, "-m", "g15diag", "--help"],
    }
    walls: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):  # interleaved, so load changes hit every case alike
        for name, argv in cases.items():
            result = run(argv)
            if result.returncode != 0:
                raise RuntimeError(f"{name} failed: {result.stderr[-400:]}")
            walls[name].append(result.wall)
    return {name: median(values) for name, values in walls.items()}
