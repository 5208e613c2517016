"""`discover` and `discover --report` (issue 11 items 4 and 5), through every transport."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app.discover import discover, looks_like_serial, sweep_requests
from g15diag.app.search import SearchProgress
from g15diag.sim.car import SIM_HIDDEN_SERIAL, SIM_VIN
from g15diag.vehicles import profiles
from test_sessions import check_wire, opened

HIDDEN = "sim://?unit=hidden_serial&hu=7B3:7D3"


def test_sweep_is_exactly_the_identification_ranges() -> None:
    requests = sweep_requests()
    assert len(requests) == len(set(requests)) == 48 + 32 + 32
    assert requests[0] == bytes.fromhex("22F180") and requests[47] == bytes.fromhex("22F1AF")
    assert requests[48] == bytes.fromhex("1A80") and requests[79] == bytes.fromhex("1A9F")
    assert requests[80] == bytes.fromhex("2180") and requests[-1] == bytes.fromhex("219F")


@pytest.mark.parametrize("kind", ["elm", "pty", "tcp", "virtual"])
def test_hidden_serial_unit_listed_and_flagged(kind: str, pty_sim, tcp_sim) -> None:  # type: ignore[no-untyped-def]
    prof = profiles.load()
    from g15diag.app.scan import range_candidates

    steps: list[SearchProgress] = []
    with opened(kind, HIDDEN, 500_000, pty_sim, tcp_sim) as (transport, ecu):
        result = discover(
            transport, prof, candidates=range_candidates(prof, 0x7B0, 0x7B7), progress=steps.append
        )
    [unit] = result.units
    assert unit.target.request_id == 0x7B3 and not unit.truncated
    # every identifier of the unit is listed, once, with what it answered
    assert [f.reply.request for f in unit.findings] == sweep_requests()
    answered = {f.key: f.reply.raw for f in unit.findings if f.reply.raw is not None}
    assert answered["22F1A7"] == SIM_HIDDEN_SERIAL and answered["22F190"] == SIM_VIN
    assert [f.key for f in unit.candidates] == ["22F1A7"]  # not the VIN, not the part number
    # the ladder entered 10 03 (F18C refused there too) and left; the sweep entered it again
    # for what the default session refused, and left
    assert check_wire(ecu.wire) == [b"\x10\x03", b"\x10\x03"]
    assert ecu.in_default_session
    assert steps[-1].rung == "sweep 21 9F" and steps[-1].attempt == steps[-1].attempts == 112


def test_refused_items_are_asked_again_in_the_session_found() -> None:
    prof = profiles.load()
    with opened("elm", "sim://?unit=kwp_renault", 500_000, None, None) as (transport, ecu):
        result = discover(transport, prof)
    [unit] = result.units
    items = {f.key: f for f in unit.findings}
    assert unit.session.value == "kwp_after_sales"
    assert items["1A8C"].reply.session.value == "kwp_after_sales"
    assert items["1A8C"].serial_candidate and items["1A8C"].reply.raw == b"SIM0O1Il5S8B2024"
    assert items["2180"].reply.raw is not None and items["2181"].reply.raw == SIM_VIN
    assert items["22F18C"].reply.nrc == 0x11  # refused in both sessions: the first answer stays
    assert check_wire(ecu.wire) == [b"\x10\xc0", b"\x10\xc0"]  # ladder, then the re-sweep
    assert ecu.in_default_session


@pytest.mark.parametrize(
    ("text", "clean", "expected"),
    [
        ("HU7K2M9Q4X51", True, True),
        ("ABC12", True, False),  # too short
        ("A" * 25, True, False),  # too long
        ("281150000R-SIM", True, False),  # not alphanumeric
        ("SMLTDG15300000001", True, False),  # a valid VIN
        ("PARTNO1234", True, False),  # the part number
        ("SERIAL\\x01X", False, False),
    ],
)
def test_serial_candidate_rule(text: str, clean: bool, expected: bool) -> None:
    assert looks_like_serial(text, clean, {"PARTNO1234"}) is expected


def test_discover_json_schema(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "d.log"
    code, out, err = run_cli(  # --unredacted: the values themselves (masked otherwise,
        "discover", "--port", HIDDEN, "--range", "7B3-7B3", "--json", "--trace", str(trace),
        "--unredacted",  # see test_discover_privacy.py)
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["simulated"] is True
    [unit] = data["units"]
    assert {"request_id", "response_id", "bitrate", "session", "items"} <= set(unit)
    assert (unit["request_id"], unit["response_id"], unit["bitrate"]) == ("0x7B3", "0x7D3", 500_000)
    item = next(i for i in unit["items"] if i["request"] == "22F1A7")
    assert item == {
        "request": "22F1A7",
        "status": "ok",
        "nrc": None,
        "session": "default",
        "length": 12,
        "hex": SIM_HIDDEN_SERIAL.hex().upper(),
        "text": SIM_HIDDEN_SERIAL.decode(),
        "serial_candidate": True,
    }
    refused = next(i for i in unit["items"] if i["request"] == "1A8C")
    assert (refused["status"], refused["nrc"], refused["hex"]) == ("not_supported", "0x31", None)
    assert trace.exists() and trace.with_suffix(".json").exists()
    # never overwriting the trace
    code, _, err = run_cli("discover", "--port", HIDDEN, "--trace", str(trace))
    assert code == errors.ExitStatus.OUTPUT and "exists" in err


def test_discover_needs_somewhere_to_record(run_cli) -> None:
    code, out, err = run_cli("discover", "--port", "sim://")
    assert code == errors.ExitStatus.USAGE and out == ""
    assert "--trace FILE.log" in err


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_report_bundle_masked_by_default(run_cli, tmp_path: Path) -> None:
    report = tmp_path / "report.zip"
    code, _, err = run_cli(
        "discover", "--port", HIDDEN, "--range", "7B3-7B3", "--report", str(report)
    )
    assert code == 0, err
    members = _members(report)
    assert sorted(members) == sorted(
        ["README.txt", "doctor.json", "scan.json", "discover.json", "trace.log", "trace.json"]
    )
    blob = b"".join(members.values())
    for secret in (SIM_HIDDEN_SERIAL, SIM_VIN):
        assert secret not in blob and secret.hex().upper().encode() not in blob
    found = json.loads(members["discover.json"])
    item = next(i for i in found["units"][0]["items"] if i["request"] == "22F1A7")
    assert (item["text"], item["hex"], item["serial_candidate"]) == ("************", None, True)
    assert b"MASKED" in members["README.txt"] and b"SIMULATED" in members["README.txt"]
    assert json.loads(members["doctor.json"])["verdict"] == "usable"
    assert json.loads(members["trace.json"])["result"]["redacted"] is True
    # the masked trace is still a trace: it replays and decodes
    (tmp_path / "t.log").write_bytes(members["trace.log"])
    code, out, _ = run_cli("replay", str(tmp_path / "t.log"), "--format", "tsv")
    assert code == 0 and "0xF1A7\tPOS\t2A2A2A2A2A2A2A2A2A2A2A2A" in out
    # never over an existing report; --force replaces it
    before = report.read_bytes()
    again = ["discover", "--port", HIDDEN, "--range", "7B3-7B3", "--report", str(report)]
    code, _, err = run_cli(*again)
    assert code == errors.ExitStatus.OUTPUT and report.read_bytes() == before
    code, _, err = run_cli(*again, "--force")
    assert code == 0, err
    assert report.read_bytes() != before  # a new recording time


def test_report_unredacted_keeps_the_values(run_cli, tmp_path: Path) -> None:
    report = tmp_path / "open.zip"
    args = ["--range", "7B3-7B3", "--report", str(report), "--unredacted"]
    code, _, err = run_cli("discover", "--port", HIDDEN, *args)
    assert code == 0, err
    members = _members(report)
    (tmp_path / "t.log").write_bytes(members["trace.log"])
    code, out, _ = run_cli("replay", str(tmp_path / "t.log"), "--format", "tsv")
    assert f"0xF1A7\tPOS\t{SIM_HIDDEN_SERIAL.hex().upper()}" in out
    assert b"UNREDACTED" in members["README.txt"]


def test_report_is_written_when_nothing_answers(run_cli, tmp_path: Path) -> None:
    report = tmp_path / "empty.zip"
    code, _, err = run_cli("discover", "--port", "sim://?no_hu=1", "--report", str(report))
    assert code == errors.ExitStatus.NO_ANSWER and "discover --report" in err
    assert json.loads(_members(report)["scan.json"])["rows"]


def test_field_guide_ships_with_the_package(run_cli) -> None:
    root = Path(__file__).resolve().parents[1]
    shipped = root / "src" / "g15diag" / "help" / "field-guide.md"
    assert shipped.read_text(encoding="utf-8") == (root / "docs" / "field-guide.md").read_text(
        encoding="utf-8"
    )
    code, out, _ = run_cli("help", "field-guide")
    assert code == 0 and out.startswith("# Field guide") and "--report FILE.zip" in out


def test_time_per_unit_is_bounded() -> None:
    """A unit whose sweep runs past the budget is cut short and marked (injected clock)."""
    prof = profiles.load()
    ticks = iter(range(10_000))
    with opened("elm", "sim://", 500_000, None, None) as (transport, _ecu):
        result = discover(transport, prof, budget=20, clock=lambda: float(next(ticks)))
    [unit] = result.units
    assert unit.truncated and 0 < len(unit.findings) < len(sweep_requests())
    assert result.to_dict()["units"][0]["truncated"] is True
