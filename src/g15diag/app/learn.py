"""``profile learn``: a field report (``discover --report``) becomes a profile, and a CI case.

The profile is the shipped one's text with the report's unit first (request/response IDs,
the bit rate it answered at, its family), the serial candidate as the serial ``[[item]]``
and a ``[[rung]]`` reading it in the session it answered in; ``source`` names the report
and ``confidence`` says "one field report". Nothing here is presented as fact for every G15:
one car, one report. The CI case is the report's trace, its sidecar with the unit's pair
first and the ``expected`` block tests/test_trace_fixtures.py checks.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from g15diag.errors import UsageError
from g15diag.protocol.session import Session

CONFIDENCE = "one field report"
#: the rung a unit of each family climbs first (the shipped ladder's names)
FIRST_RUNG = {"uds": "uds-default", "kwp": "kwp-default"}


@dataclass(frozen=True)
class SerialCandidate:
    """One serial candidate of the report: where it answered and what it is."""

    request_id: int
    response_id: int
    bitrate: int
    unit: str
    request: bytes  # 22 F1 A7, 1A 9E, 21 83
    session: Session
    text: str  # as the report shows it (masked: stars and the last 4 characters)

    @property
    def family(self) -> str:
        return "uds" if self.request[0] == 0x22 else "kwp"

    @property
    def item_id(self) -> str:
        """The profile's ``id``: ``0xF1A7`` (UDS DID) or ``0x1A9E`` / ``0x2183`` (KWP)."""
        key = self.request[1:] if self.family == "uds" else self.request
        return "0x" + key.hex().upper()

    def line(self) -> str:
        return (
            f"{self.item_id}  at 0x{self.request_id:03X}/0x{self.response_id:03X}, "
            f"{self.bitrate // 1000} kbit/s, {self.session.label} session: {self.text!r}"
        )


@dataclass(frozen=True)
class Report:
    """What ``profile learn`` needs of a report: its discover result and its trace."""

    name: str
    discover: dict[str, Any]
    trace: bytes
    sidecar: dict[str, Any]


def read_report(path: str | Path) -> Report:
    """The report zip at ``path`` (a UsageError for anything that is not one)."""
    source = Path(path)
    try:
        with zipfile.ZipFile(source) as archive:
            discover = json.loads(archive.read("discover.json"))
            trace = archive.read("trace.log")
            sidecar = json.loads(archive.read("trace.json"))
    except FileNotFoundError:
        raise UsageError(f"{source}: no such file.") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UsageError(
            f"{source} is not a g15diag field report (discover --report FILE.zip): {exc}."
        ) from None
    if not isinstance(discover, dict) or not isinstance(discover.get("units"), list):
        raise UsageError(f"{source}: its discover.json has no units list.")
    return Report(source.name, discover, trace, sidecar if isinstance(sidecar, dict) else {})


def candidates(report: Report) -> list[SerialCandidate]:
    """Every serial candidate of the report's units, in the report's order."""
    found = []
    for unit in report.discover["units"]:
        for item in unit.get("items", []):
            if not item.get("serial_candidate"):
                continue
            found.append(
                SerialCandidate(
                    int(unit["request_id"], 16),
                    int(unit["response_id"], 16),
                    int(unit["bitrate"]),
                    str(unit.get("name", "")),
                    bytes.fromhex(item["request"]),
                    Session(item.get("session", "default")),
                    str(item.get("text") or ""),
                )
            )
    return found


def choose(found: list[SerialCandidate], item: str | None) -> SerialCandidate:
    """The one candidate to learn: the only one, or the one ``--item`` names (``0xF1A7``,
    ``F1A7``, ``22F1A7``); a UsageError listing them otherwise."""
    if not found:
        raise UsageError(
            "The report has no serial candidate: no unit gave a value that looks like a serial. "
            "Nothing to learn; send the report to the project."
        )
    if item is not None:
        wanted = item.upper().removeprefix("0X").replace(" ", "")
        picked = [
            c for c in found if wanted in (c.item_id[2:], c.request.hex().upper())
        ]  # fmt: skip
        if len(picked) == 1:
            return picked[0]
        raise UsageError(f"--item {item} names {len(picked)} candidates:\n" + _listing(found))
    if len(found) > 1:
        raise UsageError(
            f"The report has {len(found)} serial candidates; pick one with --item ID "
            "(compare each with the label on the unit):\n" + _listing(found)
        )
    return found[0]


