"""Diagnostic transactions out of a stream of CAN frames, in trace order, in flat memory.

A transaction is one request and its final answer. ``7F xx 78`` answers only mark it pending;
it ends as NONE when the next request on the same ID (or the end of the trace) comes first.
A response nobody was seen asking for is a transaction of its own. ISO-TP is reassembled
strictly per CAN ID (:class:`~g15diag.protocol.isotp.Reassembler`): a broken multi-frame
answer yields no message.

Without fixed IDs every pair is found: requests and answers are taken from the diagnostic ID
ranges (11-bit 0x700-0x7FF, 29-bit 0x18DAxxxx/0x18DBxxxx), told apart by their first byte, and
an answer is paired with the open request of the same service, most recent first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from g15diag.errors import IsoTpError
from g15diag.protocol.can import (
    FUNCTIONAL_IDS,
    MAX_11BIT,
    OBD_FUNCTIONAL,
    OBD_RESPONSES,
    id_text,
    is_diagnostic_id,
)
from g15diag.protocol.isotp import Reassembler
from g15diag.protocol.uds import NEGATIVE_RESPONSE, RESPONSE_PENDING
from g15diag.traces.candump import Frame, Wanted

NEGATIVE = NEGATIVE_RESPONSE
PENDING = RESPONSE_PENDING
ONE_BYTE_IDENT = frozenset({0x1A, 0x21, 0x09})
#: Transactions waiting for an earlier, still open one before they may be emitted.
MAX_BACKLOG = 4096


def is_response_sid(first: int) -> bool:
    """True for a response's first byte (0x40-0x7F, or 0xC0 and up for KWP services)."""
    return 0x40 <= first < 0x80 or first >= 0xC0


def conventional_pair(request_id: int, response_id: int) -> int:
    """1 when the IDs pair by a common convention (+8 OBD, +0x20 Renault, 29-bit swap)."""
    if request_id <= MAX_11BIT:
        if request_id == OBD_FUNCTIONAL:
            return int(response_id in OBD_RESPONSES)
        return int(response_id - request_id in (8, 0x20))
    swapped = 0x18DA0000 | ((request_id & 0xFF) << 8) | ((request_id >> 8) & 0xFF)
    return int(response_id == swapped)


def response_service(pdu: bytes) -> int:
    """The service a response answers."""
    if pdu[0] == NEGATIVE:
        return pdu[1] if len(pdu) > 1 else -1
    return pdu[0] - 0x40


@dataclass(slots=True)
class Transaction:
    """One request (or None when unseen) and its final answer (None when none came)."""

    time: float
    request_id: int | None
    response_id: int | None = None
    request: bytes | None = None
    response: bytes | None = None
    pending: int = 0
    done: bool = False
    frames: list[Frame] | None = field(default=None, repr=False)

    @property
    def service(self) -> int:
        if self.request:
            return self.request[0]
        assert self.response is not None
        return response_service(self.response)

    @property
    def status(self) -> str:
        if self.response is None:
            return "NONE"
        return "NRC" if self.response[0] == NEGATIVE else "POS"

    @property
    def ident(self) -> str:
        sid, req, resp = self.service, self.request, self.response
        positive = resp if resp is not None and resp[0] != NEGATIVE else None
        if sid == 0x22:
            if req is not None:
                dids = [req[i : i + 2] for i in range(1, len(req) - 1, 2)]
                return ",".join(f"0x{d.hex().upper()}" for d in dids) or "-"
            if positive is not None and len(positive) >= 3:
                return f"0x{positive[1:3].hex().upper()}"
            return "-"
        if sid in ONE_BYTE_IDENT:
            if req is not None:
                return f"0x{req[1]:02X}" if len(req) > 1 else "-"
            if positive is not None and len(positive) > 1:
                return f"0x{positive[1]:02X}"
        return "-"

    @property
    def data(self) -> str:
        status, resp = self.status, self.response
        if status == "NONE":
            return "PENDING" if self.pending else "-"
        assert resp is not None
        if status == "NRC":
            return f"0x{resp[2]:02X}" if len(resp) > 2 else "-"
        sid = self.service
        skip = 3 if sid == 0x22 else 2 if sid in ONE_BYTE_IDENT else 1
        return resp[skip:].hex().upper() or "-"

    def tsv(self) -> str:
        """SERVICE, IDENT, STATUS, DATA separated by tabs (no newline)."""
        return f"0x{self.service:02X}\t{self.ident}\t{self.status}\t{self.data}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "time": self.time,
            "request_id": None if self.request_id is None else f"0x{id_text(self.request_id)}",
            "response_id": None if self.response_id is None else f"0x{id_text(self.response_id)}",
            "service": f"0x{self.service:02X}",
            "ident": self.ident,
            "status": self.status,
            "data": self.data,
            "request": None if self.request is None else self.request.hex().upper(),
            "response": None if self.response is None else self.response.hex().upper(),
            "pending": self.pending,
        }


