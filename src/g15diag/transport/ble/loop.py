"""One private asyncio event loop on its own thread, driven synchronously with deadlines.

bleak is asyncio; the tool is synchronous. :class:`LoopThread` runs every bleak call on one
loop thread and waits for it from the caller's thread in short slices, so Ctrl-C and SIGTERM
(delivered to the main thread) interrupt a wait within :data:`SLICE` seconds on every
system (a lock wait is not interruptible on Windows), and a deadline always ends it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
SLICE = 0.05  # longest single wait before signals and the deadline are looked at again
CANCEL_SECONDS = 1.0  # what stop() gives the loop's leftover tasks to end


class LoopTimeout(Exception):
    """A coroutine run by :meth:`LoopThread.run` did not finish before its deadline."""


class LoopThread:
    """An event loop on a daemon thread; :meth:`run` a coroutine on it and wait."""

    def __init__(self, name: str = "g15diag-ble") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        timeout: float,
        on_tick: Callable[[float], None] | None = None,
    ) -> T:
        """Run ``coro`` on the loop; its result, or :class:`LoopTimeout` after ``timeout``
        seconds (the coroutine is cancelled then, and on Ctrl-C/SIGTERM). ``on_tick`` gets
        the seconds elapsed, about every :data:`SLICE` (progress)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        started = time.monotonic()
        try:
            while True:
                done, _ = concurrent.futures.wait([future], timeout=SLICE)
                if done:
                    return future.result()
                elapsed = time.monotonic() - started
                if elapsed >= timeout:
                    raise LoopTimeout(f"no result within {timeout:g} s")
                if on_tick is not None:
                    on_tick(elapsed)
        except BaseException:
            future.cancel()  # cancels the task on the loop (KeyboardInterrupt included)
            raise

    def call(self, func: Callable[[], object]) -> None:
        """Schedule ``func`` on the loop thread (thread-safe, does not wait)."""
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self.loop.call_soon_threadsafe(func)

    def stop(self) -> None:
        """Cancel what still runs on the loop, then stop it and its thread (safe to call
        twice). Nothing is left pending to warn at exit."""
        if self.loop.is_closed():
            return
        with contextlib.suppress(Exception):
            self.run(_cancel_all(), CANCEL_SECONDS)
        self.call(self.loop.stop)
        self._thread.join(1.0)
        if not self._thread.is_alive():
            self.loop.close()


async def _cancel_all() -> None:
    """Cancel every other task on the running loop and wait for them to end."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()