def _listing(found: list[SerialCandidate]) -> str:
    return "\n".join(f"  {c.line()}" for c in found)


def learned_profile(base_text: str, cand: SerialCandidate, report_name: str) -> str:
    """``base_text`` (a profile's TOML) with the candidate's unit first, its serial item and
    the rung that reads it, each with ``source`` naming the report."""
    from g15diag.vehicles import profiles

    base = profiles.loads(base_text, "the base profile")
    source = f"field report {report_name}"
    rung = next(
        (
            r.name
            for r in base.ladder
            if r.session is cand.session and [i.key for i in r.items] == [cand.item_id]
        ),
        None,
    )
    blocks = []
    if not any(i.key == cand.item_id for i in base.items):
        blocks.append(
            "[[item]]\n"
            f'id = "{cand.item_id}"\n'
            f'label = "Serial number ({cand.item_id}, learned from {_quote(source)})"\n'
            f'family = "{cand.family}"\n'
            'role = "serial"\n'
            'decoding = "ascii"\n'
            f'source = "{_quote(source)}"\n'
        )
    if rung is None:
        rung = f"learned-{cand.item_id[2:].lower()}-{cand.session.value}"
        blocks.append(
            "[[rung]]\n"
            f'name = "{rung}"\n'
            f'session = "{cand.session.value}"\n'
            f'items = ["{cand.item_id}"]\n'
            f'source = "{_quote(source)}"\n'
        )
    first = FIRST_RUNG[cand.family]
    ladder = [first] if rung == first else [first, rung]
    unit = (
        "# Learned from a field report by `g15diag profile learn`: one car, one report.\n"
        "[[head_unit]]\n"
        f'name = "Unit at {cand.request_id:03X} (learned from {_quote(source)})"\n'
        f'request = "{cand.request_id:03X}"\n'
        f'response = "{cand.response_id:03X}"\n'
        f"bitrates = [{cand.bitrate}]\n"
        f'family = "{cand.family}"\n'
        f"ladder = {json.dumps(ladder)}\n"
        f'confidence = "{CONFIDENCE}"\n'
        f'source = "{_quote(source)}"\n\n'
    )
    at = base_text.find("\n[[head_unit]]")
    if at < 0:
        raise UsageError("The base profile has no [[head_unit]] table to put the unit before.")
    text = base_text[: at + 1] + unit + base_text[at + 1 :]
    text = text.rstrip("\n") + "\n\n" + "\n".join(blocks) if blocks else text
    profiles.loads(text, "the learned profile")  # it must load as every profile does
    return text if text.endswith("\n") else text + "\n"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fixture_sidecar(report: Report, cand: SerialCandidate) -> dict[str, Any]:
    """The report's sidecar with the unit's pair first (the tests decode ``ids[0]``); the
    ``expected`` block is added by :func:`expected` once the trace is in place."""
    side = dict(report.sidecar)
    pair = {
        "request": f"0x{cand.request_id:03X}",
        "response": f"0x{cand.response_id:03X}",
        "bitrate": cand.bitrate,
    }
    ids = [i for i in side.get("ids", []) if i != pair]
    side["ids"] = [pair, *ids]
    side.pop("expected", None)
    return side


def expected(
    trace: Path, cand: SerialCandidate, profile_arg: str, profile_path: Path
) -> dict[str, Any]:
    """The ``expected`` block for ``trace`` (already in place) and the learned profile."""
    from g15diag.app import api
    from g15diag.traces import read_frames
    from g15diag.traces.decode import transactions, wanted_ids

    def tsv(req: int | None, resp: int | None) -> str:
        stream = transactions(read_frames(str(trace), wanted_ids(req, resp)), req, resp)
        return "".join(txn.tsv() + "\n" for txn in stream)

    result = api.read_serial(port=f"replay:{trace}", profile=str(profile_path))
    data = result.to_dict()
    keys = ("serial", "identifier", "session", "request_id", "bitrate")
    return {
        "tsv": tsv(cand.request_id, cand.response_id),
        "tsv_all": tsv(None, None),
        "runs": [
            {
                "args": ["read-serial", "--json", "--profile", profile_arg],
                "exit": 0,
                "json": {k: data[k] for k in keys},
            }
        ],
    }


def to_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
