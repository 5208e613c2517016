"""What ``identify`` learned, as types and as the versioned ``identify --json`` object.

Every item keeps its raw bytes exactly and the session it was read in; text is derived for
display only. ``session`` (item level and ``head_unit.session``) is one of the stable values
of :class:`g15diag.protocol.session.Session`: ``default``, ``uds_extended`` (10 03),
``kwp_after_sales`` (10 C0), ``kwp_standard`` (10 81).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from g15diag import __version__, identifiers
from g15diag.app.outcome import Outcome, Reply
from g15diag.app.search import Attempt, Step
from g15diag.profiles import Candidate, Item, Profile
from g15diag.protocol import kwp, obd
from g15diag.protocol.session import Session
from g15diag.transport.base import AdapterInfo, Target, can_id_text

if TYPE_CHECKING:
    from g15diag.app.export.record import Record

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
    def of(cls, item: Item, reply: Reply, *, detail: str = "", ecu: str = "head_unit"):  # type: ignore[no-untyped-def]
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
        from g15diag.app.export.record import Record

        return Record.of(self, voltage, session=session)

    def to_dict(self) -> dict[str, Any]:
        """The versioned ``identify --json`` object (also what ``export --from`` reads)."""
        return self.record().to_dict()


# -- the JSON form: written by the identification record (g15diag.app.export.record) ------


def item_dict(result: ItemResult) -> dict[str, Any]:
    """One entry of ``items`` in the JSON object."""
    from g15diag.app.export.record import Item

    return Item.of(result).to_dict()


def to_dict(result: IdentifyResult) -> dict[str, Any]:
    """See :meth:`IdentifyResult.to_dict`."""
    return result.record().to_dict()
