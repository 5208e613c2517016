"""Vehicle profiles: the shipped data, the format, and errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from g15diag.vehicles import profiles
from g15diag.vehicles.profiles import ProfileError
from g15diag.vehicles.toml_lines import line_of

SHIPPED = Path(profiles.__file__).parent / "almera-g15.toml"
TEXT = SHIPPED.read_text(encoding="utf-8")


def test_default_profile_contents() -> None:
    prof = profiles.load()
    assert prof.name == "almera-g15"
    assert [c.target().label for c in prof.head_units] == [
        "0x712/0x732",
        "0x747/0x767",
        "0x714/0x734",
        "0x780/0x7A0",
        "0x782/0x7A2",
    ]
    assert all(c.source and c.confidence in ("low", "very low") for c in prof.head_units)
    assert prof.head_units[0].bitrates == (500_000, 250_000)
    assert prof.engine.target().label == "0x7E0/0x7E8"
    assert [i.key for i in prof.items] == [
        "0xF18C", "0xF187", "0xF18A", "0xF191", "0xF192", "0xF193", "0xF194", "0xF195",
        "0xF190", "0xF1A0", "0x2180", "0x2181", "0x1A8C", "0x1A87", "0x1A8A", "0x2183",
    ]  # fmt: skip
    assert [i.request.hex() for i in prof.items_of("kwp")] == [
        "2180", "2181", "1a8c", "1a87", "1a8a", "2183",
    ]  # fmt: skip
    # the identification ladder, exactly as issue 11 lists the rungs
    rungs = [(r.name, r.session.request, [i.request.hex() for i in r.items]) for r in prof.ladder]
    assert rungs == [
        ("uds-default", None, ["22f18c"]),
        ("uds-extended", b"\x10\x03", ["22f18c"]),
        ("kwp-default", None, ["1a8c", "2180"]),
        ("kwp-renault", b"\x10\xc0", ["1a8c", "2180", "2181"]),
        ("nissan", b"\x10\x81", ["2183"]),
    ]  # fmt: skip
    assert prof.items[0].request == bytes.fromhex("22F18C")
    assert prof.scan_response_offset == 0x20
    assert all(i.source for i in prof.items)
    assert profiles.packaged_profiles() == ["almera-g15"]


def _line(fragment: str) -> int:
    return next(n for n, line in enumerate(TEXT.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "anchor"),
    [
        ('request = "747"', 'request = "7Z7"', "head_unit[1].request", 'request = "7Z7"'),
        ('response = "7E8"', 'response = "FFFFFFFFF"', "engine.response", "FFFFFFFFF"),
        ('decoding = "byte"', 'decoding = "bite"', "item[9].decoding", "bite"),
        ('role = "serial"', 'role = "serail"', "item[0].role", "serail"),
        ('id = "0xF187"', 'id = "F187"', "item[1].id", '"F187"'),
        ('id = "0x2181"', 'id = "0x2281"', "item[11].id", "0x2281"),
        ("bitrates = [500000]", "bitrates = [125000]", "head_unit[3].bitrates", "125000"),
        ('family = "kwp"', 'family = "kwp2000"', "item[10].family", "kwp2000"),
        ('id = "0xF1A0"', 'id = "0xF18C"', "item[9].id", None),
        ('response_offset = "20"', 'response_offset = "x"', "scan.response_offset", '= "x"'),
    ],
)
def test_errors_name_file_line_and_field(old, new, field, anchor, tmp_path) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)  # the first occurrence
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(str(path))
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    expected = (
        next(n for n, line in enumerate(text.splitlines(), 1) if anchor in line)
        if anchor
        else _line(old)  # same line count: the duplicate sits where the old id was
    )
    assert err.line == expected
    assert str(err).startswith(f"Bad profile {path}, line {expected}: {field} ")
    assert err.exit_status == 2


def test_missing_table_and_syntax_error(tmp_path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(TEXT.split("[engine]")[0], encoding="utf-8")
    with pytest.raises(ProfileError, match=r"engine is missing"):
        profiles.load(str(path))
    path.write_text('name = "x"\nvehicle = \n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(str(path))
    assert info.value.line == 2 and "TOML" in str(info.value)


def test_missing_file_and_unknown_name(tmp_path) -> None:
    with pytest.raises(ProfileError, match="cannot be read"):
        profiles.load(str(tmp_path / "absent.toml"))
    with pytest.raises(profiles.UsageError, match="No profile named 'corolla'"):
        profiles.load("corolla")


def test_line_of_finds_keys_in_array_tables() -> None:
    assert line_of(TEXT, ("head_unit", 2, "request")) == _line('request = "714"')
    assert line_of(TEXT, ("name",)) == _line('name = "almera-g15"')
    assert line_of(TEXT, ("engine", "nothere")) == _line("[engine]")


@pytest.mark.parametrize(
    ("addition", "field", "problem"),
    [
        (
            '[[rung]]\nname = "x"\nsession = "10 02"\nitems = ["0xF18C"]\n',
            "rung[5].session",
            "10 02",
        ),
        ('[[rung]]\nname = "x"\nitems = ["0xF1FF"]\n', "rung[5].items", "0xF1FF"),
        ('[[rung]]\nname = "nissan"\nitems = ["0xF18C"]\n', "rung[5].name", "twice"),
        (
            '[[head_unit]]\nname = "u"\nrequest = "7B3"\nresponse = "7D3"\n'
            'bitrates = [500000]\nladder = ["nissan"]\n',
            "head_unit[5].ladder",
            "default-session",
        ),
        (
            '[[head_unit]]\nname = "u"\nrequest = "7B3"\nresponse = "7D3"\n'
            'bitrates = [500000]\nladder = ["nope"]\n',
            "head_unit[5].ladder",
            "nope",
        ),
    ],
)
def test_ladder_errors_name_the_field(addition: str, field: str, problem: str, tmp_path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(TEXT + "\n" + addition, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(str(path))
    assert info.value.field == field and problem in str(info.value)


def test_first_rung_must_be_in_the_default_session(tmp_path) -> None:
    text = TEXT.replace(
        'name = "uds-default"\nsession = "default"', 'name = "uds-default"\nsession = "10 03"'
    )
    assert text != TEXT
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match="must be 'default'"):
        profiles.load(str(path))
