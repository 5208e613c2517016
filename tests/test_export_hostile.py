"""Issue 18: exports cannot carry an attack (a hostile unit, adapter or JSON chooses the
strings), and ``--append`` loses nothing and changes nothing else.

Before: a supplier of ``=cmd|' /C calc'!A0`` became a formula cell; ESC, NUL and U+202E went
raw into the text and HTML sheets; a 1,500-character serial ended the text sheet in an
internal AssertionError; ten concurrent appends kept 6-10 rows; a 0444 CSV was replaced, a
0664 one became 0600, a symlink was replaced by a file; a FIFO hung."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from g15diag.app import export
from g15diag.app.export import render_csv
from g15diag.errors import ExitStatus as S
from g15diag.errors import G15DiagError
from g15diag.system import appending

GOLDEN = Path(__file__).parent / "golden" / "identify_sim.json"
HEADER = render_csv.render_header().encode()
HIDDEN = ("\x1b", "\x00", "\x07", "\u202e")


def hostile(**fields: str) -> dict:
    data = json.loads(GOLDEN.read_text())
    for key, value in fields.items():
        if key == "identity":
            data["adapter"]["identity"] = value
            continue
        data[key] = value
        for item in data["items"].values():
            if item.get("role") == key:
                item["text"] = value
    return data


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_no_csv_cell_starts_a_formula(start: str) -> None:
    payload = start + "cmd|' /C calc'!A0"
    data = hostile(supplier=payload, part_number=payload, software=payload, identity=payload)
    text = export.render(data, "csv")
    assert isinstance(text, str)
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not value.startswith(render_csv.FORMULA_STARTS), value
    row = next(r for r in list(csv.reader(io.StringIO(text)))[1:])
    supplier = row[render_csv.HEADER.index("supplier")]
    assert supplier.startswith("'")
    if start not in "\t\r":
        assert render_csv.original(supplier) == payload  # the bytes come back


@pytest.mark.parametrize("fmt", ["text", "html", "csv"])
def test_no_control_character_reaches_an_export_raw(fmt: str) -> None:
    data = hostile(
        part_number="ABC\u202eDEF\x00",
        supplier="\x1b[31mRED",
        identity="\x1b]0;pwned\x07ELM327 v1.5",
    )
    content = export.render(data, fmt)
    assert isinstance(content, str)
    assert not any(ch in content for ch in HIDDEN)
    assert "\\x1b]0;pwned\\x07ELM327 v1.5" in content
    assert "ABCU+202EDEF\\x00" in content


def with_serial(serial: str) -> dict:
    data = hostile()
    data["serial"] = data["items"]["0xF18C"]["text"] = serial
    data["serial_hex"] = data["items"]["0xF18C"]["hex"] = serial.encode().hex().upper()
    return data


def pdf_text(pdf: bytes | str) -> list[str]:
    """The non-blank lines of the PDF's text layer (poppler's pdftotext, which writes U+00A0 as
    a space)."""
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert b"/Count 1\n" in pdf and b"/Count 2" not in pdf  # one page in the page tree
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return [line for line in done.stdout.decode("utf-8").splitlines() if line]


def test_a_serial_of_4095_bytes_is_bounded_with_a_note() -> None:
    data = with_serial("A" * 4095)
    text = export.render(data, "text")
    assert isinstance(text, str)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "4,031 more characters not drawn" in text and "more characters not shown" in text
    html = export.render(data, "html")
    assert isinstance(html, str) and "more characters not drawn" in html
    russian = export.render(data, "text", lang="ru")
    assert isinstance(russian, str) and "(… ещё 4\u00a0031 симв. не нарисовано)" in russian
    assert all(len(line) <= 80 for line in russian.splitlines())


@pytest.mark.slow  # pdftotext
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
@pytest.mark.parametrize(
    ("lang", "note"),
    [("en", "(… 4,031 more characters not drawn)"), ("ru", "(… ещё 4 031 симв. не нарисовано)")],
)
def test_the_pdf_says_how_much_of_a_cut_serial_is_not_drawn(lang: str, note: str) -> None:
    """Under the 64 cells, the catalogue's sentence, as the text and HTML sheets say it."""
    lines = pdf_text(export.render(with_serial("A" * 4095), "pdf", lang=lang))
    assert note in lines
    at = lines.index(note)
    assert lines[at - 1] == "64" and lines[at - 2] == "63"  # right under the last positions
    short = pdf_text(export.render(with_serial("A" * 64), "pdf", lang=lang))
    assert not any("drawn" in line or "нарисовано" in line for line in short)


@pytest.mark.slow  # pdftotext
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
@pytest.mark.parametrize(
    ("lang", "masked", "none"),
    [
        ("en", "hidden (the serial is masked in this copy)", "none"),
        ("ru", "скрыты (номер в этой копии замаскирован)", "нет"),
    ],
)
def test_a_redacted_pdf_says_the_serial_is_masked(lang: str, masked: str, none: str) -> None:
    """Every serial character is starred: the look-alike line must not say "none"."""
    lines = pdf_text(export.render(hostile(), "pdf", lang=lang, redacted=True))
    assert masked in lines and none not in lines
    clear = pdf_text(export.render(hostile(), "pdf", lang=lang))
    assert masked not in clear


