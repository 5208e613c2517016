"""The fault matrix of docs/reliability.md: every row runs the real CLI as a subprocess and
checks the exit status, the message, and that no traceback reaches the user.

Tests run as root in CI containers, and root ignores file permissions and TIOCEXCL. The
permission and port-busy rows therefore run the CLI with CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH, CAP_FOWNER and CAP_SYS_ADMIN dropped from its capability bounding set
(prctl PR_CAPBSET_DROP before exec), so the kernel really refuses: no mocking. As a normal
user nothing needs dropping.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import resource
import signal
import subprocess
import sys
import termios
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from g15diag.errors import ExitStatus as S

pytestmark = pytest.mark.slow  # every row runs the CLI as a subprocess

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures/can_traces"
PR_CAPBSET_DROP = 24
DROPPED_CAPS = (1, 2, 3, 21)  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, SYS_ADMIN


def unprivileged() -> None:
    """preexec_fn: make a root child obey permissions and TIOCEXCL like any user."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in DROPPED_CAPS:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def check(done: subprocess.CompletedProcess[str], status: int, message: str) -> None:
    assert "Traceback" not in done.stderr, done.stderr
    assert "Internal error" not in done.stderr, done.stderr
    assert done.returncode == status, (done.returncode, done.stderr)
    assert message in done.stderr, done.stderr


# -- a scripted ELM327 on a real pty (answers the test chooses, e.g. a broken multi-frame) ----


@contextlib.contextmanager
def scripted_adapter(answer: Callable[[str], str]) -> Iterator[str]:
    """A pty whose far end answers AT commands with OK and data requests with ``answer``."""
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    stop = threading.Event()

    def serve() -> None:
        buffer = b""
        while not stop.is_set():
            try:
                chunk = os.read(master, 1024)
            except OSError:
                return
            buffer += chunk
            while b"\r" in buffer:
                line, buffer = buffer.split(b"\r", 1)
                command = line.decode("ascii", "replace").strip().upper()
                if command == "ATI":
                    text = "ELM327 v1.4b"
                elif command.startswith(("AT", "ST")):
                    text = "OK"
                else:
                    text = answer(command)
                with contextlib.suppress(OSError):
                    os.write(master, (text + "\r\r>").encode("latin-1"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        for fd in (slave, master):
            with contextlib.suppress(OSError):
                os.close(fd)


SERIAL_FRAMES = [  # 62 F1 8C + "SIM0O1Il5S8B2024" from 7A8, headers on, spaces off
    "7A8101362F18C53494D",
    "7A821304F31496C3553",
    "7A8223842323032AAAA",
]


def multiframe(frames: list[str]) -> Callable[[str], str]:
    return lambda command: "\r".join(frames) if command.startswith("22") else "NO DATA"


# -- the matrix -------------------------------------------------------------------------------

#: (kind, CLI arguments, exit status, a fragment of the message). Rows needing set-up
#: (pty, file system, signal) are the separate tests below.
SIMPLE_ROWS = [
    ("adapter error CAN ERROR", ["--port", "sim://?fault=can_error"], S.ADAPTER, "'CAN ERROR'"),
    ("adapter error BUFFER FULL", ["--port", "sim://?fault=buffer_full"], S.ADAPTER, "BUFFER"),
    ("adapter error STOPPED", ["--port", "sim://?fault=stopped"], S.ADAPTER, "'STOPPED'"),
    ("adapter reset LV RESET", ["--port", "sim://?fault=lv_reset"], S.ADAPTER, "LV RESET"),
    ("clone NOT CONNECTED", ["--port", "sim://?clone=notconnected"], S.ADAPTER, "NOT CONNECTED"),
    ("clone BUS INIT ERROR", ["--port", "sim://?clone=businit"], S.ADAPTER, "BUS INIT"),
    ("clone answers '?' (v1.5)", ["--port", "sim://?clone=v15"], S.ADAPTER_INCAPABLE, "'?'"),
    ("clone truncation (v2.1)", ["--port", "sim://?clone=v21"], S.ADAPTER_INCAPABLE, "cut"),
    (
        "clone without the X wildcard, --wide",
        ["--port", "sim://?hu=7B3:7C1&clone=nowild", "--wide"],
        S.ADAPTER_INCAPABLE,
        "cannot listen to all answer IDs",
    ),
    ("disconnect mid-answer", ["--port", "sim://?fault=disconnect"], S.ADAPTER, "Lost the"),
    ("garbage (line noise)", ["--port", "sim://?fault=garbage"], S.ADAPTER, "line noise"),
    ("wrong serial speed", ["--port", "sim://?baud=9600", "--timeout", "1"], S.ADAPTER, "noise"),
    (
        "timeout: no prompt",
        ["--port", "sim://?fault=no_prompt", "--timeout", "0.5"],
        S.ADAPTER,
        "prompt",
    ),
    (
        "clone freezes mid multi-frame",
        ["--port", "sim://?clone=freeze", "--timeout", "1"],
        S.ADAPTER,
        "stopped in the middle",
    ),
    ("responsePending storm", ["--port", "sim://?pending=storm"], S.NO_ANSWER, "pending"),
    ("no head unit", ["--port", "sim://?no_hu=1"], S.NO_ANSWER, "No head unit answered"),
    ("unit refuses (NRC)", ["--port", "sim://?refuse=F18C"], S.REFUSED, "NRC 0x31"),
    ("reads disagree", ["--port", "sim://?unstable=1"], S.DISAGREE, "differ at byte 16"),
    ("port does not exist", ["--port", "/dev/ttyNOPE0"], S.ADAPTER, "no such port"),
    ("Wi-Fi adapter refuses", ["--port", "socket://127.0.0.1:9"], S.ADAPTER, "Cannot connect"),
    ("bad option", ["--port", "sim://", "--protocol", "5"], S.USAGE, "Invalid value"),
    ("bad simulator URL", ["--port", "sim://?nope=1"], S.USAGE, "Unknown simulator option"),
]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [row[1:] for row in SIMPLE_ROWS],
    ids=[row[0] for row in SIMPLE_ROWS],
)
def test_simple_rows(run_process, args: list[str], status: int, message: str) -> None:
    check(run_process("read-serial", *args), status, message)


# -- multi-frame answers that break ----------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (SERIAL_FRAMES[:2], "ended 6 bytes short"),  # truncated: last CF missing
        ([SERIAL_FRAMES[0], SERIAL_FRAMES[2], SERIAL_FRAMES[1]], "out of order"),
        ([SERIAL_FRAMES[0], SERIAL_FRAMES[2]], "missing or out of order"),
    ],
    ids=["truncated multi-frame", "out-of-order multi-frame", "missing consecutive frame"],
)
def test_broken_multiframe(run_process, frames: list[str], message: str) -> None:
    with scripted_adapter(multiframe(frames)) as port:
        done = run_process("read-serial", "--port", port, "--address", "7A0:7A8", "--timeout", "2")
    check(done, S.ADAPTER, message)


