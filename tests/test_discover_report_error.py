"""`discover --report` when the adapter fails partway: the report is still written, with what
was gathered and the error in one sentence, never over an existing file without --force, and
the run ends with the error's documented exit status."""

from __future__ import annotations

import json
import zipfile

import pytest

from g15diag.errors import ExitStatus

FREEZE = "sim://?unit=hidden_serial&freeze_after=40"  # answers 40 requests, then hangs


def _members(path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_adapter_freezing_partway_still_writes_the_report(run_cli, tmp_path) -> None:
    report = tmp_path / "r.zip"
    code, out, err = run_cli("discover", "--port", FREEZE, "--report", str(report),
                             "--timeout", "0.5")  # fmt: skip
    assert code == ExitStatus.ADAPTER == 3
    assert f"Wrote the field report {report} (with what was gathered before the error)." in err
    assert err.count("Error: The adapter on") == 1 and "Traceback" not in err
    assert "INCOMPLETE: the adapter failed partway" in out
    files = _members(report)
    sentence = next(line for line in files["README.txt"].splitlines() if "INCOMPLETE" in line)
    assert sentence.startswith(
        "INCOMPLETE: the run stopped early with this error (exit status 3): The adapter on "
    )
    assert sentence.endswith("The files hold what was gathered before it.")
    data = json.loads(files["discover.json"])
    assert data["error"]["exit_status"] == 3
    [unit] = data["units"]  # the unit being swept when it froze, marked incomplete
    assert unit["truncated"] is True and unit["request_id"] == "0x747"
    answered = [i["request"] for i in unit["items"]]
    assert answered[:3] == ["22F180", "22F181", "22F182"] and "22F1A7" not in answered
    assert json.loads(files["scan.json"])["rows"]  # the scan before it is kept
    assert files["trace.log"].count("\n") > 10  # and the exchange up to the freeze


def test_partial_report_never_overwrites_without_force(run_cli, tmp_path) -> None:
    report = tmp_path / "r.zip"
    report.write_bytes(b"mine")
    args = ["discover", "--port", FREEZE, "--report", str(report), "--timeout", "0.5"]
    code, _, err = run_cli(*args)
    assert code == ExitStatus.OUTPUT and report.read_bytes() == b"mine"
    code, _, err = run_cli(*args, "--force")
    assert code == ExitStatus.ADAPTER and "Wrote the field report" in err
    assert "INCOMPLETE" in _members(report)["README.txt"]


@pytest.mark.parametrize("fault", ["fault=disconnect", "freeze_after=2"])
def test_adapter_failing_during_the_scan_still_writes_the_report(run_cli, tmp_path, fault) -> None:
    report = tmp_path / "r.zip"
    code, _, err = run_cli("discover", "--port", f"sim://?{fault}", "--report", str(report),
                           "--timeout", "0.5")  # fmt: skip
    files = _members(report)
    status = json.loads(files["discover.json"])["error"]["exit_status"]
    assert code == status == ExitStatus.ADAPTER  # the error's own documented status
    assert f"exit status {code})" in files["README.txt"]
    assert "Traceback" not in err
