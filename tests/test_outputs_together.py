"""Issue 18: the files a run writes are checked together before the adapter is opened.

Before: ``export -o car.json --trace car.log`` wrote car.log and car.json (the sidecar), then
said "car.json already exists; nothing was written"; ``discover --report -`` wrote a file
named ``-`` and ``--report r.json`` a zip named r.json; an interrupted report named
temporaries that were then removed; the tool's own large sidecar was refused as user input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from g15diag.errors import ExitStatus as S
from g15diag.system import files
from g15diag.traces import sidecar


def test_export_and_trace_sidecar_with_one_name(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("export", "--port", "sim://", "-o", "car.json", "--trace", "car.log")
    assert code == S.USAGE, err
    assert err == (
        "Error: --output and the trace's sidecar would both write car.json: give them "
        "different names. Nothing was written.\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_export_with_distinct_names_writes_all(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("export", "--port", "sim://", "-o", "car.txt", "--trace", "car.log")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["car.json", "car.log", "car.txt"]


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ("-", "cannot go to standard output"),
        ("r.json", "name it with .zip (e.g. r.zip), not 'r.json'"),
    ],
)
def test_report_names(tmp_path: Path, run_cli, monkeypatch, report: str, said: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("discover", "--port", "sim://", "--report", report)
    assert code == S.USAGE and said in err, err
    assert list(tmp_path.iterdir()) == []


def test_report_with_trace(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("discover", "--port", "sim://", "--report", "t.zip", "--trace", "t.zip")
    assert code == S.USAGE and "--report and --trace would both write t.zip" in err, err
    assert list(tmp_path.iterdir()) == []
    code, _, err = run_cli("discover", "--port", "sim://", "--report", "r.zip", "--trace", "t.log")
    assert code == 0, err  # distinct names, and doctor (in the report) records no trace
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.zip", "t.json", "t.log"]


def test_written_never_names_a_removed_temporary(tmp_path: Path) -> None:
    with files.ledger():
        kept = files.write_new(tmp_path / "kept.txt", "x")
        gone = files.write_new(tmp_path / "gone.log", "y")
        gone.unlink()  # the report's temporary folder was removed meanwhile
        assert files.written() == [kept]


def test_the_tools_own_sidecar_is_not_bounded_as_user_input(tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    trace.write_text("")
    big = {"answers": ["41" * 4095] * 160}  # 48 identifiers of 4,095 bytes, frames and all
    sidecar.path_for(trace).write_text(json.dumps(big))
    with pytest.raises(Exception, match="more than the 1,048,576"):
        sidecar.load_for(trace)  # a user's sidecar: the input bound
    assert sidecar.load_for(trace, own=True) == big
