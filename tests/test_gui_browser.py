"""The page and the dealer sheet in a real browser: Debian's headless Chromium (Playwright
drives the system binary; nothing is downloaded) and poppler for the PDFs.

Set ``G15DIAG_SCREENSHOTS=DIR`` to keep the screenshots (docs/gui.png is made this way).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_helpers import Gui, start_gui

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm"))
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.slow,  # a browser and the CLI as a subprocess
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
    pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (.ci/run installs it)"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERIAL = "SIM0O1Il5S8B2024"
SHOTS = os.environ.get("G15DIAG_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Factory: a fresh Chromium context (own user-data dir) for a locale."""
    contexts = []
    with playwright.sync_playwright() as p:

        def open_context(locale: str = "en-US"):  # type: ignore[no-untyped-def]
            context = p.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                locale=locale,
                accept_downloads=True,
                viewport={"width": 1100, "height": 1100},
            )
            contexts.append(context)
            return context

        yield open_context
        for context in contexts:
            context.close()


@pytest.fixture
def gui() -> Iterator[Gui]:
    server = start_gui("--port", "sim://")
    yield server
    server.stop()


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def to_png(pdf: Path) -> Path:
    """Render page 1 with pdftoppm; the PNG's path."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    pngs = sorted(pdf.parent.glob(f"{prefix.name}*.png"))
    assert len(pngs) == 1, pngs  # one page, one image
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return pngs[0]


def keep(path: Path, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(SHOTS) / name)


def test_page_reads_the_simulated_serial_and_saves_the_sheet(gui, browser_factory, tmp_path):
    context = browser_factory("en-US")
    # headless Chromium has no print dialog: record the call, then print to PDF ourselves
    context.add_init_script("window.print = () => { window.__printed = true; };")
    page = context.new_page()
    response = page.goto(gui.url)
    assert response is not None and response.status == 200
    assert page.inner_text("#read") == "Read serial"
    assert page.input_value("#adapter") == "sim://"
    page.click("#read")
    page.wait_for_selector("#serial .cell >> nth=15")
    assert page.inner_text("#serial-text") == f"{SERIAL} (16)"
    assert "".join(page.locator("#serial .cell .ch").all_inner_texts()) == SERIAL
    looks = page.locator("#serial .cell.look .pos").all_inner_texts()
    assert looks == ["1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "14"]  # not M/2/4
    assert page.is_visible("#simulated")
    red = page.eval_on_selector("#simulated", "e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(204, 0, 0)"
    assert page.inner_text("#vin") == "SMLTDG15300000001"
    assert page.inner_text("#part") == "281150000R-SIM"
    assert page.inner_text("#reads") == "2"
    assert page.inner_text("#voltage") == "12.6 V"
    assert "12 V or more" in page.inner_text(".advice")
    assert page.is_hidden("#error")
    shot = tmp_path / "gui.png"
    page.screenshot(path=str(shot), full_page=True)
    keep(shot, "gui.png")
    with page.expect_download() as info:
        page.click("#pdf")
    saved = tmp_path / "sheet.pdf"
    info.value.save_as(saved)
    assert pdf_pages(saved) == 1
    assert SERIAL in pdf_text(saved)
    with page.expect_popup() as popup_info:
        page.click("#print")  # opens the HTML sheet and calls print()
    sheet = popup_info.value
    sheet.wait_for_load_state()
    sheet.wait_for_function("window.__printed === true")  # the button asked to print
    printed = tmp_path / "printed.pdf"
    sheet.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    assert pdf_pages(printed) == 1  # the print CSS keeps the sheet on one A4 page
    text = pdf_text(printed)
    assert SERIAL in text and "Owner's full name" in text
    keep(to_png(printed), "sheet_printed_en.png")


def test_language_follows_the_browser_and_switches(gui, browser_factory):
    page = browser_factory("ru-RU").new_page()
    page.goto(gui.url)
    assert page.inner_text("#read") == "Прочитать серийный номер"
    page.click("#read")
    page.wait_for_selector("#serial .cell")
    assert page.inner_text("#voltage") == "12,6 В"
    assert "не ниже 12 В" in page.inner_text(".advice")
    page.click("button[data-lang=en]")
    assert page.inner_text("#read") == "Read serial"
    assert page.inner_text("#voltage") == "12.6 V"
    page.click("button[data-lang=ru]")
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?no_hu=1")
    page.click("#read")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error-message") == "Магнитола не ответила."
    steps = page.locator("#error-steps li").all_inner_texts()
    assert steps[0].startswith("Магнитола может отвечать по адресу") and len(steps) == 5
    buttons = page.locator("#error-steps button").all_inner_texts()
    assert buttons == [
        "Искать по всем адресам",
        "Проверить адаптер",
        "Сохранить отчёт для проекта (.zip)",
    ]


def test_errors_show_the_sentence_and_the_steps_as_actions(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?no_hu=1")
    page.click("#read")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error-message") == "No head unit answered."
    assert "Traceback" not in page.content() and "g15diag " not in page.inner_text("#error")
    assert page.is_hidden("#error-hint-line")  # the steps below are the hint
    steps = page.locator("#error-steps li").all_inner_texts()
    assert "700–7FF at 500 and 250 kbit/s" in steps[0]
    buttons = page.locator("#error-steps button").all_inner_texts()
    assert buttons == ["Search all addresses", "Check adapter", "Save a field report (.zip)"]


def test_browser_without_token_is_refused(gui, browser_factory):
    page = browser_factory().new_page()
    response = page.goto(f"http://127.0.0.1:{gui.port}/")
    assert response is not None and response.status == 403
    response = page.goto(f"http://localhost:{gui.port}/api/read?token={gui.token}")
    assert response is not None and response.status == 405  # a GET cannot start a read


def test_quit_button_stops_the_server(browser_factory):
    server = start_gui()
    page = browser_factory().new_page()
    page.goto(server.url)
    page.click("#quit")
    page.wait_for_selector("#stopped:not([hidden])")
    code, out, _ = server.wait()
    assert code == 0 and "Stopped." in out


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_exported_sheets_are_one_page_with_the_text(run_cli, browser_factory, tmp_path, lang):
    pdf, html = tmp_path / f"sheet_{lang}.pdf", tmp_path / f"sheet_{lang}.html"
    for out in (pdf, html):
        code, _, err = run_cli("export", "--port", "sim://", "--lang", lang, "-o", str(out))
        assert code == 0, err
    labels = {
        "en": ["Head-unit serial number", "Owner's full name", "Registration plate"],
        "ru": [
            "Серийный номер магнитолы",
            "ФИО владельца",
            "Номер СТС",
            "Госномер",
            "Печать и подпись",
            "Для дилера: запрос кода магнитолы",
        ],
    }[lang]
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    for label in [SERIAL, *labels]:
        assert label in text, label
    keep(to_png(pdf), f"sheet_{lang}_pdf.png")
    page = browser_factory().new_page()
    page.goto(html.as_uri())
    shot = tmp_path / f"sheet_{lang}_html.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep(shot, f"sheet_{lang}_html.png")
    printed = tmp_path / f"printed_{lang}.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    assert pdf_pages(printed) == 1
    text = pdf_text(printed)
    for label in [SERIAL, *labels]:
        assert label in text, label


def test_long_serial_html_sheet_prints_on_one_page(browser_factory, tmp_path):
    from g15diag.app import export

    data = export.load_identify_json(Path(__file__).parent / "golden" / "identify_sim.json")
    data["serial"] = data["items"]["0xF18C"]["text"] = "AB0O1Il5S8" * 4  # 40 characters
    html = tmp_path / "long.html"
    html.write_text(str(export.render(data, "html", lang="ru")), encoding="utf-8")
    page = browser_factory().new_page()
    page.goto(html.as_uri())
    printed = tmp_path / "long.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    assert pdf_pages(printed) == 1
    assert "Печать и подпись" in pdf_text(printed)


@pytest.mark.slow
def test_a_failed_read_leaves_no_serial_and_no_print(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?voltage=11.4V&vin_mismatch=1")
    page.click("#read")
    page.wait_for_selector("#serial .cell >> nth=15")
    assert page.is_visible("#print") and page.is_visible("#pdf")
    meta = page.inner_text("#read-meta")
    assert meta.startswith("Adapter sim://?voltage=11.4V&vin_mismatch=1, read at ")
    page.fill("#other", "/dev/ttyUSB9")
    page.click("#read")
    page.wait_for_selector("#error:not([hidden])")
    assert page.is_hidden("#result") and page.is_hidden("#print") and page.is_hidden("#pdf")
    assert SERIAL not in page.inner_text("body")
    assert page.inner_text("#error-message") == "Cannot open the port /dev/ttyUSB9."
    assert gui.request("GET", "/sheet.pdf?lang=en&id=1")[0] == 404  # the old read is gone


@pytest.mark.slow
def test_print_and_save_name_the_read_on_screen(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.click("#read")
    page.wait_for_selector("#serial .cell")
    href = page.get_attribute("#pdf", "href") or ""
    assert "id=1" in href and "id=1" in (page.get_attribute("#session", "href") or "")
    assert gui.request("GET", "/sheet.pdf?lang=en&id=1")[0] == 200
    assert gui.request("GET", "/sheet.pdf?lang=en&id=2")[0] == 404  # no such read


@pytest.mark.slow
def test_a_typed_port_survives_a_language_switch(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?serial=TYPED0000000001")
    page.click("button[data-lang=ru]")
    page.click("button[data-lang=en]")
    assert page.input_value("#adapter") == "" and page.input_value("#other").startswith(
        "sim://?serial=TYPED"
    )
    page.click("#read")
    page.wait_for_selector("#serial .cell")
    assert page.inner_text("#serial-text") == "TYPED0000000001 (15)"


@pytest.mark.slow
def test_a_unit_without_serial_says_not_read_and_offers_the_next_step(gui, browser_factory):
    page = browser_factory("ru-RU").new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?unit=hidden_serial")
    page.click("#read")
    page.wait_for_selector("#result:not([hidden])")
    body = page.inner_text("#result")
    assert "null" not in body and "чтений 0" not in body and page.is_hidden("#facts")
    assert page.inner_text("#serial-text") == "не прочитан"
    assert page.is_visible("#no-serial") and page.is_hidden("#print") and page.is_hidden("#pdf")
    assert page.inner_text("#no-serial button") == "Сохранить отчёт для проекта (.zip)"


@pytest.mark.slow
def test_russian_doctor_advice_and_errors_are_russian(gui, browser_factory):
    page = browser_factory("ru-RU").new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?clone=v15")
    page.click("#doctor")
    page.wait_for_selector("#doctor-result:not([hidden])")
    text = page.inner_text("#doctor-result")
    assert "Итог: не годен" in text and "Каких команд не хватает: ATCRA, ATFC SH" in text
    assert not re.search(r"g15diag (doctor|help|discover)|`", text), text
    assert not re.search(r"\b(the|and|with|adapter)\b", text), text
    page.fill("#other", "/dev/ttyUSB9")
    page.click("#read")
    page.wait_for_selector("#error:not([hidden])")
    assert page.inner_text("#error-message") == "Не удаётся открыть порт /dev/ttyUSB9."
    assert "g15diag" not in page.inner_text("#error")


@pytest.mark.slow
def test_serial_characters_are_shown_in_the_shipped_mono_face(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.click("#read")
    page.wait_for_selector("#legend li")
    for selector in ("#serial .cell .ch", "#legend", "#serial-text"):
        face = page.eval_on_selector(selector, "e => getComputedStyle(e).fontFamily")
        assert face.startswith('"G15 Mono"'), (selector, face)
    assert page.evaluate("document.fonts.check('16px \"G15 Mono\"')")
    widths = page.evaluate(
        """() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '40px "G15 Mono"'; return ['I', 'l', '1'].map(ch => c.measureText(ch).width); }"""
    )
    assert len(set(widths)) == 1  # monospaced: the shipped face, not a fallback sans
    sheet = browser_factory().new_page()
    sheet.goto(gui.url.split("?")[0] + f"sheet.html?token={gui.token}&lang=ru&id=1")
    sheet.wait_for_load_state()
    assert sheet.evaluate("document.fonts.check('16px \"G15 Mono\"', 'Il1O0')")
    for selector in ("td.mono >> nth=2", ".cell .ch"):  # the legend row, a serial cell
        face = sheet.eval_on_selector(selector, "e => getComputedStyle(e).fontFamily")
        assert face.startswith('"G15 Mono"'), (selector, face)
    legend = sheet.inner_text("td.mono >> nth=2")
    assert legend.startswith("S\u00a0=\u00a0заглавная латинская S")


@pytest.mark.slow
def test_search_all_addresses_finds_a_unit_at_7b3_from_the_hint(gui, browser_factory):
    page = browser_factory().new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?hu=7B3:7D3")
    page.click("#read")
    page.wait_for_selector("#error-steps:not([hidden])")
    page.click("#error-steps button[data-action=wide]")
    page.wait_for_selector("#progress:not([hidden])")
    page.wait_for_selector("#progress-text:has-text('Searching all addresses')")
    page.wait_for_selector("#serial .cell >> nth=15", timeout=90_000)
    assert page.inner_text("#serial-text") == f"{SERIAL} (16)"
    assert "CAN 0x7B3/0x7D3" in page.inner_text("#source")
    assert page.is_hidden("#error")


@pytest.mark.slow
def test_the_field_report_button_saves_a_zip(gui, browser_factory, tmp_path):
    import zipfile

    page = browser_factory().new_page()
    page.goto(gui.url)
    page.select_option("#adapter", "")
    page.fill("#other", "sim://?unit=hidden_serial")
    page.click("#read")
    page.wait_for_selector("#no-serial:not([hidden])")
    page.click("#no-serial button[data-action=report]")
    page.wait_for_selector("#report-ready:not([hidden])", timeout=90_000)
    with page.expect_download() as info:
        page.click("#report-file")
    saved = tmp_path / "report.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        readme = archive.read("README.txt").decode()
    assert {"README.txt", "doctor.json", "scan.json", "discover.json", "trace.log"} <= names
    assert "SIM0O1Il5S8B2024" not in readme


def test_reload_and_a_second_tab_keep_the_tool_running(browser_factory):
    """Issue 18: a reload stopped the server within 5 s, and closing one of two tabs stopped
    it under the other."""
    import time

    from g15diag.gui.server import CLOSE_GRACE_S

    server = start_gui()
    try:
        context = browser_factory()
        first = context.new_page()
        first.goto(server.url)
        first.reload()
        second = context.new_page()
        second.goto(server.url)
        first.close(run_before_unload=True)
        time.sleep(CLOSE_GRACE_S + 2)
        assert server.proc.poll() is None
        second.reload()
        assert second.inner_text("#read") == "Read serial"
        second.close(run_before_unload=True)  # the last page: now it stops
        code, out, _ = server.wait()
        assert code == 0 and "Stopped." in out
    finally:
        server.stop()


def test_quit_in_the_page_during_10_03_returns_the_unit(browser_factory, tcp_sim):
    """Issue 18: Quit while the page's read was inside 10 03 with a slow unit never sent
    10 01 (the read ran on in a daemon thread until the process ended)."""
    import time

    tcp = tcp_sim("sim://?unit=uds_extended&latency=0.3")
    server = start_gui("--port", tcp.url, "--timeout", "3")
    try:
        page = browser_factory().new_page()
        page.goto(server.url)
        page.click("#read")

        def sessions() -> list[str]:
            stream = tcp.streams[-1] if tcp.streams else None
            commands = stream.adapter.commands if stream else []
            return [c[:4] for c in commands if c.startswith("10")]

        deadline = time.monotonic() + 30
        while "1003" not in sessions():
            assert time.monotonic() < deadline, sessions()
            time.sleep(0.05)
        page.click("#quit")
        code, out, _ = server.wait()
        assert code == 0 and out.rstrip().endswith("Stopped.")
        assert sessions() == ["1003", "1001"]
        sent = [c for c in tcp.streams[-1].adapter.commands if not c.startswith("AT")]
        assert sent[-1].startswith("1001")  # Quit ended the read: nothing after the 10 01
    finally:
        server.stop()
