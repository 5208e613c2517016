"""``--wide``: every 11-bit request ID 700-7FF but 7DF at 500 and 250 kbit/s, through the one
search (app/search.py); the no-answer hint offers it first; Ctrl-C keeps what was found."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app import hints
from g15diag.app.search import plan, wide_candidates
from g15diag.app.wide import WIDE_RATES, wide_minutes
from g15diag.protocol.can import LEARN, Target
from g15diag.vehicles.profiles import load

UNIT_7B3 = "sim://?hu=7B3:7D3"
HIDDEN_7B3 = "sim://?hu=7B3:7D3&unit=hidden_serial"


def test_wide_candidates_cover_every_request_id_but_broadcast_and_engine() -> None:
    profile = load()
    cands = wide_candidates(profile)
    assert cands[: len(profile.head_units)] == list(profile.head_units)  # the profile's first
    requests = [c.request_id for c in cands]
    assert len(requests) == len(set(requests))
    expected = set(range(0x700, 0x800)) - {0x7DF, profile.engine.request_id}
    assert set(requests) == expected  # 7F8-7FF too: no answer ID is paired by rule
    added = cands[len(profile.head_units) :]
    assert all(c.bitrates == WIDE_RATES and c.confidence == "none" for c in added)
    assert all(c.response_id == LEARN and c.target().learning for c in added)
    assert Target(0x7F9, LEARN).label == "0x7F9/any"
    steps = plan(cands, 500_000)
    assert [t.bitrate for _, t in steps[:3]] == [500_000] * 3
    own = sum(len(c.bitrates) for c in profile.head_units)
    assert steps[-1][1].bitrate == 250_000 and len(steps) == 2 * len(added) + own


def test_the_no_answer_hint_offers_wide_first_with_its_duration() -> None:
    first = hints.NOTHING_ANSWERED_STEPS[0][1]
    assert "`--wide`" in first and f"about {wide_minutes()} min" in first
    assert hints.NOTHING_ANSWERED_HINT.startswith("(1) The unit may answer at an address")
    assert "--wide" not in hints.WIDE_DONE_HINT  # after a wide search: not offered again


def test_wide_and_address_exclude_each_other(run_cli) -> None:
    code, _, err = run_cli("read-serial", "--port", "sim://", "--wide", "--address", "747:767")
    assert code == 2 and "either --address or --wide" in err
    code, _, err = run_cli("scan", "--port", "sim://", "--wide", "--range", "700-7FF")
    assert code == 2 and "either --range or --wide" in err


@pytest.mark.slow
def test_a_unit_at_7b3_is_found_with_wide_after_the_hint_offers_it(run_cli) -> None:
    code, _, err = run_cli("read-serial", "--port", UNIT_7B3)
    assert code == errors.ExitStatus.NO_ANSWER
    assert "Hint: (1) The unit may answer at an address no profile lists" in err
    assert "--wide" in err.split("(2)")[0]
    code, out, err = run_cli("read-serial", "--port", UNIT_7B3, "--wide", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["serial"] == "SIM0O1Il5S8B2024"
    assert (data["request_id"], data["response_id"], data["bitrate"]) == ("0x7B3", "0x7D3", 500000)
    assert data["unit"] == "wide 7B3"


@pytest.mark.slow
def test_a_serial_at_a_manufacturer_identifier_exits_5_with_output(run_cli, tmp_path) -> None:
    code, out, err = run_cli("identify", "--port", HIDDEN_7B3, "--wide", "--json")
    assert code == errors.ExitStatus.REFUSED == 5, err
    data = json.loads(out)  # the JSON document is still printed
    assert data["serial"] is None and data["head_unit"]["request_id"] == "0x7B3"
    assert "answered but gave no serial number" in err
    sheet = tmp_path / "sheet.txt"
    code, out, err = run_cli("export", "--port", HIDDEN_7B3, "--wide", "-o", str(sheet))
    assert code == 5, err
    assert sheet.exists() and "Wrote" in out


@pytest.mark.slow
def test_nothing_found_by_wide_does_not_offer_it_again(run_cli) -> None:
    code, _, err = run_cli("read-serial", "--port", "sim://?no_hu=1", "--wide")
    assert code == errors.ExitStatus.NO_ANSWER
    assert "every request ID 700-7FF but 7DF, at 500 and 250 kbit/s" in err
    assert "--wide" not in err.split("Hint:")[1]


def _start(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "G15DIAG_DEBUG"}
    return subprocess.Popen(
        [sys.executable, "-m", "g15diag", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_ctrl_c_during_a_wide_scan_prints_what_was_found() -> None:
    proc = _start("scan", "--port", "sim://?hu=712:732", "--wide")
    time.sleep(3)  # the wide scan takes ~30 s on the simulator: interrupt it partway
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "0x712/0x732" in out and "answered" in out  # the unit found before Ctrl-C
    assert "INCOMPLETE: interrupted after" in out
    assert err.strip().endswith("Interrupted.") and "Traceback" not in err


@pytest.mark.slow
def test_ctrl_c_during_discover_writes_the_partial_report(tmp_path: Path) -> None:
    report = tmp_path / "r.zip"
    proc = _start("discover", "--port", "sim://?no_hu=1", "--report", str(report))
    time.sleep(4)  # past the doctor step, into the widened scan
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "INCOMPLETE: it was interrupted partway" in out
    with zipfile.ZipFile(io.BytesIO(report.read_bytes())) as archive:
        readme = archive.read("README.txt").decode()
        scan = json.loads(archive.read("scan.json"))
    assert "INCOMPLETE" in readme and "exit status 130" in readme
    assert scan["rows"]
    assert "g15diag-report-" not in err  # no message names a removed temporary
    assert f"{report} had been written completely" in err


@pytest.mark.slow
def test_a_wide_search_sends_only_allowed_requests(run_cli, tmp_path) -> None:
    """No forbidden byte on the wire: every request of a --wide identify, from its trace."""
    trace = tmp_path / "wide.log"
    code, _, err = run_cli("identify", "--port", HIDDEN_7B3, "--wide", "--trace", str(trace))
    assert code == 5, err
    code, out, err = run_cli("replay", str(trace), "--format", "json")
    assert code == 0, err
    items = json.loads(out)
    services = {item["service"] for item in items}
    assert services <= {"0x22", "0x1A", "0x21", "0x09", "0x01", "0x10"}, services
    asked = {item["request_id"] for item in items}
    assert {f"0x{i:03X}" for i in range(0x700, 0x7B4)} <= asked  # every address up to the unit
