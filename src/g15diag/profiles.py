"""Vehicle profiles: vehicle knowledge (addresses, bit rates, sources) kept as TOML data."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from g15diag.errors import UsageError
from g15diag.transport.base import Target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PROFILE = "almera-g15"


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

    def target(self, bitrate: int | None = None) -> Target:
        return Target(self.request_id, self.response_id, bitrate or self.bitrates[0])


@dataclass(frozen=True)
class Profile:
    """A vehicle: its head-unit candidates in search order and its engine ECU."""

    name: str
    vehicle: str
    note: str
    engine: Candidate
    head_units: tuple[Candidate, ...]
    path: str


def packaged_profiles() -> list[str]:
    """Names of the profiles shipped with the package."""
    folder = resources.files("g15diag") / "vehicles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """Load a shipped profile by name, or a user's TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Cannot read profile {path}: {exc.strerror or exc}.") from exc
        where = str(path)
    else:
        ref = resources.files("g15diag") / "vehicles" / f"{name_or_path}.toml"
        if not ref.is_file():
            raise UsageError(
                f"No profile named {name_or_path!r}; shipped: {', '.join(packaged_profiles())}."
            )
        text, where = ref.read_text(encoding="utf-8"), f"{name_or_path}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"Profile {where} is not valid TOML: {exc}.") from exc
    return parse(data, where)


def parse(data: dict[str, Any], where: str) -> Profile:
    """Validate profile data; errors name the file and field."""
    engine = _candidate(_table(data, "engine", where), "engine", where)
    units = data.get("head_unit")
    if not isinstance(units, list) or not units:
        raise UsageError(f"Profile {where}: needs at least one [[head_unit]] table.")
    head_units = tuple(_candidate(unit, f"head_unit[{i}]", where) for i, unit in enumerate(units))
    return Profile(
        name=_text(data, "name", where, "profile"),
        vehicle=_text(data, "vehicle", where, "profile"),
        note=str(data.get("note", "")),
        engine=engine,
        head_units=head_units,
        path=where,
    )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise UsageError(f"Profile {where}: missing table [{key}].")
    return value


def _text(data: dict[str, Any], key: str, where: str, ctx: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise UsageError(f"Profile {where}: {ctx}.{key} must be a non-empty string.")
    return value


def _can_id(data: dict[str, Any], key: str, where: str, ctx: str) -> int:
    text = _text(data, key, where, ctx)
    try:
        value = int(text, 16)
    except ValueError:
        raise UsageError(f"Profile {where}: {ctx}.{key} = {text!r} is not a hex CAN ID.") from None
    if not 0 <= value <= 0x1FFFFFFF:
        raise UsageError(f"Profile {where}: {ctx}.{key} = {text!r} is out of range.")
    return value


def _candidate(data: dict[str, Any], ctx: str, where: str) -> Candidate:
    rates = data["bitrates"] if "bitrates" in data else [data.get("bitrate", 500000)]
    if not isinstance(rates, list) or not rates or any(r not in (500_000, 250_000) for r in rates):
        raise UsageError(f"Profile {where}: {ctx}.bitrates must list 500000 and/or 250000.")
    family = data.get("family", "uds")
    if family not in ("uds", "kwp"):
        raise UsageError(f"Profile {where}: {ctx}.family must be 'uds' or 'kwp'.")
    return Candidate(
        name=_text(data, "name", where, ctx),
        request_id=_can_id(data, "request", where, ctx),
        response_id=_can_id(data, "response", where, ctx),
        bitrates=tuple(rates),
        family=family,
        confidence=str(data.get("confidence", "unknown")),
        source=str(data.get("source", "")),
    )
