"""Fuzz and property tests for the sans-I/O core: ELM327 text, ISO-TP, UDS/KWP/OBD answers.

Contract for every parser: arbitrary input gives a result or a ``G15DiagError`` subclass,
never another exception (an IndexError or UnicodeError here would be a traceback for a user
with a bad adapter).
"""

from __future__ import annotations

import contextlib

from hypothesis import assume, given
from hypothesis import strategies as st

from g15diag import errors
from g15diag.protocol import elm, guard, identifiers, isotp, kwp, obd, uds
from g15diag.transport.base import Target, Transport
from g15diag.transport.client import Client, Timing

# -- strategies -----------------------------------------------------------------------------

STATUS_WORDS = [
    "NO DATA",
    "CAN ERROR",
    "BUFFER FULL",
    "STOPPED",
    "UNABLE TO CONNECT",
    "NOT CONNECTED",
    "BUS BUSY",
    "BUS ERROR",
    "FB ERROR",
    "DATA ERROR",
    "<DATA ERROR",
    "<RX ERROR",
    "RX ERROR",
    "LV RESET",
    "ACT ALERT",
    "LP ALERT",
    "ERR94",
    "BUS INIT: ...OK",
    "BUS INIT: ...ERROR",
    "SEARCHING...",
    "?",
    "OK",
    "ELM327 v1.5",
    ">",
    "\x00",
]

hex_bytes = st.binary(max_size=12).map(lambda b: b.hex().upper())
frame_line = st.builds(
    lambda can_id, body, spaces: elm.frames_text([elm.Frame(can_id, body)], spaces),
    st.one_of(st.integers(0, 0x7FF), st.integers(0x800, 0x1FFFFFFF)),
    st.binary(min_size=1, max_size=8),
    st.booleans(),
)
token = st.one_of(
    st.sampled_from(STATUS_WORDS),
    hex_bytes,
    frame_line,
    st.sampled_from(["\r", "\n", "\r\n", " ", "  ", "\t"]),
    st.text(max_size=6),
    st.characters(),
)
#: adapter output: mostly plausible pieces, mixed with arbitrary text
adapter_text = st.one_of(st.lists(token, max_size=20).map("".join), st.text(max_size=80))
sent = st.one_of(
    st.none(), st.sampled_from(["22F18C1", "0902", "ATH1", "2180"]), st.text(max_size=8)
)

#: ISO-TP frames: arbitrary bytes, biased to every PCI type
pci_frame = st.one_of(
    st.binary(max_size=9),
    st.tuples(st.integers(0, 0x3F), st.binary(max_size=8)).map(lambda t: bytes([t[0]]) + t[1]),
    st.tuples(st.integers(0x20, 0x2F), st.binary(min_size=7, max_size=7)).map(
        lambda t: bytes([t[0]]) + t[1]
    ),
)

#: every request the guard lets through (the client only ever sends these)
allowed_request = st.builds(
    lambda sid, body: bytes([sid]) + body,
    st.sampled_from(sorted(guard.ALLOWED_SERVICES)),
    st.binary(min_size=0, max_size=6),
).filter(guard.is_allowed)


def _response_for(request: bytes) -> st.SearchStrategy[bytes]:
    sid = request[0]
    plausible = st.one_of(
        st.binary(max_size=40).map(lambda d: bytes([sid + 0x40]) + request[1:3] + d),
        st.integers(0, 255).map(lambda nrc: bytes([0x7F, sid, nrc])),
        st.binary(max_size=3).map(lambda d: b"\x7f" + d),
    )
    return st.one_of(plausible, st.binary(max_size=40))


# -- ELM327 text ------------------------------------------------------------------------------


@given(adapter_text, sent, st.sampled_from([11, 29]))
def test_parse_reply_never_crashes(text: str, command: str | None, id_bits: int) -> None:
    try:
        reply = elm.parse_reply(text, command, id_bits)
    except errors.G15DiagError:
        return
    for frame in reply.frames:
        assert 0 <= frame.can_id <= 0xFFFFFFFF and frame.data
    with contextlib.suppress(errors.G15DiagError):
        reply.by_id()


@given(adapter_text, st.text(max_size=10))
def test_check_ok_never_crashes(text: str, command: str) -> None:
    try:
        lines = elm.check_ok(command, text)
    except errors.G15DiagError:
        return
    assert all(isinstance(line, str) and line for line in lines)


@given(st.text(max_size=40), st.sampled_from([11, 29]))
def test_parse_frame_line_never_crashes(line: str, id_bits: int) -> None:
    try:
        frame = elm.parse_frame_line(line, id_bits)
    except errors.G15DiagError:
        return
    assert frame.data


@given(st.sampled_from([11, 29]), st.booleans(), st.data())
def test_frames_text_parse_round_trip(bits: int, spaces: bool, data: st.DataObject) -> None:
    """What the simulator prints, the parser reads back byte for byte."""
    ids = st.integers(0, 0x7FF) if bits == 11 else st.integers(0x800, 0x1FFFFFFF)
    frames = data.draw(
        st.lists(st.tuples(ids, st.binary(min_size=1, max_size=8)), min_size=1, max_size=6)
    )
    wanted = [elm.Frame(i, d) for i, d in frames]
    reply = elm.parse_reply(elm.frames_text(wanted, spaces) + "\r\r>", None, bits)
    assert reply.frames == wanted


