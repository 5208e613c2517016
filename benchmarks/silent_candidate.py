"""Cost of one silent candidate address during a search, with the adapter's ATST modelled.

The simulator (real pty, 50 ms per bus answer) has no unit at the probed addresses, so every
probe ends in ``NO DATA`` after the adapter's ``ATST`` wait for silence, which the simulator
models in real time. Measured in-process over N silent candidates (pure probe cost, no
start-up): g15diag ``scan`` (ATST 0x10 = 64 ms), g15diag ``read-serial``'s search (its quick
pass, ATST 0x0F = P2 + 10 ms = 60 ms: the silent candidates before the head unit, less the
same search with the head unit alone), and python-OBD probing the same addresses in a child
process (adapter default ATST 0x32 = 200 ms: python-OBD cannot set it). A pty has no wire
time: the bytes each probe moves are counted and converted to the time a 38400-baud serial
link adds on a real adapter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.common import PYTHON, ROOT, run

SIM_URL = "sim://?latency=0.05"
BAUD = 38400
COUNT = 16


@dataclass
class Silent:
    name: str
    seconds: float  # per candidate, measured on the pty
    wire_bytes: float | None = None  # per candidate, both directions
    st_ms: int = 0

    @property
    def real_estimate(self) -> float | None:
        """Measured cost plus the 38400-baud wire time of the bytes exchanged (10 bits each)."""
        if self.wire_bytes is None:
            return None
        return self.seconds + self.wire_bytes * 10 / BAUD


def _candidates():
    from g15diag.vehicles.profiles import Candidate

    return [
        Candidate(f"silent {0x600 + n:03X}", 0x600 + n, 0x620 + n, (500_000,)) for n in range(COUNT)
    ]


class _Bytes:
    """A traffic log that counts the bytes on the wire (command + CR, reply as read)."""

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, step) -> None:  # a g15diag.transport.base.Traffic step
        text = "\r".join(line.text for line in step.lines)
        self.total += len(text) + (1 if step.sent else 0)


def _g15diag(kind: str) -> Silent:
    from g15diag.sim.server import PtyServer
    from g15diag.transport.elm327 import QUICK_ST, SCAN_ST, Elm327Transport
    from g15diag.vehicles import profiles

    counter = _Bytes()
    profile = profiles.load("almera-g15")
    with PtyServer(SIM_URL) as server:
        transport = Elm327Transport(server.path, traffic=counter)
        with transport:
            transport.set_target(_candidates()[-1].target())  # one-off FC set-up not counted
            if kind == "scan":
                from g15diag.app.scan import scan

                counter.total = 0
                start = time.perf_counter()
                result = scan(transport, profile, candidates=_candidates())
                elapsed = time.perf_counter() - start
                assert all(r.outcome == "silent" for r in result.rows), result.rows
                wire, st = counter.total, SCAN_ST
            else:  # the quick pass: silent candidates before the unit, less the unit alone
                elapsed, wire = _search(transport, profile, counter, with_silent=True)
                alone, alone_wire = _search(transport, profile, counter, with_silent=False)
                elapsed, wire, st = elapsed - alone, wire - alone_wire, QUICK_ST
    name = "g15diag scan" if kind == "scan" else "g15diag read-serial search"
    return Silent(name, elapsed / COUNT, wire / COUNT, round(st * 4))


def _search(transport, profile, counter: _Bytes, *, with_silent: bool) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Seconds and wire bytes of a read-serial search that finds the unit at 747/767 last."""
    from g15diag.app.read_serial import read_serial

    unit = [c for c in profile.head_units if c.request_id == 0x747]
    candidates = [*_candidates(), *unit] if with_silent else unit
    counter.total = 0
    start = time.perf_counter()
    found = read_serial(transport, profile, candidates=candidates, bitrate=500_000)
    elapsed = time.perf_counter() - start
    assert found.target.request_id == 0x747, found.target
    return elapsed, counter.total


def _python_obd() -> Silent:
    from g15diag.sim.server import PtyServer

    with PtyServer(SIM_URL) as server:
        script = str(ROOT / "benchmarks" / "obd_baseline.py")
        result = run([PYTHON, script, "silent", server.path, str(COUNT)], cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"python-OBD silent probe failed: {result.stderr[-600:]}")
    return Silent("python-OBD", float(result.stdout.strip().splitlines()[-1]), None, 200)


def measure() -> dict[str, Silent]:
    out = {}
    for kind in ("scan", "read-serial"):
        item = _g15diag(kind)
        out[item.name] = item
    baseline = _python_obd()
    out[baseline.name] = baseline
    return out
