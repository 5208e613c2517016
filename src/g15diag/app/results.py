"""What ``identify`` learned, as types and as the versioned ``identify --json`` object.

Every item keeps its raw bytes exactly and the session it was read in; text is derived for
display only. ``session`` (item level and ``head_unit.session``) is one of the stable values
of :class:`g15diag.protocol.session.Session`: ``default``, ``uds_extended`` (10 03),
``kwp_after_sales`` (10 C0), ``kwp_standard`` (10 81).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from g15diag import __version__
from g15diag.app.outcome import Outcome, Reply
from g15diag.app.search import Attempt, Step
from g15diag.protocol import identifiers, kwp, obd, uds
from g15diag.protocol.can import Target, can_id_text
from g15diag.protocol.session import Session
from g15diag.transport.base import AdapterInfo
from g15diag.vehicles.profiles import Candidate, Item, Profile

if TYPE_CHECKING:
    from g15diag.app.export.record import LadderStep, Record, RecordItem

__all__ = ["IdentifyResult", "ItemResult", "VinReport", "can_id_text", "to_dict"]

SCHEMA_VERSION = 1
OK, NOT_SUPPORTED, NO_ANSWER, MALFORMED, SKIPPED = (
    "ok",
    "not_supported",
    "no_answer",
    "malformed",
    "skipped",
)
ENGINE_VIN_KEY = "0x0902"


@dataclass(frozen=True)
class ItemResult:
    """One identification item: its status and, when ok, its bytes exactly as returned."""

    item: Item
    outcome: Outcome
    raw: bytes | None = None
    nrc: int | None = None
    detail: str = ""
    ecu: str = "head_unit"
    session: Session | None = Session.DEFAULT  # None: not asked

    @classmethod
    def of(
        cls, item: Item, reply: Reply, *, detail: str = "", ecu: str = "head_unit"
    ) -> ItemResult:
        """The item's result from one reply (with the session it was read in)."""
        return cls(
            item, reply.outcome, reply.raw, reply.nrc, detail or reply.detail, ecu, reply.session
        )

    @classmethod
    def skipped(cls, item: Item, why: str) -> ItemResult:
        return cls(item, Outcome.SKIPPED, detail=why, session=None)

    @property
    def status(self) -> str:
        """The ``identify --json`` spelling: ok | not_supported | no_answer | malformed |
        skipped."""
        return self.outcome.item_status

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
    session: Session = Session.DEFAULT  # the session the unit's items were read in
    ladder: tuple[Step, ...] = ()

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

    def record(self, voltage: float | None = None, *, session: bool = False) -> Record:
        """The typed identification record every face renders (its JSON reads back into an
        equal record); ``session``: with the battery voltage read beside it."""
        from g15diag.app.export import record as rec

        serial = self.by_role("serial")
        vin = self.vin
        unit, target = self.unit, self.target
        check = vin.check
        return rec.Record(
            read_at_text=self.read_at,
            simulated=self.simulated,
            items=tuple(_record_item(r) for r in self.items),
            head_unit=rec.HeadUnit(
                name=unit.name,
                request_id=can_id_text(target.request_id),
                response_id=can_id_text(target.response_id),
                bitrate=target.bitrate,
                family=self.family,
                confidence=unit.confidence,
                address_source=unit.source,
                session=self.session,
            ),
            adapter=rec.AdapterSeen(self.adapter.kind, self.adapter.identity, self.adapter.port),
            serial=serial.text if serial else None,
            serial_hex=serial.raw.hex().upper() if serial and serial.raw is not None else None,
            serial_identifier=serial.item.key if serial else None,
            serial_reads=self.serial_reads,
            vin=vin.value,
            vin_source=vin.source,
            vin_engine=vin.engine,
            vin_head_unit=vin.head_unit,
            vin_mismatch=vin.mismatch,
            vin_check=(
                rec.VinCheckRecord(check.valid, tuple(check.errors), tuple(check.warnings))
                if check
                else None
            ),
            profile=self.profile.name,
            vehicle_name=self.profile.vehicle,
            tool_version=self.tool_version,
            ladder=tuple(_ladder_step(s) for s in self.ladder),
            battery_voltage=voltage,
            voltage_read=session,
        )

    def to_dict(self) -> dict[str, Any]:
        """The versioned ``identify --json`` object (also what ``export --from`` reads)."""
        return self.record().to_dict()


# -- the JSON form: written by the identification record (g15diag.app.export.record) ---


def _record_item(result: ItemResult) -> RecordItem:
    """The record's item for one read item."""
    from g15diag.app.export.record import RecordItem

    engine = result.ecu == "engine"
    request = obd.vin_request() if engine else result.item.request  # names the NRC: UDS/KWP
    decoded = result.decoded
    as_text = decoded is not None and result.item.decoding in ("ascii", "vin")
    block = result.block() if result.item.decoding == "renault_block" else None
    return RecordItem(
        key=result.item.key,
        label=result.item.label,
        ecu=result.ecu,
        family=result.item.family,
        role=result.item.role or None,
        request="09 02" if engine else result.item.request.hex(" ").upper(),
        status=result.status,
        nrc=f"0x{result.nrc:02X}" if result.nrc is not None else None,
        nrc_name=uds.nrc_name(result.nrc, request) if result.nrc is not None else None,
        detail=result.detail or None,
        text=result.text,
        hex=result.raw.hex().upper() if result.raw is not None else None,
        length=len(result.raw) if result.raw is not None else None,
        session=result.session,
        padding_hex=decoded.padding.hex().upper() if decoded and as_text else None,
        printable=decoded.clean if decoded and as_text else None,
        fields=_block_fields(block) if block is not None else None,
    )


def _block_fields(block: kwp.RenaultBlock) -> dict[str, str]:
    return {
        "part_fragment": block.part_fragment.decode("latin-1"),
        "diag_version": f"0x{block.diag_version:02X}",
        "supplier": block.supplier.decode("latin-1"),
        "hardware_fragment": block.hardware_fragment.decode("latin-1"),
        "software_number": block.software_number.hex().upper(),
        "software_version": block.software_version.hex().upper(),
    }


def _ladder_step(step: Step) -> LadderStep:
    reply = step.reply
    from g15diag.app.export.record import LadderStep

    return LadderStep(
        rung=step.rung,
        request=reply.request.hex(" ").upper(),
        session=reply.session.value,
        outcome=reply.outcome.value,
        nrc=f"0x{reply.nrc:02X}" if reply.nrc is not None else None,
    )


def item_dict(result: ItemResult) -> dict[str, Any]:
    """One entry of ``items`` in the JSON object."""
    return _record_item(result).to_dict()


def to_dict(result: IdentifyResult) -> dict[str, Any]:
    """See :meth:`IdentifyResult.to_dict`."""
    return result.record().to_dict()
