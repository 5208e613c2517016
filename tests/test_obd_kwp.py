"""Pure request builders and decoders: OBD mode 09 VIN, Renault KWP identification."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from g15diag.protocol import guard, kwp, obd


def test_requests_pass_the_guard() -> None:
    for pdu in (
        obd.vin_request(),
        kwp.read_local_identifier(0x80),
        kwp.read_ecu_identification(0x8C),
    ):
        assert guard.check_request(pdu) == pdu
    assert obd.vin_request() == b"\x09\x02"
    assert kwp.read_local_identifier(0x81) == b"\x21\x81"
    assert kwp.read_ecu_identification(0x90) == b"\x1a\x90"
    with pytest.raises(ValueError):
        kwp.read_local_identifier(256)


@pytest.mark.parametrize(
    ("vin", "errors", "warnings"),
    [
        ("SMLTDG15300000001", 0, 0),
        ("1M8GDM9AXKP042788", 0, 0),  # the textbook check-digit example (X)
        ("SMLTDG15400000001", 0, 1),  # wrong check digit: a warning only
        ("SMLTDG1530000001", 1, 0),  # 16 characters
        ("SMLTDG153O0000001", 1, 0),  # letter O
        ("SMLTDG153000000I1", 1, 0),  # letter I
        ("smltdg15300000001", 1, 0),  # lower case
    ],
)
def test_check_vin(vin, errors, warnings) -> None:
    check = obd.check_vin(vin)
    assert len(check.errors) == errors
    assert len(check.warnings) == warnings
    assert check.valid == (errors == 0)


def test_forbidden_letters_named() -> None:
    assert obd.check_vin("SMLTDG153Q0000001").errors == ("contains Q (never used in a VIN)",)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=17, max_size=17))
def test_computed_check_digit_always_validates(vin: str) -> None:
    digit = obd.check_digit(vin)
    fixed = vin[:8] + digit + vin[9:]
    assert obd.check_vin(fixed).warnings == ()


def test_vin_bytes_strips_count_and_zero_padding() -> None:
    assert obd.vin_bytes(b"\x01SMLTDG15300000001") == b"SMLTDG15300000001"
    assert obd.vin_bytes(b"\x01\x00\x00\x00SMLTDG153000001") == b"SMLTDG153000001"
    assert obd.vin_bytes(b"SMLTDG15300000001") == b"SMLTDG15300000001"


def test_renault_block_offsets() -> None:
    data = b"4632R" + b"\x0d" + b"CAP" + b"037R0" + b"\x12\x34" + b"\x00\x05" + b"\xff"
    block = kwp.parse_ident_block(data)
    assert block == kwp.RenaultBlock(b"4632R", 0x0D, b"CAP", b"037R0", b"\x12\x34", b"\x00\x05")
    assert kwp.parse_ident_block(data[:17]) is None
