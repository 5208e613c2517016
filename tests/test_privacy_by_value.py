"""Issue 18, privacy by value: once the serial and the VIN are known, every occurrence of
their characters in any identifier, frame or field is masked in every output that is not the
technician's own screen. Before: a unit repeating them in another slot or shape (F187 with a
dash, ``VIN:`` + VIN, behind 0x01, padded to 30 characters) showed them in clear in the
discover table and JSON, the report's discover.json, trace.log and trace.json (20 of 61
cases), and ``export --redact`` left them in the part number, supplier and software."""

from __future__ import annotations

import json
import zipfile

import pytest

from g15diag.app import by_value, export
from g15diag.sim import car

SERIAL = car.SIM_SERIAL  # b"SIM0O1Il5S8B2024"
VIN = car.SIM_VIN
SHAPES = {
    "SIM_PART_NUMBER": SERIAL[:4] + b"-" + SERIAL[4:],  # with a dash
    "SIM_SUPPLIER": b"VIN:" + VIN,
    "SIM_SOFTWARE": b"\x01" + SERIAL,  # behind a 0x01 byte
    "SIM_SUPPLIER_SW": SERIAL.ljust(30),  # padded to 30 characters
    "SIM_HARDWARE": b" ".join(VIN[i : i + 4] for i in range(0, 17, 4)),  # with spaces
}


def leaks(text: str) -> list[str]:
    """Pieces of the serial (but its last 4, which masked fields keep) or of the VIN's serial
    part (after its first 11) in ``text``: 6 characters in a row, or 5 bytes of their hex
    (the VIN's tail 000001 whole: 00000 alone is in every bit rate)."""
    flat = text.replace(" ", "").upper()
    found = []
    for secret in (SERIAL[:-4], VIN[11:]):
        value = secret.decode()
        found += [value[i : i + 6] for i in range(len(value) - 5) if value[i : i + 6] in text]
        found += [
            secret[i : i + 5].hex().upper()
            for i in range(len(secret) - 4)
            if secret[i : i + 5].hex().upper() in flat
        ]
    return found


@pytest.fixture
def repeating_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SHAPES.items():
        monkeypatch.setattr(car, name, value)


def test_cores_and_mask() -> None:
    known = by_value.cores([SERIAL.decode(), VIN.decode(), None, "ab"])
    assert known == (VIN.decode(), SERIAL.decode().upper())
    assert by_value.mask("P/N SIM0-o1il5S8B2024 x", known) == "P/N ****-************ x"
    assert not by_value.contains("281150000R-SIM", known)


@pytest.mark.parametrize("as_json", [False, True])
def test_discover_masks_the_values_in_every_slot(run_cli, tmp_path, repeating_unit, as_json):
    report = tmp_path / "r.zip"
    args = ["discover", "--port", "sim://", "--report", str(report)]
    code, out, err = run_cli(*args, *(["--json"] if as_json else []))
    assert code == 0, err
    assert leaks(out) == []
    with zipfile.ZipFile(report) as bundle:
        for name in ("discover.json", "trace.log", "trace.json"):
            assert leaks(bundle.read(name).decode("utf-8")) == [], name
    if as_json:  # the other values stay readable: only the serial's and VIN's characters go
        items = {i["request"]: i for i in json.loads(out)["units"][0]["items"]}
        assert items["22F187"]["text"] == "*" * 17
        assert items["22F18A"]["text"] == "*" * 21


def test_discover_unredacted_shows_them(run_cli, tmp_path, repeating_unit) -> None:
    """The check above can fail."""
    args = ["discover", "--port", "sim://", "--unredacted", "--trace", str(tmp_path / "t.log")]
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    assert leaks(out)


def test_export_redact_masks_by_value(run_cli, tmp_path, repeating_unit) -> None:
    for fmt in ("json", "txt", "csv"):
        path = tmp_path / f"sheet.{fmt}"
        code, _, err = run_cli("export", "--port", "sim://", "--redact", "-o", str(path))
        assert code == 0, err
        text = path.read_text(encoding="utf-8")
        assert leaks(text) == [], (fmt, leaks(text))
    data = json.loads((tmp_path / "sheet.json").read_text())
    record = export.parse(data)
    assert record.part_number is not None and record.part_number.text == "****-************"
