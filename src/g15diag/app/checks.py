"""The self-test's vocabulary: one :class:`Check` per line, the :class:`DoctorReport` verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, MISSING, WARNING = "ok", "missing", "warning"
LACKING = ("lacks_commands", "optional_command")  # the kinds of a command the adapter lacks
USABLE, LIMITED, NOT_USABLE = "usable", "usable with limits", "not usable"


@dataclass(frozen=True)
class Check:
    """One line of the self-test: ok / missing / warning, why, and what to do."""

    name: str
    status: str
    detail: str
    required: bool = True
    advice: str = ""
    kind: str = ""  # the advice's key in the page's catalogue (g15diag/lang, [advice])
    params: dict[str, str] = field(default_factory=dict, compare=False)  # its {names}


@dataclass
class DoctorReport:
    """Everything the self-test found, and the verdict."""

    port: str
    simulated: bool
    baud: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    voltage: float | None = None
    voltage_text: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if any(c.status == MISSING and c.required for c in self.checks):
            return NOT_USABLE
        if any(c.status != OK for c in self.checks):
            return LIMITED
        return USABLE

    @property
    def usable(self) -> bool:
        return self.verdict != NOT_USABLE

    @property
    def advice_kinds(self) -> list[tuple[str, dict[str, str]]]:
        """(kind, params) of :attr:`advice`, in its order, for faces that translate by kind."""
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for check in self._advised():
            out.setdefault(check.advice, (check.kind or "other", check.params))
        return list(out.values())

    def _advised(self) -> list[Check]:
        ordered = [c for c in self.checks if c.status == MISSING and c.required]
        ordered += [c for c in self.checks if c not in ordered and c.status != OK]
        return [c for c in ordered if c.advice]

    @property
    def advice(self) -> list[str]:
        """What a technician can do, most important first, without repeats."""
        ordered = [c for c in self.checks if c.status == MISSING and c.required]
        ordered += [c for c in self.checks if c not in ordered and c.status != OK]
        out: list[str] = []
        for check in ordered:
            if check.advice and check.advice not in out:
                out.append(check.advice)
        return out

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The one JSON form (``doctor --json``, the page, ``discover --report``'s
        doctor.json), schema_version 1: ``checks`` maps each check to its status and
        ``details`` to its line, in the order they ran."""
        return {
            "schema_version": 1,
            "port": self.port,
            "simulated": self.simulated,
            "baud": self.baud,
            "verdict": self.verdict,
            "usable": self.usable,
            "identity": self.identity,
            "voltage": self.voltage,
            "voltage_text": self.voltage_text,
            "checks": {c.name: c.status for c in self.checks},
            "details": {c.name: c.detail for c in self.checks},
            "advice": self.advice,
            # for faces that say it in their own words (the page): what it lacks, and the
            # advice as [kind, {params}] (the catalogue's [advice] keys, g15diag/lang)
            "lacking": [c.name for c in self.checks if c.kind in LACKING],
            "advice_kinds": [[kind, params] for kind, params in self.advice_kinds],
        }
