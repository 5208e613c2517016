"""One adapter session at a time, run in a thread; the page polls its state.

Every read goes through :mod:`g15diag.app.api` (the CLI's own functions). Results stay in
memory only: nothing is written unless the user presses a Save button in the page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from g15diag import errors
from g15diag.app import privacy
from g15diag.system import signals

IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"


class Busy(errors.UsageError):
    """Another adapter session is still running."""


@dataclass
class Job:
    """What the page shows: the state, the progress lines, the result or the error."""

    kind: str = ""
    state: str = IDLE
    id: int = 0  # every job gets a new one: print/save name the result they act on
    progress: list[dict[str, Any]] = field(default_factory=list)
    result: Any = None
    error: dict[str, str | bool] | None = None


def describe(exc: BaseException) -> dict[str, str | bool]:
    """The CLI's one sentence and hint for ``exc`` (never a traceback), and its ``kind``: the
    key of the page's own sentence for it in the catalogue (g15diag.lang)."""
    from g15diag.lang import error_kind

    return {**_english(exc), "kind": error_kind(exc)}


def _english(exc: BaseException) -> dict[str, str | bool]:
    if isinstance(exc, errors.G15DiagError):
        from g15diag.app.hints import NOTHING_ANSWERED_HINT, WIDE_DONE_HINT

        message = privacy.present(exc)  # as the run presented it; masked if none did
        return {
            "message": message,
            "hint": exc.shown_hint or "",
            "exit_status": str(exc.exit_status),
            # the page shows these steps in its own language (the sheet's translation)
            "nothing_answered": exc.hint in (NOTHING_ANSWERED_HINT, WIDE_DONE_HINT),
            "wide_done": exc.hint == WIDE_DONE_HINT,
        }
    return {
        "message": f"Internal error: {type(exc).__name__}. This is a bug in g15diag; "
        "please report it.",
        "hint": "",
        "exit_status": str(errors.ExitStatus.FAILURE),
    }


class Worker:
    """Runs one job at a time; :meth:`start` refuses a second one while the first runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._job = Job()
        self._ids = 0
        self._results: dict[str, tuple[int, Any]] = {}  # kind -> (job id, its last result)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # set when the page stops: the job ends between requests

    def snapshot(self) -> Job:
        with self._lock:
            job = self._job
            return Job(job.kind, job.state, job.id, list(job.progress), job.result, job.error)

    def last_result(self, kind: str, job_id: int | None = None) -> Any:
        """The result of the last ``kind`` job that finished well (of job ``job_id`` only,
        when given); None once another ``kind`` job has started (a new read forgets the old)."""
        with self._lock:
            held = self._results.get(kind)
            if held is None or (job_id is not None and held[0] != job_id):
                return None
            return held[1]

    def start(self, kind: str, task: Callable[[Callable[[dict[str, Any]], None]], Any]) -> None:
        """Run ``task(report_progress)`` in a thread; Busy if a job is running."""
        with self._lock:
            if self._job.state == RUNNING:
                raise Busy(
                    "The adapter is busy with another request; wait for it to finish.",
                    hint="One adapter session at a time.",
                )
            if self._stop.is_set():
                raise errors.UsageError("The page is stopping; nothing was started.")
            self._ids += 1
            self._results.pop(kind, None)  # the old result is gone the moment a new one starts
            self._job = Job(kind=kind, state=RUNNING, id=self._ids)
            job = self._job
        self._thread = threading.Thread(target=self._run, args=(job, task), daemon=True)
        self._thread.start()

    def _run(self, job: Job, task: Callable[[Callable[[dict[str, Any]], None]], Any]) -> None:
        def progress(step: dict[str, Any]) -> None:
            with self._lock:
                job.progress.append(step)

        try:
            with signals.cancelled_by(self._stop):
                result = task(progress)
        except signals.Cancelled:  # the page stopped: sessions were left, the port closed
            with self._lock:
                job.state, job.error = (
                    FAILED,
                    {
                        "message": "Stopped before the read finished; the unit was returned to "
                        "its default session.",
                        "hint": "",
                        "exit_status": str(errors.ExitStatus.INTERRUPTED),
                    },
                )
            return
        except BaseException as exc:  # shown in the page as one sentence + hint
            with self._lock:
                job.state, job.error = FAILED, describe(exc)
            if not isinstance(exc, Exception):
                raise
            return
        with self._lock:
            job.state, job.result = DONE, result
            self._results[job.kind] = (job.id, result)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running job (used on shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stop(self, timeout: float) -> bool:
        """End the running job before its next request (a session it entered is left and
        the port closed) and wait at most ``timeout`` s; False if it is still running."""
        self._stop.set()
        self.wait(timeout)
        thread = self._thread
        return thread is None or not thread.is_alive()
