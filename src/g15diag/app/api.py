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

from g15diag.adapter import DEFAULT_PROFILE, AdapterOptions, make_transport
from g15diag.app.identify import IdentifyResult
from g15diag.app.identify import identify as _identify
from g15diag.app.read_serial import SerialResult
from g15diag.app.read_serial import read_serial as _read_serial
from g15diag.app.scan import ScanResult, parse_range, range_candidates
from g15diag.app.scan import scan as _scan
from g15diag.app.search import ProgressHook, SearchProgress, SessionMode, wide_candidates
from g15diag.errors import UsageError
from g15diag.profiles import Candidate, Profile

__all__ = [
    "SearchProgress",
    "SessionMode",
    "export",
    "identify",
    "read_serial",
    "scan",
    "session",
    "voltage",
]


def _sessions(sessions: str | SessionMode) -> SessionMode:
    """``"auto"``/``"never"`` (or the enum) -> SessionMode; anything else is a UsageError."""
    if isinstance(sessions, SessionMode):
        return sessions
    try:
        return SessionMode(sessions)
    except ValueError:
        raise UsageError(f"sessions must be 'auto' or 'never', not {sessions!r}.") from None


def _record(options: AdapterOptions | None, **fields: Any) -> AdapterOptions:
    """``options`` as given, or one record made (and validated) from the keyword arguments."""
    if options is None:
        return AdapterOptions(**fields)
    if not isinstance(options, AdapterOptions):
        raise UsageError(f"options must be a g15diag.AdapterOptions, not {options!r}.")
    if fields.get("port") is not None:
        raise UsageError("Give either options= or port=, not both (the record names the port).")
    return options


def _progress(progress: ProgressHook | None) -> ProgressHook | None:
    if progress is not None and not callable(progress):
        raise UsageError(f"progress must be a function of one SearchProgress, not {progress!r}.")
    return progress


def _search(
    opts: AdapterOptions,
    sessions: str | SessionMode,
    progress: ProgressHook | None,
    wide: bool = False,
) -> dict[str, Any]:
    """The search arguments read_serial, identify and session share, validated once."""
    return {
        "bitrate": opts.bus_bitrate,
        "candidates": search_candidates(opts, wide),
        "reads": opts.reads,
        "sessions": _sessions(sessions),
        "progress": _progress(progress),
    }


def search_candidates(opts: AdapterOptions, wide: bool) -> list[Candidate] | None:
    """The candidates to search: ``--address``'s one, every address (``wide``), or None
    (the profile's own list)."""
    if wide is not True and wide is not False:
        raise UsageError(f"wide must be True or False, not {wide!r}.")
    if not wide:
        return opts.address_candidates()
    if opts.address:
        raise UsageError("Give either --address or --wide: --address skips the search.")
    return wide_candidates(opts.load_profile())


def read_serial(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    address: str | None = None,
    reads: int = 2,
    options: AdapterOptions | None = None,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    wide: bool = False,
) -> SerialResult:
    """Find the head unit and read its serial (``reads`` identical reads).

    ``progress`` gets a :class:`SearchProgress` before every rung of the search;
    ``wide=True`` searches every 11-bit request ID 700-7FF at 500 and 250 kbit/s;
    ``sessions="never"`` keeps the unit in its default session. Options as for
    :func:`identify`.
    """
    opts = _record(
        options,
        port=port,
        profile=profile,
        protocol=protocol,
        baud=baud,
        timeout=timeout,
        address=address,
        reads=reads,
    )
    search, prof = _search(opts, sessions, progress, wide), opts.load_profile()
    with make_transport(opts) as transport:
        return _read_serial(transport, prof, **search)


def identify(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    address: str | None = None,
    reads: int = 2,
    options: AdapterOptions | None = None,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    wide: bool = False,
) -> IdentifyResult:
    """Find the head unit and read every identification item of ``profile``, plus the VIN.

    The keyword arguments are validated as the CLI's options are (:class:`AdapterOptions`;
    a bad value raises :class:`~g15diag.errors.UsageError`); or pass one ``options`` record.
    ``sessions`` and ``progress`` as for :func:`read_serial`.
    """
    opts = _record(
        options,
        port=port,
        profile=profile,
        protocol=protocol,
        baud=baud,
        timeout=timeout,
        address=address,
        reads=reads,
    )
    search, prof = _search(opts, sessions, progress, wide), opts.load_profile()
    with make_transport(opts) as transport:
        return _identify(transport, prof, **search)


def voltage(
    port: str | None = None,
    *,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    options: AdapterOptions | None = None,
) -> float | None:
    """Volts at the OBD socket (the adapter's ``ATRV``); None when the adapter cannot tell."""
    from g15diag.app.voltage import read_voltage

    opts = _record(options, port=port, protocol=protocol, baud=baud, timeout=timeout)
    with make_transport(opts) as transport:
        return read_voltage(transport)


def session(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    address: str | None = None,
    reads: int = 2,
    options: AdapterOptions | None = None,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    wide: bool = False,
) -> dict[str, Any]:
    """Identify and read the voltage in one adapter session: the dict ``export`` takes.

    It is the ``identify --json`` object plus ``battery_voltage`` (the GUI's "Save session").
    ``sessions`` and ``progress`` as for :func:`read_serial`.
    """
    from g15diag.app.export import session_dict
    from g15diag.app.voltage import read_voltage

    opts = _record(
        options,
        port=port,
        profile=profile,
        protocol=protocol,
        baud=baud,
        timeout=timeout,
        address=address,
        reads=reads,
    )
    search, prof = _search(opts, sessions, progress, wide), opts.load_profile()
    with make_transport(opts) as transport:
        result = _identify(transport, prof, **search)
        return session_dict(result, read_voltage(transport))


def scan(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    id_range: str | None = None,
    progress: ProgressHook | None = None,
    options: AdapterOptions | None = None,
) -> ScanResult:
    """Probe every head-unit candidate (and every ID of ``id_range``, e.g. ``"700-7FF"``);
    ``progress`` gets a :class:`SearchProgress` before every probe."""
    opts = _record(
        options, port=port, profile=profile, protocol=protocol, baud=baud, timeout=timeout
    )
    if id_range is not None and not isinstance(id_range, str):
        raise UsageError(f"id_range must be FIRST-LAST in hex (e.g. '700-7FF'), not {id_range!r}.")
    _progress(progress)
    prof = opts.load_profile()
    cands = range_candidates(prof, *parse_range(id_range)) if id_range else None
    with make_transport(opts) as transport:
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
    """Write the dealer request for ``result`` (or an ``identify --json`` dict) atomically.

    ``fmt`` is text, json, csv, html or pdf (default: from the suffix). Anything that is not
    a well-formed result, an unknown ``lang`` or ``fmt`` raises :class:`UsageError`.
    """
    from g15diag.app.export import check_writable, format_for, render, write

    kind = format_for(output, fmt)
    content = render(result, kind, lang=lang, redacted=redact)
    if str(output) == "-":
        raise UsageError("export() writes files; give a file name, not '-'.")
    check_writable(output, force=force)
    written = write(output, content, force=force)
    assert written is not None
    return written
