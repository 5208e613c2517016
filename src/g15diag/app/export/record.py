"""The identification record: the one typed result of ``identify`` that every face renders.

``identify``'s text and ``--json``, the page, the dealer sheet in every format and ``export
--from`` all use :class:`Record`. It is made from a read
(:meth:`g15diag.app.results.IdentifyResult.record`) or from a saved
``identify --json`` object (:func:`parse`, after :func:`~.record_check.check`); its JSON is
written by :meth:`Record.to_dict` and reads back into an equal record
(``parse(r.to_dict()) == r``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from g15diag.app.export.record_check import check, session_of, time_of
from g15diag.errors import UsageError
from g15diag.protocol.session import Session
from g15diag.system import inputs

SCHEMA_VERSION = 1
BLOCK_KEY = "0x2180"  # the Renault 21 80 identification block


@dataclass(frozen=True)
class RecordItem:
    """One identification item, as read (``items`` of the JSON object)."""

    key: str
    label: str
    text: str | None
    hex: str | None
    status: str
    role: str | None
    ecu: str = "head_unit"
    nrc: str | None = None
    nrc_name: str | None = None
    padding_hex: str | None = None  # None: not decoded as text (no such key in the JSON)
    session: Session | None = None  # None: not asked, or a file from before sessions
    family: str | None = None
    request: str | None = None
    detail: str | None = None
    length: int | None = None
    printable: bool | None = None  # None: not decoded as text
    fields: dict[str, str] | None = None  # a Renault 21 80 block's fields

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "ecu": self.ecu,
            "family": self.family,
            "role": self.role,
            "request": self.request,
            "status": self.status,
            "nrc": self.nrc,
            "nrc_name": self.nrc_name,
            "detail": self.detail,
            "text": self.text,
            "hex": self.hex,
            "length": self.length,
            "session": self.session.value if self.session is not None else None,
        }
        if self.padding_hex is not None:
            out["padding_hex"] = self.padding_hex
        if self.printable is not None:
            out["printable"] = self.printable
        if self.fields is not None:
            out["fields"] = dict(self.fields)
        return out


@dataclass(frozen=True)
class HeadUnit:
    """Where the head unit answered (``head_unit`` of the JSON object)."""

    name: str | None = None
    request_id: str | None = None
    response_id: str | None = None
    bitrate: int | None = None
    family: str | None = None
    confidence: str | None = None
    address_source: str | None = None
    session: Session | None = None  # the session the unit's items were read in

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["session"] = self.session.value if self.session is not None else None
        return out


@dataclass(frozen=True)
class LadderStep:
    """One request of the identification ladder (``ladder`` of the JSON object)."""

    rung: str | None
    request: str | None
    session: str | None
    outcome: str | None
    nrc: str | None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class VinCheckRecord:
    """The ISO 3779 check of the VIN (``vin_check``)."""

    valid: bool
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "errors": list(self.errors), "warnings": list(self.warnings)}


@dataclass(frozen=True)
class AdapterSeen:
    """The adapter the read went through (``adapter``)."""

    kind: str | None = None
    identity: str | None = None
    port: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "identity": self.identity, "port": self.port}


@dataclass(frozen=True)
class Record:
    """Everything ``identify`` learned (and, for a session, the battery voltage), typed."""

    read_at_text: str
    simulated: bool
    items: tuple[RecordItem, ...]
    head_unit: HeadUnit
    adapter: AdapterSeen
    serial: str | None = None
    serial_hex: str | None = None
    serial_identifier: str | None = None
    serial_reads: int | None = None
    vin: str | None = None
    vin_source: str | None = None
    vin_engine: str | None = None
    vin_head_unit: str | None = None
    vin_mismatch: bool = False
    vin_check: VinCheckRecord | None = None
    profile: str | None = None
    vehicle_name: str | None = None
    tool_version: str = ""
    ladder: tuple[LadderStep, ...] = ()
    battery_voltage: float | None = None
    voltage_read: bool = False  # a session: the voltage was asked (None: no reading)
    redacted: bool = False

    # -- its JSON ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The versioned ``identify --json`` object (``battery_voltage`` for a session)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": "g15diag",
            "tool_version": self.tool_version,
            "read_at": self.read_at_text,
            "simulated": self.simulated,
            "profile": self.profile,
            "vehicle": self.vehicle_name,
            "serial": self.serial,
            "serial_hex": self.serial_hex,
            "serial_identifier": self.serial_identifier,
            "serial_reads": self.serial_reads,
            "vin": self.vin,
            "vin_source": self.vin_source,
            "vin_engine": self.vin_engine,
            "vin_head_unit": self.vin_head_unit,
            "vin_mismatch": self.vin_mismatch,
            "vin_check": self.vin_check.to_dict() if self.vin_check else None,
            "part_number": _first_text(self.part_number),
            "supplier": _first_text(self.suppliers),
            "hardware": _first_text(self.hardware),
            "software": _first_text(self.software),
            "head_unit": self.head_unit.to_dict(),
            "ladder": [step.to_dict() for step in self.ladder],
            "adapter": self.adapter.to_dict(),
            "items": {item.key: item.to_dict() for item in self.items},
        }
        if self.voltage_read:
            out["battery_voltage"] = self.battery_voltage
        if self.redacted:
            out["redacted"] = True
        return out

    def with_voltage(self, voltage: float | None) -> Record:
        """The same read with the battery voltage read beside it (a session)."""
        return replace(self, battery_voltage=voltage, voltage_read=True)

    # -- what the faces show -------------------------------------------------------------

    @property
    def read_at(self) -> dt.datetime:
        return time_of(self.read_at_text, "the record")

    @property
    def vehicle(self) -> str:
        return self.vehicle_name or ""

    @property
    def vin_errors(self) -> tuple[str, ...]:
        return self.vin_check.errors if self.vin_check else ()

    @property
    def vin_warnings(self) -> tuple[str, ...]:
        return self.vin_check.warnings if self.vin_check else ()

    @property
    def _head(self) -> tuple[RecordItem, ...]:
        return tuple(i for i in self.items if i.ok and i.ecu != "engine")

    def _roles(self, role: str) -> tuple[RecordItem, ...]:
        return tuple(i for i in self._head if i.role == role)

    @property
    def part_number(self) -> RecordItem | None:
        found = self._roles("part_number")
        return found[0] if found else None

    @property
    def suppliers(self) -> tuple[RecordItem, ...]:
        return self._roles("supplier")

    @property
    def hardware(self) -> tuple[RecordItem, ...]:
        return self._roles("hardware")

    @property
    def software(self) -> tuple[RecordItem, ...]:
        return self._roles("software")

    @property
    def block(self) -> RecordItem | None:
        return next((i for i in self._head if i.key == BLOCK_KEY), None)

    @property
    def serial_item(self) -> RecordItem | None:
        return next((i for i in self.items if i.key == self.serial_identifier), None)

    @property
    def serial_padding_hex(self) -> str | None:
        item = self.serial_item
        return item.padding_hex if item else None

    @property
    def serial_session(self) -> Session | None:
        item = self.serial_item
        return (item.session or self.session) if item else None

    @property
    def session(self) -> Session | None:
        return self.head_unit.session

    @property
    def unit_address(self) -> str:
        return f"{self.head_unit.request_id}/{self.head_unit.response_id}"

    @property
    def unit_name(self) -> str:
        return str(self.head_unit.name or "")

    @property
    def bitrate(self) -> int | None:
        return self.head_unit.bitrate

    @property
    def adapter_identity(self) -> str:
        return str(self.adapter.identity or "")

    @property
    def adapter_port(self) -> str | None:
        return self.adapter.port


def _first_text(found: RecordItem | tuple[RecordItem, ...] | None) -> str | None:
    if isinstance(found, tuple):
        found = found[0] if found else None
    return found.text if found is not None else None


def load(path: str | Path) -> Record:
    """Read a saved ``identify --json`` file (or a GUI session) into a :class:`Record`."""
    text = inputs.read_text(path, "the identify file")  # bounded; no FIFO or device
    inputs.check_structure(text, str(path))  # no huge integer or deep nesting reaches json
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not JSON: {exc}.") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise UsageError(f"{path} holds a value Python cannot read: {exc}.") from exc
    return parse(data, source=str(path))


def parse(data: object, *, source: str = "The object given to export") -> Record:
    """Check ``data`` (an ``identify --json`` object) and type it; UsageError names a fault."""
    check(data, source=source)
    assert isinstance(data, dict)
    hu, adapter = data["head_unit"], data["adapter"]
    vin_check = data.get("vin_check")
    voltage = data.get("battery_voltage")
    return Record(
        read_at_text=data["read_at"],
        simulated=data["simulated"],
        items=tuple(_item(key, value) for key, value in data["items"].items()),
        head_unit=HeadUnit(
            name=_text(hu.get("name")),
            request_id=_text(hu.get("request_id")),
            response_id=_text(hu.get("response_id")),
            bitrate=hu.get("bitrate"),
            family=_text(hu.get("family")),
            confidence=_text(hu.get("confidence")),
            address_source=_text(hu.get("address_source")),
            session=session_of(hu.get("session")),
        ),
        adapter=AdapterSeen(
            _text(adapter.get("kind")), _text(adapter.get("identity")), _text(adapter.get("port"))
        ),
        serial=data.get("serial"),
        serial_hex=data.get("serial_hex"),
        serial_identifier=data.get("serial_identifier"),
        serial_reads=data.get("serial_reads"),
        vin=data.get("vin") or None,
        vin_source=data.get("vin_source"),
        vin_engine=data.get("vin_engine"),
        vin_head_unit=data.get("vin_head_unit"),
        vin_mismatch=bool(data.get("vin_mismatch")),
        vin_check=_vin_check(vin_check) if vin_check is not None else None,
        profile=data.get("profile"),
        vehicle_name=data.get("vehicle"),
        tool_version=data.get("tool_version") or "",
        ladder=tuple(_ladder_step(s) for s in data.get("ladder") or []),
        battery_voltage=None if voltage is None else float(voltage),
        voltage_read="battery_voltage" in data,
        redacted=bool(data.get("redacted")),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _vin_check(data: dict[str, Any]) -> VinCheckRecord:
    errors = tuple(data.get("errors", []))
    return VinCheckRecord(
        bool(data.get("valid", not errors)), errors, tuple(data.get("warnings", []))
    )


def _ladder_step(data: dict[str, Any]) -> LadderStep:
    return LadderStep(*(data.get(k) for k in ("rung", "request", "session", "outcome", "nrc")))


def _item(key: str, item: dict[str, Any]) -> RecordItem:
    return RecordItem(
        key=key,
        label=item.get("label") or key,
        text=item.get("text"),
        hex=item.get("hex"),
        status=item.get("status") or "",
        role=item.get("role"),
        ecu=item.get("ecu") or "head_unit",
        nrc=item.get("nrc"),
        nrc_name=item.get("nrc_name"),
        padding_hex=item.get("padding_hex"),
        session=session_of(item.get("session")),
        family=item.get("family"),
        request=item.get("request"),
        detail=item.get("detail"),
        length=item.get("length"),
        printable=item.get("printable"),
        fields=dict(item["fields"]) if item.get("fields") is not None else None,
    )


__all__ = [
    "AdapterSeen",
    "HeadUnit",
    "LadderStep",
    "Record",
    "RecordItem",
    "VinCheckRecord",
    "load",
    "parse",
]
