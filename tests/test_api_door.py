"""The API is the only door: per call ``trace=``, ``traffic=``, ``unredacted=``; nothing of one
call influences the next; the CLI, the page and the API give the same result for one car."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

import g15diag
from g15diag import errors
from g15diag.app.link import Link, Run, TrafficEvent
from g15diag.sim.car import SIM_SERIAL, SIM_VIN

SERIAL_HEX = SIM_SERIAL.hex().upper()
SERIAL_TEXT = SIM_SERIAL.decode("ascii").strip("\x00 ")
TRACE_LINE = r"^\(\d+\.\d{6}\) can0 [0-9A-F]{3}#(?:[0-9A-F]{2}){0,8}$"


def flat(events: list[TrafficEvent]) -> str:
    """Every event's text, hex digits only (frames split over lines, spaces on or off)."""
    text = "".join(e.text for e in events).upper()
    return "".join(c for c in text if c in "0123456789ABCDEF")


def shows_serial(events: list[TrafficEvent]) -> bool:
    """True when 4 consecutive serial bytes appear in the traffic's hex (a whole frame's
    worth of the serial: masking leaves at most the echo next to it)."""
    digits = flat(events)
    return any(SERIAL_HEX[i : i + 8] in digits for i in range(0, len(SERIAL_HEX) - 7, 2))


# -- trace=: the same trace and sidecar as --trace -----------------------------------------


