"""The inputs with which fuzzing found bugs, kept as plain regression tests (docs/reliability.md,
"Bugs the fuzzing found")."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from g15diag import errors
from g15diag.app import export
from g15diag.traces import read_frames

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[2] / "tests/golden/identify_sim.json").read_text("utf-8")
)


def load(tmp_path: Path, data: dict) -> dict:
    path = tmp_path / "identify.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return export.load_identify_json(path)


@pytest.mark.parametrize("raw", [b"", b"LOGG\x00\x01"])
def test_damaged_blf_is_a_usage_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "t.blf"
    path.write_bytes(raw)
    with pytest.raises(errors.UsageError, match="Cannot read trace"):
        list(read_frames(path))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(items=[]),
        lambda d: d.update(items=None),
        lambda d: next(iter(d["items"].values())).pop("text"),
        lambda d: d.update(serial="\ud800"),
    ],
    ids=["items-list", "items-null", "item-without-text", "lone-surrogate"],
)
def test_bad_identify_files_are_refused(tmp_path: Path, change) -> None:
    data = copy.deepcopy(GOLDEN)
    change(data)
    with pytest.raises(errors.UsageError):
        load(tmp_path, data)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_odd_but_valid_identify_files_render(tmp_path: Path, fmt: str) -> None:
    data = copy.deepcopy(GOLDEN)
    data["vin_mismatch"] = True
    data.pop("vin_head_unit")  # KeyError in the text sheet
    item = next(iter(data["items"].values()))
    item["status"], item["nrc"] = None, "0x31"  # None += str in the CSV
    assert export.render(load(tmp_path, data), fmt)


@pytest.mark.slow
def test_redaction_does_not_depend_on_the_role(tmp_path: Path) -> None:
    data = copy.deepcopy(GOLDEN)
    for item in data["items"].values():
        item.pop("role", None)
    for fmt in export.FORMATS:
        text = export.render(load(tmp_path, data), fmt, redacted=True)
        if isinstance(text, bytes):  # the PDF: check its text layer (poppler's pdftotext)
            if shutil.which("pdftotext") is None:
                continue
            done = subprocess.run(["pdftotext", "-", "-"], input=text, capture_output=True)
            text = done.stdout.decode("utf-8")
            assert "Head-unit serial number" in text  # the text layer is really there
        assert GOLDEN["serial"] not in text and GOLDEN["vin"] not in text
