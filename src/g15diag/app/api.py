"""The small Python API: one call per task, typed results, nothing printed.

>>> import g15diag
>>> result = g15diag.identify(port="sim://")          # doctest: +SKIP
>>> result.value("serial"), result.vin.value, result.simulated  # doctest: +SKIP

Every function opens the adapter on ``port`` (any ``--port`` value: a serial device,
``socket://host:port``, ``sim://...``), does its work and closes it. Errors are
:class:`g15diag.errors.G15DiagError` subclasses with an ``exit_status``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from g15diag.app.export import format_for, render, write_atomic
from g15diag.app.identify import IdentifyResult
from g15diag.app.identify import identify as _identify
from g15diag.app.read_serial import SerialResult
from g15diag.app.read_serial import read_serial as _read_serial
from g15diag.app.scan import ScanResult, parse_range, range_candidates
from g15diag.app.scan import scan as _scan
from g15diag.app.search import ProgressHook, SearchProgress, SessionMode
from g15diag.profiles import DEFAULT_PROFILE, Profile, address_candidate, load
from g15diag.transport import PROTOCOL_BITRATES, make_transport


def _profile(profile: str | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else load(profile)


__all__ = ["SearchProgress", "SessionMode", "export", "identify", "read_serial", "scan"]


def _sessions(sessions: str | SessionMode) -> SessionMode:
    return sessions if isinstance(sessions, SessionMode) else SessionMode(sessions)


def read_serial(
    port: str,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int = 38400,
    timeout: float = 5.0,
    address: str | None = None,
    reads: int = 2,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
) -> SerialResult:
    """Find the head unit and read its serial (``reads`` identical reads).

    ``progress`` gets a :class:`SearchProgress` before every rung of the search;
    ``sessions="never"`` keeps the unit in its default session.
    """
    prof = _profile(profile)
    bitrate = PROTOCOL_BITRATES[protocol]
    cands = [address_candidate(address, bitrate)] if address else None
    with make_transport(port, baud=baud, protocol=protocol, timeout=timeout) as transport:
        return _read_serial(
            transport,
            prof,
            bitrate=bitrate,
            candidates=cands,
            reads=reads,
            sessions=_sessions(sessions),
            progress=progress,
        )


def identify(
    port: str,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int = 38400,
    timeout: float = 5.0,
    address: str | None = None,
    reads: int = 2,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
) -> IdentifyResult:
    """Find the head unit and read every identification item of ``profile``, plus the VIN.

    ``progress`` and ``sessions`` as for :func:`read_serial`.
    """
    prof = _profile(profile)
    bitrate = PROTOCOL_BITRATES[protocol]
    cands = [address_candidate(address, bitrate)] if address else None
    with make_transport(port, baud=baud, protocol=protocol, timeout=timeout) as transport:
        return _identify(
            transport,
            prof,
            bitrate=bitrate,
            candidates=cands,
            reads=reads,
            sessions=_sessions(sessions),
            progress=progress,
        )


def scan(
    port: str,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int = 38400,
    timeout: float = 5.0,
    id_range: str | None = None,
    progress: ProgressHook | None = None,
) -> ScanResult:
    """Probe every head-unit candidate (and every ID of ``id_range``, e.g. ``"700-7FF"``)."""
    prof = _profile(profile)
    cands = range_candidates(prof, *parse_range(id_range)) if id_range else None
    with make_transport(port, baud=baud, protocol=protocol, timeout=timeout) as transport:
        return _scan(transport, prof, candidates=cands, progress=progress)


def export(
    result: IdentifyResult | dict[str, Any],
    output: str | Path,
    *,
    fmt: str | None = None,
    lang: str = "en",
    redact: bool = False,
    force: bool = False,
) -> Path:
    """Write the dealer request for ``result`` (or an ``identify --json`` dict) atomically."""
    data = result.to_dict() if isinstance(result, IdentifyResult) else result
    content = render(data, format_for(output, fmt), lang=lang, redacted=redact)
    return write_atomic(output, content, force=force)
