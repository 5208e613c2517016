"""``discover``: every identification identifier each answering unit gives, and serial candidates.

For each unit scan's search finds (both bit rates), the identification ladder is climbed once
to learn the session the unit answers in; then the read-only identification ranges are swept
one request each — UDS ``22 F180-F19F`` and ``F1A0-F1AF``, KWP ``1A 80-9F`` and ``21 80-9F`` —
in the default session and, for what was refused there, once more in that session (entered
only after those refusals, and always left). Time per unit is bounded.

Values that look like a serial (printable alphanumeric, 6-24 characters, not the VIN, not the
part number) are marked as candidates: unverified, a hint for a person, never a result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from g15diag.app.keeper import SessionKeeper, SessionMode
from g15diag.app.outcome import Outcome, Reply
from g15diag.app.scan import ScanResult, ScanRow, scan
from g15diag.app.search import ProgressHook, SearchProgress, climb, wide_candidates
from g15diag.errors import G15DiagError, ReadOnlyViolation, UsageError, UserInterrupt
from g15diag.protocol import identifiers, kwp, uds
from g15diag.protocol.can import Target, can_id_text
from g15diag.protocol.identifiers import looks_like_serial
from g15diag.protocol.session import Session
from g15diag.transport.base import AdapterInfo, Transport
from g15diag.transport.client import Client, Timing
from g15diag.vehicles.profiles import Candidate, Profile

SCHEMA_VERSION = 1
#: seconds one unit's sweep may take before the rest is left out (marked "truncated")
UNIT_BUDGET = 60.0
#: requests whose answers are the VIN or the part number (never serial candidates)
VIN_REQUESTS = {
    uds.read_data_by_identifier(uds.VIN),
    kwp.read_ecu_identification(kwp.VIN_OPTION),
    kwp.read_local_identifier(kwp.VIN_BLOCK),
}
PART_REQUESTS = {
    uds.read_data_by_identifier(uds.SPARE_PART_NUMBER),
    kwp.read_ecu_identification(kwp.SPARE_PART_NUMBER),
}


def sweep_requests() -> list[bytes]:
    """The identification ranges, in order: 22 F180-F1AF, 1A 80-9F, 21 80-9F (112 requests)."""
    return (
        [uds.read_data_by_identifier(did) for did in range(0xF180, 0xF1B0)]
        + [kwp.read_ecu_identification(option) for option in range(0x80, 0xA0)]
        + [kwp.read_local_identifier(local) for local in range(0x80, 0xA0)]
    )


@dataclass(frozen=True)
class Finding:
    """One identifier of one unit: the reply (with its session) and whether it looks like a
    serial."""

    reply: Reply
    serial_candidate: bool = False
    tried_in: tuple[Session, ...] = (Session.DEFAULT,)

    @property
    def key(self) -> str:
        return self.reply.request.hex().upper()

    @property
    def text(self) -> str | None:
        raw = self.reply.raw
        return identifiers.decode(raw).text if raw is not None else None


@dataclass(frozen=True)
class UnitFindings:
    """Everything one unit gave, at one address and bit rate."""

    candidate: Candidate
    target: Target
    session: Session  # the session the ladder found (default when none answered better)
    findings: tuple[Finding, ...]
    seconds: float
    truncated: bool = False

    @property
    def candidates(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.serial_candidate)


@dataclass(frozen=True)
class DiscoverResult:
    """The scan and every answering unit's identifiers."""

    scan: ScanResult
    units: tuple[UnitFindings, ...]
    adapter: AdapterInfo
    profile: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: the adapter error that ended the run early (``keep_partial``); what came before is kept
    error: G15DiagError | None = field(default=None, compare=False)

    @property
    def simulated(self) -> bool:
        return self.adapter.simulated

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def discover(
    transport: Transport,
    profile: Profile,
    *,
    candidates: Sequence[Candidate] | None = None,
    sessions: SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    timing: Timing | None = None,
    budget: float = UNIT_BUDGET,
    clock: Callable[[], float] | None = None,
    keep_partial: bool = False,
    widen: bool = False,
) -> DiscoverResult:
    """Scan, then sweep every answering unit (see the module docstring).

    An adapter or bus error raises; with ``keep_partial`` it ends the run instead and the
    result holds what was gathered before it (the unit being swept marked truncated) and the
    error in ``error`` (for ``discover --report``, which still bundles that); so does a
    Ctrl-C (a :class:`UserInterrupt` whose cause is the signal's exception). With ``widen``,
    when none of the candidates answers, every other address of ``--wide`` is scanned too.
    """
    clock = clock or transport.clock  # the budget runs on the transport's time
    table: ScanResult | None = None
    units: list[UnitFindings] = []
    rows: list[ScanRow] = []
    current = _Partial()
    try:
        table = scan(
            transport, profile, candidates=candidates, progress=progress, timing=timing, rows=rows
        )
        if widen and not table.responders:
            more = [c for c in wide_candidates(profile) if c.source == "--wide"]
            scan(transport, profile, candidates=more, progress=progress, timing=timing, rows=rows)
            table = ScanResult(tuple(rows), transport.info, profile.name, table.seconds)
        client = Client(transport, timing, clock=clock)
        for row in table.responders:
            current = _Partial()
            units.append(
                _sweep_unit(client, profile, row, sessions, progress, budget, clock, current)
            )
    except KeyboardInterrupt as exc:
        if not keep_partial:
            raise
        stop = UserInterrupt("Interrupted (Ctrl-C) before the end: the rest was not tried.")
        stop.__cause__ = exc
        return _partial(transport, profile, table, rows, units, current, clock(), stop)
    except G15DiagError as exc:
        if not keep_partial or isinstance(exc, (UsageError, ReadOnlyViolation)):
            raise
        return _partial(transport, profile, table, rows, units, current, clock(), exc)
    transport.adapter_identity()  # the report names the adapter: ATI once, after the sweep
    return DiscoverResult(table, tuple(units), transport.info, profile.name)


