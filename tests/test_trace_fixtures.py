"""Every trace in fixtures/can_traces/ through the full CLI, checked against its sidecar.

Dropping ``NAME.log`` plus ``NAME.json`` (with an ``expected`` block) into the directory adds
a case (a field report becomes one this way, docs/field-guide.md): ``replay --format tsv``
for the sidecar's ID pair and for all pairs, each CLI run
with ``--port replay:NAME.log``, and the tshark cross-check (skipped without tshark).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRACES = ROOT / "fixtures" / "can_traces"
FIXTURES = sorted(TRACES.glob("*.log"))
IDS = [p.stem for p in FIXTURES]


def generated(path: Path) -> bool:
    """True for a fixture made by generate.py (its sidecar names the script)."""
    return sidecar(path)["command"] == "fixtures/can_traces/generate.py"


def sidecar(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def pair(path: Path) -> tuple[str, str]:
    ids = sidecar(path)["ids"][0]
    return ids["request"], ids["response"]


def test_fixture_directory_is_complete() -> None:
    assert len(FIXTURES) >= 12
    for path in FIXTURES:
        assert "expected" in sidecar(path), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_replay_tsv_for_the_pair(run_cli, path: Path) -> None:
    req, resp = pair(path)
    code, out, err = run_cli(
        "replay", str(path), "--format", "tsv", "--request-id", req, "--response-id", resp
    )
    assert (code, err) == (0, "")
    assert out == sidecar(path)["expected"]["tsv"]


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_replay_tsv_finds_every_pair(run_cli, path: Path) -> None:
    code, out, err = run_cli("replay", str(path), "--format", "tsv")
    assert (code, err) == (0, "")
    assert out == sidecar(path)["expected"]["tsv_all"]


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_cli_runs_against_the_replayed_trace(run_cli, path: Path) -> None:
    runs = sidecar(path)["expected"]["runs"]
    assert runs
    for run in runs:
        args = [str(ROOT / a) if a.startswith("fixtures/") else a for a in run["args"]]
        code, out, err = run_cli(*args, "--port", f"replay:{path}")
        assert code == run["exit"], (run["args"], out, err)
        if "json" in run:
            got = json.loads(out)
            assert {k: got[k] for k in run["json"]} == run["json"]
            assert got["adapter"]["kind"] == "replay"
        if "stdout_contains" in run:
            assert run["stdout_contains"] in out
        if run["exit"] != 0:
            if "--json" in run["args"]:  # issue 13: the error as one JSON object on stdout too
                error = json.loads(out)
                assert error["exit_status"] == run["exit"]
                assert err.startswith(f"Error: {error['error']}\n")
            else:
                assert out == ""
            assert err.startswith("Error: ")


@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_replay_json_and_table_agree_with_tsv(run_cli, path: Path) -> None:
    _, tsv, _ = run_cli("replay", str(path), "--format", "tsv")
    code, out, _ = run_cli("replay", str(path), "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert [f"{i['service']}\t{i['ident']}\t{i['status']}\t{i['data']}" for i in items] == (
        tsv.splitlines()
    )
    code, table, _ = run_cli("replay", str(path))
    assert code == 0
    assert len(table.splitlines()) == len(items) + 1


@pytest.mark.slow
def test_committed_fixtures_match_the_generator(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(TRACES / "generate.py"), str(tmp_path)], check=True, timeout=60
    )
    made = sorted(p.name for p in tmp_path.iterdir())
    # fixtures that came from a recording (a field report: sidecar "command" is the g15diag
    # command that recorded it) are not the generator's; every generated one must match
    committed = sorted(
        p.name
        for p in TRACES.iterdir()
        if p.suffix in (".log", ".json") and generated(p.with_suffix(".log"))
    )
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (TRACES / name).read_bytes(), name


@pytest.mark.parametrize("suffix", [".asc", ".blf", ".trc", ".csv", ".db", ".log.gz", ".asc.gz"])
@pytest.mark.parametrize("name", ["second_ecu", "ids_29bit"])
def test_other_formats_decode_the_same(run_cli, tmp_path: Path, name: str, suffix: str) -> None:
    import can

    source = TRACES / f"{name}.log"
    target = tmp_path / f"{name}{suffix}"
    with can.LogReader(str(source)) as reader, can.Logger(str(target)) as writer:
        for msg in reader:
            writer.on_message_received(msg)
    code, out, err = run_cli("replay", str(target), "--format", "tsv")
    assert (code, err) == (0, "")
    assert out == sidecar(source)["expected"]["tsv_all"]


def test_gzip_candump_replays_through_read_serial(run_cli, tmp_path: Path) -> None:
    source = TRACES / "multiframe_padding.log"
    target = tmp_path / "multiframe_padding.log.gz"
    target.write_bytes(gzip.compress(source.read_bytes()))
    code, out, _ = run_cli("read-serial", "--json", "--port", f"replay:{target}")
    assert code == 0
    assert json.loads(out)["serial"] == "SIM0O1Il5S8B2024"


# -- independent cross-check: Wireshark's ISO 15765 + UDS dissectors -------------------------


def _tshark_json(path: Path) -> str:
    """tshark's ISO 15765 + UDS reading of one fixture, as JSON text."""
    req, resp = (int(x, 16) for x in pair(path))
    key = "iso15765.can.extended_ids" if max(req, resp) > 0x7FF else "iso15765.can.ids"
    return subprocess.run(
        [
            "tshark", "-r", str(path),
            "-o", f"{key}:0x{req:X},0x{resp:X}",
            "-d", "iso15765.subdissector,uds",
            "-Y", "uds", "-T", "json", "-x", "-J", "frame can uds",
        ],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip


@pytest.fixture(scope="module")
def tshark_runs() -> Iterator[dict[Path, Future[str]]]:
    """Every fixture through tshark, one process per core at a time (tshark spends most of
    a run loading its dissectors, so the runs overlap instead of queueing)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        yield {path: pool.submit(_tshark_json, path) for path in FIXTURES}


def _tshark_messages(output: str) -> list[tuple[int, bytes]]:
    messages = []
    for packet in json.loads(output or "[]"):
        layers = packet["_source"]["layers"]
        raw = layers["uds_raw"]
        raw = raw[0] if isinstance(raw, list) else raw
        if isinstance(raw, list):  # several UDS layers in one frame: not expected here
            raise AssertionError(f"unexpected tshark output: {layers['uds_raw']!r}")
        messages.append((int(layers["can"]["can.id"], 0), bytes.fromhex(raw)))
        uds = layers["uds"]
        if "uds.err.code" in uds:  # the UDS dissector's own reading of negative answers
            assert int(uds["uds.err.code"], 0) == bytes.fromhex(raw)[2]
    return messages


def _reference_tsv(messages: list[tuple[int, bytes]], req: int, resp: int) -> str:
    """Group tshark's messages into transactions: deliberately plain, separate from decode.py."""
    lines: list[str] = []
    open_request: bytes | None = None
    pending = 0

    def line(request: bytes | None, answer: bytes | None, waits: int) -> str:
        sid = request[0] if request else (answer[1] if answer[0] == 0x7F else answer[0] - 0x40)
        ident, skip = "-", 1
        if sid == 0x22:
            skip = 3
            if request:
                dids = [request[i : i + 2] for i in range(1, len(request) - 1, 2)]
                ident = ",".join("0x" + d.hex().upper() for d in dids)
            elif answer[0] != 0x7F:
                ident = "0x" + answer[1:3].hex().upper()
        elif sid in (0x1A, 0x21, 0x09):
            skip = 2
            source = request if request else (answer if answer[0] != 0x7F else None)
            ident = f"0x{source[1]:02X}" if source else "-"
        if answer is None:
            return f"0x{sid:02X}\t{ident}\tNONE\t{'PENDING' if waits else '-'}"
        if answer[0] == 0x7F:
            return f"0x{sid:02X}\t{ident}\tNRC\t0x{answer[2]:02X}"
        return f"0x{sid:02X}\t{ident}\tPOS\t{answer[skip:].hex().upper() or '-'}"

    for can_id, pdu in messages:
        if can_id == req:
            if open_request is not None:
                lines.append(line(open_request, None, pending))
            open_request, pending = pdu, 0
        elif can_id == resp:
            if pdu[0] == 0x7F and pdu[2] == 0x78:
                pending += open_request is not None
                continue
            lines.append(line(open_request, pdu, pending))
            open_request, pending = None, 0
    if open_request is not None:
        lines.append(line(open_request, None, pending))
    return "".join(x + "\n" for x in lines)


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURES, ids=IDS)
def test_tshark_agrees_with_replay(run_cli, request: pytest.FixtureRequest, path: Path) -> None:
    if shutil.which("tshark") is None:
        pytest.skip(
            "tshark is not installed: the independent Wireshark cross-check did not run "
            "(apt-get install tshark; .ci/run installs it where it can)"
        )
    req_text, resp_text = pair(path)
    req, resp = int(req_text, 16), int(resp_text, 16)
    expected = sidecar(path)["expected"]
    output = request.getfixturevalue("tshark_runs")[path].result(timeout=120)
    theirs = _reference_tsv(_tshark_messages(output), req, resp).splitlines()
    code, out, _ = run_cli(
        "replay", str(path), "--format", "tsv", "--request-id", req_text, "--response-id", resp_text
    )
    assert code == 0
    ours = out.splitlines()
    assert out == expected["tsv"]
    assert len(theirs) == len(ours)
    differs = set(expected.get("tshark_differs", []))
    assert not differs or expected["tshark_note"]
    for n, (mine, wireshark) in enumerate(zip(ours, theirs, strict=True)):
        if n in differs:  # documented: tshark builds a message where ISO 15765-2 has none
            assert mine.split("\t")[2] == "NONE"
            assert wireshark.split("\t")[2] == "POS"
        else:
            assert mine == wireshark