# -- --append -------------------------------------------------------------------------------


def new_csv(path: Path, mode: int = 0o664) -> bytes:
    content = export.render(hostile(), "csv")
    assert isinstance(content, str)
    path.write_text(content, newline="")
    path.chmod(mode)
    return path.read_bytes()


def row() -> bytes:
    text = export.render(hostile(), "csv", header=False)
    assert isinstance(text, str)
    return text.encode()


def test_ten_concurrent_appends_keep_ten_rows(tmp_path: Path) -> None:
    shared = tmp_path / "garage.csv"
    new_csv(shared)
    barrier = threading.Barrier(10)

    def one() -> None:
        barrier.wait()
        appending.append_row(shared, HEADER, row())

    threads = [threading.Thread(target=one) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = list(csv.reader(io.StringIO(shared.read_text())))
    assert len(rows) == 1 + 1 + 10


@pytest.mark.slow
def test_ten_concurrent_export_processes_keep_ten_rows(tmp_path: Path) -> None:
    shared = tmp_path / "garage.csv"
    new_csv(shared)
    source = tmp_path / "id.json"
    source.write_text(json.dumps(hostile()))
    command = [sys.executable, "-m", "g15diag", "export", "--from", str(source), "-o",
               str(shared), "--append"]  # fmt: skip
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(10)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert len(list(csv.reader(io.StringIO(shared.read_text())))) == 12


def test_append_keeps_identity_and_mode(tmp_path: Path) -> None:
    shared = tmp_path / "garage.csv"
    before = new_csv(shared, 0o664)
    info = shared.stat()
    export.write(shared, "", append_csv=row().decode())
    after = shared.stat()
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (info.st_ino, 0o664)
    assert shared.read_bytes() == before + row()


def test_append_follows_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    before = new_csv(real)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    export.write(link, "", append_csv=row().decode())
    assert link.is_symlink() and real.read_bytes() == before + row()


def test_a_read_only_csv_is_refused_unchanged_even_as_root(tmp_path: Path, run_cli) -> None:
    shared = tmp_path / "garage.csv"
    before = new_csv(shared, 0o444)
    source = tmp_path / "id.json"
    source.write_text(json.dumps(hostile()))
    code, _, err = run_cli("export", "--from", str(source), "-o", str(shared), "--append")
    assert code == S.OUTPUT and "marked read-only" in err, err
    assert shared.read_bytes() == before and stat.S_IMODE(shared.stat().st_mode) == 0o444


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_append_refuses_what_is_not_a_file(tmp_path: Path, kind: str) -> None:
    target = {"fifo": tmp_path / "p.csv", "dev-zero": Path("/dev/zero"), "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    with pytest.raises(G15DiagError) as caught:
        export.check_writable(target, force=False, append=True)
    assert "not a regular file" in str(caught.value)


def test_a_huge_csv_is_appended_without_reading_it(tmp_path: Path) -> None:
    shared = tmp_path / "huge.csv"
    shared.write_bytes(HEADER)
    with open(shared, "r+b") as handle:
        handle.truncate(3 << 30)  # 3 GiB, sparse: reading it whole would take 3 GiB
    appending.append_row(shared, HEADER, row())
    assert shared.stat().st_size == (3 << 30) + 2 + len(row())
    with open(shared, "rb") as handle:
        handle.seek(3 << 30)
        assert handle.read() == b"\r\n" + row()


@pytest.mark.parametrize("command", ["read-serial", "doctor", "identify", "scan"])
def test_an_adapters_escape_sequence_is_shown_not_run_on_the_terminal(
    run_cli, monkeypatch, command
) -> None:
    """``ATI`` answered ``ESC ] 0;pwned BEL ELM327``: read-serial and doctor printed it raw."""
    from g15diag.sim import elm327 as sim_elm

    hostile_ati = "\x1b]0;pwned\x07ELM327 " + sim_elm.SIMULATOR_MARK
    monkeypatch.setattr(sim_elm.Elm327Simulator, "_identity", lambda self: hostile_ati)
    code, out, err = run_cli(command, "--port", "sim://", "-v")
    assert code in (0, S.NO_ANSWER), err
    assert not any(ch in out + err for ch in HIDDEN)
    if command in ("read-serial", "scan"):  # issue 20: these no longer ask the adapter's ATI
        assert "> ATI\n" not in err
    else:
        assert "\\x1b]0;pwned\\x07ELM327" in out + err


def test_the_page_shows_control_characters_by_name() -> None:
    """U+202E in a serial visually reversed it in the page; ESC reached it raw."""
    from g15diag.gui.app import view

    data = hostile(part_number="P\x00N")
    data["serial"] = data["items"]["0xF18C"]["text"] = "AB\u202eCD\x1b"
    shown = view(export.parse(data))
    assert shown["serial"] == "ABU+202ECD\\x1b" and shown["part_number"] == "P\\x00N"
    assert [c["char"] for c in shown["cells"]] == ["A", "B", "U+202E", "C", "D", "\\x1b"]