def _partial(
    transport: Transport,
    profile: Profile,
    table: ScanResult | None,
    rows: list[ScanRow],
    units: list[UnitFindings],
    current: _Partial,
    now: float,
    exc: G15DiagError,
) -> DiscoverResult:
    """What a run stopped early by ``exc`` had gathered: the scan rows so far, the units."""
    if current.row is not None and (not units or units[-1].target != current.row.target):
        units.append(current.findings(now))
    if table is None or len(table.rows) < len(rows):
        table = ScanResult(tuple(rows), transport.info, profile.name, 0.0)
    return DiscoverResult(table, tuple(units), transport.info, profile.name, error=exc)


@dataclass
class _Partial:
    """The unit being swept, as far as it got (kept when an error ends the run)."""

    row: ScanRow | None = None
    session: Session = Session.DEFAULT
    started: float = 0.0
    replies: dict[bytes, Reply] = field(default_factory=dict)
    tried: dict[bytes, tuple[Session, ...]] = field(default_factory=dict)

    def findings(self, now: float) -> UnitFindings:
        assert self.row is not None
        marked = _mark(self.replies, self.tried)
        row = self.row
        return UnitFindings(
            row.candidate, row.target, self.session, marked, now - self.started, True
        )


def _sweep_unit(
    client: Client,
    profile: Profile,
    row: ScanRow,
    sessions: SessionMode,
    progress: ProgressHook | None,
    budget: float,
    clock: Callable[[], float],
    partial: _Partial,
) -> UnitFindings:
    started = clock()
    target = row.target
    requests = sweep_requests()
    truncated = False
    partial.row, partial.started = row, started
    replies, tried = partial.replies, partial.tried  # filled as the sweep goes
    with SessionKeeper(client, sessions) as keeper:
        keeper.new_address()
        client.transport.set_target(target)
        ladder = climb(client, keeper, profile.rungs_for(row.candidate), reads=1)
        session = ladder.session or _first_entered(keeper) or Session.DEFAULT
        partial.session = session
        keeper.leave()
        for n, request in enumerate(requests, 1):
            if clock() - started > budget:
                truncated = True
                break
            if progress:
                progress(_step(target, f"sweep {request.hex(' ').upper()}", n, len(requests)))
            replies[request] = keeper.ask(request)
            tried[request] = (Session.DEFAULT,)
        refused = [r for r, reply in replies.items() if reply.outcome is Outcome.REFUSED]
        if session is not Session.DEFAULT and refused and keeper.may_enter(session):
            if keeper.enter(session).outcome is Outcome.ANSWERED:
                for request in refused:
                    if clock() - started > budget:
                        truncated = True
                        break
                    again = keeper.ask(request)
                    tried[request] = (Session.DEFAULT, session)
                    if again.outcome is not Outcome.REFUSED or again.nrc != replies[request].nrc:
                        replies[request] = again
            keeper.leave()
    findings = _mark(replies, tried)
    return UnitFindings(row.candidate, target, session, findings, clock() - started, truncated)


