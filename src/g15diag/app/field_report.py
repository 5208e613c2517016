"""The field report's bytes, once, for ``discover --report`` and the page's "Save a field
report (.zip)" button: doctor, discover (widened by itself when no candidate answers) and
its trace, bundled by :func:`g15diag.app.report.bundle` (VIN and serial masked unless
``unredacted``). The page keeps the bytes in memory only and offers them for download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from g15diag.app.search import ProgressHook

if TYPE_CHECKING:
    from g15diag.app.adapter import AdapterOptions
    from g15diag.app.discover import DiscoverResult


def report_bytes(
    doctor: dict[str, Any] | None,
    result: DiscoverResult,
    trace: Path,
    unredacted: bool,
    *,
    own: bool = True,
) -> bytes:
    """The zip of a finished (or partial) discover run recorded in ``trace`` (``own``: the
    tool wrote the trace and its sidecar in this run, not the user's ``--trace``)."""
    from g15diag import __version__
    from g15diag.app.report import bundle
    from g15diag.traces import sidecar

    return bundle(
        doctor=doctor,
        scan=result.scan.to_dict(),
        discover=result.to_dict(),
        trace=trace,
        sidecar=sidecar.load_for(trace, own=own) or {},
        unredacted=unredacted,
        version=__version__,
    )


def field_report(options: AdapterOptions, progress: ProgressHook | None = None) -> bytes:
    """The page's report for the adapter ``options`` name (a partial run included)."""
    from g15diag.app import api
    from g15diag.app.adapter import REPLAY_PREFIX

    doctor: dict[str, Any] | None = None
    if not (options.interface or (options.port or "").startswith(REPLAY_PREFIX)):
        doctor = api.doctor(options=options, system_checks=False).to_dict()
    with tempfile.TemporaryDirectory(prefix="g15diag-report-") as folder:
        trace = Path(folder) / "t.log"
        result = api.discover(
            options=options, progress=progress, keep_partial=True, widen=True, trace=trace
        )
        return report_bytes(doctor, result, trace, unredacted=False)
