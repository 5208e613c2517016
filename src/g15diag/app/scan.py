"""Scan: which candidate addresses answer (answered / refused / silent), at which bit rate.

Each candidate gets one identification request (the first read of its identification
ladder, in the default session; a scan never enters a session), through the one search
(:mod:`g15diag.app.search`). On an ELM327 a silent candidate costs the
adapter's ATST wait, so the scan lowers it (``SCAN_ST``, 64 ms) for its duration; no fixed
waits anywhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from g15diag.app.outcome import Outcome, ask
from g15diag.app.search import ProgressHook, SearchProgress, learn_target, plan
from g15diag.errors import G15DiagError, UsageError
from g15diag.protocol.can import FUNCTIONAL_IDS, Target, can_id_text
from g15diag.transport.base import AdapterInfo, Transport
from g15diag.transport.client import Client, Timing
from g15diag.vehicles.profiles import Candidate, Profile

#: Functional (broadcast) request IDs: never a physical unit's address (ISO 15765-4 OBD).
BROADCAST_IDS = FUNCTIONAL_IDS


@dataclass(frozen=True)
class ScanRow:
    """What one candidate did at one bit rate."""

    candidate: Candidate
    target: Target
    outcome: Outcome
    nrc: int | None
    seconds: float
    request: bytes = b""  # the probe request (names the NRC: UDS or KWP2000)


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
        return tuple(r for r in self.rows if r.outcome.present or r.outcome is Outcome.PENDING)

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
                    "response_id": (
                        None if r.target.learning else can_id_text(r.target.response_id)
                    ),
                    "bitrate": r.target.bitrate,
                    "family": r.candidate.family,
                    "outcome": r.outcome.value,
                    "nrc": f"0x{r.nrc:02X}" if r.nrc is not None else None,
                    "confidence": r.candidate.confidence,
                }
                for r in self.rows
            ],
        }


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
    """The profile's candidates, then one per further request ID in the range (``--range``
    adds to them); response = request + the profile's offset. Broadcast IDs and IDs whose
    response would pass 0x7FF are left out; a range that leaves nothing is a usage error."""
    rates = tuple(dict.fromkeys(r for c in profile.head_units for r in c.bitrates))
    known = {c.request_id for c in profile.head_units}
    added = [
        Candidate(f"range {req:03X}", req, resp, rates, confidence="none", source="--range")
        for req in range(start, end + 1)
        if req not in BROADCAST_IDS
        and req not in known
        and (resp := req + profile.scan_response_offset) <= 0x7FF
        and resp not in BROADCAST_IDS
    ]
    if not added and not any(start <= c.request_id <= end for c in profile.head_units):
        raise UsageError(
            f"--range {start:03X}-{end:03X} holds no address to scan: broadcast IDs (7DF) are "
            f"left out and the response (request + {profile.scan_response_offset:X}) must stay "
            "at or below 7FF."
        )
    return [*profile.head_units, *added]


def scan(
    transport: Transport,
    profile: Profile,
    *,
    candidates: Sequence[Candidate] | None = None,
    progress: ProgressHook | None = None,
    timing: Timing | None = None,
    clock: Callable[[], float] | None = None,
    rows: list[ScanRow] | None = None,
) -> ScanResult:
    """Probe every candidate at each of its bit rates (bit rate by bit rate).

    Times are measured on ``clock``, by default the transport's (:attr:`Transport.clock`).
    """
    clock = clock or transport.clock
    cands = list(candidates if candidates is not None else profile.head_units)
    if not cands:
        raise UsageError("Nothing to scan: the candidate list is empty.")
    steps = plan(cands, cands[0].bitrates[0], transport.fixed_bitrate)
    client = Client(transport, timing, clock=clock)
    tune = getattr(transport, "set_silence_wait", None)
    previous = getattr(transport, "ident_st", None)
    if tune is not None:
        from g15diag.transport.elm327 import SCAN_ST

        tune(SCAN_ST)
    rows = [] if rows is None else rows  # the caller's list keeps them after a Ctrl-C
    first = len(rows)
    started = clock()
    try:
        for n, (cand, target) in enumerate(steps, 1):
            rung = profile.rungs_for(cand)[0]
            if progress:
                progress(
                    SearchProgress(
                        target.request_id, target.response_id, target.bitrate, rung.name, n,
                        len(steps),
                    )
                )  # fmt: skip
            t0 = clock()
            if target.learning:  # --wide: the answer ID is learned from what answers
                cand, target, reply = learn_target(client, cand, target, rung.items[0].request)
            else:
                transport.set_target(target)
                reply = ask(client, rung.items[0].request)
            rows.append(
                ScanRow(cand, target, reply.outcome, reply.nrc, clock() - t0, reply.request)
            )
    finally:
        if tune is not None and previous is not None:
            with contextlib.suppress(G15DiagError):
                tune(previous)
    return ScanResult(tuple(rows[first:]), transport.info, profile.name, clock() - started)
