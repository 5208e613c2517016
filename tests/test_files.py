"""g15diag.system.files: the one writer. Never over an existing file, never partial, any signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.system import files, signals

S = errors.ExitStatus


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_new_writes_bytes_and_text(tmp_path: Path) -> None:
    assert files.write_new(tmp_path / "a.bin", b"\x00\xff") == tmp_path / "a.bin"
    files.write_new(tmp_path / "b.txt", "é\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\xff"
    assert (tmp_path / "b.txt").read_bytes() == "é\n".encode()
    assert names(tmp_path) == ["a.bin", "b.txt"]


def test_dangling_symlink_counts_as_existing(tmp_path: Path) -> None:
    link = tmp_path / "out.txt"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(errors.OutputError, match="already exists"):
        files.write_new(link, "x")
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()
    assert names(tmp_path) == ["out.txt"]


def test_a_244_character_name_works_and_a_too_long_one_is_one_sentence(tmp_path: Path) -> None:
    ok = tmp_path / ("n" * 240 + ".csv")
    files.write_new(ok, "x")
    assert ok.read_text() == "x" and names(tmp_path) == [ok.name]
    with pytest.raises(errors.UsageError, match="file system allows 255") as info:
        files.write_new(tmp_path / ("n" * 300 + ".csv"), "x")
    assert info.value.exit_status == S.USAGE
    assert names(tmp_path) == [ok.name]


def test_a_too_long_path_is_a_usage_error(tmp_path: Path) -> None:
    deep = tmp_path / "/".join(["d" * 200] * 25) / "x.txt"  # > PATH_MAX, each part valid
    with pytest.raises(errors.G15DiagError) as info:
        files.write_new(deep, "x")
    assert info.value.exit_status in (S.USAGE, S.OUTPUT)


def test_commit_all_is_all_or_nothing(tmp_path: Path) -> None:
    first = files.Staged(tmp_path / "t.log")
    second = files.Staged(tmp_path / "t.json")
    first.write(b"frames")
    second.write(b"{}")
    (tmp_path / "t.json").write_text("someone else's")  # appears while recording
    with pytest.raises(errors.OutputError, match="already exists"):
        files.commit_all([first, second])
    assert names(tmp_path) == ["t.json"]
    assert (tmp_path / "t.json").read_text() == "someone else's"


def test_deferred_signal_is_raised_after_the_block(tmp_path: Path) -> None:
    with signals.installed(), pytest.raises(signals.Interrupted) as info, signals.deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        files.write_new(tmp_path / "kept.txt", "whole")  # still completes
    assert info.value.exit_status == 128 + signal.SIGTERM
    assert (tmp_path / "kept.txt").read_text() == "whole"


# -- --trace: the sidecar and the trace follow the same rule -----------------------------------


def test_trace_never_replaces_an_existing_sidecar(run_cli, tmp_path: Path) -> None:
    car = tmp_path / "car.json"
    car.write_text('{"mine": 1}')  # identify --json > car.json
    code, _, err = run_cli("identify", "--port", "sim://", "--trace", str(tmp_path / "car.log"))
    assert code == S.OUTPUT and "car.json already exists" in err
    assert car.read_text() == '{"mine": 1}'
    assert names(tmp_path) == ["car.json"]


def test_trace_never_replaces_a_dangling_symlink(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    trace.symlink_to(tmp_path / "elsewhere.log")
    code, _, err = run_cli("read-serial", "--port", "sim://", "--trace", str(trace))
    assert code == S.OUTPUT and "already exists" in err
    assert trace.is_symlink() and names(tmp_path) == ["t.log"]


def test_trace_created_meanwhile_is_not_replaced(run_cli, tmp_path: Path, monkeypatch) -> None:
    trace = tmp_path / "t.log"
    from g15diag.app import read_serial

    real = read_serial.read_serial

    def racing(*args, **kwargs):  # a second run takes the name while this one reads
        trace.write_text("the other run's\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(read_serial, "read_serial", racing)
    code, _, err = run_cli("read-serial", "--port", "sim://", "--trace", str(trace))
    assert code == S.OUTPUT and "already exists" in err
    assert trace.read_text() == "the other run's\n"
    assert names(tmp_path) == ["t.log"]  # no sidecar without its trace, no temporary


def test_trace_with_a_244_character_name(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / ("t" * 240 + ".log")
    code, _, err = run_cli("read-serial", "--port", "sim://", "--trace", str(trace))
    assert (code, err) == (0, "")
    assert names(tmp_path) == sorted([trace.name, trace.with_suffix(".json").name])


def test_export_with_a_too_long_name_is_one_sentence(run_cli, tmp_path: Path) -> None:
    out = tmp_path / ("r" * 300 + ".txt")
    code, _, err = run_cli("export", "--port", "sim://", "--output", str(out))
    assert code == S.USAGE
    assert err.startswith("Error: Cannot write ") and "Internal error" not in err
    assert names(tmp_path) == []


# -- signals -----------------------------------------------------------------------------------


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}
    return subprocess.Popen(
        [sys.executable, "-m", "g15diag", *args, "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )


def _signal_mid_exchange(args: list[str], cwd: Path, sig: int) -> tuple[int, str]:
    proc = _start(args, cwd)
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("> 22F18C"):
            break
    else:
        raise AssertionError("the request never went out: " + "".join(seen))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err


SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s]


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_any_signal_during_a_trace_leaves_nothing(tmp_path: Path, sig: int) -> None:
    args = ["read-serial", "--port", "sim://?latency=2", "--trace", "t.log"]
    code, err = _signal_mid_exchange(args, tmp_path, sig)
    assert code == 128 + sig, err
    assert "Traceback" not in err
    # The interrupted session is recorded whole (its sidecar names the interruption), and
    # the message says so; no temporary is left.
    assert err.strip().splitlines()[-1] == (
        "Interrupted. t.log, t.json had been written completely."
    ), err
    assert names(tmp_path) == ["t.json", "t.log"], names(tmp_path)
    meta = json.loads((tmp_path / "t.json").read_text())
    assert meta["error"]["type"] == "Interrupted" and meta["result"] is None


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_any_signal_during_export_leaves_nothing(tmp_path: Path, sig: int) -> None:
    args = ["export", "--port", "sim://?latency=2", "--output", "r.csv"]
    code, err = _signal_mid_exchange(args, tmp_path, sig)
    assert code == 128 + sig and "Traceback" not in err, err
    assert names(tmp_path) == []


def test_signal_after_the_link_reports_the_file_complete(tmp_path: Path, monkeypatch) -> None:
    """A signal landing just after the file was linked: the message says it is whole."""
    from g15diag.cli import main

    real_link = os.link

    def link_then_signal(src, dst, *args, **kwargs):
        real_link(src, dst, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "link", link_then_signal)
    out = tmp_path / "r.json"
    code = main(["export", "--port", "sim://", "--output", str(out)])
    assert code == S.INTERRUPTED
    assert json.loads(out.read_text())["schema_version"] == 1
    assert names(tmp_path) == ["r.json"]


def test_signal_after_the_link_message(tmp_path: Path, monkeypatch, capsys) -> None:
    from g15diag.cli import main

    real_link = os.link

    def link_then_signal(src, dst, *args, **kwargs):
        real_link(src, dst, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "link", link_then_signal)
    out = tmp_path / "r.txt"
    code = main(["export", "--port", "sim://", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 128 + signal.SIGTERM
    assert err.strip() == f"Interrupted. {out} had been written completely."
