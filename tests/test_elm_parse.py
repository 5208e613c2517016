"""ELM327 reply text -> frames, PDUs and typed errors, byte-exact."""

from __future__ import annotations

import pytest

from g15diag import errors
from g15diag.protocol import elm

SERIAL_LINES = [
    "767 10 13 62 F1 8C 53 49 4D",
    "767 21 30 4F 31 49 6C 35 53",
    "767 22 38 42 32 30 32 34 AA",
]
SERIAL_PDU = bytes.fromhex("62F18C") + b"SIM0O1Il5S8B2024"


def test_headers_on_spaces_on_multi_frame() -> None:
    reply = elm.parse_reply("\r".join(SERIAL_LINES) + "\r\r>", "22F18C1")
    assert reply.frames[0] == elm.Frame(0x767, bytes.fromhex("101362F18C53494D"))
    assert reply.pdus(0x767) == [SERIAL_PDU]


def test_headers_on_spaces_off_crlf_nul_echo() -> None:
    text = "22F18C1\r\n" + "\x00".join(line.replace(" ", "") + "\r\n" for line in SERIAL_LINES)
    reply = elm.parse_reply(text + "\r\n>", "22F18C1")
    assert reply.pdus(0x767) == [SERIAL_PDU]


@pytest.mark.parametrize("pad", ["00", "AA", "55", "A3"])
def test_single_frame_padding_trimmed_by_pci(pad: str) -> None:
    reply = elm.parse_reply(f"7E8 03 7F 22 31 {pad} {pad} {pad} {pad}\r\r>")
    assert reply.pdus(0x7E8) == [bytes.fromhex("7F2231")]


def test_29bit_ids_with_and_without_spaces() -> None:
    spaced = elm.parse_reply("18 DA F1 10 03 7F 22 31\r\r>", id_bits=29)
    compact = elm.parse_reply("18DAF110037F2231\r\r>", id_bits=29)
    assert spaced.frames == compact.frames == [elm.Frame(0x18DAF110, bytes.fromhex("037F2231"))]


def test_two_responders_grouped_by_id_interleaved() -> None:
    text = "\r".join(
        [
            "7E8 10 14 49 02 01 53 4D 4C",
            "7E9 10 14 49 02 01 41 41 41",
            "7E8 21 54 44 47 31 35 33 30",
            "7E9 21 41 41 41 41 41 41 41",
            "7E8 22 30 30 30 30 30 30 31",
            "7E9 22 41 41 41 41 41 41 41",
        ]
    )
    by_id = elm.parse_reply(text + "\r\r>").by_id()
    assert list(by_id) == [0x7E8, 0x7E9]
    assert by_id[0x7E8] == [bytes.fromhex("490201") + b"SMLTDG15300000001"]
    assert by_id[0x7E9] == [bytes.fromhex("490201") + b"A" * 17]


def test_pending_then_final_on_same_command() -> None:
    text = "767 03 7F 22 78 AA AA AA AA\r" + "\r".join(SERIAL_LINES) + "\r\r>"
    assert elm.parse_reply(text).pdus(0x767) == [bytes.fromhex("7F2278"), SERIAL_PDU]


def test_missing_consecutive_frame_raises() -> None:
    text = "\r".join([SERIAL_LINES[0], SERIAL_LINES[2]]) + "\r\r>"
    with pytest.raises(errors.IsoTpError):
        elm.parse_reply(text).pdus(0x767)


def test_searching_and_no_data() -> None:
    reply = elm.parse_reply("SEARCHING...\rNO DATA\r\r>", "22F18C1")
    assert reply.no_data and reply.frames == []


@pytest.mark.parametrize(
    ("line", "exc"),
    [
        ("CAN ERROR", errors.CanBusError),
        ("BUFFER FULL", errors.BufferFull),
        ("STOPPED", errors.AdapterStopped),
        ("UNABLE TO CONNECT", errors.BusInitError),
        ("BUS INIT: ...ERROR", errors.BusInitError),
        ("LV RESET", errors.AdapterReset),
        ("<RX ERROR", errors.CanBusError),
        ("ERR94", errors.AdapterFault),
        ("NOT CONNECTED", errors.BusInitError),
        ("BUS BUSY", errors.CanBusError),
        ("FB ERROR", errors.CanBusError),
    ],
)
def test_status_lines_are_typed_errors(line: str, exc: type[Exception]) -> None:
    with pytest.raises(exc) as info:
        elm.parse_reply(f"{line}\r\r>", "22F18C1")
    assert line in str(info.value)
    assert info.value.exit_status == errors.ExitStatus.ADAPTER


def test_rx_error_appended_to_data_line() -> None:
    with pytest.raises(errors.CanBusError):
        elm.parse_reply("767 10 13 62 F1 8C <RX ERROR\r\r>")


def test_question_mark_names_the_command() -> None:
    with pytest.raises(errors.AdapterUnsupported) as info:
        elm.check_ok("ATCRA767", "?\r\r>")
    assert info.value.command == "ATCRA767"
    assert info.value.exit_status == errors.ExitStatus.ADAPTER_INCAPABLE


def test_at_reply_with_echo_and_info_lines() -> None:
    assert elm.check_ok("ATI", "ATI\r\nELM327 v1.5\r\n\r\n>") == ["ELM327 v1.5"]
    assert elm.check_ok("ATE0", "ATE0\rOK\r\r>") == []


def test_garbage_line_is_a_protocol_error() -> None:
    with pytest.raises(errors.ProtocolError, match="Unreadable"):
        elm.parse_reply("7E8 03 ZZ 22 31\r\r>")


def test_bare_cr_is_never_a_command() -> None:
    with pytest.raises(ValueError):
        elm.command_line("")
    assert elm.command_line("ATE0") == b"ATE0\r"


def test_data_command_with_response_count() -> None:
    assert elm.data_command(bytes.fromhex("22F18C"), 1) == "22F18C1"
    assert elm.data_command(bytes.fromhex("0902")) == "0902"


def test_frames_text_round_trip() -> None:
    frames = [elm.Frame(0x767, bytes.fromhex("037F2278AAAAAAAA"))]
    assert elm.frames_text(frames) == "767 03 7F 22 78 AA AA AA AA"
    assert elm.frames_text(frames, spaces=False) == "767037F2278AAAAAAAA"
    assert elm.parse_reply(elm.frames_text(frames, spaces=False) + "\r>").frames == frames
