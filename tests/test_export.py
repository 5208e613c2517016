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

from g15diag import errors, profiles
from g15diag.adapter import AdapterOptions, make_transport
from g15diag.app import export
from g15diag.app.identify import identify

GOLDEN = Path(__file__).parent / "golden"
INPUT = GOLDEN / "identify_sim.json"
URL = "sim://?serial_pad=A3A3&vin_mismatch=1&refuse=F192"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
UPDATE = os.environ.get("G15DIAG_UPDATE_GOLDEN") == "1"


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
    ],
)
def test_golden_formats(name, fmt, lang, redacted) -> None:
    data = export.load_identify_json(INPUT)
    golden(name, export.render(data, fmt, lang=lang, redacted=redacted))


def test_sheet_content_en() -> None:
    text = export.render(export.load_identify_json(INPUT), "text")
    lines = text.splitlines()
    assert lines[0].startswith("*** SIMULATED DATA")
    assert "For the dealer: anti-theft code request" in lines
    assert "    S I M 0 O 1 I l 5 S 8 B 2 0 2 4" in lines
    assert any(
        line.endswith("53 49 4D 30 4F 31 49 6C 35 53 38 42 32 30 32 34 A3 A3") for line in lines
    )
    assert "4: 0 zero, 5: O capital o" in text
    assert f"checksum     {export.checksum('SIM0O1Il5S8B2024')}" in text
    assert "2 identical reads of identifier 0xF18C from 0x747/0x767 at 500 kbit/s" in text
    assert "the head unit stores a different VIN: SMLTDG15X00000002" in text
    assert "Head-unit part number (NOT the serial number)" in text
    assert lines[-1] == (
        "Anti-theft codes are issued only by the manufacturer's dealer. "
        "This tool does not compute them."
    )


def test_checksum_catches_a_retyping_error() -> None:
    assert export.checksum("SIM0O1Il5S8B2024") != export.checksum("SIMO01Il5S8B2024")
    assert len(export.checksum("x")) == 4


def test_redaction() -> None:
    data = export.redact(export.load_identify_json(INPUT))
    assert data["serial"] == "************2024"
    assert data["vin"] == data["vin_engine"] == "SMLTDG15300******"
    assert data["vin_head_unit"] == "SMLTDG15X00******"
    assert data["serial_hex"] is None and data["adapter"]["port"] is None
    for key in ("0xF18C", "0xF190", "0x0902"):
        assert data["items"][key]["hex"] is None
    assert data["items"]["0xF18C"]["text"] == "************2024"
    everything = json.dumps(data)
    assert "SIM0O1Il" not in everything and "00000001" not in everything
    assert "53494D30" not in everything  # the serial's raw bytes
    text = export.render(export.load_identify_json(INPUT), "text", redacted=True)
    assert "SIM0O1Il" not in text and "checksum" not in text
    assert "REDACTED COPY" in text


def test_kwp_unit_sheet_says_serial_not_read() -> None:
    with make_transport(AdapterOptions(port="sim://?kwp=1")) as transport:
        data = identify(transport, profiles.load(), bitrate=500_000, now=NOW).to_dict()
    text = export.render(data, "text", lang="ru")
    assert "НЕ ПРОЧИТАН" in text and "Renault identification block (21 80)" in text
    csv_text = export.render(data, "csv")
    assert "headunit_serial,,,," in csv_text


def test_format_from_suffix() -> None:
    assert export.format_for("a.TXT", None) == "text"
    assert export.format_for("a.csv", None) == "csv"
    assert export.format_for("a.csv", "json") == "json"
    with pytest.raises(errors.UsageError):
        export.format_for("a.pdf", None)


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


# -- the atomic write ---------------------------------------------------------------------


def test_no_overwrite_without_force(tmp_path) -> None:
    out = tmp_path / "r.txt"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(errors.OutputError) as info:
        export.write_atomic(out, "new")
    assert info.value.exit_status == 9
    assert out.read_text(encoding="utf-8") == "keep me"
    export.write_atomic(out, "new", force=True)
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
        export.write_atomic(out, "mine")
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
        export.write_atomic(out, "x" * 100_000, force=force)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["r.txt"] if force else [])
    if force:
        assert out.read_text(encoding="utf-8") == "old"


def test_unwritable_folder(tmp_path) -> None:
    with pytest.raises(errors.OutputError, match="does not exist"):
        export.write_atomic(tmp_path / "nope" / "r.txt", "x")
