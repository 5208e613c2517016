"""Read the head unit's serial number, confirmed by identical reads.

The unit is found by the one search (:mod:`g15diag.app.search`), at every bit rate the
candidates list, and the identification ladder is climbed there until a rung yields the
serial (UDS ``22 F18C``, in the default session or ``10 03``; KWP ``1A 8C``, in the default
session or ``10 C0``). The unit is returned to its default session whatever happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from g15diag import errors
from g15diag.app.search import (
    Attempt,
    Climb,
    ProgressHook,
    SessionKeeper,
    SessionMode,
    Step,
    find_unit,
)
from g15diag.protocol import identifiers, uds
from g15diag.protocol.can import Target, can_id_text
from g15diag.protocol.identifiers import DecodedText, decode
from g15diag.protocol.session import Session
from g15diag.transport.base import AdapterInfo, Transport
from g15diag.transport.client import Client, PendingHook, Timing
from g15diag.vehicles.profiles import Candidate, Profile

__all__ = ["Attempt", "SerialResult", "read_serial"]


@dataclass(frozen=True)
class SerialResult:
    """A serial read: the bytes exactly as returned, where from, in which session, how often
    confirmed."""

    serial: DecodedText
    target: Target
    identifier: int  # 0xF18C (UDS 22 F18C) or 0x1A8C (KWP 1A 8C)
    reads: int
    adapter: AdapterInfo
    candidate_name: str
    source: str
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    session: Session = Session.DEFAULT
    family: str = "uds"
    ladder: tuple[Step, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``read-serial --json`` object (schema_version 1)."""
        serial = self.serial
        return {
            "schema_version": 1,
            "serial": serial.text,
            "serial_hex": serial.raw.hex().upper(),
            "length": len(serial.text),
            "padding_hex": serial.padding.hex().upper(),
            "printable": serial.clean,
            "lookalikes": [
                {"position": p, "char": c, "name": n}
                for p, c, n in identifiers.spell_lookalikes(serial.text)
            ],
            "request_id": can_id_text(self.target.request_id),
            "response_id": can_id_text(self.target.response_id),
            "bitrate": self.target.bitrate,
            "identifier": f"0x{self.identifier:04X}",
            "session": self.session.value,
            "reads": self.reads,
            "unit": self.candidate_name,
            "address_source": self.source,
            "simulated": self.adapter.simulated,
            "adapter": {
                "kind": self.adapter.kind,
                "identity": self.adapter.identity,
                "port": self.adapter.port,
            },
        }


def read_serial(
    transport: Transport,
    profile: Profile,
    *,
    bitrate: int,
    candidates: Sequence[Candidate] | None = None,
    reads: int = 2,
    timing: Timing | None = None,
    sessions: SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    on_pending: PendingHook | None = None,
) -> SerialResult:
    """Find the unit among ``candidates`` (default: the profile's) and read its serial.

    ``bitrate`` is tried first, then the candidates' other bit rates. The serial is read
    ``reads`` times; different bytes raise :class:`ReadsDisagree`. A unit that answers but
    gives no serial raises :class:`~g15diag.errors.SerialNotFound`.
    """
    client = Client(transport, timing, on_pending=on_pending)
    cands = list(candidates if candidates is not None else profile.head_units)
    with SessionKeeper(client, sessions) as keeper:
        found = find_unit(client, keeper, profile, cands, bitrate, reads=reads, progress=progress)
    step = found.climb.serial
    if step is None or step.item is None:
        raise no_serial(found.target, found.climb, sessions)
    assert step.reply.raw is not None
    return SerialResult(
        serial=decode(step.reply.raw),
        target=found.target,
        identifier=int(step.item.key, 16),
        reads=reads,
        adapter=transport.info,
        candidate_name=found.candidate.name,
        source=found.candidate.source,
        attempts=found.attempts,
        session=step.reply.session,
        family=step.item.family,
        ladder=tuple(found.climb.steps),
    )


def no_serial(target: Target, climb: Climb, sessions: SessionMode) -> errors.SerialNotFound:
    """The error for a unit that answered but gave no serial, naming what it said."""
    said = []
    for s in climb.steps:
        reply = s.reply
        what = reply.outcome.value
        if reply.nrc is not None:
            what = f"NRC 0x{reply.nrc:02X} ({uds.nrc_name(reply.nrc, reply.request)})"
        said.append(f"{reply.request.hex(' ').upper()} in {reply.session.label}: {what}")
    hint = (
        "The serial is not at a standard place on this unit. Run `g15diag discover` to list "
        "every identifier it gives (and `--report` to send them to the project)."
    )
    if sessions is SessionMode.NEVER:
        hint += " Without --sessions never the tool may also try diagnostic sessions."
    return errors.SerialNotFound(
        f"The unit at {target.label} ({target.bitrate // 1000} kbit/s) answered but gave no "
        f"serial number: {'; '.join(said)}.",
        hint=hint,
    )
