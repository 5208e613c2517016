"""``--trace FILE.log``: record the frames a command exchanged, plus a sidecar.

The frames stream into a temporary file next to ``FILE.log`` as plain ``candump -L`` lines
(no comments, no direction mark: tshark refuses both); at the end the trace and ``FILE.json``
are linked into place together (g15diag.system.files), so a trace is whole or absent, and never
replaces a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from g15diag import __version__
from g15diag.errors import G15DiagError, UsageError
from g15diag.protocol.can import Target, can_id_text
from g15diag.system import files
from g15diag.traces import candump, sidecar
from g15diag.transport.base import Transport


class Recorder:
    """Collects one session's frames (thread-safe: native CAN delivers from its own threads)."""

    def __init__(
        self, path: str | Path, channel: str = "can0", clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        if sidecar.path_for(self.path) == self.path:
            raise UsageError(f"--trace {self.path}: give the trace a .log name.")
        hint = "Choose another file name or delete the old trace first."
        # Both names are checked now, before the car is read; both are claimed by a link at
        # the end (never a replace), so a file that appears meanwhile is never overwritten.
        files.check_new(sidecar.path_for(self.path), hint=hint)
        self._trace = files.Staged(self.path, hint=hint)
        self._hint = hint
        self.channel = channel
        self.clock = clock
        self.frames = 0
        self.targets: list[Target] = []
        self.result: dict[str, Any] | None = None
        self.error: dict[str, str] | None = None
        self.started = dt.datetime.now(dt.timezone.utc)
        self._last = 0.0
        self._lock = threading.Lock()
        self._failed: OSError | None = None  # the first write the disk refused
        self._closed = False

    def attach(self, transport: Transport) -> None:
        """Listen to ``transport``'s frames and note every target it is pointed at."""
        transport.frame_listeners.append(self.on_frame)
        transport.target_listeners.append(self.on_target)
        with contextlib.suppress(G15DiagError):  # the sidecar names the adapter (ATI, once)
            transport.adapter_identity()

    def on_target(self, target: Target) -> None:
        if target not in self.targets and not target.learning:  # the learned pair follows
            self.targets.append(target)

    def on_frame(self, can_id: int, data: bytes, is_request: bool) -> None:
        with self._lock:
            if self._closed:  # a late frame from a bus thread after the end
                return
            stamp = max(self.clock(), self._last)  # never backwards
            self._last = stamp
            if self._failed is not None:
                return  # the disk refused already: finish() reports it
            try:
                line = candump.line(stamp, self.channel, can_id, data) + "\n"
                self._trace.write(line.encode("ascii"))
            except OSError as exc:  # disk full, file too large: never into the bus thread
                self._failed = exc
                return
            self.frames += 1

    def note_error(self, error: BaseException, message: str | None = None) -> None:
        """The error that ended the run; ``message`` as the run shows it (masked or not)."""
        text = str(error) if message is None else message
        self.error = {"type": type(error).__name__, "message": text}
        if isinstance(error, G15DiagError):
            self.error["exit_status"] = str(error.exit_status)

    def discard(self) -> None:
        """Drop the recording (the session never started)."""
        with self._lock:
            self._closed = True
        self._trace.discard()

    def finish(self, transport: Transport, command: str, bitrate: int) -> None:
        """Put the trace and its sidecar in place, both or neither."""
        with self._lock:
            self._closed = True
        if self._failed is not None:  # never put a trace that lost frames in place
            self._trace.discard()
            raise files.os_error(self.path, self._failed)
        try:
            side = files.Staged(sidecar.path_for(self.path), hint=self._hint)
        except BaseException:
            self._trace.discard()
            raise
        try:
            side.write(sidecar.dump(self._metadata(transport, command, bitrate)).encode())
        except OSError as exc:
            side.discard()
            self._trace.discard()
            raise files.os_error(side.path, exc) from exc
        files.commit_all([self._trace, side])

    def _metadata(self, transport: Transport, command: str, bitrate: int) -> dict[str, Any]:
        info = transport.info
        data: dict[str, Any] = {
            "schema_version": sidecar.SCHEMA,
            "tool": "g15diag",
            "tool_version": __version__,
            "command": command,
            "recorded_at": self.started.isoformat(timespec="seconds"),
            "adapter": {
                "kind": info.kind,
                "identity": info.identity,
                "port": info.port,
                "simulated": info.simulated,
            },
            "bitrate": bitrate,
            "ids": [
                {
                    "request": can_id_text(t.request_id),
                    "response": can_id_text(t.response_id),
                    "bitrate": t.bitrate,
                }
                for t in self.targets
            ],
            "frames": self.frames,
            "result": self.result,
            "error": self.error,
        }
        return data
