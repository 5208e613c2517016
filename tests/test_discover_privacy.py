"""`discover` shows no serial or VIN character without --unredacted: not in its own table or
JSON, not in -v traffic (an answer that looks like a serial is masked wherever it comes from),
and says how to unmask. The hidden-serial unit keeps its serial in 0xF1A7, no fixed identifier.
"""

from __future__ import annotations

import json

import pytest

from g15diag.app.privacy import TrafficMasker
from g15diag.protocol import identifiers
from g15diag.protocol.elm import Frame, Line
from g15diag.sim.car import SIM_HIDDEN_SERIAL, SIM_VIN
from g15diag.transport.base import Traffic

URL = "sim://?unit=hidden_serial"
SERIAL = SIM_HIDDEN_SERIAL.decode()


def shown(text: str, secret: bytes) -> list[str]:
    """Pieces of ``secret`` in ``text``: any 3 characters in a row, or any 3 bytes in its hex
    (spaced or not)."""
    flat = text.replace(" ", "").upper()
    value = secret.decode()
    found = [value[i : i + 3] for i in range(len(value) - 2) if value[i : i + 3] in text]
    return found + [
        secret[i : i + 3].hex().upper()
        for i in range(len(secret) - 2)
        if secret[i : i + 3].hex().upper() in flat
    ]


@pytest.mark.parametrize("as_json", [False, True])
def test_discover_masks_the_hidden_serial_everywhere(run_cli, tmp_path, as_json) -> None:
    args = ["discover", "--port", URL, "-v", "--trace", str(tmp_path / "t.log")]
    code, out, err = run_cli(*args, *(["--json"] if as_json else []))
    assert code == 0, err
    assert shown(out, SIM_HIDDEN_SERIAL) == [] and shown(err, SIM_HIDDEN_SERIAL) == []
    vin_tail = SIM_VIN[11:]  # the VIN's serial part
    assert vin_tail.decode() not in out + err and vin_tail.hex().upper() not in out.upper()
    # who answered what, and how long, stay visible (spaces on since issue 20: no ATS0)
    assert "< 767 10 0F 62 F1 A7 ** ** **" in err
    if as_json:
        data = json.loads(out)
        assert data["masked"] is True and "--unredacted" in data["unmask"]
        (item,) = [i for i in data["units"][0]["items"] if i["request"] == "22F1A7"]
        assert item["text"] == "*" * len(SERIAL) and item["length"] == len(SERIAL)
        assert item["hex"] is None and item["serial_candidate"] is True
        (part,) = [i for i in data["units"][0]["items"] if i["request"] == "22F187"]
        assert part["text"] == "281150000R-SIM"  # not personal: shown
    else:
        line = next(x for x in out.splitlines() if x.startswith("  22 F1 A7"))
        assert line.endswith("  12  ************  <- serial candidate (unverified)")
        assert "add --unredacted to show them" in out


def test_discover_unredacted_shows_the_hidden_serial(run_cli, tmp_path) -> None:
    """The check above can fail: the same run with --unredacted shows the serial."""
    args = ["discover", "--port", URL, "-v", "--unredacted", "--trace", str(tmp_path / "t.log")]
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert SERIAL in out and SIM_HIDDEN_SERIAL.hex(" ").upper() in out
    assert SIM_HIDDEN_SERIAL[:3].hex().upper() in err.replace(" ", "").upper()
    assert "add --unredacted" not in out
    code, out, _ = run_cli(*args[:-1], str(tmp_path / "u.log"), "--json")
    (item,) = [i for i in json.loads(out)["units"][0]["items"] if i["request"] == "22F1A7"]
    assert item["text"] == SERIAL and item["hex"] == SIM_HIDDEN_SERIAL.hex().upper()


def _frames(payload: bytes) -> list[bytes]:
    first = bytes([0x10 | len(payload) >> 8, len(payload) & 0xFF]) + payload[:6]
    rest = payload[6:]
    return [first] + [
        bytes([0x21 + n & 0x2F]) + rest[i : i + 7].ljust(7, b"\xaa")
        for n, i in enumerate(range(0, len(rest), 7))
    ]


def _show(masker: TrafficMasker, request: bytes, frames: list[bytes], *, one_by_one: bool):
    masker.lines(Traffic(True, (Line(request.hex()),), request, request.hex()))
    lines = [Line(f"767 {f.hex(' ').upper()}", Frame(0x767, f)) for f in frames]
    steps = [[line] for line in lines] if one_by_one else [lines]
    return [text for step in steps for text in masker.lines(Traffic(False, tuple(step), request))]


@pytest.mark.parametrize("one_by_one", [True, False])  # native CAN frame by frame / ELM reply
def test_traffic_masks_any_answer_that_looks_like_a_serial(one_by_one) -> None:
    request = bytes.fromhex("22F1A7")
    text = _show(
        TrafficMasker(False),
        request,
        _frames(b"\x62\xf1\xa7" + SIM_HIDDEN_SERIAL),
        one_by_one=one_by_one,
    )
    assert text[0] == "767 10 0F 62 F1 A7 ** ** **"
    assert shown("\n".join(text), SIM_HIDDEN_SERIAL) == []
    shown_raw = _show(
        TrafficMasker(True),
        request,
        _frames(b"\x62\xf1\xa7" + SIM_HIDDEN_SERIAL),
        one_by_one=one_by_one,
    )
    assert shown("\n".join(shown_raw), SIM_HIDDEN_SERIAL) != []


def test_traffic_keeps_an_answer_that_is_no_serial() -> None:
    """A part number with a dash is no candidate: a whole reply at once is shown as it is."""
    part = b"281150000R-SIM"
    text = _show(TrafficMasker(False), bytes.fromhex("22F187"), _frames(b"\x62\xf1\x87" + part),
                 one_by_one=False)  # fmt: skip
    assert text[0] == "767 10 11 62 F1 87 32 38 31"
    assert not identifiers.looks_personal(part) and identifiers.looks_personal(SIM_HIDDEN_SERIAL)