class Decoder:
    """Feed frames in trace order; collect finished transactions in trace order.

    ``request_id``/``response_id`` fix the pair (either may be given alone). ``keep_frames``
    stores each transaction's raw frames (for the replay transport).
    """

    def __init__(
        self,
        request_id: int | None = None,
        response_id: int | None = None,
        *,
        keep_frames: bool = False,
    ) -> None:
        self.request_id = request_id
        self.response_id = response_id
        self.keep_frames = keep_frames
        self._machines: dict[int, Reassembler] = {}
        self._open: dict[int, Transaction] = {}  # request ID -> transaction awaiting answer
        self._partners: dict[int, int] = {}  # request ID -> the ID that answered it
        self._backlog: deque[Transaction] = deque()
        self.broken = 0  # multi-frame messages that broke
        self._frame_store: dict[int, list[Frame]] = {}

    def _relevant(self, can_id: int) -> bool:
        if can_id == self.request_id or can_id == self.response_id:
            return True
        if self.request_id is not None and self.response_id is not None:
            return False
        return is_diagnostic_id(can_id)

    def feed(self, stamp: float, can_id: int, data: bytes) -> list[Transaction]:
        """Take one frame; return the transactions it lets out (in trace order)."""
        if not data or not self._relevant(can_id):
            return []
        machine = self._machines.get(can_id)
        if machine is None:
            machine = self._machines[can_id] = Reassembler()
        if self.keep_frames:
            self._note_frame(stamp, can_id, data)
        try:
            pdu = machine.feed(data)
        except IsoTpError:
            self.broken += 1
            if data[0] >> 4 > 1:
                return []
            try:  # a single or first frame that cut a broken answer short starts afresh
                pdu = machine.feed(data)
            except IsoTpError:
                return []
        if pdu is None:
            return []
        if self._is_request(can_id, pdu[0]):
            self._request(stamp, can_id, pdu)
        elif self._is_response(can_id, pdu[0]):
            self._response(stamp, can_id, pdu)
        return self._drain()

    def finish(self) -> list[Transaction]:
        """The end of the trace: every open transaction ends (as NONE when unanswered)."""
        for txn in self._backlog:
            txn.done = True
        self._open.clear()
        out = list(self._backlog)
        self._backlog.clear()
        return out

    # -- roles ----------------------------------------------------------------------------

    def _is_request(self, can_id: int, first: int) -> bool:
        if self.request_id is not None:
            return can_id == self.request_id
        return can_id != self.response_id and not is_response_sid(first)

    def _is_response(self, can_id: int, first: int) -> bool:
        if self.response_id is not None:
            return can_id == self.response_id
        return can_id != self.request_id and is_response_sid(first)

    # -- transactions ---------------------------------------------------------------------

    def _request(self, stamp: float, can_id: int, pdu: bytes) -> None:
        previous = self._open.pop(can_id, None)
        if previous is not None:
            previous.done = True
        txn = Transaction(stamp, can_id, request=pdu)
        if self.response_id is not None:
            txn.response_id = self.response_id
        if self.keep_frames:
            txn.frames = self._pending_frames(can_id)
        self._open[can_id] = txn
        self._backlog.append(txn)

    def _response(self, stamp: float, can_id: int, pdu: bytes) -> None:
        sid = response_service(pdu)
        txn = self._match(can_id, sid)
        if txn is not None and self.keep_frames:
            txn.frames = sorted((txn.frames or []) + self._pending_frames(can_id))
        if pdu[0] == NEGATIVE and len(pdu) > 2 and pdu[2] == PENDING:
            if txn is not None:
                txn.pending += 1
                txn.response_id = can_id
            return
        if txn is None:
            txn = Transaction(stamp, None, can_id, response=pdu, done=True)
            if self.keep_frames:
                txn.frames = self._pending_frames(can_id)
            self._backlog.append(txn)
            return
        assert txn.request_id is not None
        del self._open[txn.request_id]
        self._partners[txn.request_id] = can_id
        txn.response_id = can_id
        txn.response = pdu
        txn.done = True

    def _match(self, can_id: int, sid: int) -> Transaction | None:
        if self.request_id is not None:
            txn = self._open.get(self.request_id)
            return txn if txn is not None and txn.service == sid else None
        best, best_score = None, -1
        for txn in self._open.values():  # oldest first: ties go to the most recent
            req = txn.request_id
            if txn.service != sid or txn.response_id not in (None, can_id) or req is None:
                continue
            partner = self._partners.get(req)
            if partner is not None and partner != can_id and req not in FUNCTIONAL_IDS:
                continue  # this request ID is known to be answered by another ID
            score = 2 if partner == can_id else 0
            score += conventional_pair(req, can_id)
            if score >= best_score:
                best, best_score = txn, score
        return best

    def _drain(self) -> list[Transaction]:
        backlog = self._backlog
        if len(backlog) > MAX_BACKLOG:  # an early request never answered: let it go as NONE
            head = backlog[0]
            head.done = True
            if head.request_id is not None and self._open.get(head.request_id) is head:
                del self._open[head.request_id]
        out = []
        while backlog and backlog[0].done:
            out.append(backlog.popleft())
        return out

    # -- raw frames (replay only) ---------------------------------------------------------

    def _note_frame(self, stamp: float, can_id: int, data: bytes) -> None:
        frame = (stamp, can_id, data)
        txn = self._open.get(can_id)
        if data[0] >> 4 == 3 and txn is not None and txn.frames is not None:
            txn.frames.append(frame)  # the tester's flow control belongs to the open request
            return
        self._frame_store.setdefault(can_id, []).append(frame)

    def _pending_frames(self, can_id: int) -> list[Frame]:
        return self._frame_store.pop(can_id, [])


def wanted_ids(request_id: int | None = None, response_id: int | None = None) -> Wanted:
    """The frames a :class:`Decoder` with these IDs can use (what its ``_relevant`` keeps)."""
    given = frozenset(i for i in (request_id, response_id) if i is not None)
    return Wanted(given, diagnostic=request_id is None or response_id is None)


def transactions(
    frames: Iterable[Frame],
    request_id: int | None = None,
    response_id: int | None = None,
    *,
    keep_frames: bool = False,
) -> Iterator[Transaction]:
    """Every transaction in ``frames``, streamed in trace order."""
    decoder = Decoder(request_id, response_id, keep_frames=keep_frames)
    feed = decoder.feed
    relevant = decoder._relevant
    wanted: dict[int, bool] = {}  # per-ID answer of _relevant: most frames are never fed
    for stamp, can_id, data in frames:
        keep = wanted.get(can_id)
        if keep is None:
            keep = relevant(can_id)
            if len(wanted) < MAX_BACKLOG:
                wanted[can_id] = keep
        if keep:
            done = feed(stamp, can_id, data)
            if done:
                yield from done
    yield from decoder.finish()
