"""The dealer sheet says which diagnostic session each value was read in (issue 11 item 3)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app import export
from g15diag.app.export.i18n import words
from g15diag.protocol.session import Session

INPUT = Path(__file__).parent / "golden" / "identify_sim.json"
KWP = "sim://?unit=kwp_renault"


def test_every_session_is_named_in_every_language() -> None:
    for lang in ("en", "ru"):
        assert set(words(lang).sessions) == {session.value for session in Session}
    # English is the CLI's own naming (one place), the request bytes come from Session
    assert [words("en").session(s) for s in Session] == [s.label for s in Session]
    assert words("ru").session(Session.UDS_EXTENDED) == "расширенный сеанс (10 03)"
    assert words("ru").session(Session.KWP_AFTER_SALES) == "сервисный сеанс Renault (10 C0)"


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("en", "Diagnostic session: Renault after-sales (10 C0)"),
        ("ru", "Сеанс диагностики: сервисный сеанс Renault (10 C0)"),
    ],
)
def test_kwp_unit_sheet_names_the_session(run_cli, tmp_path, lang, phrase) -> None:
    """A KWP unit read in `10 C0`, end to end: car -> export -> the text sheet."""
    out = tmp_path / f"sheet_{lang}.txt"
    code, _, err = run_cli("export", "--port", KWP, "--lang", lang, "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    # issue 19: the session once, in the technical footer after where it was read
    flat = " ".join(text.split())
    assert flat.count(phrase) == 1
    assert (
        f"0x1A8C, CAN 0x747/0x767, 500 {'kbit/s' if lang == 'en' else 'кбит/с'}; {phrase}" in flat
    )
    assert len(lines) <= 66 and max(map(len, lines)) <= 80


def test_kwp_unit_csv_and_json_name_the_session(run_cli, tmp_path) -> None:
    out = tmp_path / "sheet.csv"
    code, _, err = run_cli("export", "--port", KWP, "-o", str(out))
    assert code == 0, err
    (row,) = csv.DictReader(out.read_text(encoding="utf-8").splitlines())
    assert row["serial_identifier"] == "0x1A8C"
    assert row["serial_session"] == "kwp_after_sales"
    assert row["unit_session"] == "kwp_after_sales"
    out = tmp_path / "sheet.json"
    assert run_cli("export", "--port", KWP, "-o", str(out))[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["head_unit"]["session"] == "kwp_after_sales"
    assert data["items"]["0x1A8C"]["session"] == "kwp_after_sales"


@pytest.mark.parametrize(
    ("lang", "mark"),
    [
        ("en", "SW-SIM-1.0 (0xF195, extended (10 03) session)"),
        ("ru", "SW-SIM-1.0 (0xF195, расширенный сеанс (10 03))"),
    ],
)
def test_an_item_read_in_another_session_is_marked(lang, mark) -> None:
    data = export.load_identify_json(INPUT)
    data["items"]["0xF195"]["session"] = "uds_extended"
    text = str(export.render(data, "text", lang=lang))
    assert mark in text.replace("\n        ", " ")
    assert "(0xF194)" in text  # items read in the unit's session carry no mark
    data["items"]["0xF195"]["session"] = "default"
    assert mark not in str(export.render(data, "text", lang=lang)).replace("\n        ", " ")


def test_a_file_from_before_sessions_shows_no_session_row() -> None:
    data = export.load_identify_json(INPUT)
    del data["head_unit"]["session"]
    for item in data["items"].values():
        item.pop("session", None)
    assert "Diagnostic session" not in str(export.render(data, "text"))
    assert export.render(data, "csv").splitlines()[1].count(",,") >= 1


@pytest.mark.parametrize("where", ["head_unit", "item"])
def test_an_unknown_session_is_refused(where) -> None:
    data = export.load_identify_json(INPUT)
    target = data["head_unit"] if where == "head_unit" else data["items"]["0xF18C"]
    target["session"] = "programming"
    with pytest.raises(errors.UsageError, match="must be one of default, uds_extended"):
        export.render(data, "text")
