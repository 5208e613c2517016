"""ISO-TP segmentation and strict reassembly, byte-exact."""

from __future__ import annotations

import pytest

from g15diag.errors import IsoTpError
from g15diag.protocol import isotp


def test_single_frame_padded_and_trimmed_by_pci() -> None:
    frames = isotp.segment(bytes.fromhex("22F18C"), pad_byte=0xAA)
    assert frames == [bytes.fromhex("0322F18CAAAAAAAA")]
    assert list(isotp.reassemble(frames)) == [bytes.fromhex("22F18C")]


@pytest.mark.parametrize("pad", [0x00, 0xAA, 0x55, 0xA3, None])
def test_multi_frame_padding_never_leaks_into_payload(pad: int | None) -> None:
    pdu = bytes.fromhex("62F18C") + b"SIM0O1Il5S8B2024"
    frames = isotp.segment(pdu, pad_byte=pad)
    assert frames[0] == bytes.fromhex("101362F18C53494D")
    assert frames[1] == bytes.fromhex("21304F31496C3553")
    tail = bytes.fromhex("2238423230323" + "4")
    assert frames[2] == (tail if pad is None else tail + bytes([pad]))
    assert list(isotp.reassemble(frames)) == [pdu]


def test_twelve_bit_length_and_sequence_wrap() -> None:
    pdu = bytes(range(256)) + bytes(range(44))  # 300 bytes: 43 CFs, sequence wraps twice
    frames = isotp.segment(pdu)
    assert frames[0][:2] == bytes.fromhex("112C")
    seqs = [f[0] & 0x0F for f in frames[1:]]
    assert seqs[:17] == [*range(1, 16), 0, 1]
    assert list(isotp.reassemble(frames)) == [pdu]


def test_32bit_first_frame_length_escape() -> None:
    frame = bytes.fromhex("1000000000080102")
    machine = isotp.Reassembler()
    assert machine.feed(frame) is None
    assert machine.missing == 6
    assert machine.feed(bytes.fromhex("2103040506070800")) == bytes.fromhex("0102030405060708")


def test_missing_consecutive_frame_is_an_error() -> None:
    frames = isotp.segment(bytes(30))
    with pytest.raises(IsoTpError, match="#2 arrived where #1 was due"):
        list(isotp.reassemble([frames[0], frames[2], frames[3], frames[4]]))


def test_out_of_order_consecutive_frames_are_an_error() -> None:
    frames = isotp.segment(bytes(30))
    with pytest.raises(IsoTpError, match="missing or out of order"):
        list(isotp.reassemble([frames[0], frames[1], frames[3], frames[2], frames[4]]))


def test_truncated_answer_is_an_error_not_a_short_payload() -> None:
    frames = isotp.segment(bytes(30))
    with pytest.raises(IsoTpError, match="ended 10 bytes short"):
        list(isotp.reassemble(frames[:3]))


def test_consecutive_without_first_frame() -> None:
    with pytest.raises(IsoTpError, match="without a first frame"):
        isotp.Reassembler().feed(bytes.fromhex("2101020304050607"))


def test_single_frame_interrupting_multi_frame() -> None:
    machine = isotp.Reassembler()
    machine.feed(isotp.segment(bytes(20))[0])
    with pytest.raises(IsoTpError, match="interrupted"):
        machine.feed(bytes.fromhex("037F2278"))
    assert not machine.in_progress


@pytest.mark.parametrize("frame", ["00", "08010203040506", "0701020304"])
def test_bad_single_frame_lengths(frame: str) -> None:
    with pytest.raises(IsoTpError):
        isotp.Reassembler().feed(bytes.fromhex(frame))


def test_flow_control_frames_carry_no_payload() -> None:
    assert isotp.Reassembler().feed(isotp.flow_control()) is None
    assert isotp.flow_control(0, 0, 0x00) == bytes.fromhex("3000000000000000")


def test_agrees_with_can_isotp_listen_mode() -> None:
    """Cross-check against can-isotp's own receiver on the same frames."""
    import isotp as canisotp

    pdus = [bytes.fromhex("62F18C") + b"SIM0O1Il5S8B2024", bytes(range(200)), b"\x7f\x22\x31"]
    frames = [f for pdu in pdus for f in isotp.segment(pdu, 0x55)]
    queue: list[object] = []
    import can

    for f in frames:
        queue.append(can.Message(arbitration_id=0x767, data=f, is_extended_id=False))
    logic = canisotp.TransportLayerLogic(
        rxfn=lambda timeout: queue.pop(0) if queue else None,
        txfn=lambda msg: None,
        address=canisotp.Address(canisotp.AddressingMode.Normal_11bits, txid=0x747, rxid=0x767),
        params={"listen_mode": True},
    )
    theirs = []
    while queue:
        logic.process()
        while logic.available():
            theirs.append(logic.recv())
    assert theirs == pdus == list(isotp.reassemble(frames))
