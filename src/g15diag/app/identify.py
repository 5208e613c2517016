"""Identify the head unit: every identification item of the profile, the VIN from the engine.

UDS items (22 F1xx) are read one per request; a unit that does not support 0x22 is read with
Renault KWP-on-CAN (21 80 / 21 81) instead. The VIN also comes from the engine ECU over OBD
mode 09 PID 02. Raw bytes are kept exactly; text is derived for display only.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from g15diag import __version__, errors, identifiers, privacy
from g15diag.app.read_serial import NOT_FOUND_HINT, Attempt
from g15diag.client import Client, Timing
from g15diag.profiles import Candidate, Item, Profile
from g15diag.protocol import kwp, obd, uds
from g15diag.transport.base import AdapterInfo, Target, Transport, can_id_text

SCHEMA_VERSION = 1
OK, NOT_SUPPORTED, NO_ANSWER, MALFORMED, SKIPPED = (
    "ok",
    "not_supported",
    "no_answer",
    "malformed",
    "skipped",
)
#: NRCs that mean "this service is not there" (0x12 is KWP's answer on Renault units).
SERVICE_ABSENT = frozenset({0x11, 0x7F})
ENGINE_VIN_KEY = "0x0902"


@dataclass(frozen=True)
class ItemResult:
    """One identification item: its status and, when ok, its bytes exactly as returned."""

    item: Item
    status: str  # ok | not_supported | no_answer | malformed | skipped
    raw: bytes | None = None
    nrc: int | None = None
    detail: str = ""
    ecu: str = "head_unit"

    @property
    def decoded(self) -> identifiers.DecodedText | None:
        return identifiers.decode(self.raw) if self.raw is not None else None

    @property
    def text(self) -> str | None:
        """Display text (``decoding`` of the item); None unless ok."""
        if self.raw is None:
            return None
        if self.item.decoding == "byte":
            return " ".join(f"0x{b:02X}" for b in self.raw)
        if self.item.decoding == "hex":
            return self.raw.hex(" ").upper()
        if self.item.decoding == "renault_block":
            block = self.block()
            return block_summary(block) if block else self.raw.hex(" ").upper()
        if self.item.decoding == "vin" and self.ecu == "engine":
            return identifiers.decode(obd.vin_bytes(self.raw)).text
        return identifiers.decode(self.raw).text

    def block(self) -> kwp.RenaultBlock | None:
        return kwp.parse_ident_block(self.raw) if self.raw is not None else None


def block_summary(block: kwp.RenaultBlock) -> str:
    """One line for a ``21 80`` block's documented fields."""
    return (
        f"supplier {block.supplier.decode('latin-1')!r}, diag version 0x{block.diag_version:02X},"
        f" software {block.software_number.hex().upper()}/{block.software_version.hex().upper()},"
        f" part fragment {block.part_fragment.decode('latin-1')!r},"
        f" hardware fragment {block.hardware_fragment.decode('latin-1')!r}"
    )


@dataclass(frozen=True)
class VinReport:
    """The VIN as the engine and the head unit report it, checked (ISO 3779)."""

    value: str | None
    source: str | None  # "engine" | "head_unit" | None
    engine: str | None
    head_unit: str | None
    check: obd.VinCheck | None

    @property
    def mismatch(self) -> bool:
        return bool(self.engine and self.head_unit and self.engine != self.head_unit)


@dataclass(frozen=True)
class IdentifyResult:
    """Everything `identify` learned, with where each value came from."""

    profile: Profile
    unit: Candidate
    target: Target
    family: str
    items: tuple[ItemResult, ...]
    vin: VinReport
    adapter: AdapterInfo
    serial_reads: int
    read_at: str
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    tool_version: str = __version__

    @property
    def simulated(self) -> bool:
        return self.adapter.simulated

    def by_role(self, role: str) -> ItemResult | None:
        """The first ok head-unit item with ``role``."""
        for result in self.items:
            if result.item.role == role and result.status == OK and result.ecu == "head_unit":
                return result
        return None

    def value(self, role: str) -> str | None:
        found = self.by_role(role)
        return found.text if found else None

    def to_dict(self) -> dict[str, Any]:
        """The versioned ``identify --json`` object (also what ``export --from`` reads)."""
        return to_dict(self)


