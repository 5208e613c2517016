"""Time to serial over an ELM327: g15diag read-serial vs python-OBD, as whole processes.

The built-in simulator serves the adapter on a real pseudo-terminal with 50 ms per bus answer
(``sim://?latency=0.05``); it models the adapter's ``ATST`` wait for silence and the
response-count digit in real time. Each run gets a fresh simulator, whose command log
(``Elm327Simulator.commands``) gives the adapter commands sent before the serial request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.common import PYTHON, ROOT, g15diag_script, median, run

SIM_URL = "sim://?latency=0.05"
ADDRESS = "747:767"
SERIAL_HEX = "53494D304F31496C3553384232303234"  # the simulator's SIM0O1Il5S8B2024


@dataclass
class Case:
    name: str
    walls: list[float] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # adapter log of the last run

    @property
    def wall(self) -> float:
        return median(self.walls)

    @property
    def before_serial(self) -> list[str]:
        """Adapter commands sent before the serial request to the unit that answered."""
        header = None
        request = ADDRESS.split(":")[0]
        for index, command in enumerate(self.commands):
            if command.startswith("ATSH"):
                header = command[4:]
            elif command.startswith("22F18C") and header == request:
                return self.commands[:index]
        return list(self.commands)


def _one(argv: list[str], expect: str) -> tuple[float, list[str]]:
    from g15diag.sim.server import PtyServer

    with PtyServer(SIM_URL) as server:
        argv = [server.path if a == "{port}" else a for a in argv]
        result = run(argv, cwd=ROOT)
        commands = list(server.stream.adapter.commands)
    if result.returncode != 0 or expect not in result.stdout.replace(" ", ""):
        raise RuntimeError(
            f"{argv[:3]} failed ({result.returncode}): {result.stdout[-300:]} "
            f"{result.stderr[-600:]}"
        )
    return result.wall, commands


def measure(rounds: int = 5, obd_rounds: int = 3) -> dict[str, Case]:
    g15 = g15diag_script()
    cases = {
        "g15diag --address": (
            [g15, "read-serial", "--port", "{port}", "--address", ADDRESS],
            "SIM0O1Il5S8B2024",
            rounds,
        ),
        "g15diag (search)": (
            [g15, "read-serial", "--port", "{port}"],
            "SIM0O1Il5S8B2024",
            rounds,
        ),
        "python-OBD": (
            [PYTHON, str(ROOT / "benchmarks" / "obd_baseline.py"), "{port}", ADDRESS],
            SERIAL_HEX,
            obd_rounds,
        ),
    }
    out: dict[str, Case] = {}
    for name, (argv, expect, n) in cases.items():
        case = Case(name)
        for _ in range(n):
            wall, commands = _one(argv, expect)
            case.walls.append(wall)
            case.commands = commands
        out[name] = case
    return out
