"""The field report the page saves with one button: doctor, discover (widened by itself when
no candidate answers) and its trace, bundled as ``discover --report`` bundles them (VIN and
serial masked). In memory only: the page offers the bytes for download, nothing else is kept.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from g15diag.app.search import ProgressHook

if TYPE_CHECKING:
    from g15diag.adapter import AdapterOptions


def field_report(options: AdapterOptions, progress: ProgressHook | None = None) -> bytes:
    """The report's zip bytes for the adapter ``options`` name (a partial run included)."""
    from g15diag import __version__
    from g15diag.adapter import REPLAY_PREFIX, make_transport
    from g15diag.app.discover import discover
    from g15diag.app.doctor import run_doctor
    from g15diag.app.report import bundle
    from g15diag.app.search import SessionMode
    from g15diag.commands.doctor import to_json
    from g15diag.recording import Recorder, note_result
    from g15diag.traces import sidecar

    doctor: dict[str, Any] | None = None
    if not (options.interface or (options.port or "").startswith(REPLAY_PREFIX)):
        doctor = to_json(run_doctor(options.replace(trace=None), system_checks=False))
    with tempfile.TemporaryDirectory(prefix="g15diag-report-") as folder:
        trace = Path(folder) / "t.log"
        recorder = Recorder(str(trace))
        transport = make_transport(options.replace(trace=None))
        finished = False
        try:
            with transport:
                recorder.attach(transport)
                result = discover(
                    transport,
                    options.load_profile(),
                    sessions=SessionMode.AUTO,
                    progress=progress,
                    keep_partial=True,
                    widen=True,
                )
                note_result(transport, result.to_dict())
                recorder.finish(transport, "gui report", options.bus_bitrate)
                finished = True
        finally:
            if not finished:
                recorder.discard()
        return bundle(
            doctor=doctor,
            scan=result.scan.to_dict(),
            discover=result.to_dict(),
            trace=trace,
            sidecar=sidecar.load_for(trace) or {},
            unredacted=False,
            version=__version__,
        )
