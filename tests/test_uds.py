"""UDS ReadDataByIdentifier request/response decoding, byte-exact, cross-checked with udsoncan."""

from __future__ import annotations

import pytest

from g15diag.errors import MalformedResponse, NegativeResponse
from g15diag.protocol import uds


def test_request_bytes_match_udsoncan() -> None:
    from udsoncan.services import ReadDataByIdentifier

    ours = uds.read_data_by_identifier(0xF18C)
    assert ours == bytes.fromhex("22F18C")
    theirs = ReadDataByIdentifier.make_request(didlist=[0xF18C], didconfig={0xF18C: "s"})
    assert theirs.get_payload() == ours


def test_positive_answer_data_after_echo() -> None:
    answer = uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("62F18C53494D"))
    assert answer == uds.Positive(b"SIM")


def test_positive_answer_for_another_did_is_rejected() -> None:
    with pytest.raises(MalformedResponse, match="cut the request short"):
        uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("62F19053494D"))


def test_wrong_service_echo_rejected() -> None:
    with pytest.raises(MalformedResponse, match="expected 0x62"):
        uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("5A80"))


def test_negative_response_with_name() -> None:
    answer = uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("7F2231"))
    assert answer == uds.Negative(0x22, 0x31)
    assert answer.name == "requestOutOfRange"
    error = answer.error()
    assert isinstance(error, NegativeResponse)
    assert str(error) == "The unit refused service 0x22: NRC 0x31 (requestOutOfRange)."


def test_response_pending_is_recognised() -> None:
    answer = uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("7F2278"))
    assert isinstance(answer, uds.Negative) and answer.pending


def test_negative_for_other_service_rejected() -> None:
    with pytest.raises(MalformedResponse):
        uds.classify(bytes.fromhex("22F18C"), bytes.fromhex("7F1031"))


@pytest.mark.parametrize("pdu", ["", "7F", "7F22"])
def test_short_answers_rejected(pdu: str) -> None:
    with pytest.raises(MalformedResponse):
        uds.classify(bytes.fromhex("22F18C"), bytes.fromhex(pdu))


def test_nrc_names_agree_with_udsoncan() -> None:
    """All 256 codes (issue 20): every code udsoncan names has the same name here; every
    code it leaves unnamed falls in one of ISO 14229-1:2020's reserved ranges here."""
    from udsoncan import Response

    reserved = {name for _, _, name in uds.NRC_RANGES} | {uds.ISO_RESERVED}
    for code in range(256):
        theirs = Response.Code.get_name(code)
        ours = uds.nrc_name(code)
        if theirs.isdigit():  # udsoncan has no name for it
            assert ours in reserved, (hex(code), ours)
            continue
        plain = ours.replace("(es)", "").replace("/", "").replace("-", "")
        assert theirs.replace("_", "").lower() == plain.lower(), (hex(code), ours, theirs)


def test_iso_14229_2020_codes_and_ranges() -> None:
    assert uds.nrc_name(0x34) == "authenticationRequired"
    assert uds.nrc_name(0x94) == "resourceTemporarilyNotAvailable"
    assert [uds.nrc_name(c) for c in (0x50, 0x5D)] == [
        "certificateVerificationFailed-InvalidTimePeriod",
        "deAuthenticationFailed",
    ]
    assert {uds.nrc_name(c) for c in range(0xF0, 0xFF)} == {
        "vehicleManufacturerSpecificConditionsNotCorrect"
    }
    assert {uds.nrc_name(c) for c in range(0x95, 0xF0)} == {
        "reservedForSpecificConditionsNotCorrect"
    }
    assert uds.nrc_name(0x41) == "reservedByExtendedDataLinkSecurityDocument"
    assert uds.nrc_name(0xFF) == "ISOSAEReserved"


def test_reserved_nrc_names() -> None:
    assert uds.nrc_name(0x95) == "reservedForSpecificConditionsNotCorrect"
    assert uds.nrc_name(0x01) == "ISOSAEReserved"
