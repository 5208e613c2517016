"""The small Python API, and the only door to an adapter: every CLI command and the page
call these functions and render what they return. Typed results, nothing printed.

>>> import g15diag
>>> result = g15diag.identify(port="sim://")          # doctest: +SKIP
>>> result.value("serial"), result.vin.value, result.simulated  # doctest: +SKIP

Every function that talks to an adapter opens it on ``port`` (any ``--port`` value: a serial
device, ``socket://host:port``, ``sim://...``) through one :class:`~g15diag.app.link.Link`,
does its work and closes it. Each takes, per call:

- ``trace="x.log"``: record the CAN exchange (``--trace``'s trace and ``x.json`` sidecar);
- ``traffic=callable``: receives every :class:`~g15diag.app.link.TrafficEvent` (what ``-v``
  prints), the serial and the VIN masked;
- ``unredacted=False``: when true, traffic and error texts are not masked;

or one ``run=Run(...)`` record holding them. Nothing of one call influences the next. Errors
are :class:`g15diag.errors.G15DiagError` subclasses with an ``exit_status``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# the operations are looked up in their modules at call time (one place to replace them)
from g15diag.app import identify as _identify_mod
from g15diag.app import read_serial as _read_serial_mod
from g15diag.app import scan as _scan_mod
from g15diag.app.adapter import AdapterOptions
from g15diag.app.adapters import PortInfo
from g15diag.app.api_args import options_record as _record
from g15diag.app.api_args import progress_hook as _progress
from g15diag.app.api_args import range_of as _candidates
from g15diag.app.api_args import run_policy as _run
from g15diag.app.api_args import search_args as _search
from g15diag.app.api_args import search_candidates as search_candidates
from g15diag.app.api_args import session_mode as _sessions
from g15diag.app.checks import DoctorReport
from g15diag.app.discover import DiscoverResult
from g15diag.app.export.record import Record
from g15diag.app.identify import IdentifyResult
from g15diag.app.link import Link, Run, TrafficHook
from g15diag.app.read_serial import SerialResult
from g15diag.app.scan import ScanResult, ScanRow
from g15diag.app.search import ProgressHook, SearchProgress, SessionMode, wide_candidates
from g15diag.errors import UsageError
from g15diag.transport.ble.gatt import BleAdapter
from g15diag.transport.client import Timing
from g15diag.vehicles.profiles import DEFAULT_PROFILE, Profile

__all__ = [
    "BleAdapter",
    "Run",
    "SearchProgress",
    "SessionMode",
    "adapters",
    "ble_adapters",
    "discover",
    "doctor",
    "export",
    "identify",
    "read_serial",
    "scan",
    "session",
    "voltage",
]


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
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
) -> SerialResult:
    """Find the head unit and read its serial (``reads`` identical reads).

    ``progress`` gets a :class:`SearchProgress` before every rung of the search;
    ``wide=True`` searches every 11-bit request ID 700-7FF at 500 and 250 kbit/s;
    ``sessions="never"`` keeps the unit in its default session. Options as for
    :func:`identify`; ``trace``, ``traffic``, ``unredacted`` as in the module docstring.
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
    policy = _run(run, "read-serial", trace, traffic, unredacted)
    search, prof = _search(opts, sessions, progress, policy, wide), opts.load_profile()
    with Link(opts, policy) as link:
        result = _read_serial_mod.read_serial(link.transport, prof, **search)
        link.note_result(result.to_dict())
        return result


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
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
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
    policy = _run(run, "identify", trace, traffic, unredacted)
    search, prof = _search(opts, sessions, progress, policy, wide), opts.load_profile()
    with Link(opts, policy) as link:
        result = _identify_mod.identify(link.transport, prof, **search)
        link.note_result(result.to_dict())  # the trace sidecar's "what was read"
        return result


def voltage(
    port: str | None = None,
    *,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    options: AdapterOptions | None = None,
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
) -> float | None:
    """Volts at the OBD socket (the adapter's ``ATRV``); None when the adapter cannot tell."""
    from g15diag.app.voltage import read_voltage

    opts = _record(options, port=port, protocol=protocol, baud=baud, timeout=timeout)
    policy = _run(run, "voltage", trace, traffic, unredacted)
    with Link(opts, policy) as link:
        return read_voltage(link.transport)


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
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
) -> Record:
    """Identify and read the voltage in one adapter session: the identification record
    (:class:`~g15diag.app.export.record.Record`) with ``battery_voltage``, what ``export``
    and the page's "Save session" take (its ``to_dict()`` is ``identify --json`` plus
    ``battery_voltage``). ``sessions`` and ``progress`` as for :func:`read_serial`.
    """
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
    policy = _run(run, "session", trace, traffic, unredacted)
    search, prof = _search(opts, sessions, progress, policy, wide), opts.load_profile()
    with Link(opts, policy) as link:
        result = _identify_mod.identify(link.transport, prof, **search)
        link.note_result(result.to_dict())
        return result.record(read_voltage(link.transport), session=True)


