"""Identify the head unit: every identification item of the profile, the VIN from the engine.

The unit is found by the one search (:mod:`g15diag.app.search`): the first candidate that
answers, its identification ladder climbed. The other items are then read in whichever
session answered — UDS items (22 F1xx) for a unit that answers UDS, Renault/KWP items
(1A xx, 21 xx) otherwise — and the unit is returned to its default session at the end,
whatever happens. The VIN also comes from the engine ECU over OBD mode 09 PID 02.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from g15diag.app.outcome import Outcome, Reply, ask
from g15diag.app.results import (
    ENGINE_VIN_KEY,
    MALFORMED,
    NO_ANSWER,
    NOT_SUPPORTED,
    OK,
    SKIPPED,
    IdentifyResult,
    ItemResult,
    VinReport,
    block_summary,
    item_dict,
    to_dict,
)
from g15diag.app.search import (
    Found,
    ProgressHook,
    SessionKeeper,
    SessionMode,
    confirm,
    find_unit,
)
from g15diag.protocol import kwp, obd, uds
from g15diag.protocol.session import Session
from g15diag.transport.base import Transport
from g15diag.transport.client import Client, PendingHook, Timing
from g15diag.vehicles.profiles import Candidate, Item, Profile

__all__ = [
    "ENGINE_VIN_KEY",
    "MALFORMED",
    "NOT_SUPPORTED",
    "NO_ANSWER",
    "OK",
    "SKIPPED",
    "IdentifyResult",
    "ItemResult",
    "VinReport",
    "block_summary",
    "identify",
    "item_dict",
    "to_dict",
]

#: NRCs that mean "this service is not there" (0x7F/0x80 only in this session).
SERVICE_ABSENT = frozenset(
    {
        uds.SERVICE_NOT_SUPPORTED,
        uds.SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION,
        kwp.SERVICE_NOT_SUPPORTED_IN_ACTIVE_MODE,
    }
)


def identify(
    transport: Transport,
    profile: Profile,
    *,
    bitrate: int,
    candidates: Sequence[Candidate] | None = None,
    reads: int = 2,
    timing: Timing | None = None,
    now: _dt.datetime | None = None,
    sessions: SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    on_pending: PendingHook | None = None,
) -> IdentifyResult:
    """Find the head unit among the candidates and read every identification item.

    ``bitrate`` is tried first, then the candidates' other bit rates. The serial is read
    ``reads`` times; different bytes raise :class:`ReadsDisagree`. ``progress`` is called
    before every rung of the search; ``on_pending`` at every responsePending.
    """
    client = Client(transport, timing, on_pending=on_pending)
    cands = list(candidates if candidates is not None else profile.head_units)
    with SessionKeeper(client, sessions) as keeper:
        found = find_unit(client, keeper, profile, cands, bitrate, reads=reads, progress=progress)
        # the quick wait found the unit; its other items get the usual wait (slower ones too)
        transport.quick_wait(False)
        session = found.climb.session or Session.DEFAULT
        back = session is Session.DEFAULT or keeper.current is session
        if not back and keeper.enter(session).outcome is not Outcome.ANSWERED:
            session = Session.DEFAULT  # the unit would not go back: read what it gives
        items = _read_unit(client, keeper, profile, found, reads)
        keeper.leave()
    engine_item = _read_engine_vin(client, profile)
    transport.adapter_identity()  # the sheet names the adapter: ATI once, after the reads
    all_items = (*items, engine_item)
    serial_ok = any(i.item.role == "serial" and i.status == OK for i in items)
    return IdentifyResult(
        profile=profile,
        unit=found.candidate,
        target=found.target,
        family=_family_used(items),
        items=all_items,
        vin=_vin_report(all_items),
        adapter=transport.info,
        serial_reads=reads if serial_ok else 0,
        read_at=(now or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds"),
        attempts=found.attempts,
        session=session,
        ladder=tuple(found.climb.steps),
    )


def _read_unit(
    client: Client, keeper: SessionKeeper, profile: Profile, found: Found, reads: int
) -> list[ItemResult]:
    """Every item of the unit's family in the current session, then the other family's if
    the first gave nothing. Answers the ladder already got in this session are reused; an
    item of the other family keeps what the ladder got for it, or is skipped."""
    here: dict[str, Reply] = {}
    anywhere: dict[str, Reply] = {}
    for step in found.climb.steps:
        if step.item is not None:
            anywhere.setdefault(step.item.key, step.reply)
            if step.reply.session is keeper.current:
                here.setdefault(step.item.key, step.reply)
    confirmed = found.climb.serial.reply if found.climb.serial else None
    order = ["uds", "kwp"] if _answers_uds(found) else ["kwp", "uds"]
    results: list[ItemResult] = []
    absent: set[int] = set()  # services the unit does not have
    for item in profile.items_of(order[0]):
        if item.request[0] in absent:
            results.append(ItemResult.skipped(item, "service not supported by the unit"))
            continue
        reply = _read(client, keeper, item, here, confirmed, reads)
        if reply.outcome is Outcome.REFUSED and reply.nrc in SERVICE_ABSENT:
            absent.add(item.request[0])
        results.append(ItemResult.of(item, reply))
    other_needed = not any(r.outcome is Outcome.ANSWERED for r in results)
    for item in profile.items_of(order[1]):
        if other_needed:
            results.append(ItemResult.of(item, _read(client, keeper, item, here, confirmed, reads)))
        elif item.key in anywhere:
            results.append(ItemResult.of(item, anywhere[item.key]))
        else:
            results.append(ItemResult.skipped(item, f"not needed: the unit answers {order[0]}"))
    return results


def _read(
    client: Client,
    keeper: SessionKeeper,
    item: Item,
    here: dict[str, Reply],
    confirmed: Reply | None,
    reads: int,
) -> Reply:
    """The item's reply in the current session (the ladder's, or asked now); a serial is
    confirmed by ``reads`` identical reads unless the ladder already did."""
    reply = here.get(item.key) or keeper.ask(item.request)
    if item.role == "serial" and reply.outcome is Outcome.ANSWERED and reply is not confirmed:
        assert reply.raw is not None
        confirm(client, item.request, reply.raw, reads)
    return reply


def _answers_uds(found: Found) -> bool:
    answered = [s.item.family for s in found.climb.answered() if s.item is not None]
    if answered:
        return answered[0] == "uds"
    first = found.climb.probe  # nothing answered: the family of the refused first read
    return first.request[0] == 0x22 and first.nrc != 0x11


def _read_engine_vin(client: Client, profile: Profile) -> ItemResult:
    engine = profile.engine
    item = Item(
        ENGINE_VIN_KEY,
        "obd",
        f"VIN from {engine.name} (OBD mode 09 PID 02)",
        "vin",
        "vin",
        engine.source,
    )
    client.transport.set_target(engine.target())
    return ItemResult.of(item, ask(client, obd.vin_request()), ecu="engine")


def _family_used(items: Sequence[ItemResult]) -> str:
    ok = [i.item.family for i in items if i.status == OK]
    return ok[0] if ok else (items[0].item.family if items else "uds")


def _vin_report(items: Sequence[ItemResult]) -> VinReport:
    engine = next((i.text for i in items if i.ecu == "engine" and i.status == OK), None)
    head = next(
        (i.text for i in items if i.ecu == "head_unit" and i.item.role == "vin" and i.status == OK),
        None,
    )
    value, source = (engine, "engine") if engine else (head, "head_unit" if head else None)
    return VinReport(
        value=value,
        source=source,
        engine=engine,
        head_unit=head,
        check=obd.check_vin(value) if value else None,
    )