def test_unreadable_adapter_line(run_process) -> None:
    with scripted_adapter(lambda c: "7A8 03 62 F1 ZZ") as port:
        done = run_process("read-serial", "--port", port, "--address", "7A0:7A8", "--timeout", "2")
    check(done, S.ADAPTER, "Unreadable line")


# -- ports: busy, permission -------------------------------------------------------------------


def test_port_busy(run_process, pty_sim) -> None:
    server = pty_sim("sim://")
    os.chmod(server.path, 0o666)  # any user may open it ...
    fcntl.ioctl(server._slave, termios.TIOCEXCL)  # ... but it is held exclusively
    try:
        done = run_process("read-serial", "--port", server.path, preexec_fn=unprivileged)
    finally:
        fcntl.ioctl(server._slave, termios.TIOCNXCL)
    check(done, S.ADAPTER, "is busy")


def test_port_permission_denied(run_process, pty_sim) -> None:
    server = pty_sim("sim://")
    os.chmod(server.path, 0o000)
    done = run_process("read-serial", "--port", server.path, preexec_fn=unprivileged)
    check(done, S.ADAPTER, "No permission")


# -- input files -------------------------------------------------------------------------------


def test_bad_trace_line(run_process, tmp_path: Path) -> None:
    trace = tmp_path / "bad.log"
    trace.write_text("(0.000000) can0 747#0322F18C\nthis is not candump\n")
    check(run_process("replay", str(trace)), S.USAGE, "line 2 is not a candump -L line")
    done = run_process("read-serial", "--port", f"replay:{trace}")
    check(done, S.USAGE, "line 2")


def test_damaged_binary_trace(run_process, tmp_path: Path) -> None:
    trace = tmp_path / "damaged.blf"
    trace.write_bytes(b"LOGG\x00\x01")  # a truncated BLF header (python-can: struct.error)
    check(run_process("replay", str(trace)), S.USAGE, "Cannot read trace")


def test_bad_profile(run_process, tmp_path: Path) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text('schema = 1\nname = "x"\n[engine]\nrequest = "zz"\n')
    done = run_process("read-serial", "--port", "sim://", "--profile", str(profile))
    check(done, S.USAGE, "Bad profile")


