"""Read the head unit's serial number (UDS 0x22 F18C), confirmed by identical reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from g15diag import errors, privacy
from g15diag.client import Client, Timing
from g15diag.identifiers import DecodedText, decode
from g15diag.profiles import Candidate
from g15diag.protocol import uds
from g15diag.transport.base import AdapterInfo, Target, Transport

SERIAL_DID = 0xF18C
NOT_FOUND_HINT = (
    "The head unit may sit on the multimedia CAN (OBD pins 12/13) rather than 6/14: a pin-swap "
    "cable or a dual-CAN adapter is needed (`g15diag help adapters`). Also check that the "
    "ignition is on, or give the address with --address REQ:RESP."
)


@dataclass(frozen=True)
class Attempt:
    """What one candidate address did: answered, refused (with NRC) or silent."""

    target: Target
    name: str
    outcome: str  # "answered" | "refused" | "silent" | "pending"
    nrc: int | None = None


@dataclass(frozen=True)
class SerialResult:
    """A serial read: the bytes exactly as returned, where from, how often confirmed."""

    serial: DecodedText
    target: Target
    identifier: int
    reads: int
    adapter: AdapterInfo
    candidate_name: str
    source: str
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)


def read_serial(
    transport: Transport,
    candidates: Sequence[Candidate],
    *,
    bitrate: int,
    reads: int = 2,
    timing: Timing | None = None,
) -> SerialResult:
    """Search ``candidates`` in order at ``bitrate``; read the serial from the first that answers.

    The serial is read ``reads`` times; different bytes raise :class:`ReadsDisagree`.
    """
    client = Client(transport, timing)
    request = uds.read_data_by_identifier(SERIAL_DID)
    attempts: list[Attempt] = []
    refusal: errors.NegativeResponse | None = None
    pending: errors.PendingTimeout | None = None
    for cand in candidates:
        if bitrate not in cand.bitrates:
            continue
        target = cand.target(bitrate)
        transport.set_target(target)
        try:
            first = client.read(request)
        except errors.PendingTimeout as exc:
            attempts.append(Attempt(target, cand.name, "pending"))
            pending = exc
            continue
        except errors.NoAnswer:
            attempts.append(Attempt(target, cand.name, "silent"))
            continue
        except errors.NegativeResponse as exc:
            attempts.append(Attempt(target, cand.name, "refused", exc.nrc))
            refusal = refusal or exc
            continue
        attempts.append(Attempt(target, cand.name, "answered"))
        for n in range(2, reads + 1):
            again = client.read(request)
            if again != first:
                raise errors.ReadsDisagree(
                    f"Read 1 and read {n} of the serial differ at byte "
                    f"{privacy.differing_positions(first, again)}: {privacy.show_bytes(first)} "
                    f"versus {privacy.show_bytes(again)}. Nothing is reported as the serial.",
                    hint="Check the connection and run the read again; do not send either "
                    "value to the dealer.",
                )
        return SerialResult(
            serial=decode(first),
            target=target,
            identifier=SERIAL_DID,
            reads=reads,
            adapter=transport.info,
            candidate_name=cand.name,
            source=cand.source,
            attempts=tuple(attempts),
        )
    if refusal is not None:
        refusal.hint = (
            "A unit answered but refused to give identifier 0xF18C. It may use Renault "
            "KWP identification instead (try `g15diag identify`)."
        )
        raise refusal
    if pending is not None:
        raise pending
    tried = ", ".join(a.target.label for a in attempts) or "none"
    raise errors.NoAnswer(
        f"No head unit answered at {len(attempts)} candidate address(es) ({tried}).",
        hint=NOT_FOUND_HINT,
    )