def scan(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    id_range: str | None = None,
    progress: ProgressHook | None = None,
    wide: bool = False,
    options: AdapterOptions | None = None,
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
    rows: list[ScanRow] | None = None,
) -> ScanResult:
    """Probe every head-unit candidate (and every ID of ``id_range``, e.g. ``"700-7FF"``, or
    every address with ``wide``); ``progress`` gets a :class:`SearchProgress` before every
    probe. Each row is also appended to ``rows`` when given (what a Ctrl-C leaves)."""
    opts = _record(
        options, port=port, profile=profile, protocol=protocol, baud=baud, timeout=timeout
    )
    _progress(progress)
    prof = opts.load_profile()
    cands = _candidates(prof, id_range)
    if wide:
        if id_range:
            raise UsageError("Give either --range or --wide (--wide is every address 700-7FF).")
        cands = wide_candidates(prof)
    policy = _run(run, "scan", trace, traffic, unredacted)
    with Link(opts, policy) as link:
        result = _scan_mod.scan(
            link.transport,
            prof,
            candidates=cands,
            progress=progress,
            rows=rows,
            timing=Timing(pending_cap=opts.pending_cap),
        )
        link.note_result(result.to_dict())  # the trace sidecar's "what was read"
        return result


def discover(
    port: str | None = None,
    *,
    profile: str | Profile = DEFAULT_PROFILE,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    id_range: str | None = None,
    sessions: str | SessionMode = SessionMode.AUTO,
    progress: ProgressHook | None = None,
    keep_partial: bool = False,
    widen: bool = False,
    options: AdapterOptions | None = None,
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
) -> DiscoverResult:
    """Sweep the identification ranges of every unit that answers (``discover``).

    With ``keep_partial`` an adapter error ends the sweep instead of raising: the result
    holds what came before and the error (its text as this call shows errors).
    """
    from g15diag.app.discover import discover as _discover

    opts = _record(
        options, port=port, profile=profile, protocol=protocol, baud=baud, timeout=timeout
    )
    mode, hook = _sessions(sessions), _progress(progress)
    prof = opts.load_profile()
    cands = _candidates(prof, id_range)
    policy = _run(run, "discover", trace, traffic, unredacted)
    with Link(opts, policy) as link:
        result = _discover(
            link.transport,
            prof,
            candidates=cands,
            sessions=mode,
            progress=hook,
            keep_partial=keep_partial,
            widen=widen,
            timing=Timing(pending_cap=opts.pending_cap),
        )
        if result.error is not None:
            link.present(result.error)
        link.note_result(result.to_dict())
        return result


def doctor(
    port: str | None = None,
    *,
    protocol: int = 6,
    baud: int | str = 38400,
    timeout: float = 5.0,
    options: AdapterOptions | None = None,
    system_checks: bool = True,
    trace: str | Path | None = None,
    traffic: TrafficHook | None = None,
    unredacted: bool = False,
    run: Run | None = None,
) -> DoctorReport:
    """Self-test the ELM327 adapter: identity, voltage, every command the reads need, and
    one 3-byte, multi-frame request. Never raises for what the adapter does (the report says
    it); a native CAN interface or a replay is a UsageError, and so is a ``trace`` (doctor
    tests adapter commands and reads no unit, as ``doctor --trace`` says)."""
    from g15diag.app.doctor import run_doctor

    opts = _record(options, port=port, protocol=protocol, baud=baud, timeout=timeout)
    policy = _run(run, "doctor", trace, traffic, unredacted)
    return run_doctor(opts, run=policy, system_checks=system_checks)


def adapters(
    *, probe: bool = False, baud: int | str = 38400, timeout: float = 2.0
) -> list[PortInfo]:
    """The ports an adapter may be on (opens nothing); with ``probe`` each is asked ``ATI``
    and nothing else."""
    from g15diag.app import adapters as ports

    found = ports.list_adapters()
    return ports.probe(found, baud=baud, timeout=timeout) if probe else found


def ble_adapters(
    seconds: float = 5.0, *, on_tick: Callable[[float], None] | None = None
) -> list[BleAdapter]:
    """Bluetooth LE devices that look like OBD adapters, heard in ``seconds`` (strongest
    first, each with its exact ``--port ble://...``); connects to none. ``on_tick`` gets the
    seconds elapsed (progress). A :class:`~g15diag.errors.BluetoothError` when Bluetooth
    cannot be used."""
    from g15diag.app import adapters as ports

    return ports.search_ble(seconds, on_tick=on_tick)


def export(
    result: IdentifyResult | Record | dict[str, Any],
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

    if not isinstance(output, (str, Path)):
        raise UsageError(f"export() needs a file name for output, not {type(output).__name__}.")
    kind = format_for(output, fmt)
    content = render(result, kind, lang=lang, redacted=redact)
    if str(output) == "-":
        raise UsageError("export() writes files; give a file name, not '-'.")
    check_writable(output, force=force)
    written = write(output, content, force=force)
    assert written is not None
    return written
