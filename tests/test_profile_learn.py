"""``profile learn``: a field report becomes a profile and a CI case, in one command each."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.vehicles.profiles import load

HIDDEN_7B3 = "sim://?hu=7B3:7D3&unit=hidden_serial"
SERIAL = "HU7K2M9Q4X51"


def _item(request: str, text: str | None, candidate: bool, session: str = "default") -> dict:
    return {
        "request": request,
        "status": "ok" if text else "not_supported",
        "nrc": None,
        "session": session,
        "length": len(text) if text else None,
        "hex": None,
        "text": text,
        "serial_candidate": candidate,
    }


def _report(path: Path, items: list[dict]) -> Path:
    discover = {
        "schema_version": 1,
        "units": [
            {
                "name": "wide 7B3",
                "request_id": "0x7B3",
                "response_id": "0x7D3",
                "bitrate": 250000,
                "session": "uds_extended",
                "items": items,
            }
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("discover.json", json.dumps(discover))
        archive.writestr("trace.log", "")
        archive.writestr("trace.json", json.dumps({"ids": []}))
    path.write_bytes(buffer.getvalue())
    return path


def test_one_candidate_becomes_the_first_unit_and_the_serial_item(run_cli, tmp_path) -> None:
    report = _report(
        tmp_path / "r.zip",
        [
            _item("22F187", "281150000R", False),
            _item("22F1A7", "************", True, "uds_extended"),
        ],
    )
    out_file = tmp_path / "mine.toml"
    code, out, err = run_cli("profile", "learn", str(report), "-o", str(out_file))
    assert code == 0, err
    assert "0xF1A7  at 0x7B3/0x7D3, 250 kbit/s, extended (10 03) session" in out
    prof = load(str(out_file))
    unit = prof.head_units[0]
    assert (unit.request_id, unit.response_id, unit.bitrates, unit.family) == (
        0x7B3, 0x7D3, (250000,), "uds"
    )  # fmt: skip
    assert unit.confidence == "one field report" and unit.source == "field report r.zip"
    rungs = prof.rungs_for(unit)
    assert [r.name for r in rungs] == ["uds-default", "learned-f1a7-uds_extended"]
    assert rungs[1].session.value == "uds_extended"
    serial = [i for i in prof.items if i.key == "0xF1A7"]
    assert serial[0].role == "serial" and serial[0].source == "field report r.zip"
    assert prof.head_units[1:] == load().head_units  # the shipped ones follow, unchanged
    code, _, err = run_cli("profile", "learn", str(report), "-o", str(out_file))
    assert code == errors.ExitStatus.OUTPUT  # never replaced without --force


def test_several_candidates_are_listed_and_item_picks_one(run_cli, tmp_path) -> None:
    report = _report(
        tmp_path / "r.zip", [_item("22F1A7", "************", True), _item("1A9E", "********", True)]
    )
    out_file = tmp_path / "mine.toml"
    code, out, err = run_cli("profile", "learn", str(report), "-o", str(out_file))
    assert code == 2 and not out_file.exists() and out == ""
    assert "2 serial candidates; pick one with --item ID" in err
    assert "0xF1A7  at 0x7B3/0x7D3" in err and "0x1A9E  at 0x7B3/0x7D3" in err
    code, _out, err = run_cli(
        "profile", "learn", str(report), "-o", str(out_file), "--item", "1A9E"
    )
    assert code == 0, err
    unit = load(str(out_file)).head_units[0]
    assert unit.family == "kwp"
    assert next(r.name for r in load(str(out_file)).rungs_for(unit)) == "kwp-default"


def test_a_file_that_is_not_a_report_is_a_usage_error(run_cli, tmp_path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    code, _, err = run_cli("profile", "learn", str(bad), "-o", str(tmp_path / "x.toml"))
    assert code == 2 and "is not a g15diag field report" in err


@pytest.mark.slow
def test_discover_report_learn_then_read_serial(run_cli, tmp_path) -> None:
    trace, report, mine = tmp_path / "x.log", tmp_path / "r.zip", tmp_path / "mine.toml"
    code, out, err = run_cli(
        "discover", "--port", HIDDEN_7B3, "--trace", str(trace), "--report", str(report)
    )
    assert code == 0, err  # discover widened by itself: the unit at 7B3 was found
    assert "Unit 0x7B3/0x7D3 at 500 kbit/s" in out and trace.exists() and report.exists()
    code, _, err = run_cli("read-serial", "--port", HIDDEN_7B3)
    assert code == errors.ExitStatus.NO_ANSWER  # the shipped profile does not know it
    fixture = tmp_path / "cases" / "field_7b3"
    fixture.parent.mkdir()
    code, out, err = run_cli(
        "profile", "learn", str(report), "-o", str(mine), "--fixture", str(fixture)
    )
    assert code == 0, err
    code, out, err = run_cli("read-serial", "--json", "--port", HIDDEN_7B3, "--profile", str(mine))
    assert code == 0, err
    data = json.loads(out)
    assert (data["serial"], data["identifier"], data["reads"]) == (SERIAL, "0xF1A7", 2)
    # the CI case: what tests/test_trace_fixtures.py checks for every file in its folder
    side = json.loads(fixture.with_suffix(".json").read_text())
    assert side["ids"][0] == {"request": "0x7B3", "response": "0x7D3", "bitrate": 500000}
    log = str(fixture.with_suffix(".log"))
    code, out, _ = run_cli("replay", log, "--format", "tsv", "--request-id", "0x7B3",
                           "--response-id", "0x7D3")  # fmt: skip
    assert code == 0 and out == side["expected"]["tsv"] and "0xF1A7\tPOS" in out
    code, out, _ = run_cli("replay", log, "--format", "tsv")
    assert out == side["expected"]["tsv_all"]
    (run,) = side["expected"]["runs"]
    code, out, err = run_cli(*run["args"], "--port", f"replay:{log}")
    assert code == run["exit"] == 0, err
    got = json.loads(out)
    assert {k: got[k] for k in run["json"]} == run["json"]
    assert run["json"]["identifier"] == "0xF1A7" and run["json"]["request_id"] == "0x7B3"
