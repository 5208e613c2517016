"""--trace recording: plain candump lines plus sidecar, and the recording replays identically."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from g15diag import __version__, errors

LINE = re.compile(r"^\(\d+\.\d{6}\) can0 (?:[0-9A-F]{3}|[0-9A-F]{8})#(?:[0-9A-F]{2}){0,8}$")
SOURCES = {
    "elm": ["--port", "sim://?hu=747:767"],
    "elm-gaveup": ["--port", "sim://?hu=747:767&pending=gaveup&pending_count=2"],
    "elm-29bit": ["--port", "sim://?hu=18DA60F1:18DAF160", "--protocol", "7"],
    "native": ["--interface", "virtual", "--channel", "sim://?hu=747:767"],
    "native-pending": ["--interface", "virtual", "--channel", "sim://?hu=747:767&pending=inline"],
}


def comparable(result: dict) -> dict:
    """A read-serial result without what names the adapter."""
    return {k: v for k, v in result.items() if k not in ("adapter", "simulated")}


@pytest.mark.parametrize("source", SOURCES, ids=list(SOURCES))
def test_recording_replays_to_the_same_result(run_cli, tmp_path: Path, source: str) -> None:
    trace = tmp_path / "session.log"
    extra = ["--address", "18DA60F1:18DAF160"] if "29bit" in source else []
    code, out, err = run_cli(
        "read-serial", "--json", *SOURCES[source], *extra, "--trace", str(trace)
    )
    assert (code, err) == (0, "")
    live = json.loads(out)
    lines = trace.read_text(encoding="ascii").splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines[:3]

    meta = json.loads(trace.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["tool_version"] == __version__
    assert meta["command"] == "read-serial"
    assert meta["adapter"]["identity"] and meta["adapter"]["simulated"] is True
    assert meta["bitrate"] == 500_000
    assert meta["frames"] == len(lines)
    assert meta["result"] == live and meta["error"] is None
    assert {"request": live["request_id"], "response": live["response_id"], "bitrate": 500_000} in (
        meta["ids"]
    )

    replay_args = ["read-serial", "--json", "--port", f"replay:{trace}", *extra]
    again = tmp_path / "again.log"
    code, out, err = run_cli(*replay_args, "--trace", str(again))
    assert (code, err) == (0, "")
    replayed = json.loads(out)
    assert comparable(replayed) == comparable(live)
    assert replayed["simulated"] is True  # the sidecar says the recording was simulated
    # Replaying re-emits the recorded frames: the second recording has the same exchange.
    strip = [line.split(" ", 1)[1] for line in lines]
    assert [line.split(" ", 1)[1] for line in again.read_text().splitlines()] == strip


def test_failed_read_is_recorded_and_replays_to_the_same_failure(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "refused.log"
    args = ["read-serial", "--address", "747:767"]
    code, _, err = run_cli(*args, "--port", "sim://?hu=747:767&refuse=F18C", "--trace", str(trace))
    assert code == errors.ExitStatus.REFUSED
    meta = json.loads(trace.with_suffix(".json").read_text())
    assert meta["result"] is None
    assert meta["error"]["type"] == "SerialNotFound"  # refused in every session tried
    assert meta["error"]["exit_status"] == str(errors.ExitStatus.REFUSED)
    code2, _, err2 = run_cli(*args, "--port", f"replay:{trace}")
    assert (code2, err2) == (code, err)


def test_trace_never_overwrites(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "old.log"
    trace.write_text("keep me\n")
    code, _, err = run_cli("read-serial", "--port", "sim://", "--trace", str(trace))
    assert code == errors.ExitStatus.OUTPUT and "already exists" in err
    assert trace.read_text() == "keep me\n"
    assert not trace.with_suffix(".json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.log"]  # no temp file left


def test_trace_is_discarded_when_the_adapter_cannot_open(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "none.log"
    code, _, _ = run_cli("read-serial", "--port", str(tmp_path / "ttyNONE"), "--trace", str(trace))
    assert code == errors.ExitStatus.ADAPTER
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_recorded_trace_decodes_with_replay_and_tshark(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "pending.log"
    url = "sim://?hu=747:767&pending=inline"
    assert (
        run_cli("read-serial", "--port", url, "--address", "747:767", "--trace", str(trace))[0] == 0
    )
    code, out, _ = run_cli(
        "replay", str(trace), "--format", "tsv", "--request-id", "747", "--response-id", "767"
    )
    assert code == 0
    serial = "53494D304F31496C3553384232303234"
    assert out == f"0x22\t0xF18C\tPOS\t{serial}\n" * 2
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed: recorded-trace cross-check not run")
    result = subprocess.run(
        ["tshark", "-r", str(trace), "-o", "iso15765.can.ids:0x747,0x767",
         "-d", "iso15765.subdissector,uds", "-Y", "uds", "-T", "fields", "-e", "uds.reply"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    # request, 78 pending, answer; then request, answer (pending only the first time)
    assert result.stdout.split() == ["0x00", "0x01", "0x01", "0x00", "0x01"]


@pytest.mark.parametrize(
    "source", [["--port", "sim://"], ["--interface", "virtual", "--channel", "sim://"]]
)
def test_identify_recording_replays_to_the_same_result(
    run_cli, tmp_path: Path, source: list[str]
) -> None:
    trace = tmp_path / "identify.log"
    code, out, err = run_cli("identify", "--json", *source, "--trace", str(trace))
    assert (code, err) == (0, "")
    code, again, err = run_cli("identify", "--json", "--port", f"replay:{trace}")
    assert (code, err) == (0, "")
    volatile = ("read_at", "adapter")
    live = {k: v for k, v in json.loads(out).items() if k not in volatile}
    replayed = {k: v for k, v in json.loads(again).items() if k not in volatile}
    assert replayed == live


def test_scan_replays_the_recorded_scan(run_cli, tmp_path: Path) -> None:
    trace = tmp_path / "scan.log"
    code, out, _ = run_cli("scan", "--port", "sim://", "--trace", str(trace))
    assert code == 0
    code, again, _ = run_cli("scan", "--port", f"replay:{trace}")
    assert code == 0

    # A candump trace holds frames, not the ELM327's "CAN ERROR" status line (the simulated
    # car has no 250 kbit/s bus): replayed, those addresses are plainly silent.
    def rows(text: str) -> list[list[str]]:
        return [
            line.replace("(bus error)", "").split() for line in text.splitlines() if "/0x" in line
        ]

    table = rows(out)
    assert table == rows(again)
    assert len(table) == 8
