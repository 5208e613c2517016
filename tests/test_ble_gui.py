"""The page's "Search Bluetooth LE" choice (issue 21), in-process through Flask's test client
with bleak's platform backend replaced by the model (tests/ble_model.py)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ble_model import Peripheral, installed, u16
from g15diag.gui.app import create_app
from g15diag.gui.worker import Worker
from g15diag.sim.car import SIM_SERIAL

TOKEN = "t" * 32


def client() -> Any:
    app = create_app(token=TOKEN, worker=Worker())
    app.config["ALLOWED_HOSTS"] = frozenset({"localhost"})
    return app.test_client()


def run(web: Any, path: str, body: dict[str, str] | None = None) -> dict[str, Any]:
    response = web.post(f"{path}?token={TOKEN}", json=body or {})
    assert response.status_code == 202, response.get_data(as_text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = json.loads(web.get(f"/api/status?token={TOKEN}").get_data(as_text=True))
        if job["state"] != "running":
            return job
        time.sleep(0.02)
    raise AssertionError("the job did not finish")


def test_search_bluetooth_le_lists_adapters_then_reads_through_one(monkeypatch) -> None:
    monkeypatch.setattr("g15diag.gui.app.BLE_SECONDS", 0.3)
    web = client()
    page = web.get(f"/?token={TOKEN}").get_data(as_text=True)
    assert 'id="ble-none"' in page and "Search Bluetooth LE" in page  # the words ship
    devices = [
        Peripheral("IOS-Vlink", "D0:12:34:56:78:9A", rssi=-58),
        Peripheral("Polar H10 7E3A", "C4:7C:8D:6A:11:22", layout="heart-rate", rssi=-40,
                   advertised=[u16("180d")]),
    ]  # fmt: skip
    with installed(*devices):
        job = run(web, "/api/ble-search")
        assert (job["kind"], job["state"], job["error"]) == ("ble", "done", None)
        assert job["result"] == [
            {
                "port": "ble://IOS-Vlink",
                "label": "ble://IOS-Vlink — IOS-Vlink (-58 dBm)",
                "kind": "bluetooth-le",
            }
        ]
        job = run(web, "/api/read", {"port": "ble://IOS-Vlink"})
    assert (job["state"], job["error"]) == ("done", None)
    assert job["result"]["serial"] == SIM_SERIAL.decode()
    assert devices[0].writes and not devices[1].writes


def test_search_without_bluetooth_is_one_sentence_in_the_page(monkeypatch) -> None:
    from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

    monkeypatch.setattr("g15diag.gui.app.BLE_SECONDS", 0.2)
    off = BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF)
    with installed(error=off):
        job = run(client(), "/api/ble-search")
    assert job["state"] == "failed"
    assert job["error"]["message"] == "Bluetooth is switched off on this computer."
    assert job["error"]["exit_status"] == "3"


@pytest.mark.slow
def test_page_search_choice_in_a_real_browser(monkeypatch, tmp_path_factory) -> None:
    """Headless Chromium on the page served in-process: choosing "Search Bluetooth LE…"
    lists the adapter heard, selects it, and Read serial reads through it."""
    import threading

    browser = pytest.importorskip("test_gui_browser", reason="browser tests unavailable")
    if browser.CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from werkzeug.serving import make_server

    monkeypatch.setattr("g15diag.gui.app.BLE_SECONDS", 0.3)
    app = create_app(token=TOKEN, worker=Worker())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["ALLOWED_HOSTS"] = frozenset({f"127.0.0.1:{server.server_port}"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    device = Peripheral("IOS-Vlink", "D0:12:34:56:78:9A", rssi=-58)
    try:
        with installed(device), browser.playwright.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-ble")),
                executable_path=browser.CHROMIUM,
                headless=True,
                args=browser.ARGS,
                locale="en-US",
            )
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/?token={TOKEN}")
            choice = page.locator("#adapter option", has_text="Search Bluetooth LE")
            assert choice.count() == 1
            page.select_option("#adapter", "ble-search")
            page.wait_for_selector(
                '#adapter option[value="ble://IOS-Vlink"]', state="attached", timeout=10_000
            )
            assert page.input_value("#adapter") == "ble://IOS-Vlink"  # chosen for the user
            label = page.locator("#adapter option:checked").inner_text()
            assert label == "ble://IOS-Vlink — IOS-Vlink (-58 dBm)"
            page.click("#read")
            page.wait_for_selector("#result:not([hidden])", timeout=20_000)
            assert page.locator("#serial-text").inner_text().startswith(SIM_SERIAL.decode())
            context.close()
    finally:
        server.shutdown()
    assert device.writes