def identify(
    transport: Transport,
    profile: Profile,
    *,
    bitrate: int,
    candidates: Sequence[Candidate] | None = None,
    reads: int = 2,
    timing: Timing | None = None,
    now: _dt.datetime | None = None,
) -> IdentifyResult:
    """Find the head unit among the candidates and read every identification item.

    ``bitrate`` is tried first, then the candidates' other bit rates. The serial is read
    ``reads`` times; different bytes raise :class:`ReadsDisagree`.
    """
    client = Client(transport, timing)
    cands = list(candidates if candidates is not None else profile.head_units)
    found, attempts = _find_unit(client, profile, cands, bitrate)
    unit, target, probe = found
    items = _read_unit(client, profile, unit, probe, reads)
    engine_item = _read_engine_vin(client, profile)
    all_items = (*items, engine_item)
    return IdentifyResult(
        profile=profile,
        unit=unit,
        target=target,
        family=_family_used(items),
        items=all_items,
        vin=_vin_report(all_items),
        adapter=transport.info,
        serial_reads=reads if any(i.item.role == "serial" and i.status == OK for i in items) else 0,
        read_at=(now or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds"),
        attempts=tuple(attempts),
    )


def _rates_in_order(cands: Sequence[Candidate], first: int) -> list[int]:
    rates = [first]
    for cand in cands:
        rates += [r for r in cand.bitrates if r not in rates]
    return rates


def _find_unit(
    client: Client, profile: Profile, cands: Sequence[Candidate], bitrate: int
) -> tuple[tuple[Candidate, Target, ItemResult], list[Attempt]]:
    attempts: list[Attempt] = []
    pending: errors.PendingTimeout | None = None
    bus_errors: list[errors.CanBusError] = []
    for rate in _rates_in_order(cands, bitrate):
        for cand in cands:
            if rate not in cand.bitrates:
                continue
            target = cand.target(rate)
            client.transport.set_target(target)
            first = profile.items_of(cand.family)[:1] or profile.items[:1]
            try:
                probe = read_item(client, first[0])
            except errors.CanBusError as exc:  # nothing acknowledges at this bit rate
                attempts.append(Attempt(target, cand.name, "silent"))
                bus_errors.append(exc)
                continue
            if probe.status == NO_ANSWER:
                attempts.append(Attempt(target, cand.name, "silent"))
                if "pending" in probe.detail:
                    pending = errors.PendingTimeout(probe.detail)
                continue
            outcome = "refused" if probe.status == NOT_SUPPORTED else "answered"
            attempts.append(Attempt(target, cand.name, outcome, probe.nrc))
            return (cand, target, probe), attempts
    if pending is not None:
        raise pending
    if attempts and len(bus_errors) == len(attempts):
        raise bus_errors[0]  # no bus at any bit rate: an adapter/wiring problem, not "no unit"
    tried = ", ".join(f"{a.target.label}@{a.target.bitrate // 1000}k" for a in attempts)
    raise errors.NoAnswer(
        f"No head unit answered at {len(attempts)} candidate address(es) ({tried or 'none'}).",
        hint=NOT_FOUND_HINT,
    )


def read_item(client: Client, item: Item) -> ItemResult:
    """One request, one result; never raises for what the unit does."""
    try:
        result = ItemResult(item, OK, raw=client.read(item.request))
    except errors.PendingTimeout as exc:
        result = ItemResult(item, NO_ANSWER, detail=f"responsePending only: {exc}")
    except errors.NoAnswer:
        result = ItemResult(item, NO_ANSWER)
    except errors.NegativeResponse as exc:
        result = ItemResult(item, NOT_SUPPORTED, nrc=exc.nrc, detail=exc.nrc_name)
    except errors.MalformedResponse as exc:
        result = ItemResult(item, MALFORMED, detail=str(exc))
    return result


def _read_unit(
    client: Client, profile: Profile, unit: Candidate, probe: ItemResult, reads: int
) -> list[ItemResult]:
    results: list[ItemResult] = []
    family_items = {"uds": profile.items_of("uds"), "kwp": profile.items_of("kwp")}
    order = ["uds", "kwp"] if unit.family == "uds" else ["kwp", "uds"]
    primary = order[0]
    absent = False
    for item in family_items[primary]:
        result = probe if item == probe.item else read_item(client, item)
        if absent:
            result = ItemResult(item, SKIPPED, detail="service not supported by the unit")
        elif result.status == NOT_SUPPORTED and result.nrc in SERVICE_ABSENT:
            absent = True
        elif result.status == OK and item.role == "serial":
            _confirm(client, result, reads)
        results.append(result)
    other_needed = absent or not any(r.status == OK for r in results)
    for item in family_items[order[1]]:
        if other_needed:
            result = read_item(client, item)
            if result.status == OK and item.role == "serial":
                _confirm(client, result, reads)
        else:
            result = ItemResult(item, SKIPPED, detail=f"not needed: the unit answers {primary}")
        results.append(result)
    return results


def _confirm(client: Client, first: ItemResult, reads: int) -> None:
    for n in range(2, reads + 1):
        again = client.read(first.item.request)
        if again != first.raw:
            assert first.raw is not None
            raise errors.ReadsDisagree(
                f"Read 1 and read {n} of the serial differ at byte "
                f"{privacy.differing_positions(first.raw, again)}: "
                f"{privacy.show_difference(first.raw, again)}. "
                "Nothing is reported as the serial.",
                hint="Check the connection and run the read again; do not send either value "
                "to the dealer.",
            )


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
    result = read_item(client, _ObdItem(item))
    return ItemResult(item, result.status, result.raw, result.nrc, result.detail, ecu="engine")


class _ObdItem:
    """An Item look-alike whose request is OBD mode 09 PID 02."""

    def __init__(self, item: Item) -> None:
        self._item = item
        self.request = obd.vin_request()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


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


# -- the JSON form -------------------------------------------------------------------------


def item_dict(result: ItemResult) -> dict[str, Any]:
    """One entry of ``items`` in the JSON object."""
    out: dict[str, Any] = {
        "label": result.item.label,
        "ecu": result.ecu,
        "family": result.item.family,
        "role": result.item.role or None,
        "request": ("09 02" if result.ecu == "engine" else result.item.request.hex(" ").upper()),
        "status": result.status,
        "nrc": f"0x{result.nrc:02X}" if result.nrc is not None else None,
        "nrc_name": uds.nrc_name(result.nrc) if result.nrc is not None else None,
        "detail": result.detail or None,
        "text": result.text,
        "hex": result.raw.hex().upper() if result.raw is not None else None,
        "length": len(result.raw) if result.raw is not None else None,
    }
    decoded = result.decoded
    if decoded is not None and result.item.decoding in ("ascii", "vin"):
        out["padding_hex"] = decoded.padding.hex().upper()
        out["printable"] = decoded.clean
    block = result.block() if result.item.decoding == "renault_block" else None
    if block is not None:
        out["fields"] = {
            "part_fragment": block.part_fragment.decode("latin-1"),
            "diag_version": f"0x{block.diag_version:02X}",
            "supplier": block.supplier.decode("latin-1"),
            "hardware_fragment": block.hardware_fragment.decode("latin-1"),
            "software_number": block.software_number.hex().upper(),
            "software_version": block.software_version.hex().upper(),
        }
    return out


def to_dict(result: IdentifyResult) -> dict[str, Any]:
    """See :meth:`IdentifyResult.to_dict`."""
    serial = result.by_role("serial")
    vin = result.vin
    unit, target = result.unit, result.target
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "g15diag",
        "tool_version": result.tool_version,
        "read_at": result.read_at,
        "simulated": result.simulated,
        "profile": result.profile.name,
        "vehicle": result.profile.vehicle,
        "serial": serial.text if serial else None,
        "serial_hex": serial.raw.hex().upper() if serial and serial.raw is not None else None,
        "serial_identifier": serial.item.key if serial else None,
        "serial_reads": result.serial_reads,
        "vin": vin.value,
        "vin_source": vin.source,
        "vin_engine": vin.engine,
        "vin_head_unit": vin.head_unit,
        "vin_mismatch": vin.mismatch,
        "vin_check": {
            "valid": vin.check.valid,
            "errors": list(vin.check.errors),
            "warnings": list(vin.check.warnings),
        }
        if vin.check
        else None,
        "part_number": result.value("part_number"),
        "supplier": result.value("supplier"),
        "hardware": result.value("hardware"),
        "software": result.value("software"),
        "head_unit": {
            "name": unit.name,
            "request_id": can_id_text(target.request_id),
            "response_id": can_id_text(target.response_id),
            "bitrate": target.bitrate,
            "family": result.family,
            "confidence": unit.confidence,
            "address_source": unit.source,
        },
        "adapter": {
            "kind": result.adapter.kind,
            "identity": result.adapter.identity,
            "port": result.adapter.port,
        },
        "items": {r.item.key: item_dict(r) for r in result.items},
    }
