"""``--trace FILE.log``: record the frames a command exchanged, plus a sidecar.

The frames stream into a temporary file next to ``FILE.log`` as plain ``candump -L`` lines
(no comments, no direction mark: tshark refuses both); at the end the file is renamed into
place and ``FILE.json`` is written, so a trace is either whole or absent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from g15diag import __version__
from g15diag.errors import G15DiagError, OutputError
from g15diag.traces import candump, sidecar
from g15diag.transport.base import Target, Transport

_ACTIVE: weakref.WeakKeyDictionary[Transport, Recorder] = weakref.WeakKeyDictionary()


class Recorder:
    """Collects one session's frames (thread-safe: native CAN delivers from its own threads)."""

    def __init__(
        self, path: str | Path, channel: str = "can0", clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        if self.path.exists():
            raise OutputError(
                f"{self.path} already exists; --trace never overwrites a recording.",
                hint="Choose another file name or delete the old trace first.",
            )
        if sidecar.path_for(self.path) == self.path:
            raise OutputError(f"--trace {self.path}: give the trace a .log name.")
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
        try:
            fd, self._temp = tempfile.mkstemp(
                dir=self.path.parent or ".", prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise OutputError(f"Cannot write {self.path}: {exc.strerror or exc}.") from exc
        self._handle = os.fdopen(fd, "w", encoding="ascii", newline="\n")

    def attach(self, transport: Transport) -> None:
        """Listen to ``transport``'s frames and note every target it is pointed at."""
        transport.frame_listeners.append(self.on_frame)
        set_target = transport.set_target

        def noting(target: Target) -> None:
            if target not in self.targets:
                self.targets.append(target)
            set_target(target)

        transport.set_target = noting  # type: ignore[method-assign]
        _ACTIVE[transport] = self

    def on_frame(self, can_id: int, data: bytes, is_request: bool) -> None:
        with self._lock:
            if self._handle.closed:  # a late frame from a bus thread after the end
                return
            stamp = max(self.clock(), self._last)  # never backwards
            self._last = stamp
            if self._failed is not None:
                return  # the disk refused already: finish() reports it
            try:
                self._handle.write(candump.line(stamp, self.channel, can_id, data) + "\n")
            except OSError as exc:  # disk full, file too large: never into the bus thread
                self._failed = exc
                return
            self.frames += 1

    def note_error(self, error: BaseException) -> None:
        self.error = {"type": type(error).__name__, "message": str(error)}
        if isinstance(error, G15DiagError):
            self.error["exit_status"] = str(error.exit_status)

    def discard(self) -> None:
        """Drop the recording (the session never started)."""
        with self._lock, contextlib.suppress(OSError):
            self._handle.close()  # may flush into a full disk: the file goes anyway
        with contextlib.suppress(OSError):
            os.unlink(self._temp)

    def finish(self, transport: Transport, command: str, bitrate: int) -> None:
        """Put the trace and its sidecar in place."""
        with self._lock:
            try:
                self._handle.close()  # flushes: a full disk shows here at the latest
            except OSError as exc:
                self._failed = self._failed or exc
        try:
            if self._failed is not None:  # never rename a trace that lost frames into place
                raise self._failed
            os.replace(self._temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            raise OutputError(f"Cannot write {self.path}: {exc.strerror or exc}.") from exc
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
                    "request": f"0x{candump.id_text(t.request_id)}",
                    "response": f"0x{candump.id_text(t.response_id)}",
                    "bitrate": t.bitrate,
                }
                for t in self.targets
            ],
            "frames": self.frames,
            "result": self.result,
            "error": self.error,
        }
        sidecar.write_atomic(sidecar.path_for(self.path), sidecar.dump(data))


def note_result(transport: Transport, result: dict[str, Any]) -> None:
    """Hand the command's result (its JSON form) to the recorder, if one is attached."""
    recorder = _ACTIVE.get(transport)
    if recorder is not None:
        recorder.result = result
