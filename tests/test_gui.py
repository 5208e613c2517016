"""`g15diag gui` over real HTTP: the security rules, one session at a time, stopping."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from g15diag.app.hints import NOTHING_ANSWERED_HINT
from gui_helpers import Gui, start_gui

SERIAL = "SIM0O1Il5S8B2024"


@pytest.fixture
def gui() -> Iterator[Gui]:
    server = start_gui("--port", "sim://")
    yield server
    server.stop()


def wait_done(gui: Gui, deadline_s: float = 30.0) -> dict:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        status, body, _ = gui.request("GET", "/api/status")
        assert status == 200
        job = json.loads(body)
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("the read did not finish")


@pytest.mark.slow
def test_url_is_loopback_with_a_fresh_token(gui: Gui) -> None:
    assert gui.url == f"http://127.0.0.1:{gui.port}/?token={gui.token}"
    assert len(gui.token) >= 32
    other = start_gui()
    try:
        assert other.token != gui.token and other.port != gui.port
    finally:
        other.stop()


@pytest.mark.slow
def test_token_is_required_on_every_request(gui: Gui) -> None:
    for method, path in (("GET", "/"), ("GET", "/api/status"), ("GET", "/static/app.js"),
                         ("POST", "/api/read"), ("GET", "/session.json")):  # fmt: skip
        assert gui.request(method, path, token=None)[0] == 403, path
        assert gui.request(method, path, token="x" * 32)[0] == 403, path
    status, body, headers = gui.request("GET", "/")
    assert status == 200 and b'id="read"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    status, _, _ = gui.request("GET", "/", token=None, headers={"X-G15-Token": gui.token})
    assert status == 200


@pytest.mark.slow
def test_host_header_is_checked(gui: Gui) -> None:
    for host in ("evil.example", f"evil.example:{gui.port}", "127.0.0.1", "127.0.0.1:1"):
        status, body, _ = gui.request("GET", "/", host=host)
        assert status == 403 and b"Host header refused" in body, host
    assert gui.request("GET", "/", host=f"localhost:{gui.port}")[0] == 200


@pytest.mark.slow
def test_actions_are_post_only_and_same_origin(gui: Gui) -> None:
    for path in ("/api/read", "/api/doctor", "/api/quit", "/api/closing"):
        assert gui.request("GET", path)[0] == 405, path
    status, _, _ = gui.request(
        "POST", "/api/read", body={"port": "sim://"}, headers={"Origin": "http://evil.example"}
    )
    assert status == 403
    assert gui.proc.poll() is None  # the refused quit did nothing


@pytest.mark.slow
def test_read_through_the_api_and_save(gui: Gui) -> None:
    status, _, _ = gui.request("GET", "/session.json")
    assert status == 404  # nothing read, nothing to save
    status, body, _ = gui.request("POST", "/api/read", body={"port": "sim://"})
    assert status == 202, body
    job = wait_done(gui)
    assert job["state"] == "done" and job["error"] is None
    result = job["result"]
    assert result["serial"] == SERIAL and result["simulated"] is True
    assert result["vin"] == "SMLTDG15300000001" and result["part_number"] == "281150000R-SIM"
    assert result["voltage"] == 12.6 and result["reads"] == 2
    assert [c["lookalike"] for c in result["cells"]][:4] == [True, True, False, True]
    status, body, headers = gui.request("GET", "/session.json")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    session = json.loads(body)
    assert session["serial"] == SERIAL and session["battery_voltage"] == 12.6
    status, body, _ = gui.request("GET", "/sheet.pdf?lang=ru")
    assert status == 200 and body.startswith(b"%PDF-")
    status, body, _ = gui.request("GET", "/sheet.html?lang=ru")
    assert status == 200 and "ФИО владельца".encode() in body and SERIAL.encode() in body


@pytest.mark.slow
def test_session_file_is_what_export_reads(gui: Gui, tmp_path, run_cli) -> None:
    gui.request("POST", "/api/read", body={"port": "sim://"})
    assert wait_done(gui)["state"] == "done"
    _, body, _ = gui.request("GET", "/session.json")
    saved = tmp_path / "session.json"
    saved.write_bytes(body)
    code, out, err = run_cli("export", "--from", str(saved), "-o", "-")
    assert code == 0, err
    assert "Battery at the OBD socket: 12.6 V" in out and "S  I  M  0  O  1" in out


@pytest.mark.slow
def test_errors_are_one_sentence_and_a_hint(gui: Gui) -> None:
    gui.request("POST", "/api/read", body={"port": "sim://?no_hu=1"})
    job = wait_done(gui)
    assert job["state"] == "failed" and job["result"] is None
    assert job["error"]["exit_status"] == "4"
    assert job["error"]["message"].endswith(".") and "Traceback" not in json.dumps(job)
    assert job["error"]["hint"] == NOTHING_ANSWERED_HINT  # the CLI's own hint
    assert job["error"]["nothing_answered"] is True  # the page shows its translated steps
    status, body, _ = gui.request("POST", "/api/read", body={"port": ""})
    assert status == 400 and json.loads(body)["error"]["message"] == "Choose an adapter first."


@pytest.mark.slow
def test_one_adapter_session_at_a_time() -> None:
    gui = start_gui("--port", "sim://", wall_clock=True)  # the read takes over a second
    try:
        assert gui.request("POST", "/api/read", body={"port": "sim://?latency=0.1"})[0] == 202
        status, body, _ = gui.request("POST", "/api/doctor", body={"port": "sim://"})
        assert status == 409
        assert json.loads(body)["error"]["message"].startswith("The adapter is busy")
        assert wait_done(gui)["state"] == "done"
    finally:
        gui.stop()


@pytest.mark.slow
def test_doctor_verdict(gui: Gui) -> None:
    assert gui.request("POST", "/api/doctor", body={"port": "sim://"})[0] == 202
    job = wait_done(gui)
    assert job["kind"] == "doctor" and job["result"]["usable"] is True
    assert job["result"]["voltage"] == 12.6


@pytest.mark.slow
def test_quit_stops_the_server() -> None:
    gui = start_gui()
    status, _, _ = gui.request("POST", "/api/quit")
    assert status == 200
    code, out, err = gui.wait()
    assert code == 0 and out.rstrip().endswith("Stopped.") and err == ""


@pytest.mark.slow
def test_closing_the_page_stops_it_unless_it_comes_back() -> None:
    gui = start_gui()
    assert gui.request("POST", "/api/closing")[0] == 200
    assert gui.request("GET", "/")[0] == 200  # a reload: the stop is cancelled
    assert gui.request("POST", "/api/closing")[0] == 200
    code, out, _ = gui.wait()
    assert code == 0 and "Stopped." in out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signals_stop_cleanly_with_the_documented_status(name: str) -> None:
    """Issue 18: `g15diag gui` exited 0 after a signal; the exit table says 128 + n."""
    import signal

    signum = getattr(signal, name)
    gui = start_gui()
    assert gui.request("GET", "/")[0] == 200  # serving
    gui.proc.send_signal(signum)
    code, out, err = gui.wait()
    assert code == 128 + signum and "Stopped." in out and "Traceback" not in err
    assert err.strip() == "Interrupted."


def test_page_translations_have_the_same_keys() -> None:
    from g15diag.gui.app import page_words

    en, ru = page_words("en"), page_words("ru")
    assert set(en) == set(ru)
    text = {k: v for k, v in ru.items() if isinstance(v, str)}
    assert all(v for v in text.values())
    assert "антикраж" not in " ".join(text.values()).lower()
    assert [s["action"] for s in en["steps"]] == [s["action"] for s in ru["steps"]]
    assert [s["action"] for s in en["steps"] if s["action"]] == ["wide", "doctor", "report"]


@pytest.mark.slow
def test_command_line_options_apply_to_the_page_reads(run_process) -> None:
    server = start_gui("--port", "sim://", "--reads", "3")
    try:
        assert server.request("POST", "/api/read", body={"port": "sim://"})[0] == 202
        job = wait_done(server)
        assert job["state"] == "done" and job["result"]["reads"] == 3  # --reads 3 was used
        assert server.request("POST", "/api/read", body={"port": "sim://?nope=1"})[0] == 202
        job = wait_done(server)  # an unknown sim:// option: the CLI's usage error
        assert job["state"] == "failed" and job["error"]["exit_status"] == "2"
    finally:
        server.stop()
    done = run_process("gui", "--no-browser", "--port", "sim://", "--trace", "x.log")
    assert done.returncode == 2 and done.stdout == ""
    assert "--interface, --trace and -v are for the terminal commands" in done.stderr


def test_the_page_keeps_the_command_lines_adapter_settings_but_its_own_port() -> None:
    """Every adapter setting reaches the page's reads (``--pending-cap`` was once dropped);
    a native CAN interface does not, since the page reads through the port it chose."""
    from g15diag.app.adapter import AdapterOptions
    from g15diag.gui.app import for_port

    given = AdapterOptions(
        interface="virtual", channel="sim:", timeout=2.5, pending_cap=8, reads=3, address="7B3:7C1"
    )
    chosen = for_port(given, "sim://")
    assert (chosen.port, chosen.interface, chosen.channel, chosen.bitrate) == (
        "sim://",
        None,
        None,
        None,
    )
    assert (chosen.timeout, chosen.pending_cap, chosen.reads, chosen.address) == (
        2.5,
        8.0,
        3,
        "7B3:7C1",
    )
