"""The one unit search: which candidate answers, at which bit rate, in which session.

``read-serial``, ``identify``, ``scan`` and ``discover`` all search through here: one outcome
vocabulary (:class:`Outcome`), one place for bit-rate order, bus errors and responsePending
(:func:`ask`), one confirm-two-reads helper (:func:`confirm`) and the identification ladder
(:func:`climb`, rungs from the profile). Sessions go through :class:`SessionKeeper`, which
always returns the unit to its default session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from g15diag import errors, privacy
from g15diag.app.keeper import SessionKeeper, SessionMode
from g15diag.app.outcome import Outcome, Reply, ask
from g15diag.app.wide import BROADCAST, WIDE_RANGE, WIDE_RATES, wide_seconds
from g15diag.client import Client
from g15diag.profiles import Candidate, Item, Profile, Rung
from g15diag.protocol.session import Session
from g15diag.transport.base import Target, Transport

__all__ = [
    "Attempt",
    "Climb",
    "Found",
    "Outcome",
    "Reply",
    "SearchProgress",
    "SessionKeeper",
    "SessionMode",
    "ask",
    "climb",
    "confirm",
    "find_unit",
    "plan",
    "rates_in_order",
    "short_silence",
    "wide_candidates",
    "wide_seconds",
]


@dataclass(frozen=True)
class SearchProgress:
    """One step of a search, for a progress display: where, which rung, k of n."""

    request_id: int
    response_id: int
    bitrate: int
    rung: str
    attempt: int
    attempts: int


ProgressHook = Callable[[SearchProgress], None]


@dataclass(frozen=True)
class Attempt:
    """What one candidate did at one bit rate (its first read: the unit is there or not)."""

    target: Target
    name: str
    outcome: Outcome
    nrc: int | None = None


@dataclass(frozen=True)
class Step:
    """One request of the ladder: the rung, the item (None for a session request), the reply."""

    rung: str
    item: Item | None
    reply: Reply


@dataclass
class Climb:
    """The ladder at one address: every step, the serial if found, the session that answered."""

    steps: list[Step] = field(default_factory=list)
    serial: Step | None = None
    session: Session | None = None  # where the unit answered an item (None: nowhere)

    @property
    def probe(self) -> Reply:
        return self.steps[0].reply

    def answered(self) -> Iterator[Step]:
        return (s for s in self.steps if s.item is not None and s.reply.outcome is Outcome.ANSWERED)


@dataclass(frozen=True)
class Found:
    """The unit the search settled on, how its ladder went, and every candidate tried."""

    candidate: Candidate
    target: Target
    climb: Climb
    attempts: tuple[Attempt, ...]


def rates_in_order(cands: Sequence[Candidate], first: int) -> list[int]:
    """``first``, then every other bit rate the candidates list, in their order."""
    rates = [first]
    for cand in cands:
        rates += [r for r in cand.bitrates if r not in rates]
    return rates


def plan(
    cands: Sequence[Candidate], first: int, fixed: int | None = None
) -> list[tuple[Candidate, Target]]:
    """Every (candidate, target) to try: bit rate by bit rate, candidates in profile order;
    only the ``fixed`` rate on a bus that cannot change it (a native CAN interface)."""
    rates = [fixed] if fixed else rates_in_order(cands, first)
    return [(cand, cand.target(rate)) for rate in rates for cand in cands if rate in cand.bitrates]


def confirm(client: Client, request: bytes, first: bytes, reads: int) -> None:
    """Read ``request`` again until ``reads`` identical answers; raise ReadsDisagree."""
    for n in range(2, reads + 1):
        again = client.read(request)
        if again != first:
            raise errors.ReadsDisagree(
                (
                    f"Read 1 and read {n} of the serial differ at byte "
                    f"{privacy.differing_positions(first, again)}: ",
                    errors.Difference(first, again),
                    ". Nothing is reported as the serial.",
                ),
                hint="Check the connection and run the read again; do not send either value "
                "to the dealer.",
            )


def climb(
    client: Client,
    keeper: SessionKeeper,
    rungs: Sequence[Rung],
    *,
    reads: int = 2,
    on_rung: Callable[[Rung], None] | None = None,
) -> Climb:
    """Climb the ladder at the current address until a rung yields the serial.

    The first read is the probe: silence (or a bus error, or endless responsePending) there
    ends the climb at once, so an empty address costs one request. A session rung is climbed
    only when the keeper allows it (a refusal seen, ``--sessions auto``); a rung without a
    serial item only while nothing has answered. The climb ends with the unit in the session
    that answered (the caller reads the other items there); the keeper leaves it.
    """
    result = Climb()
    for rung in rungs:
        if not _worth_climbing(keeper, rung, result):
            continue
        if on_rung:
            on_rung(rung)
        if rung.session is not Session.DEFAULT and not _enter(keeper, rung, result):
            continue
        if _read_rung(client, keeper, rung, result, reads):
            return result
        if result.session is not keeper.current:
            keeper.leave()  # nothing answered in this rung's session
    return result


def _worth_climbing(keeper: SessionKeeper, rung: Rung, result: Climb) -> bool:
    """False for a rung without a serial once something answered, and for a session rung
    the keeper does not allow; leaves a session an earlier rung answered in if need be."""
    if not rung.has_serial and result.session is not None:
        return False
    if keeper.current is not rung.session:
        keeper.leave()
    return rung.session is Session.DEFAULT or keeper.may_enter(rung.session)


def _enter(keeper: SessionKeeper, rung: Rung, result: Climb) -> bool:
    entered = keeper.enter(rung.session)
    result.steps.append(Step(rung.name, None, entered))
    if entered.outcome is not Outcome.ANSWERED:
        keeper.leave()  # refused: nothing to leave; silent: it may have been entered
        return False
    return True


def _read_rung(
    client: Client, keeper: SessionKeeper, rung: Rung, result: Climb, reads: int
) -> bool:
    """Ask the rung's items; True when the climb ends (nobody at the address, or the
    serial found and confirmed)."""
    for item in rung.items:
        reply = keeper.ask(item.request)
        result.steps.append(Step(rung.name, item, reply))
        if len(result.steps) == 1 and not reply.outcome.present:
            return True  # nobody at this address
        if reply.outcome is not Outcome.ANSWERED:
            continue
        result.session = result.session or keeper.current
        if item.role == "serial":
            assert reply.raw is not None
            confirm(client, item.request, reply.raw, reads)
            result.serial = result.steps[-1]
            result.session = keeper.current
            return True
    return False


def wide_candidates(profile: Profile) -> list[Candidate]:
    """``--wide``: the profile's candidates, then every other 11-bit request ID of
    :data:`WIDE_RANGE` but the broadcast 0x7DF, at both :data:`WIDE_RATES`. The response ID
    is request + the profile's scan offset (Renault: 0x20), or + 8 (ISO 15765-4) where that
    would pass 0x7FF; 0x7F8-0x7FF have no 11-bit partner above them and are left out, and
    so is the profile's engine ECU (it is not the head unit)."""
    known = {c.request_id for c in profile.head_units} | {profile.engine.request_id}
    first, last = WIDE_RANGE
    added = []
    for req in range(first, last + 1):
        offsets = (profile.scan_response_offset, 8)
        resp = next((req + o for o in offsets if req + o <= 0x7FF and req + o != BROADCAST), None)
        if req in known or req == BROADCAST or resp is None:
            continue
        added.append(
            Candidate(f"wide {req:03X}", req, resp, WIDE_RATES, confidence="none", source="--wide")
        )
    return [*profile.head_units, *added]


