"""The arguments the API's functions share (:mod:`g15diag.app.api`, the one door), each
validated as the CLI's options are: a bad value is a :class:`~g15diag.errors.UsageError`
before any adapter is opened. Only the API calls these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from g15diag.app.adapter import AdapterOptions
from g15diag.app.link import Run, TrafficHook
from g15diag.app.scan import parse_range, range_candidates
from g15diag.app.search import ProgressHook, SessionMode, wide_candidates
from g15diag.errors import UsageError
from g15diag.transport.client import Timing, pending_notices
from g15diag.vehicles.profiles import Candidate, Profile

__all__ = [
    "options_record",
    "progress_hook",
    "range_of",
    "run_policy",
    "search_args",
    "search_candidates",
    "session_mode",
]


def session_mode(sessions: str | SessionMode) -> SessionMode:
    """``"auto"``/``"never"`` (or the enum) -> SessionMode; anything else is a UsageError."""
    if isinstance(sessions, SessionMode):
        return sessions
    try:
        return SessionMode(sessions)
    except ValueError:
        raise UsageError(f"sessions must be 'auto' or 'never', not {sessions!r}.") from None


def options_record(options: AdapterOptions | None, **fields: Any) -> AdapterOptions:
    """``options`` as given, or one record made (and validated) from the keyword arguments."""
    if options is None:
        return AdapterOptions(**fields)
    if not isinstance(options, AdapterOptions):
        raise UsageError(f"options must be a g15diag.AdapterOptions, not {options!r}.")
    if fields.get("port") is not None:
        raise UsageError("Give either options= or port=, not both (the record names the port).")
    return options


def run_policy(
    run: Run | None,
    command: str,
    trace: str | Path | None,
    traffic: TrafficHook | None,
    unredacted: bool,
) -> Run:
    """``run`` as given, or one policy made (and validated) from the keyword arguments."""
    if run is None:
        return Run(trace=trace, traffic=traffic, unredacted=unredacted, command=command)
    if not isinstance(run, Run):
        raise UsageError(f"run must be a g15diag.Run, not {run!r}.")
    if trace is not None or traffic is not None or unredacted:
        raise UsageError("Give either run= or trace=/traffic=/unredacted=, not both.")
    return run


def progress_hook(progress: ProgressHook | None) -> ProgressHook | None:
    if progress is not None and not callable(progress):
        raise UsageError(f"progress must be a function of one SearchProgress, not {progress!r}.")
    return progress


def search_args(
    opts: AdapterOptions,
    sessions: str | SessionMode,
    progress: ProgressHook | None,
    run: Run,
    wide: bool = False,
) -> dict[str, Any]:
    """The search arguments read_serial, identify and session share, validated once; the
    run's ``notice`` hears when the unit keeps answering responsePending."""
    return {
        "bitrate": opts.bus_bitrate,
        "candidates": search_candidates(opts, wide),
        "reads": opts.reads,
        "sessions": session_mode(sessions),
        "progress": progress_hook(progress),
        "on_pending": pending_notices(run.notice),
        "timing": Timing(pending_cap=opts.pending_cap),
    }


def search_candidates(opts: AdapterOptions, wide: bool) -> list[Candidate] | None:
    """The candidates to search: every address (``wide``), ``--address``'s one, or None
    (the profile's own list)."""
    if wide is not True and wide is not False:
        raise UsageError(f"wide must be True or False, not {wide!r}.")
    if not wide:
        return opts.address_candidates()
    if opts.address:
        raise UsageError("Give either --address or --wide: --address skips the search.")
    return wide_candidates(opts.load_profile())


def range_of(prof: Profile, id_range: str | None) -> Any:
    """The candidates of ``id_range`` (``"700-7FF"``), or None (the profile's own list)."""
    if id_range is not None and not isinstance(id_range, str):
        raise UsageError(f"id_range must be FIRST-LAST in hex (e.g. '700-7FF'), not {id_range!r}.")
    return range_candidates(prof, *parse_range(id_range)) if id_range else None
