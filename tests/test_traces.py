"""Trace I/O and the transaction decoder: candump reader/writer, pairing, streaming memory."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from g15diag.errors import UsageError
from g15diag.protocol import isotp
from g15diag.traces import candump, read_frames, sidecar
from g15diag.traces.decode import Decoder, conventional_pair, transactions

TRACES = Path(__file__).resolve().parent.parent / "fixtures" / "can_traces"


def frames(*items: tuple[int, str], pad: int = 0xAA) -> list[candump.Frame]:
    """(CAN ID, PDU hex) pairs as padded ISO-TP frames with increasing timestamps."""
    out: list[candump.Frame] = []
    for can_id, pdu in items:
        for data in isotp.segment(bytes.fromhex(pdu), pad):
            out.append((len(out) * 0.001, can_id, data))
    return out


def tsv(items: list[candump.Frame], *ids: int | None) -> list[str]:
    return [t.tsv() for t in transactions(items, *ids)]


# -- candump ---------------------------------------------------------------------------------


def test_candump_reader_takes_what_candump_writes() -> None:
    text = (
        "(1.000000) can0 7A0#0322F18C00000000\n"
        "\n"
        "(1.000100) can0 18DAF1A0#037F2231 R\n"  # python-can's direction mark
        "(1.000200) can0 7A8##1037F2231\n"  # CAN FD: flags digit, then data
        "(1.000300) can0 123#R\n"  # remote frame: skipped
        "(1.000400) can0 20000080#0000000000000000\n"  # error frame: skipped
        "# a comment\r\n"
        "(1.000500) can0 7A8#\r\n"  # DLC 0
    )
    got = list(candump.parse(io.StringIO(text)))
    assert got == [
        (1.0, 0x7A0, bytes.fromhex("0322F18C00000000")),
        (1.0001, 0x18DAF1A0, bytes.fromhex("037F2231")),
        (1.0002, 0x7A8, bytes.fromhex("037F2231")),
        (1.0005, 0x7A8, b""),
    ]


@pytest.mark.parametrize("line", ["(1.0) can0 7A0#0G", "(x) can0 7A0#00", "7A0 03 22"])
def test_candump_reader_names_the_bad_line(line: str) -> None:
    with pytest.raises(UsageError, match="line 2"):
        list(candump.parse(["(0.5) can0 7A0#00", line], "t.log"))


def test_candump_writer_is_plain_and_round_trips() -> None:
    items = [(1.5, 0x7A0, b"\x03\x22\xf1\x8c"), (2.0, 0x18DAF1A0, b"")]
    out = io.StringIO()
    assert candump.write(out, items) == 2
    assert out.getvalue() == "(1.500000) can0 7A0#0322F18C\n(2.000000) can0 18DAF1A0#\n"
    assert list(candump.parse(io.StringIO(out.getvalue()))) == items


def test_fast_reader_matches_python_can_logreader() -> None:
    import can

    path = TRACES / "bus_noise.log"
    with can.LogReader(str(path)) as reader:
        theirs = [(m.timestamp, m.arbitration_id, bytes(m.data)) for m in reader]
    assert list(read_frames(path)) == theirs


def test_missing_trace_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No trace file"):
        read_frames(tmp_path / "absent.log")


def test_sidecar_path() -> None:
    assert sidecar.path_for("a/x.log") == Path("a/x.json")
    assert sidecar.path_for("x.log.gz") == Path("x.json")
    assert sidecar.path_for("x.blf") == Path("x.json")


# -- decoder ---------------------------------------------------------------------------------


def test_pending_then_final_and_pending_only() -> None:
    items = frames(
        (0x747, "22F18C"), (0x767, "7F2278"), (0x767, "7F2278"), (0x767, "62F18C41"),
        (0x747, "22F190"), (0x767, "7F2278"),
        (0x747, "2180"),
    )  # fmt: skip
    got = list(transactions(items, 0x747, 0x767))
    assert [t.tsv() for t in got] == [
        "0x22\t0xF18C\tPOS\t41",
        "0x22\t0xF190\tNONE\tPENDING",
        "0x21\t0x80\tNONE\t-",
    ]
    assert got[0].pending == 2


def test_answer_without_request_takes_the_service_from_the_answer() -> None:
    items = frames((0x767, "62F18C41"), (0x767, "7F2131"), (0x767, "5A8701"), (0x767, "7F2278"))
    assert tsv(items, 0x747, 0x767) == [
        "0x22\t0xF18C\tPOS\t41",
        "0x21\t-\tNRC\t0x31",
        "0x1A\t0x87\tPOS\t01",
    ]


def test_multi_did_and_other_services() -> None:
    items = frames(
        (0x7E0, "22F190F18C"), (0x7E8, "62F19041F18C42"),
        (0x7E0, "0100"), (0x7E8, "4100BE1FA813"),
        (0x7E0, "0902"), (0x7E8, "490201"),
        (0x7E0, "22F190"), (0x7E8, "62F190"),
    )  # fmt: skip
    assert tsv(items) == [
        "0x22\t0xF190,0xF18C\tPOS\t41F18C42",
        "0x01\t-\tPOS\t00BE1FA813",
        "0x09\t0x02\tPOS\t01",
        "0x22\t0xF190\tPOS\t-",
    ]


def test_pairs_are_found_and_kept_apart_by_convention() -> None:
    # Two requests of the same service open at once: each answer goes to its own pair.
    items = frames((0x7E0, "22F190"), (0x747, "22F190"), (0x767, "62F19041"), (0x7E8, "62F19042"))
    got = list(transactions(items))
    assert [(t.request_id, t.response_id, t.data) for t in got] == [
        (0x7E0, 0x7E8, "42"),
        (0x747, 0x767, "41"),
    ]
    assert conventional_pair(0x18DA60F1, 0x18DAF160) == 1
    assert conventional_pair(0x7DF, 0x7EA) == 1


def test_ids_outside_the_diagnostic_range_need_explicit_ids() -> None:
    items = frames((0x123, "22F18C"), (0x456, "62F18C41"))
    assert tsv(items) == []
    assert tsv(items, 0x123, 0x456) == ["0x22\t0xF18C\tPOS\t41"]
    assert tsv(items, 0x123, None) == ["0x22\t0xF18C\tNONE\t-"]  # 0x456 is not diagnostic


def test_broken_answer_yields_no_message_and_the_next_first_frame_counts() -> None:
    answer = isotp.segment(bytes.fromhex("62F18C") + b"ABCDEFGHIJKLMNOP", 0xAA)
    items = [
        (0.0, 0x747, bytes.fromhex("0322F18C00000000")),
        (0.1, 0x767, answer[0]),
        (0.2, 0x767, answer[2]),  # CF 2 where 1 was due
        (0.3, 0x747, bytes.fromhex("0322F18C00000000")),
        (0.4, 0x767, answer[0]),
        (0.5, 0x767, answer[1]),
        (0.6, 0x747, bytes.fromhex("0322F18C00000000")),
        (0.7, 0x767, answer[0]),  # a new first frame cuts the unfinished one
        (0.8, 0x767, answer[1]),
        (0.9, 0x767, answer[2]),
    ]
    decoder = Decoder(0x747, 0x767)
    got = [t for f in items for t in decoder.feed(*f)] + decoder.finish()
    assert [t.tsv() for t in got] == [
        "0x22\t0xF18C\tNONE\t-",
        "0x22\t0xF18C\tNONE\t-",
        "0x22\t0xF18C\tPOS\t4142434445464748494A4B4C4D4E4F50",
    ]
    assert decoder.broken == 2


def test_transactions_come_out_in_request_order() -> None:
    items = frames((0x747, "22F18C"), (0x7E0, "22F190"), (0x7E8, "62F19042"), (0x767, "62F18C41"))
    assert [t.request_id for t in transactions(items)] == [0x747, 0x7E0]


def _big_trace(count: int) -> Iterator[candump.Frame]:
    request = bytes.fromhex("0322F18C00000000")
    answer = isotp.segment(bytes.fromhex("62F18C") + bytes(200), 0xAA)
    fc = isotp.flow_control()
    stamp = 0.0
    for _ in range(count):
        for can_id, data in [(0x747, request), (0x767, answer[0]), (0x747, fc)] + [
            (0x767, cf) for cf in answer[1:]
        ]:
            stamp += 0.0001
            yield stamp, can_id, data


def test_decoding_streams_in_flat_memory() -> None:
    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            n = sum(1 for _ in transactions(_big_trace(count)))
            assert n == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(50), peak(2000)  # 40x the frames
    assert large < small * 2 + 64_000
