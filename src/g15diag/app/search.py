"""The one unit search: which candidate answers, at which bit rate, in which session.

``read-serial``, ``identify``, ``scan`` and ``discover`` all search through here: one outcome
vocabulary (:class:`Outcome`), one place for bit-rate order, bus errors and responsePending
(:func:`ask`), one confirm-two-reads helper (:func:`confirm`) and the identification ladder
(:func:`climb`, rungs from the profile). Sessions go through :class:`SessionKeeper`, which
always returns the unit to its default session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NoReturn

from g15diag import errors
from g15diag.app import hints, privacy
from g15diag.app.keeper import SessionKeeper, SessionMode
from g15diag.app.outcome import Outcome, Reply, ask
from g15diag.app.wide import BROADCAST, WIDE_RANGE, WIDE_RATES
from g15diag.protocol.can import LEARN, Target, can_id_text
from g15diag.protocol.session import Session
from g15diag.transport.client import Client
from g15diag.vehicles.profiles import Candidate, Item, Profile, Rung

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
    "learn_target",
    "plan",
    "rates_in_order",
    "wide_candidates",
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

    @property
    def label(self) -> str:
        """``0x747/0x767``, or only ``0x7B3`` while the answer ID is to be learned (no word
        to translate on the page)."""
        target = Target(self.request_id, self.response_id, self.bitrate)
        return can_id_text(self.request_id) if target.learning else target.label


ProgressHook = Callable[[SearchProgress], None]


@dataclass(frozen=True)
class Attempt:
    """What one candidate did at one bit rate (its first read: the unit is there or not)."""

    target: Target
    name: str
    outcome: Outcome
    nrc: int | None = None
    error: errors.G15DiagError | None = field(default=None, compare=False, repr=False)


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
    """Read ``request`` again until ``reads`` identical answers; raise ReadsDisagree, or
    FellSilent when the unit that answered read 1 does not answer a later one."""
    for n in range(2, reads + 1):
        try:
            again = client.read(request)
        except errors.NoAnswer as exc:  # silence, or responsePending past P2*
            raise errors.FellSilent(
                f"The head unit answered read 1 of the serial, then did not answer read {n} "
                "(sent to confirm it). Nothing is reported as the serial.",
                hint="The unit answered once, so the address is right: it may have gone to "
                "sleep or the connector moved. Keep the ignition in ACC, check the adapter "
                "sits firmly, and run the read again.",
            ) from exc
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
    climbed. Raise NoAnswer / PendingTimeout, FrameCheckFailed (a unit answered with DATA
    ERROR), or CanBusError when no bit rate had a bus.

    A transport with a quick wait (ELM327: P2 plus a margin) first tries every candidate with
    it; only when that pass finds nobody are they tried again with the long wait.
    """
    steps = plan(cands, bitrate, client.transport.fixed_bitrate)
    passes = (True, False) if client.transport.quick_wait(True) else (False,)
    attempts: list[Attempt] = []
    for quick in passes:
        if not quick and len(passes) > 1:
            client.transport.quick_wait(False)
        found = _search_pass(client, keeper, profile, steps, reads, progress)
        if isinstance(found, Found):
            return found
        attempts = found
        if not any(a.outcome is Outcome.SILENT for a in attempts):
            break  # bus errors or endless pending: a longer wait changes nothing
    _nobody(attempts, wide=any(c.source == "--wide" for c in cands))


def _search_pass(
    client: Client,
    keeper: SessionKeeper,
    profile: Profile,
    steps: Sequence[tuple[Candidate, Target]],
    reads: int,
    progress: ProgressHook | None,
) -> Found | list[Attempt]:
    """One pass over every (candidate, target): the unit found, or every attempt."""
    attempts: list[Attempt] = []
    for k, (cand, target) in enumerate(steps, 1):
        keeper.new_address()
        if target.learning:  # --wide: the answer ID comes from what answers the probe
            first = profile.rungs_for(cand)[0]
            _step(progress, target, k, len(steps))(first)
            cand, target, probe = learn_target(client, cand, target, first.items[0].request)
            if target.learning and not probe.outcome.present:
                attempts.append(Attempt(target, cand.name, probe.outcome, probe.nrc, probe.error))
                continue
            keeper.new_address()
        else:
            client.transport.set_target(target)
        on_rung = _step(progress, target, k, len(steps))
        result = climb(client, keeper, profile.rungs_for(cand), reads=reads, on_rung=on_rung)
        probe = result.probe
        attempts.append(Attempt(target, cand.name, probe.outcome, probe.nrc, probe.error))
        if probe.outcome is Outcome.DATA_ERROR and not any(result.answered()):
            assert isinstance(probe.error, errors.FrameCheckFailed)
            raise errors.FrameCheckFailed(
                probe.error.status,
                command=probe.error.command,
                where=f"{target.label} ({target.bitrate // 1000} kbit/s, {cand.name})",
            )
        if probe.outcome.present:
            return Found(cand, target, result, tuple(attempts))
    return attempts


def _step(
    progress: ProgressHook | None, target: Target, k: int, total: int
) -> Callable[[Rung], None]:
    """The progress report of each rung climbed at ``target`` (k of ``total``)."""

    def on_rung(rung: Rung) -> None:
        if progress:
            at = (target.request_id, target.response_id, target.bitrate)
            progress(SearchProgress(*at, rung.name, k, total))

    return on_rung


def _nobody(attempts: list[Attempt], *, wide: bool = False) -> NoReturn:
    """Raise what a search that found nobody ends in."""
    pending = [a for a in attempts if a.outcome is Outcome.PENDING]
    if pending:
        assert isinstance(pending[-1].error, errors.PendingTimeout)
        raise pending[-1].error
    bus_errors = [a.error for a in attempts if a.outcome is Outcome.BUS_ERROR]
    if attempts and len(bus_errors) == len(attempts):
        assert isinstance(bus_errors[0], errors.CanBusError)
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


def learn_target(
    client: Client, cand: Candidate, target: Target, request: bytes
) -> tuple[Candidate, Target, Reply]:
    """At a target whose answer ID is to be learned (``--wide``): send ``request`` while the
    transport listens to every 11-bit ID 700-7FF; the CAN ID of the first frame that answers
    (not 7E8-7EF, not the request ID) is the unit's answer ID. Returns the candidate and
    target at that exact pair, the transport pointed there (exact filter, flow control to
    the request ID), and the probe's reply; unchanged when nothing answered."""
    client.transport.set_target(target)
    reply = ask(client, request)
    heard = client.transport.learned
    if heard is None:
        return cand, target, reply
    exact = Target(target.request_id, heard, target.bitrate)
    client.transport.set_target(exact)
    return replace(cand, response_id=heard), exact, reply


def wide_candidates(profile: Profile) -> list[Candidate]:
    """``--wide``: the profile's candidates, then every other 11-bit request ID of
    :data:`WIDE_RANGE` (700-7FF) but the broadcast 0x7DF, at both :data:`WIDE_RATES`, each
    with its answer ID to be learned from what answers (:data:`~g15diag.protocol.can.LEARN`,
    :func:`learn_target`). The profile's engine ECU is left out (it is not the head unit)."""
    known = {c.request_id for c in profile.head_units} | {profile.engine.request_id}
    first, last = WIDE_RANGE
    added = [
        Candidate(f"wide {req:03X}", req, LEARN, WIDE_RATES, confidence="none", source="--wide")
        for req in range(first, last + 1)
        if req not in known and req != BROADCAST
    ]
    return [*profile.head_units, *added]
