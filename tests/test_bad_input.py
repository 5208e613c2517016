"""Bad input is a usage error: one sentence, exit 2; never a hang, an internal error or
unbounded memory. Each case was reproduced on the code before issue 12."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from g15diag.errors import ExitStatus as S

GOLDEN = Path(__file__).parent / "golden"


def one_sentence(err: str) -> None:
    """One ``Error:`` sentence (after click's usage lines for a bad option value)."""
    assert (err.startswith("Error: ") or err.startswith("Usage: ")) and "Internal error" not in err
    assert "Traceback" not in err and err.count("Error:") == 1, err


def bad_files(tmp_path: Path, suffix: str) -> dict[str, str]:
    """name -> path of each hostile input (a FIFO with no writer, /dev/zero, ...)."""
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)
    huge = tmp_path / f"huge{suffix}"
    deep = tmp_path / f"deep{suffix}"
    big = tmp_path / f"big{suffix}"
    if suffix == ".json":
        huge.write_text('{"schema_version": ' + "9" * 5000 + "}")
        deep.write_text("[" * 100_000 + "]" * 100_000)
    else:
        huge.write_text("name = " + "9" * 5000 + "\n")
        deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    big.write_bytes(b" " * (2 << 20))
    return {
        "fifo": str(fifo),
        "dev-zero": "/dev/zero",
        "huge-integer": str(huge),
        "deep-nesting": str(deep),
        "folder": str(tmp_path),
        "too-big": str(big),
        "name-too-long": str(tmp_path / ("n" * 300 + suffix)),
    }


KINDS = ["fifo", "dev-zero", "huge-integer", "deep-nesting", "folder", "too-big", "name-too-long"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_export_from_bad_file(run_process, tmp_path: Path, kind: str) -> None:
    path = bad_files(tmp_path, ".json")[kind]
    out = tmp_path / "out.txt"
    done = run_process("export", "--from", path, "--output", str(out), timeout=20)
    assert done.returncode == S.USAGE, done.stderr
    one_sentence(done.stderr)
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_profile_bad_file(run_process, tmp_path: Path, kind: str) -> None:
    path = bad_files(tmp_path, ".toml")[kind]
    done = run_process("read-serial", "--port", "sim://", "--profile", path, timeout=20)
    assert done.returncode == S.USAGE, done.stderr
    one_sentence(done.stderr)


def test_replay_of_one_huge_line_is_refused_quickly(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "one.log"
    trace.write_text("(" + "1" * 5_000_000 + ") can0 7E0#0209020000000000\n")
    code, _, err = run_cli("replay", str(trace))
    assert code == S.USAGE and "line 1 is longer than 4096 characters" in err
    code, _, err = run_cli("read-serial", "--port", f"replay:{trace}")
    assert code == S.USAGE, err


def test_replay_of_a_gzip_bomb_is_refused(run_cli, tmp_path: Path) -> None:
    bomb = tmp_path / "blank.log.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        for _ in range(40):
            handle.write(b"\n" * 1_000_000)
    assert bomb.stat().st_size < 100_000
    code, _, err = run_cli("replay", str(bomb))
    assert code == S.USAGE and "expands to more than 100 times its size" in err


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("pad=100", "pad must be a hex byte"),
        ("pad=-1", "pad must be a hex byte"),
        ("truncate=-5", "truncate must be a whole number from 1 to 7"),
        ("identity=%00%FF", "identity must be printable ASCII"),
        ("hu=zzz", "hu must be two CAN IDs"),
        ("hu=1:2:3", "hu must be two CAN IDs"),
        ("latency=nan", "latency must be a number of seconds"),
        ("baud=-3", "baud must be a whole number"),
        ("pending_count=-1", "pending_count must be a whole number"),
        ("serial=%FF%00", "serial must be 1 to 32 characters"),
        ("freeze_after=0", "freeze_after must be a whole number"),
        ("late=2", "late must be 0 or 1"),
    ],
)
def test_sim_url_options(run_cli, query: str, words: str) -> None:
    code, _, err = run_cli("read-serial", "--port", f"sim://?{query}", "--timeout", "1")
    assert code == S.USAGE and words in err, err
    one_sentence(err)


@pytest.mark.parametrize(
    "port", ["socket://", "socket://127.0.0.1:99999", "socket://127.0.0.1:abc", "socket://[::1"]
)
def test_network_port_urls(run_cli, port: str) -> None:
    code, _, err = run_cli("read-serial", "--port", port, "--timeout", "1")
    assert code == S.USAGE and "needs a host and a port from 1 to 65535" in err, err
    one_sentence(err)


@pytest.mark.slow
def test_simulate_tcp_port_out_of_range(run_process) -> None:
    done = run_process("simulate", "--tcp", "99999", timeout=20)
    assert done.returncode == S.USAGE and "Traceback" not in done.stderr
    assert "OverflowError" not in done.stderr


def test_doctor_refuses_trace(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "x.log"
    code, _, err = run_cli("doctor", "--port", "sim://", "--trace", str(trace))
    assert code == S.USAGE and "doctor does not record a trace" in err
    assert list(tmp_path.iterdir()) == []


# -- pipes and signals ------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}


@pytest.mark.slow
@pytest.mark.parametrize("args", [["replay", "BIG"], ["--help"], ["scan", "--help"]])
def test_closed_stdout_pipe_is_a_normal_end(tmp_path: Path, args: list[str]) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "can_traces" / "bitrate_250k.log"
    big = tmp_path / "big.log"
    big.write_text(fixture.read_text() * 3000)
    argv = [str(big) if a == "BIG" else a for a in args]
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    assert err == b""


@pytest.mark.slow
def test_second_ctrl_c_during_interrupted_prints_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", "read-serial", "--port", "sim://?latency=3", "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=_env(),
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("> 22F18C"):
            break
    for _ in range(5):  # a burst: the first ends the run, the rest land during the report
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == S.INTERRUPTED, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().endswith("Interrupted.")
