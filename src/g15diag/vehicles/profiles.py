"""Vehicle profiles: vehicle knowledge (addresses, bit rates, identifiers, sources) as TOML.

A profile names the vehicle, its head-unit candidates in search order, the identification
items to read and the engine ECU for the VIN. Shipped profiles live in
``g15diag/vehicles/*.toml``; ``--profile FILE`` loads a user's own. Every error names the file,
the line and the field (tomllib gives lines only for syntax errors, so the line of a key is
looked up in the text here).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from g15diag.errors import UsageError
from g15diag.protocol.can import BITRATES, Target
from g15diag.protocol.session import Session
from g15diag.system import inputs
from g15diag.vehicles.toml_lines import line_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PROFILE = "almera-g15"
SCHEMA = 1
FAMILIES = ("uds", "kwp")
DECODINGS = ("ascii", "vin", "byte", "hex", "renault_block")
ROLES = ("serial", "part_number", "supplier", "hardware", "software", "vin", "diag_version", "")


class ProfileError(UsageError):
    """A profile is unreadable or invalid; knows the file, line and field."""

    def __init__(self, file: str, line: int | None, field: str, problem: str) -> None:
        self.file, self.line, self.field = file, line, field
        where = f"{file}, line {line}" if line else file
        super().__init__(
            f"Bad profile {where}: {field} {problem}",
            hint="Fix the profile; `g15diag profile show almera-g15` prints a valid one.",
        )


@dataclass(frozen=True)
class Candidate:
    """One place an ECU may answer: request/response IDs, bit rates, protocol family."""

    name: str
    request_id: int
    response_id: int
    bitrates: tuple[int, ...]
    family: str = "uds"
    confidence: str = "unknown"
    source: str = ""
    #: names of the profile's rungs this candidate climbs, in order; () = every rung
    ladder: tuple[str, ...] = ()

    def target(self, bitrate: int | None = None) -> Target:
        return Target(self.request_id, self.response_id, bitrate or self.bitrates[0])


@dataclass(frozen=True)
class Item:
    """One identification item: ``0xF18C`` (UDS 22 F1 8C) or ``0x2180`` (KWP 21 80)."""

    key: str
    family: str
    label: str
    role: str
    decoding: str
    source: str = ""

    @property
    def request(self) -> bytes:
        """The request PDU this item sends."""
        from g15diag.protocol import kwp, uds  # requests are built in the protocol layer

        value = int(self.key, 16)
        if self.family == "uds":
            return uds.read_data_by_identifier(value)
        service, option = value >> 8, value & 0xFF
        if service == kwp.READ_DATA_BY_LOCAL_IDENTIFIER:
            return kwp.read_local_identifier(option)
        return kwp.read_ecu_identification(option)


@dataclass(frozen=True)
class Rung:
    """One step of the identification ladder: a session, then the items read in it."""

    name: str
    session: Session
    items: tuple[Item, ...]
    source: str = ""

    @property
    def has_serial(self) -> bool:
        return any(i.role == "serial" for i in self.items)


def parse_address(text: str, bitrate: int) -> Target:
    """``7A0:7A8`` -> Target; IDs in hex; above 0x7FF means 29-bit."""
    try:
        req_text, resp_text = text.split(":")
        req, resp = int(req_text, 16), int(resp_text, 16)
    except ValueError:
        raise UsageError(
            f"--address {text!r} is not REQ:RESP in hex (for example 7A0:7A8)."
        ) from None
    for value in (req, resp):
        if not 0 <= value <= 0x1FFFFFFF:
            raise UsageError(f"--address {text!r}: CAN ID out of range.")
    return Target(req, resp, bitrate)


def address_candidate(address: str, bitrate: int) -> Candidate:
    """A one-entry candidate for ``REQ:RESP`` given by the user (``--address``)."""
    target = parse_address(address, bitrate)
    return Candidate(
        "given with --address",
        target.request_id,
        target.response_id,
        (bitrate,),
        source="--address",
    )


@dataclass(frozen=True)
class Profile:
    """A vehicle: head-unit candidates in search order, identification items, engine ECU."""

    name: str
    vehicle: str
    note: str
    engine: Candidate
    head_units: tuple[Candidate, ...]
    items: tuple[Item, ...]
    path: str
    scan_response_offset: int = 0x20
    ladder: tuple[Rung, ...] = ()

    def items_of(self, family: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.family == family)

    def rungs_for(self, candidate: Candidate) -> tuple[Rung, ...]:
        """The ladder ``candidate`` climbs (its own list, or the whole ladder).

        A profile without a ladder climbs one default-session rung: the first item of the
        candidate's family (what g15diag did before the ladder existed).
        """
        if not self.ladder:
            first = self.items_of(candidate.family)[:1] or self.items[:1]
            return (Rung("default", Session.DEFAULT, first),)
        if not candidate.ladder:
            return self.ladder
        by_name = {r.name: r for r in self.ladder}
        return tuple(by_name[n] for n in candidate.ladder if n in by_name)


def packaged_profiles() -> list[str]:
    """Names of the profiles shipped with the package."""
    folder = resources.files("g15diag") / "vehicles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _names_a_file(path: Path) -> bool:
    """A path (``*.toml`` or an existing file) rather than a shipped profile's name."""
    try:
        return path.suffix == ".toml" or path.exists()
    except (OSError, ValueError):  # a name too long to look up: reading it says why
        return True