# -- ISO-TP -----------------------------------------------------------------------------------


@given(st.lists(pci_frame, max_size=30))
def test_reassembler_never_crashes(frames: list[bytes]) -> None:
    machine = isotp.Reassembler()
    for frame in frames:
        try:
            pdu = machine.feed(frame)
        except errors.G15DiagError:
            continue
        if pdu is not None:
            assert len(pdu) >= 1
        assert machine.missing >= 0


@given(st.lists(pci_frame, max_size=30))
def test_reassemble_never_crashes(frames: list[bytes]) -> None:
    try:
        pdus = list(isotp.reassemble(frames))
    except errors.G15DiagError:
        return
    assert all(pdus)


@given(
    st.one_of(
        st.binary(min_size=1, max_size=300),
        # around the 12-bit first-frame limit (4095) and the 32-bit escape, built cheaply
        st.builds(
            lambda n, seed: (seed * (n // len(seed) + 1))[:n],
            st.integers(4090, 4200),
            st.binary(min_size=1, max_size=16),
        ),
    ),
    st.one_of(st.none(), st.integers(0, 255)),
)
def test_segment_reassemble_round_trip(pdu: bytes, pad_byte: int | None) -> None:
    frames = isotp.segment(pdu, pad_byte)
    assert all(1 <= len(f) <= isotp.CAN_DL for f in frames)
    if pad_byte is not None:
        assert all(len(f) == isotp.CAN_DL for f in frames)
    assert list(isotp.reassemble(frames)) == [pdu]


@given(
    st.binary(min_size=8, max_size=200),
    st.one_of(st.none(), st.integers(0, 255)),
    st.data(),
)
def test_dropped_or_swapped_frame_is_an_error_never_a_short_pdu(
    pdu: bytes, pad_byte: int | None, data: st.DataObject
) -> None:
    frames = isotp.segment(pdu, pad_byte)
    assume(len(frames) >= 2)
    i = data.draw(st.integers(1, len(frames) - 1), label="frame")
    if data.draw(st.booleans(), label="swap") and i + 1 < len(frames):
        frames[i], frames[i + 1] = frames[i + 1], frames[i]
    else:
        del frames[i]
    try:
        out = list(isotp.reassemble(frames))
    except errors.IsoTpError:
        return
    # Only possible when 16 frames went missing and the sequence number wrapped around.
    assert out != [pdu[: len(out[0])]] or len(pdu) > 16 * 7


# -- UDS / KWP / OBD answers ------------------------------------------------------------------


@given(allowed_request, st.data())
def test_classify_never_crashes(request: bytes, data: st.DataObject) -> None:
    response = data.draw(_response_for(request), label="response")
    try:
        answer = uds.classify(request, response)
    except errors.G15DiagError:
        return
    if isinstance(answer, uds.Negative):
        assert answer.service == request[0]
        assert isinstance(answer.name, str) and isinstance(answer.error(), errors.G15DiagError)
    else:
        assert response.endswith(answer.data)


@given(st.binary(max_size=60))
def test_kwp_ident_block_never_crashes(data: bytes) -> None:
    block = kwp.parse_ident_block(data)
    assert block is None or len(block.supplier) == 3


@given(st.binary(max_size=40))
def test_vin_bytes_and_check_never_crash(data: bytes) -> None:
    vin = obd.vin_bytes(data)
    check = obd.check_vin(vin.decode("latin-1"))
    assert check.valid == (not check.errors)
    obd.check_digit(vin.decode("latin-1"))


@given(st.text(max_size=30))
def test_check_vin_any_text(text: str) -> None:
    obd.check_vin(text)
    obd.check_digit(text)


@given(st.binary(max_size=64))
def test_identifier_decode_keeps_raw_bytes(raw: bytes) -> None:
    decoded = identifiers.decode(raw)
    assert decoded.raw == raw and raw.endswith(decoded.padding)
    identifiers.spelled(decoded.text)


class _Scripted(Transport):
    """A transport whose answers are whatever hypothesis draws."""

    def __init__(self, answers: list[bytes | None]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[bytes] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def set_target(self, target: Target) -> None:
        pass

    def _send(self, pdu: bytes) -> None:
        self.sent.append(pdu)

    def _receive(self, timeout: float) -> bytes | None:
        return self.answers.pop(0) if self.answers else None


@given(allowed_request, st.data(), st.booleans())
def test_client_read_never_crashes(request: bytes, data: st.DataObject, resend: bool) -> None:
    answers = data.draw(
        st.lists(st.one_of(st.none(), _response_for(request)), max_size=15), label="answers"
    )
    transport = _Scripted(answers)
    transport.resend_after_pending = resend
    ticks = iter(range(10**6))
    client = Client(transport, Timing(p2=0.25, p2_star=5.0, max_resends=10), lambda: next(ticks))
    with contextlib.suppress(errors.G15DiagError):
        client.read(request)
    assert all(guard.is_allowed(pdu) for pdu in transport.sent)
    assert len(transport.sent) <= 11
