"""One run against an adapter: :class:`Link` owns the transport, the traffic masker and the
trace recorder, and closes or finishes them in one place.

A run is made of two values: the :class:`~g15diag.app.adapter.AdapterOptions` (which adapter, how
to talk to it) and a :class:`Run` policy (where the trace goes, who sees the traffic, whether
personal data is masked). Nothing of one run outlives it: the masker, the recorder and the
masking decision belong to the :class:`Link` object, never to a module. The API
(:mod:`g15diag.app.api`) is the only code that makes one; every face calls the API.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from g15diag.app import privacy
from g15diag.app.adapter import BAUD_AUTO, AdapterOptions, make_transport
from g15diag.app.recording import Recorder
from g15diag.errors import G15DiagError, UsageError
from g15diag.protocol.can import Traffic
from g15diag.transport.base import Transport

__all__ = ["Link", "Notice", "Run", "TrafficEvent", "TrafficHook"]


@dataclass(frozen=True)
class TrafficEvent:
    """One step of adapter traffic as ``-v`` shows it: the lines already masked (unless the
    run is unredacted), printable (control characters as ``\\xNN``)."""

    sent: bool
    lines: tuple[str, ...]
    note: str = ""
    masked: bool = True

    @property
    def text(self) -> str:
        """The step's lines joined as ``-v`` joins them (``\\r`` between lines)."""
        return "\\r".join(self.lines)

    def __str__(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{'>' if self.sent else '<'} {self.text}{note}"


#: receives every :class:`TrafficEvent` of a run (``-v`` prints them)
TrafficHook = Callable[[TrafficEvent], None]
#: receives one-line remarks meant for a person (``--baud auto`` found a speed)
Notice = Callable[[str], None]


@dataclass(frozen=True)
class Run:
    """The policy of one run, beside the adapter options: values, never module state.

    ``trace``: record the CAN exchange to this ``.log`` file plus its ``.json`` sidecar;
    ``traffic``: called with every masked :class:`TrafficEvent`; ``unredacted``: traffic and
    error texts are not masked; ``command``: the name the sidecar records; ``notice``: gets
    remarks for a person.
    """

    trace: str | Path | None = None
    traffic: TrafficHook | None = None
    unredacted: bool = False
    command: str = ""
    notice: Notice | None = None

    def __post_init__(self) -> None:
        if self.trace is not None and not isinstance(self.trace, (str, Path)):
            raise UsageError(f"trace must be a file name (FILE.log), not {self.trace!r}.")
        if isinstance(self.trace, str) and not self.trace.strip():
            raise UsageError("trace must be a file name (FILE.log), not an empty text.")
        for name in ("traffic", "notice"):
            hook = getattr(self, name)
            if hook is not None and not callable(hook):
                raise UsageError(f"{name} must be a function of one argument, not {hook!r}.")
        if not isinstance(self.unredacted, bool):
            raise UsageError(f"unredacted must be True or False, not {self.unredacted!r}.")


class Link:
    """One run: ``with Link(options, run) as link:`` opens the transport (recording it when
    the run has a trace) and, whatever happens, finishes the trace, returns the unit to its
    default session and closes the port.

    With ``open_adapter=False`` the transport is made but not opened (``doctor`` opens the
    port itself, one command at a time); it is still closed here.
    """

    def __init__(
        self, options: AdapterOptions, run: Run | None = None, *, open_adapter: bool = True
    ) -> None:
        if not isinstance(options, AdapterOptions):
            raise UsageError(f"options must be a g15diag.AdapterOptions, not {options!r}.")
        self.options = options
        self.run = run if run is not None else Run()
        self._open_adapter = open_adapter
        self._masker = privacy.TrafficMasker(unredacted=self.run.unredacted)
        self._recorder: Recorder | None = None
        self._transport: Transport | None = None

    @property
    def transport(self) -> Transport:
        """The open transport (inside the ``with`` block only)."""
        if self._transport is None:
            raise RuntimeError("the link is not open")
        return self._transport

    @property
    def unredacted(self) -> bool:
        return self.run.unredacted

    def present(self, error: G15DiagError) -> str:
        """``error``'s sentence as this run shows it (masked unless unredacted)."""
        return privacy.present(error, unredacted=self.run.unredacted)

    def note_result(self, result: dict[str, Any]) -> None:
        """Give the trace's sidecar the run's result (its JSON form); no-op without a trace."""
        if self._recorder is not None:
            self._recorder.result = result

    def _on_traffic(self, step: Traffic) -> None:
        hook = self.run.traffic
        if hook is None:
            return
        lines = tuple(privacy.printable(t) for t in self._masker.lines(step))
        hook(TrafficEvent(step.sent, lines, step.note, not self.run.unredacted))

    def __enter__(self) -> Link:
        try:
            if self.run.trace is not None:  # both names checked before anything is opened
                self._recorder = Recorder(self.run.trace)
            traffic = self._on_traffic if self.run.traffic is not None else None
            transport = make_transport(self.options, traffic=traffic)
            if self._open_adapter:
                transport.open()
            self._transport = transport
        except BaseException as exc:
            self._discard()
            self._present(exc)
            raise
        details = transport.info.details
        if self._open_adapter and self.options.baud == BAUD_AUTO and "baud" in details:
            self._notice(
                f"--baud auto: the adapter answers at {details['baud']} baud (give --baud "
                f"{details['baud']} next time to skip the search)."
            )
        if self._recorder is not None:
            self._recorder.attach(transport)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transport = self._transport
        assert transport is not None
        try:
            try:
                self._finish(transport, error)
            finally:
                self._transport = None
                if self._open_adapter:
                    transport.__exit__(kind, error, tb)  # back to the default session, closed
                else:
                    transport.close()
        except BaseException as late:  # finishing the trace or closing failed
            self._present(late)
            raise
        if error is not None:
            self._present(error)

    def _finish(self, transport: Transport, error: BaseException | None) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        try:
            if error is None:
                recorder.finish(transport, self.run.command, self.options.bus_bitrate)
                return
            message = self.present(error) if isinstance(error, G15DiagError) else None
            recorder.note_error(error, message)
            with contextlib.suppress(G15DiagError):  # the first error is the one to report
                recorder.finish(transport, self.run.command, self.options.bus_bitrate)
        finally:
            recorder.discard()  # a no-op after a finish

    def _discard(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.discard()

    def _present(self, error: BaseException) -> None:
        if isinstance(error, G15DiagError):
            privacy.present(error, unredacted=self.run.unredacted)

    def _notice(self, text: str) -> None:
        if self.run.notice is not None:
            self.run.notice(text)