@pytest.mark.parametrize(
    ("operation", "command"),
    [(g15diag.read_serial, "read-serial"), (g15diag.identify, "identify"), (g15diag.scan, "scan")],
    ids=["read_serial", "identify", "scan"],
)
def test_api_trace_writes_trace_and_sidecar(tmp_path: Path, operation: Any, command: str) -> None:
    import re

    trace = tmp_path / "x.log"
    result = operation(port="sim://", trace=str(trace))
    lines = trace.read_text(encoding="ascii").splitlines()
    assert lines and all(re.match(TRACE_LINE, line) for line in lines), lines[:3]
    meta = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert meta["command"] == command
    assert meta["frames"] == len(lines)
    assert meta["result"] == json.loads(json.dumps(result.to_dict()))
    assert meta["error"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.log"]  # no temporary


def test_api_trace_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.log").write_text("mine\n")
    with pytest.raises(errors.OutputError, match="already exists"):
        g15diag.read_serial(port="sim://", trace=tmp_path / "x.log")
    assert (tmp_path / "x.log").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.log"]


def test_api_trace_records_the_error(tmp_path: Path) -> None:
    trace = tmp_path / "bad.log"
    with pytest.raises(errors.ReadsDisagree):
        g15diag.read_serial(port="sim://?unstable=1", trace=str(trace))
    meta = json.loads((tmp_path / "bad.json").read_text(encoding="utf-8"))
    assert meta["error"]["type"] == "ReadsDisagree" and meta["result"] is None
    assert "values masked" in meta["error"]["message"]  # the call was not unredacted


# -- traffic= and unredacted=: values of one call ------------------------------------------


def test_traffic_is_masked_unless_unredacted_and_the_next_call_is_masked_again() -> None:
    first: list[TrafficEvent] = []
    g15diag.read_serial(port="sim://", traffic=first.append)
    assert first and any(e.sent for e in first) and any(not e.sent for e in first)
    assert all(e.masked for e in first)
    assert not shows_serial(first)
    assert "**" in "".join(e.text for e in first)

    open_: list[TrafficEvent] = []
    g15diag.read_serial(port="sim://", traffic=open_.append, unredacted=True)
    assert shows_serial(open_) and not any(e.masked for e in open_)

    again: list[TrafficEvent] = []
    g15diag.read_serial(port="sim://", traffic=again.append)
    assert not shows_serial(again)  # the unmasked call left nothing behind
    assert [str(e) for e in again] == [str(e) for e in first]


def test_traffic_events_are_what_dash_v_prints(run_cli) -> None:
    events: list[TrafficEvent] = []
    g15diag.read_serial(port="sim://", address="747:767", traffic=events.append)
    code, _, err = run_cli("read-serial", "--port", "sim://", "--address", "747:767", "-v")
    assert code == 0
    assert err.splitlines() == [str(e) for e in events]


def test_identify_and_scan_traffic_masks_the_vin() -> None:
    events: list[TrafficEvent] = []
    g15diag.identify(port="sim://", traffic=events.append)
    vin_hex = SIM_VIN.hex().upper()
    assert vin_hex[8:24] not in flat(events)
    table: list[TrafficEvent] = []
    g15diag.scan(port="sim://", traffic=table.append)
    assert table and not shows_serial(table)


def test_error_texts_are_masked_per_call() -> None:
    with pytest.raises(errors.ReadsDisagree) as masked:
        g15diag.read_serial(port="sim://?unstable=1")
    assert "values masked" in str(masked.value)
    with pytest.raises(errors.ReadsDisagree) as shown:
        g15diag.read_serial(port="sim://?unstable=1", unredacted=True)
    assert "versus" in str(shown.value) and "values masked" not in str(shown.value)
    with pytest.raises(errors.ReadsDisagree) as again:
        g15diag.read_serial(port="sim://?unstable=1")
    assert "values masked" in str(again.value) and "values masked" in repr(again.value)
    # the raw bytes are a field of the error, whatever a face shows
    assert isinstance(again.value.parts[0], errors.Difference)


def test_adapter_output_in_an_error_is_masked_per_call() -> None:
    with pytest.raises(errors.AdapterTimeout) as masked:
        g15diag.read_serial(port="sim://?clone=freeze", timeout=0.3)
    assert SERIAL_HEX[:10] not in str(masked.value).upper()
    quote = masked.value.parts[0]
    assert isinstance(quote, errors.Quote) and quote.text  # the raw output, kept
    with pytest.raises(errors.AdapterTimeout) as shown:
        g15diag.read_serial(port="sim://?clone=freeze", timeout=0.3, unredacted=True)
    assert str(shown.value) != str(masked.value)


def test_calls_in_parallel_do_not_share_masking() -> None:
    results: dict[bool, list[TrafficEvent]] = {True: [], False: []}

    def read(unredacted: bool) -> None:
        g15diag.read_serial(
            port="sim://", traffic=results[unredacted].append, unredacted=unredacted
        )

    threads = [threading.Thread(target=read, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert shows_serial(results[True]) and not shows_serial(results[False])


# -- the run policy is validated like the options -------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"traffic": 5}, {"unredacted": "yes"}, {"trace": 7}, {"trace": " "}],
    ids=["traffic", "unredacted", "trace-type", "trace-empty"],
)
def test_bad_run_values_are_usage_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(errors.UsageError):
        g15diag.read_serial(port="sim://", **kwargs)


def test_run_and_its_keywords_are_not_mixed() -> None:
    with pytest.raises(errors.UsageError, match="either run="):
        g15diag.read_serial(port="sim://", run=Run(), unredacted=True)


def test_adapter_options_hold_no_run_policy() -> None:
    # AdapterOptions is about the adapter: a trace given there is refused, not ignored
    with pytest.raises(TypeError):
        g15diag.AdapterOptions(port="sim://", trace="x.log")  # type: ignore[call-arg]


def test_the_link_closes_and_returns_to_default_on_error() -> None:
    opts = g15diag.AdapterOptions(port="sim://")
    with pytest.raises(RuntimeError), Link(opts) as link:
        transport = link.transport
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError, match="not open"):
        link.transport  # noqa: B018
    assert transport.session_active is None


def test_doctor_refuses_a_trace_but_takes_traffic(tmp_path: Path) -> None:
    with pytest.raises(errors.UsageError, match="doctor does not record a trace"):
        g15diag.doctor(port="sim://", run=Run(trace=tmp_path / "d.log"))
    with pytest.raises(errors.UsageError, match="doctor does not record a trace"):
        g15diag.doctor(port="sim://", trace=tmp_path / "d.log")
    events: list[TrafficEvent] = []
    report = g15diag.doctor(port="sim://", traffic=events.append, system_checks=False)
    assert report.usable and any(e.text.startswith("ATRV") for e in events if e.sent)
    assert list(tmp_path.iterdir()) == []


# -- one result, every face ---------------------------------------------------------------


def timeless(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("read_at", "battery_voltage")}


def test_cli_page_and_api_give_the_same_result(run_cli) -> None:
    from g15diag.gui.app import create_app, view
    from g15diag.gui.worker import Worker

    api = g15diag.identify(port="sim://").to_dict()
    code, out, _ = run_cli("identify", "--port", "sim://", "--json")
    assert code == 0
    cli = json.loads(out)
    assert timeless(cli) == timeless(api)

    worker = Worker()
    app = create_app(token="t", worker=worker)
    app.config["ALLOWED_HOSTS"] = frozenset({"127.0.0.1:1"})
    client = app.test_client()
    headers = {"Host": "127.0.0.1:1", "X-G15-Token": "t"}
    assert client.post("/api/read", json={"port": "sim://"}, headers=headers).status_code == 202
    worker.wait(30)
    status = client.get("/api/status", headers=headers).get_json()
    assert status["state"] == "done"
    page = client.get("/session.json", headers=headers).get_json()
    assert timeless(page) == timeless(api)
    assert status["result"] == view(g15diag.session(port="sim://"))
    assert status["result"]["serial"] == api["serial"] == SERIAL_TEXT


# -- one typed result: its JSON is written by the type and reads back into it ---------------

GOLDEN = Path(__file__).parent / "golden" / "identify_sim.json"


def test_the_identify_record_round_trips_through_its_json(tmp_path: Path) -> None:
    from g15diag.app.export.record import Record, load, parse

    for port in ("sim://", "sim://?kwp=1", "sim://?unit=uds_extended", "sim://?serial_pad=A3A3"):
        record = g15diag.identify(port=port).record()
        assert isinstance(record, Record)
        text = json.dumps(record.to_dict(), ensure_ascii=False)
        assert parse(json.loads(text)) == record, port
    session = g15diag.session(port="sim://")
    assert session.voltage_read and parse(session.to_dict()) == session
    saved = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert load(GOLDEN).to_dict() == saved  # a saved file is written back as it was


def test_export_from_reads_back_the_cli_record(run_cli, tmp_path: Path) -> None:
    from g15diag.app.export.record import load

    code, out, _ = run_cli("identify", "--port", "sim://", "--json")
    assert code == 0
    saved = tmp_path / "id.json"
    saved.write_text(out, encoding="utf-8")
    code, _, _ = run_cli("export", "--from", str(saved), "-o", str(tmp_path / "again.json"))
    assert code == 0
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    again.pop("export")
    assert again == json.loads(out)
    assert load(saved) == load(tmp_path / "again.json")


def test_identify_text_is_rendered_from_the_record(run_cli) -> None:
    from g15diag.commands.identify import to_text

    code, out, _ = run_cli("identify", "--port", "sim://")
    assert code == 0
    record = g15diag.identify(port="sim://").record()
    assert out == to_text(record) + "\n"
    assert "Serial number: " + SERIAL_TEXT in out


def test_doctor_has_one_json_shape(run_cli) -> None:
    from g15diag.gui.app import create_app
    from g15diag.gui.worker import Worker

    code, out, _ = run_cli("doctor", "--port", "sim://", "--json")
    assert code == 0
    cli = json.loads(out)
    worker = Worker()
    app = create_app(token="t", worker=worker)
    app.config["ALLOWED_HOSTS"] = frozenset({"127.0.0.1:1"})
    headers = {"Host": "127.0.0.1:1", "X-G15-Token": "t"}
    client = app.test_client()
    assert client.post("/api/doctor", json={"port": "sim://"}, headers=headers).status_code == 202
    worker.wait(30)
    page = client.get("/api/status", headers=headers).get_json()["result"]
    assert set(page) == set(cli) and page["checks"] == cli["checks"]
    assert page["verdict"] == cli["verdict"] and page["usable"] is True


def test_discover_with_trace_and_report(run_cli, tmp_path: Path) -> None:
    import zipfile

    trace, report = tmp_path / "d.log", tmp_path / "r.zip"
    code, _, err = run_cli(
        "discover", "--port", "sim://", "--trace", str(trace), "--report", str(report)
    )
    assert code == 0, err
    assert trace.exists() and (tmp_path / "d.json").exists() and report.exists()
    with zipfile.ZipFile(report) as bundle:
        doctor = json.loads(bundle.read("doctor.json"))
        assert doctor["usable"] is True  # the report's doctor step ran (without the trace)
        assert bundle.read("trace.log").decode().count("\n") > 10


def test_read_serial_and_scan_json_are_the_api_results(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--port", "sim://", "--json")
    assert code == 0
    assert json.loads(out) == g15diag.read_serial(port="sim://").to_dict()
    code, out, _ = run_cli("scan", "--port", "sim://", "--json")
    assert code == 0
    cli, api = json.loads(out), g15diag.scan(port="sim://").to_dict()
    assert cli.pop("seconds") >= 0 and api.pop("seconds") >= 0  # timings differ per run
    assert cli == api