def test_bad_identify_file_for_export(run_process, tmp_path: Path) -> None:
    source = tmp_path / "identify.json"
    source.write_text(
        '{"schema_version": 1, "serial": null, "vin": null, "items": [], '
        '"head_unit": {}, "adapter": {}, "simulated": false, "read_at": ""}'
    )
    done = run_process("export", "--from", str(source), "--output", str(tmp_path / "o.txt"))
    check(done, S.USAGE, "must be an object")
    assert not (tmp_path / "o.txt").exists()


# -- output: exists, disk full, permission ---------------------------------------------------------


def test_export_never_overwrites(run_process, tmp_path: Path) -> None:
    out = tmp_path / "request.txt"
    out.write_text("keep me")
    done = run_process("export", "--port", "sim://", "--output", str(out))
    check(done, S.OUTPUT, "already exists")
    assert out.read_text() == "keep me"
    done = run_process("export", "--port", "sim://", "--output", str(out), "--force")
    assert done.returncode == 0 and "Anti-theft codes" in out.read_text()


@contextlib.contextmanager
def full_filesystem(tmp_path: Path) -> Iterator[Path | None]:
    """A 64 KiB tmpfs filled to the last block, or None when mounting is not allowed."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        yield None
        return
    try:
        with contextlib.suppress(OSError), open(mount / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_on_export(run_process, tmp_path: Path) -> None:
    with full_filesystem(tmp_path) as mount:
        if mount is None:
            pytest.skip("cannot mount a tmpfs here; test_file_too_large_on_export covers it")
        out = mount / "request.json"
        done = run_process("export", "--port", "sim://", "--output", str(out))
        check(done, S.OUTPUT, "No space left on device")
        assert sorted(p.name for p in mount.iterdir()) == ["filler"]  # no partial, no temp


def _small_file_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write fails with EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_file_too_large_on_export(run_process, tmp_path: Path) -> None:
    """Works without root: RLIMIT_FSIZE makes the export's write fail half-way (EFBIG)."""
    out = tmp_path / "request.json"
    done = run_process(
        "export", "--port", "sim://", "--output", str(out), preexec_fn=_small_file_limit
    )
    check(done, S.OUTPUT, "File too large")
    assert list(tmp_path.iterdir()) == []


def test_file_too_large_on_trace(run_process, tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    done = run_process(
        "read-serial", "--port", "sim://", "--trace", str(trace), preexec_fn=_small_file_limit
    )
    check(done, S.OUTPUT, "File too large")
    assert list(tmp_path.iterdir()) == []  # no trace, no sidecar, no temporary file


def test_disk_full_on_trace(run_process, tmp_path: Path) -> None:
    with full_filesystem(tmp_path) as mount:
        if mount is None:
            pytest.skip("cannot mount a tmpfs here; test_file_too_large_on_trace covers it")
        done = run_process("read-serial", "--port", "sim://", "--trace", str(mount / "t.log"))
        check(done, S.OUTPUT, "No space left on device")
        assert sorted(p.name for p in mount.iterdir()) == ["filler"]


def test_export_permission_denied(run_process, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run_process(
            "export", "--port", "sim://", "--output", str(folder / "r.txt"), preexec_fn=unprivileged
        )
    finally:
        folder.chmod(0o755)
    check(done, S.OUTPUT, "Permission denied")
    assert list(folder.iterdir()) == []


def test_trace_never_overwrites(run_process, tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    trace.write_text("old")
    done = run_process("read-serial", "--port", "sim://", "--trace", str(trace))
    check(done, S.OUTPUT, "already exists")
    assert trace.read_text() == "old"


# -- Ctrl-C ------------------------------------------------------------------------------------


def interrupt_mid_exchange(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Start the CLI, wait (on its -v output, no sleep) until it has sent the serial request
    to a slow simulated car, then SIGINT it."""
    env = {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", *args, "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("> 22F18C"):
            break
    else:
        raise AssertionError("the request never went out: " + "".join(seen))
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "".join(seen) + err)


def test_ctrl_c_during_export_leaves_nothing(tmp_path: Path) -> None:
    args = ["export", "--port", "sim://?latency=2", "--output", "request.json"]
    done = interrupt_mid_exchange(args, tmp_path)
    check(done, S.INTERRUPTED, "Interrupted.")
    assert list(tmp_path.iterdir()) == []  # no output, no temporary file


def test_ctrl_c_during_trace_recording_leaves_no_partial_file(tmp_path: Path) -> None:
    args = ["read-serial", "--port", "sim://?latency=2", "--trace", "t.log"]
    done = interrupt_mid_exchange(args, tmp_path)
    check(done, S.INTERRUPTED, "Interrupted.")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not [n for n in names if n.startswith(".")], names  # no temporary file left
    assert names in ([], ["t.json", "t.log"]), names  # nothing, or a whole trace + sidecar