def _first_entered(keeper: SessionKeeper) -> Session | None:
    for reply in keeper.log:
        if reply.outcome is Outcome.ANSWERED and reply.request != reply.session.exit_request:
            for session in Session:
                if session.request == reply.request:
                    return session
    return None


def _step(target: Target, what: str, n: int, total: int) -> SearchProgress:
    return SearchProgress(target.request_id, target.response_id, target.bitrate, what, n, total)


def _mark(
    replies: dict[bytes, Reply], tried: dict[bytes, tuple[Session, ...]]
) -> tuple[Finding, ...]:
    others = set()
    for request in VIN_REQUESTS | PART_REQUESTS:
        reply = replies.get(request)
        if reply is not None and reply.raw is not None:
            others.add(identifiers.decode(reply.raw).text)
    out = []
    for request, reply in replies.items():
        flag = False
        if reply.raw is not None and request not in VIN_REQUESTS | PART_REQUESTS:
            decoded = identifiers.decode(reply.raw)
            flag = looks_like_serial(decoded.text, decoded.clean, others)
        out.append(Finding(reply, flag, tried[request]))
    return tuple(out)


# -- the JSON form -------------------------------------------------------------------------


def finding_dict(finding: Finding) -> dict[str, Any]:
    reply = finding.reply
    return {
        "request": finding.key,
        "status": reply.outcome.item_status,
        "nrc": f"0x{reply.nrc:02X}" if reply.nrc is not None else None,
        "session": reply.session.value,
        "length": len(reply.raw) if reply.raw is not None else None,
        "hex": reply.raw.hex().upper() if reply.raw is not None else None,
        "text": finding.text,
        "serial_candidate": finding.serial_candidate,
    }


def to_dict(result: DiscoverResult) -> dict[str, Any]:
    """``discover --json``: ``{"schema_version", "units": [{..., "items": [...]}]}``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "g15diag",
        "simulated": result.simulated,
        "profile": result.profile,
        "adapter": {"kind": result.adapter.kind, "identity": result.adapter.identity},
        "units": [
            {
                "name": unit.candidate.name,
                "request_id": can_id_text(unit.target.request_id),
                "response_id": can_id_text(unit.target.response_id),
                "bitrate": unit.target.bitrate,
                "session": unit.session.value,
                "seconds": round(unit.seconds, 3),
                "truncated": unit.truncated,
                "items": [finding_dict(f) for f in unit.findings],
            }
            for unit in result.units
        ],
        **({"error": error_dict(result.error)} if result.error is not None else {}),
    }


def error_dict(error: G15DiagError) -> dict[str, Any]:
    """The error that ended a run early: its sentence as the run presented it (masked unless
    unredacted; masked when no run did) and the exit status it gives."""
    from g15diag.app import privacy

    return {"message": privacy.present(error), "exit_status": int(error.exit_status)}
