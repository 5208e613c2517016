"""`export`: golden files for every format, redaction, the atomic write, `--from` input.

Regenerate the golden files after a deliberate change with
``G15DIAG_UPDATE_GOLDEN=1 python -m pytest tests/test_export.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app import export
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.app.hints import NOTHING_ANSWERED_STEPS, WHEN_ANSWERED
from g15diag.app.identify import identify
from g15diag.protocol import identifiers
from g15diag.vehicles import profiles

GOLDEN = Path(__file__).parent / "golden"
INPUT = GOLDEN / "identify_sim.json"
URL = "sim://?serial_pad=A3A3&vin_mismatch=1&refuse=F192"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
UPDATE = os.environ.get("G15DIAG_UPDATE_GOLDEN") == "1"
MSK = dt.timezone(dt.timedelta(hours=3), "MSK")  # the sheet shows local time; fix the zone


def live() -> dict:
    with make_transport(AdapterOptions(port=URL)) as transport:
        data = identify(transport, profiles.load(), bitrate=500_000, now=NOW).to_dict()
    data["tool_version"] = "0.0.0-golden"  # the golden files do not change with the version
    return data


def golden(name: str, content: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(content.encode("utf-8"))
    assert content.encode("utf-8") == path.read_bytes(), f"{name} differs from its golden file"


def test_golden_input_is_what_identify_returns() -> None:
    golden("identify_sim.json", json.dumps(live(), ensure_ascii=False, indent=2) + "\n")


@pytest.mark.parametrize(
    ("name", "fmt", "lang", "redacted"),
    [
        ("export_en.txt", "text", "en", False),
        ("export_ru.txt", "text", "ru", False),
        ("export.json", "json", "en", False),
        ("export.csv", "csv", "en", False),
        ("export_redacted_en.txt", "text", "en", True),
        ("export_redacted.json", "json", "en", True),
        ("export_en.html", "html", "en", False),
        ("export_ru.html", "html", "ru", False),
    ],
)
def test_golden_formats(name, fmt, lang, redacted) -> None:
    data = export.load_identify_json(INPUT)
    golden(name, export.render(data, fmt, lang=lang, redacted=redacted, tz=MSK))


def test_sheet_content_en() -> None:
    text = export.render(export.load_identify_json(INPUT), "text", tz=MSK)
    assert isinstance(text, str)
    lines = text.splitlines()
    assert lines[0].startswith("*** SIMULATED DATA")
    assert "FOR THE DEALER: RADIO CODE REQUEST" in lines
    assert "      S  I  M  0  O  1  I  l  5  S  8  B  2  0  2  4" in lines
    assert "      1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16" in lines
    assert any(
        line.endswith("53 49 4D 30 4F 31 49 6C 35 53 38 42 32 30 32 34 A3 A3") for line in lines
    )
    assert "0\u00a0=\u00a0digit zero (positions\u00a04," in text
    assert "2\u00a0=" not in text  # 2 and M are not look-alikes: not in the legend
    assert f"Checksum: {export.checksum('SIM0O1Il5S8B2024')}, " in text
    assert "g15diag checksum SIM0O1Il5S8B2024" in text
    assert "    Read on: 2026-01-02 06:04:05 MSK (UTC+03:00)" in lines
    assert "    Identical reads: 2" in lines
    # issue 19: where it was read, the session, adapter and program go to a small footer
    assert "Read from:" not in text and "    CAN address" not in text and "Program:" not in text
    flat = " ".join(text.split())
    assert "Technical details: identifier 0xF18C, CAN 0x747/0x767, 500 kbit/s;" in flat
    assert flat.count("Diagnostic session") == 1
    assert any(line.startswith("    Date of the request ___") for line in lines)
    assert "Code from the dealer ___" in text
    assert "    Head-unit serial number: SIM0O1Il5S8B2024   VIN: SMLTDG15300000001" in lines
    assert "the head unit stores another VIN, SMLTDG15X00000002" in text
    assert "Part number (NOT the serial number): 281150000R-SIM (0xF187)" in text
    for label in ("Owner's full name", "Registration plate", "Vehicle registration certificate",
                  "Mileage, km", "Phone", "Garage", "Stamp and signature"):  # fmt: skip
        assert any(line.startswith(f"    {label}") and line.endswith("___") for line in lines)
    assert "proof of ownership" in text
    at = lines.index("Anti-theft codes (radio codes) are issued only by the manufacturer's dealer.")
    assert lines[at + 1] == "g15diag reads identifiers; it never computes codes."
    assert "8<" in lines[at + 2] and lines[at + 3].startswith("Owner's card: cut off")
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_text_sheet_fits_one_a4_page(lang) -> None:
    """80 columns by 66 lines: one A4 page of plain text (10 characters, 6 lines per inch)."""
    text = str(export.render(export.load_identify_json(INPUT), "text", lang=lang, tz=MSK))
    assert len(text.splitlines()) <= 66
    assert max(len(line) for line in text.splitlines()) <= 80


def test_sheet_content_ru() -> None:
    text = export.render(export.load_identify_json(INPUT), "text", lang="ru", tz=MSK)
    assert isinstance(text, str)
    assert "ДЛЯ ДИЛЕРА: ЗАПРОС КОДА МАГНИТОЛЫ" in text
    assert "противоугонный код" in text.lower() and "антикраж" not in text.lower()
    assert "    Дата и время чтения: 02.01.2026 06:04:05 MSK (UTC+03:00)" in text
    assert "проверка после ручного ввода" in text
    assert "Сеанс диагностики: обычный сеанс" in " ".join(text.split())
    for label in ("ФИО владельца", "Госномер", "Номер СТС", "Пробег, км", "Телефон",
                  "Автосервис", "Печать и подпись"):  # fmt: skip
        assert f"    {label} ___" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_voltage_on_the_sheet() -> None:
    data = {**export.load_identify_json(INPUT), "battery_voltage": 11.8}
    assert "Battery at the OBD socket: 11.8 V" in str(export.render(data, "text"))
    assert "Напряжение АКБ на разъёме OBD: 11,8 В" in str(export.render(data, "text", lang="ru"))
    assert export.render(data, "csv").splitlines()[1].split(",")[-3] == "11.8"


def test_translations_have_the_same_keys() -> None:
    from g15diag.app.export.i18n import words

    en, ru = words("en"), words("ru")
    assert set(en.text) == set(ru.text)
    assert len(en.guidance) == len(ru.guidance) == len(NOTHING_ANSWERED_STEPS)
    assert set(en.lookalikes) == set(ru.lookalikes) == set(identifiers.LOOKALIKES)


def test_checksum_catches_a_retyping_error() -> None:
    assert export.checksum("SIM0O1Il5S8B2024") != export.checksum("SIMO01Il5S8B2024")
    assert len(export.checksum("x")) == 4


def test_redaction() -> None:
    data = export.redact(export.load_identify_json(INPUT))
    assert data["serial"] == "****************"
    assert data["vin"] == data["vin_engine"] == "SMLTDG15300******"
    assert data["vin_head_unit"] == "SMLTDG15X00******"
    assert data["serial_hex"] is None and data["adapter"]["port"] is None
    for key in ("0xF18C", "0xF190", "0x0902"):
        assert data["items"][key]["hex"] is None
    assert data["items"]["0xF18C"]["text"] == "****************"
    everything = json.dumps(data)
    assert "SIM0O1Il" not in everything and "00000001" not in everything
    assert "53494D30" not in everything  # the serial's raw bytes
    text = str(export.render(export.load_identify_json(INPUT), "text", redacted=True))
    assert "SIM0O1Il" not in text and "Checksum" not in text
    assert "REDACTED COPY" in text


MASKED = {
    "en": ("Look-alike characters in this serial", "hidden (the serial is masked in this copy)"),
    "ru": ("Похожие символы в этом номере", "скрыты (номер в этой копии замаскирован)"),
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_redacted_sheet_says_the_serial_is_masked_not_that_it_has_no_look_alikes(lang) -> None:
    """Every serial character is starred: "none" would read as a word about the real serial."""
    data = export.load_identify_json(INPUT)
    label, masked = MASKED[lang]
    text = str(export.render(data, "text", lang=lang, redacted=True, tz=MSK))
    assert f"{label}: {masked}" in " ".join(text.split())
    assert any(line.startswith(f"    {label}: ") for line in text.splitlines())
    html = str(export.render(data, "html", lang=lang, redacted=True, tz=MSK))
    assert f'<tr><th>{label}</th><td class="">{masked}</td></tr>' in html
    assert html.count(f"<th>{label}</th>") == 1
    plain = str(export.render(data, "text", lang=lang, tz=MSK))  # in clear: the legend itself
    assert masked not in " ".join(plain.split()) and f"    {label}: S\u00a0=" in plain


def test_kwp_unit_sheet_says_serial_not_read() -> None:
    with make_transport(AdapterOptions(port="sim://?kwp=1")) as transport:
        data = identify(transport, profiles.load(), bitrate=500_000, now=NOW).to_dict()
    text = str(export.render(data, "text", lang="ru"))
    assert "Серийный номер не прочитан: магнитола не выдала" in text
    assert "Идентификационный блок Renault (21 80)" in text
    flat = " ".join(text.split())
    # issue 19: the unit answered, so no ignition/pins advice; a troubleshooting record
    assert "ПРОТОКОЛ ДИАГНОСТИКИ: СЕРИЙНЫЙ НОМЕР НЕ ПРОЧИТАН" in text
    assert "ДЛЯ ДИЛЕРА" not in text and "Код от дилера" not in text and "8<" not in text
    assert "13 (H) / 12 (L)" not in flat and "Включите зажигание" not in flat
    assert "1. Без OBD:" in flat and "2. Помогите проекту:" in flat
    flat_en = " ".join(str(export.render(data, "text")).split())
    fit = [NOTHING_ANSWERED_STEPS[n] for n in WHEN_ANSWERED]
    for n, (title, step) in enumerate(fit, 1):
        assert f"{n}. {title}: {step}" in flat_en  # the one text every face shows, imported
    assert "--wide" not in flat_en and "doctor" not in flat_en
    values = str(export.render(data, "csv")).splitlines()[1].split(",")
    row = dict(zip(export.render_csv.HEADER, values, strict=True))
    assert row["headunit_serial"] == row["serial_checksum"] == ""


def test_format_from_suffix() -> None:
    assert export.format_for("a.TXT", None) == "text"
    assert export.format_for("a.csv", None) == "csv"
    assert export.format_for("a.pdf", None) == "pdf"
    assert export.format_for("a.htm", None) == "html"
    assert export.format_for("-", None) == "text"
    assert export.format_for("-", "csv") == "csv"
    assert export.format_for("a.out", "json") == "json"
    with pytest.raises(errors.UsageError, match=r"contradicts the file name 'a\.csv'"):
        export.format_for("a.csv", "json")
    with pytest.raises(errors.UsageError, match="Cannot tell the format"):
        export.format_for("a.docx", None)


def test_bad_from_files(tmp_path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(errors.UsageError, match="not JSON"):
        export.load_identify_json(bad)
    bad.write_text('{"schema_version": 2}', encoding="utf-8")
    with pytest.raises(errors.UsageError, match="schema_version 1"):
        export.load_identify_json(bad)
    bad.write_text('{"schema_version": 1, "serial": "x"}', encoding="utf-8")
    with pytest.raises(errors.UsageError, match="lacks the field 'vin'"):
        export.load_identify_json(bad)
    bad.write_text('{"schema_version": 1, "serial": 1' + "0" * 5000 + "}", encoding="utf-8")
    with pytest.raises(errors.UsageError, match="holds a value Python cannot read"):
        export.load_identify_json(bad)
    data = export.load_identify_json(INPUT)
    bad.write_text(json.dumps({**data, "read_at": "yesterday"}), encoding="utf-8")
    with pytest.raises(errors.UsageError, match="'read_at' must be an ISO 8601 time"):
        export.load_identify_json(bad)
    bad.write_text(json.dumps({**data, "battery_voltage": "12V"}), encoding="utf-8")
    with pytest.raises(errors.UsageError, match="'battery_voltage' must be a number or null"):
        export.load_identify_json(bad)


def test_read_serial_json_is_named(tmp_path) -> None:
    source = tmp_path / "rs.json"
    source.write_text(
        '{"schema_version": 1, "serial": "X", "identifier": "0xF18C", "reads": 2}',
        encoding="utf-8",
    )
    with pytest.raises(errors.UsageError, match="it is `read-serial --json` output, and export "
                       "needs `g15diag identify --json` output"):  # fmt: skip
        export.load_identify_json(source)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            (None, "x.txt"),
            {},
            "export needs an identify result or an identify --json object, not NoneType.",
        ),
        (({}, "x.txt"), {"lang": "de"}, "Unknown language 'de': use en or ru."),
        (
            ({}, "x.txt"),
            {},
            "The object given to export is not g15diag `identify --json` data "
            "(schema_version 1 expected).",
        ),
        (({}, "x.doc"), {}, "Cannot tell the format of 'x.doc'"),
    ],
)
def test_api_export_refuses_bad_input(tmp_path, monkeypatch, args, kwargs, message) -> None:
    import g15diag

    monkeypatch.chdir(tmp_path)
    with pytest.raises(errors.UsageError) as info:
        g15diag.export(*args, **kwargs)
    assert str(info.value).startswith(message)
    assert info.value.exit_status == 2
    assert list(tmp_path.iterdir()) == []


# -- the atomic write ---------------------------------------------------------------------


def test_no_overwrite_without_force(tmp_path) -> None:
    out = tmp_path / "r.txt"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(errors.OutputError) as info:
        export.write(out, "new")
    assert info.value.exit_status == 9
    assert out.read_text(encoding="utf-8") == "keep me"
    export.write(out, "new", force=True)
    assert out.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


def test_file_appearing_meanwhile_is_not_replaced(tmp_path, monkeypatch) -> None:
    out = tmp_path / "r.txt"
    real_fsync = os.fsync

    def sneaky(fd: int) -> None:
        real_fsync(fd)
        out.write_text("someone else's", encoding="utf-8")

    monkeypatch.setattr(os, "fsync", sneaky)
    with pytest.raises(errors.OutputError):
        export.write(out, "mine")
    assert out.read_text(encoding="utf-8") == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


@pytest.mark.parametrize("force", [False, True])
def test_interruption_leaves_nothing(tmp_path, monkeypatch, force) -> None:
    out = tmp_path / "r.txt"
    if force:
        out.write_text("old", encoding="utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export.write(out, "x" * 100_000, force=force)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["r.txt"] if force else [])
    if force:
        assert out.read_text(encoding="utf-8") == "old"


def test_unwritable_folder(tmp_path) -> None:
    with pytest.raises(errors.OutputError, match="does not exist"):
        export.write(tmp_path / "nope" / "r.txt", "x")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_pdf_stays_on_one_page_with_a_long_serial(lang) -> None:
    data = export.load_identify_json(INPUT)
    data["serial"] = data["items"]["0xF18C"]["text"] = "AB0O1Il5S8" * 4  # 40 characters
    pdf = export.render(data, "pdf", lang=lang)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert b"/Count 1\n" in pdf and b"/Count 2" not in pdf  # one page in the page tree
    normal = export.render(export.load_identify_json(INPUT), "pdf", lang=lang)
    assert b"/Count 1\n" in normal
