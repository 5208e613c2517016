"""Issue 18, messages: a unit that answers the first read but not the confirming one gets
its own sentence, exit status and hint (it was "No answer." with exit 4); a signal while the
final error message is blocked on stderr ends the run without a traceback (it gave one and
exit 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app.read_serial import read_serial
from g15diag.transport.base import Target, Transport
from g15diag.vehicles import profiles

SERIAL = b"SIM0O1Il5S8B2024"


class AnswersOnce(Transport):
    """The serial's identifier answers once; every later request is met with silence."""

    def __init__(self) -> None:
        super().__init__()
        self._queue: list[bytes] = []
        self.served = 0

    def open(self) -> None: ...
    def close(self) -> None: ...
    def set_target(self, target: Target) -> None: ...

    def _send(self, pdu: bytes) -> None:
        self._queue = []
        if pdu == b"\x22\xf1\x8c" and not self.served:
            self.served += 1
            self._queue = [b"\x62\xf1\x8c" + SERIAL]

    def _receive(self, timeout: float) -> bytes | None:
        return self._queue.pop(0) if self._queue else None


def test_a_unit_that_falls_silent_after_one_read_is_said_so() -> None:
    with pytest.raises(errors.FellSilent) as caught:
        read_serial(AnswersOnce(), profiles.load(), bitrate=500_000)
    error = caught.value
    assert error.exit_status == errors.ExitStatus.FELL_SILENT == 11
    assert str(error) == (
        "The head unit answered read 1 of the serial, then did not answer read 2 (sent to "
        "confirm it). Nothing is reported as the serial."
    )
    assert error.hint and "answered once" in error.hint
    assert not isinstance(error, errors.NoAnswer)  # not "no head unit answered" (exit 4)


def _blocked_on(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/wchan").read_text().endswith(("pipe_write", "pipe_wait"))
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_while_the_error_message_is_blocked_gives_no_traceback(name: str) -> None:
    signum = getattr(signal, name)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    filled = 0
    try:
        while True:
            filled += os.write(write_end, b"x" * 4096)  # a terminal paused with Ctrl-S
    except BlockingIOError:
        pass
    os.set_blocking(write_end, True)
    env = {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", "read-serial", "--port", "sim://?no_hu=1"],
        stdout=subprocess.DEVNULL,
        stderr=write_end,
        env=env,
    )
    os.close(write_end)
    try:
        deadline = time.monotonic() + 30
        while not _blocked_on(proc.pid):
            assert proc.poll() is None and time.monotonic() < deadline, "never blocked"
            time.sleep(0.05)
        proc.send_signal(signum)
        chunks = []
        while True:  # drain (the terminal resumes): what did the run write after the signal?
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=30)
    finally:
        os.close(read_end)
        if proc.poll() is None:
            proc.kill()
    said = b"".join(chunks)[filled:].decode("utf-8", "replace")
    assert "Traceback" not in said and "Exception" not in said, said
    assert code == 128 + signum, said