def load(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """Load a shipped profile by name, or a user's TOML file by path."""
    path = Path(name_or_path)
    if _names_a_file(path):
        try:
            text = inputs.read_text(path, "the profile")  # bounded; no FIFO or device
        except inputs.InputError as exc:
            raise ProfileError(str(path), None, "file", f"cannot be read: {exc.reason}") from exc
        where = str(path)
    else:
        ref = resources.files("g15diag") / "vehicles" / f"{name_or_path}.toml"
        if not ref.is_file():
            raise UsageError(
                f"No profile named {name_or_path!r}; shipped: {', '.join(packaged_profiles())}."
            )
        text, where = ref.read_text(encoding="utf-8"), f"{name_or_path}.toml"
    return loads(text, where)


def loads(text: str, where: str) -> Profile:
    """Parse and validate profile text; ``where`` names it in errors."""
    inputs.check_structure(text, f"The profile {where}", comments=True)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ProfileError(
            where, int(match.group(1)) if match else None, "TOML", f"is not valid: {exc}."
        ) from exc
    return _Parser(data, text, where).profile()


class _Parser:
    def __init__(self, data: dict[str, Any], text: str, where: str) -> None:
        self.data, self.text, self.where = data, text, where
        self.rung_names: set[str] = set()
        self.first_rungs: set[str] = set()

    def fail(self, path: tuple[str | int, ...], problem: str) -> ProfileError:
        field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(
            ".[", "["
        )
        return ProfileError(self.where, line_of(self.text, path), field, problem)

    def profile(self) -> Profile:
        data = self.data
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise self.fail(("schema",), f"is {schema!r}; this g15diag reads schema {SCHEMA}.")
        engine = data.get("engine")
        if not isinstance(engine, dict):
            raise self.fail(("engine",), "is missing: add an [engine] table.")
        engine_candidate = self.candidate(engine, ("engine",))
        units = data.get("head_unit")
        if not isinstance(units, list) or not units:
            raise self.fail(("head_unit",), "is missing: add at least one [[head_unit]] table.")
        items = data.get("item")
        if not isinstance(items, list) or not items:
            raise self.fail(("item",), "is missing: add at least one [[item]] table.")
        parsed_items = tuple(self.item(x, ("item", i)) for i, x in enumerate(items))
        ladder = self.ladder(data.get("rung", []), parsed_items)
        self.rung_names = {r.name for r in ladder}
        keys = [i.key for i in parsed_items]
        for n, key in enumerate(keys):
            if key in keys[:n]:
                raise self.fail(("item", n, "id"), f"{key} is listed twice.")
        scan = data.get("scan", {})
        offset = 0x20
        if isinstance(scan, dict) and "response_offset" in scan:
            offset = self.hex_int(scan, ("scan", "response_offset"), 0x7FF)
        return Profile(
            name=self.text_of(data, ("name",)),
            vehicle=self.text_of(data, ("vehicle",)),
            note=str(data.get("note", "")),
            engine=engine_candidate,
            head_units=tuple(self.candidate(u, ("head_unit", i)) for i, u in enumerate(units)),
            items=parsed_items,
            path=self.where,
            scan_response_offset=offset,
            ladder=ladder,
        )

    def ladder(self, rungs: Any, items: tuple[Item, ...]) -> tuple[Rung, ...]:
        if not isinstance(rungs, list):
            raise self.fail(("rung",), "must be [[rung]] tables.")
        by_key = {i.key: i for i in items}
        out = []
        for n, data in enumerate(rungs):
            path: tuple[str | int, ...] = ("rung", n)
            if not isinstance(data, dict):
                raise self.fail(path, "must be a table.")
            name = self.text_of(data, (*path, "name"))
            try:
                session = Session.from_text(str(data.get("session", "default")))
            except ValueError as exc:
                raise self.fail((*path, "session"), f"{exc}.") from None
            keys = data.get("items")
            if not isinstance(keys, list) or not keys:
                raise self.fail((*path, "items"), "must list item ids, e.g. ['0xF18C'].")
            found = []
            for key in keys:
                norm = "0x" + str(key)[2:].upper()
                if norm not in by_key:
                    raise self.fail((*path, "items"), f"names {key!r}, which no [[item]] has.")
                found.append(by_key[norm])
            out.append(Rung(name, session, tuple(found), str(data.get("source", ""))))
        names = [r.name for r in out]
        for n, name in enumerate(names):
            if name in names[:n]:
                raise self.fail(("rung", n, "name"), f"{name!r} is listed twice.")
        if out and out[0].session is not Session.DEFAULT:
            raise self.fail(
                ("rung", 0, "session"),
                "must be 'default': the first read finds the unit, and a session is entered "
                "only after a refusal there.",
            )
        self.first_rungs = {r.name for r in out if r.session is Session.DEFAULT}
        return tuple(out)

    def text_of(self, table: dict[str, Any], path: tuple[str | int, ...]) -> str:
        value = table.get(str(path[-1]))
        if not isinstance(value, str) or not value:
            raise self.fail(path, "must be a non-empty string.")
        return value

    def hex_int(self, table: dict[str, Any], path: tuple[str | int, ...], top: int) -> int:
        text = self.text_of(table, path)
        try:
            value = int(text, 16)
        except ValueError:
            raise self.fail(path, f"= {text!r} is not hexadecimal.") from None
        if not 0 <= value <= top:
            raise self.fail(path, f"= {text!r} is out of range (0-{top:X}).")
        return value

    def candidate(self, data: Any, path: tuple[str | int, ...]) -> Candidate:
        if not isinstance(data, dict):
            raise self.fail(path, "must be a table.")
        key = "bitrates" if "bitrates" in data else "bitrate"
        rates = data[key] if key == "bitrates" else [data.get("bitrate", 500_000)]
        if not isinstance(rates, list) or not rates or any(r not in BITRATES for r in rates):
            raise self.fail((*path, key), "must list 500000 and/or 250000.")
        family = data.get("family", "uds")
        if family not in FAMILIES:
            raise self.fail((*path, "family"), f"= {family!r} must be 'uds' or 'kwp'.")
        ladder = data.get("ladder", [])
        if not isinstance(ladder, list) or not all(isinstance(x, str) for x in ladder):
            raise self.fail((*path, "ladder"), "must list rung names.")
        for name in ladder:
            if name not in self.rung_names:
                raise self.fail((*path, "ladder"), f"names {name!r}, which no [[rung]] has.")
        if ladder and ladder[0] not in self.first_rungs:
            raise self.fail(
                (*path, "ladder"),
                f"starts with {ladder[0]!r}: the first rung must be a "
                "default-session one (a session is entered only after a refusal).",
            )
        return Candidate(
            ladder=tuple(ladder),
            name=self.text_of(data, (*path, "name")),
            request_id=self.hex_int(data, (*path, "request"), 0x1FFFFFFF),
            response_id=self.hex_int(data, (*path, "response"), 0x1FFFFFFF),
            bitrates=tuple(rates),
            family=family,
            confidence=str(data.get("confidence", "unknown")),
            source=str(data.get("source", "")),
        )

    def item(self, data: Any, path: tuple[str | int, ...]) -> Item:
        if not isinstance(data, dict):
            raise self.fail(path, "must be a table.")
        family = data.get("family", "uds")
        if family not in FAMILIES:
            raise self.fail((*path, "family"), f"= {family!r} must be 'uds' or 'kwp'.")
        key = self.text_of(data, (*path, "id"))
        pattern = r"0x[0-9A-F]{4}" if family == "uds" else r"0x(21|1A)[0-9A-F]{2}"
        if not re.fullmatch(pattern, key, re.IGNORECASE):
            example = "'0xF18C'" if family == "uds" else "'0x2180' (21 80) or '0x1A8C'"
            raise self.fail((*path, "id"), f"= {key!r} is not an identifier like {example}.")
        decoding = data.get("decoding", "ascii")
        if decoding not in DECODINGS:
            raise self.fail((*path, "decoding"), f"= {decoding!r}: use one of {DECODINGS}.")
        role = data.get("role", "")
        if role not in ROLES:
            raise self.fail((*path, "role"), f"= {role!r}: use one of {ROLES[:-1]} or omit it.")
        return Item(
            key="0x" + key[2:].upper(),
            family=family,
            label=self.text_of(data, (*path, "label")),
            role=role,
            decoding=decoding,
            source=str(data.get("source", "")),
        )


def source_text(name_or_path: str = DEFAULT_PROFILE) -> str:
    """The TOML text of a profile (shipped name or file), for ``g15diag profile show``."""
    load(name_or_path)  # the same resolution and checks as every command
    path = Path(name_or_path)
    if _names_a_file(path):
        return inputs.read_text(path, "the profile")
    ref = resources.files("g15diag") / "vehicles" / f"{name_or_path}.toml"
    return ref.read_text(encoding="utf-8")
