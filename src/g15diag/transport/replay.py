"""``--port replay:PATH``: answer requests from a recorded trace instead of a car.

Each request is answered with what the trace recorded for the same request bytes on the same
request/response IDs, recording by recording (a request asked more often than recorded gets
the last recording again); a request the trace lacks gets no answer. When the trace has a
sidecar with a bit rate, a target at another bit rate gets no answer either. The recorded
frames are handed to frame listeners, so a replay can itself be recorded with ``--trace``.

The trace is handed in as a :class:`Recording` (``g15diag.traces.source.TraceFile``, joined
by ``g15diag.app.adapter.make_transport``): this module does not import ``traces/``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from g15diag.protocol.can import Target, learnable
from g15diag.transport.base import AdapterInfo, Transport

#: request PDU -> the answers of each recorded run of it (pending answers first)
_Index = dict[bytes, list[list[bytes]]]
#: (request PDU, run number) -> the frames that run put on the bus
_Frames = dict[tuple[bytes, int], list[tuple[float, int, bytes]]]


class Recording(Protocol):
    """What a replay needs from a recorded trace."""

    path: Path

    def check(self) -> None:
        """Raise a UsageError when the trace cannot be read."""

    def sidecar(self) -> dict[str, Any]:
        """The recording's metadata (``bitrate``, ``adapter``), or {}."""

    def transactions(self, request_id: int, response_id: int) -> Iterable[Any]:
        """Transactions with ``request``, ``pending``, ``response`` and ``frames``."""


class ReplayTransport(Transport):
    """A trace file acting as the car."""

    #: After a recorded run of 0x78 answers the tool re-sends, as it did over an ELM327.
    resend_after_pending = True

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording
        self.path = recording.path
        self.sidecar: dict[str, object] = {}
        self._target: Target | None = None
        self._learn_as: int | None = None  # a learning target's recorded answer ID
        self._index: _Index = {}
        self._used: dict[bytes, int] = {}
        self._frames: _Frames = {}
        self._cache: dict[tuple[int, int], tuple[_Index, _Frames]] = {}
        self._queue: deque[bytes] = deque()
        self.info = AdapterInfo(kind="replay", port=str(self.path))

    def open(self) -> None:
        self.recording.check()  # fail early on a missing/unreadable file
        self.sidecar = self.recording.sidecar()
        adapter = self.sidecar.get("adapter")
        recorded = adapter.get("identity", "") if isinstance(adapter, dict) else ""
        self.info.identity = f"replay of {self.path.name}" + (
            f" (recorded with {recorded})" if recorded else ""
        )
        self.info.simulated = bool(isinstance(adapter, dict) and adapter.get("simulated"))

    def close(self) -> None:
        self._queue.clear()

    def set_target(self, target: Target) -> None:
        self._target = target
        self._queue.clear()
        self._emit_target(target)
        self._learn_as = self._recorded_answer_id(target) if target.learning else None
        key = (target.request_id, target.response_id if self._learn_as is None else self._learn_as)
        bitrate = self.sidecar.get("bitrate")
        if isinstance(bitrate, int) and bitrate != target.bitrate:
            self._index, self._frames, self._used = {}, {}, {}
            return
        if key not in self._cache:
            index: _Index = {}
            frames: _Frames = {}
            for txn in self.recording.transactions(*key):
                if txn.request is None:
                    continue
                answers = [bytes([0x7F, txn.request[0], 0x78])] * txn.pending
                if txn.response is not None:
                    answers.append(txn.response)
                runs = index.setdefault(txn.request, [])
                frames[(txn.request, len(runs))] = txn.frames or []
                runs.append(answers)
            self._cache[key] = (index, frames)
        self._index, self._frames = self._cache[key]
        self._used = {}

    def _recorded_answer_id(self, target: Target) -> int | None:
        """For a target whose answer ID is to be learned (``--wide``): the response ID the
        recording's sidecar lists for its request ID at its bit rate, if any."""
        ids = self.sidecar.get("ids")
        for pair in ids if isinstance(ids, list) else []:
            if not isinstance(pair, dict) or pair.get("bitrate") not in (None, target.bitrate):
                continue
            try:
                request, response = int(pair["request"], 16), int(pair["response"], 16)
            except (KeyError, TypeError, ValueError):
                continue
            if request == target.request_id and learnable(response, request):
                return response
        return None

    def _send(self, pdu: bytes) -> None:
        self._queue.clear()
        runs = self._index.get(pdu)
        if runs and self._learn_as is not None:
            self.learned = self._learn_as  # the recorded unit answered at that ID
        if not runs:
            target = self._target
            if target is not None:  # still "on the bus": the request itself is recorded
                from g15diag.protocol import isotp

                self._emit_frame(target.request_id, isotp.pad(bytes([len(pdu)]) + pdu, 0), True)
            return
        n = min(self._used.get(pdu, 0), len(runs) - 1)
        self._used[pdu] = n + 1
        self._queue.extend(runs[n])
        request_id = self._target.request_id if self._target else None
        for _stamp, can_id, data in self._frames.get((pdu, n), []):
            self._emit_frame(can_id, data, can_id == request_id)

    def _receive(self, timeout: float) -> bytes | None:
        return self._queue.popleft() if self._queue else None