@contextlib.contextmanager
def short_silence(transport: Transport, on: bool = True) -> Iterator[None]:
    """While probing many addresses: the ELM327's short silence wait (``SCAN_ST``), restored
    after; nothing on other transports (or with ``on=False``)."""
    tune = getattr(transport, "set_silence_wait", None)
    previous = getattr(transport, "ident_st", None)
    if not on or tune is None or previous is None:
        yield
        return
    from g15diag.transport.elm327 import SCAN_ST

    tune(SCAN_ST)
    try:
        yield
    finally:
        with contextlib.suppress(errors.G15DiagError):
            tune(previous)


def find_unit(
    client: Client,
    keeper: SessionKeeper,
    profile: Profile,
    cands: Sequence[Candidate],
    bitrate: int,
    *,
    reads: int = 2,
    progress: ProgressHook | None = None,
) -> Found:
    """The first candidate that answers (``bitrate`` first, then the others), its ladder
    climbed. Raise NoAnswer / PendingTimeout, or CanBusError when no bit rate had a bus."""
    steps = plan(cands, bitrate, client.transport.fixed_bitrate)
    wide = any(c.source == "--wide" for c in cands)
    with short_silence(client.transport, on=wide):
        return _search(client, keeper, profile, steps, reads, progress, wide)


def _search(
    client: Client,
    keeper: SessionKeeper,
    profile: Profile,
    steps: Sequence[tuple[Candidate, Target]],
    reads: int,
    progress: ProgressHook | None,
    wide: bool,
) -> Found:
    from g15diag import hints

    attempts: list[Attempt] = []
    pending: errors.PendingTimeout | None = None
    bus_errors: list[errors.CanBusError] = []
    for k, (cand, target) in enumerate(steps, 1):
        keeper.new_address()
        client.transport.set_target(target)

        def on_rung(rung: Rung, k: int = k, target: Target = target) -> None:
            if progress:
                progress(
                    SearchProgress(
                        target.request_id, target.response_id, target.bitrate, rung.name, k,
                        len(steps),
                    )
                )  # fmt: skip

        result = climb(client, keeper, profile.rungs_for(cand), reads=reads, on_rung=on_rung)
        probe = result.probe
        attempts.append(Attempt(target, cand.name, probe.outcome, probe.nrc))
        if probe.outcome is Outcome.BUS_ERROR:
            assert isinstance(probe.error, errors.CanBusError)
            bus_errors.append(probe.error)
        elif probe.outcome is Outcome.PENDING:
            assert isinstance(probe.error, errors.PendingTimeout)
            pending = probe.error
        elif probe.outcome.present:
            return Found(cand, target, result, tuple(attempts))
    if pending is not None:
        raise pending
    if attempts and len(bus_errors) == len(attempts):
        raise bus_errors[0]  # no bus at any bit rate: an adapter/wiring problem, not "no unit"
    if wide:
        first, last = WIDE_RANGE
        rates = " and ".join(str(r // 1000) for r in WIDE_RATES)
        tried = f"every request ID {first:03X}-{last:03X} but 7DF, at {rates} kbit/s"
    else:
        tried = ", ".join(f"{a.target.label}@{a.target.bitrate // 1000}k" for a in attempts)
    raise errors.NoAnswer(
        f"No head unit answered at {len(attempts)} candidate address(es) ({tried or 'none'}).",
        hint=hints.WIDE_DONE_HINT if wide else hints.NOTHING_ANSWERED_HINT,
    )
