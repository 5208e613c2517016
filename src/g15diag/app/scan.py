"""Scan: which candidate addresses answer (answered / refused / silent), at which bit rate.

Each candidate gets one identification request. On an ELM327 a silent candidate costs the
adapter's ATST wait, so the scan lowers it (``SCAN_ST``, 64 ms) for its duration; no fixed
waits anywhere.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from g15diag.app.identify import NO_ANSWER, NOT_SUPPORTED, OK, read_item
from g15diag.client import Client, Timing
from g15diag.errors import CanBusError, G15DiagError, UsageError
from g15diag.profiles import Candidate, Profile
from g15diag.transport.base import AdapterInfo, Target, Transport, can_id_text


@dataclass(frozen=True)
class ScanRow:
    """What one candidate did at one bit rate."""

    candidate: Candidate
    target: Target
    outcome: str  # answered | refused | silent | silent (bus error) | malformed
    nrc: int | None
    seconds: float


@dataclass(frozen=True)
class ScanResult:
    """Every probe of a scan, in order."""

    rows: tuple[ScanRow, ...]
    adapter: AdapterInfo
    profile: str
    seconds: float

    @property
    def simulated(self) -> bool:
        return self.adapter.simulated

    @property
    def responders(self) -> tuple[ScanRow, ...]:
        return tuple(r for r in self.rows if not r.outcome.startswith("silent"))

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": 1,
            "simulated": self.simulated,
            "profile": self.profile,
            "seconds": round(self.seconds, 3),
            "adapter": {"kind": self.adapter.kind, "identity": self.adapter.identity},
            "rows": [
                {
                    "name": r.candidate.name,
                    "request_id": can_id_text(r.target.request_id),
                    "response_id": can_id_text(r.target.response_id),
                    "bitrate": r.target.bitrate,
                    "family": r.candidate.family,
                    "outcome": r.outcome,
                    "nrc": f"0x{r.nrc:02X}" if r.nrc is not None else None,
                    "confidence": r.candidate.confidence,
                }
                for r in self.rows
            ],
        }


Progress = Callable[[int, int, ScanRow], None]


def parse_range(text: str) -> tuple[int, int]:
    """``700-7FF`` -> (0x700, 0x7FF)."""
    try:
        start_text, end_text = text.split("-")
        start, end = int(start_text, 16), int(end_text, 16)
    except ValueError:
        raise UsageError(f"--range {text!r} is not FIRST-LAST in hex (e.g. 700-7FF).") from None
    if not 0 <= start <= end <= 0x7FF:
        raise UsageError(f"--range {text!r}: needs 11-bit IDs with FIRST <= LAST <= 7FF.")
    return start, end


def range_candidates(profile: Profile, start: int, end: int) -> list[Candidate]:
    """One candidate per request ID in the range; response = request + the profile's offset."""
    rates = tuple(dict.fromkeys(r for c in profile.head_units for r in c.bitrates))
    known = {c.request_id: c for c in profile.head_units}
    out = []
    for req in range(start, end + 1):
        resp = req + profile.scan_response_offset
        if resp > 0x7FF:
            continue
        out.append(
            known.get(req)
            or Candidate(f"range {req:03X}", req, resp, rates, confidence="none", source="--range")
        )
    return out


def scan(
    transport: Transport,
    profile: Profile,
    *,
    candidates: Sequence[Candidate] | None = None,
    progress: Progress | None = None,
    timing: Timing | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ScanResult:
    """Probe every candidate at each of its bit rates (bit rate by bit rate)."""
    cands = list(candidates if candidates is not None else profile.head_units)
    rates = list(dict.fromkeys(r for c in cands for r in c.bitrates))
    plan = [(c, rate) for rate in rates for c in cands if rate in c.bitrates]
    client = Client(transport, timing, clock=clock)
    tune = getattr(transport, "set_silence_wait", None)
    previous = getattr(transport, "ident_st", None)
    if tune is not None:
        from g15diag.transport.elm327 import SCAN_ST

        tune(SCAN_ST)
    rows: list[ScanRow] = []
    started = clock()
    try:
        for n, (cand, rate) in enumerate(plan, 1):
            t0 = clock()
            target = cand.target(rate)
            transport.set_target(target)
            items = profile.items_of(cand.family) or profile.items
            try:
                result = read_item(client, items[0])
            except CanBusError:  # nothing acknowledges frames at this bit rate
                row = ScanRow(cand, target, "silent (bus error)", None, clock() - t0)
            else:
                outcome = {OK: "answered", NOT_SUPPORTED: "refused", NO_ANSWER: "silent"}.get(
                    result.status, "malformed"
                )
                row = ScanRow(cand, target, outcome, result.nrc, clock() - t0)
            rows.append(row)
            if progress:
                progress(n, len(plan), row)
    finally:
        if tune is not None and previous is not None:
            with contextlib.suppress(G15DiagError):
                tune(previous)
    return ScanResult(tuple(rows), transport.info, profile.name, clock() - started)
