"""The candump reader's ``Wanted`` fast path gives exactly the line reader's frames and errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g15diag.errors import UsageError
from g15diag.traces import candump, read_frames
from g15diag.traces.candump import Wanted
from g15diag.traces.decode import Decoder, is_diagnostic_id, wanted_ids

IDS = ["747", "767", "7a0", "0C9", "000007E8", "18DAF1A0", "18dbfff1", "1FFFFFFF", "20000747"]
IDS += ["0747", "7", "800", "FFF", "00000747", "xyz", "18DA00F1"]

plain_line = st.builds(
    lambda stamp, chan, ident, data: f"({stamp:.6f}) {chan} {ident}#{data.hex()}",
    st.floats(0, 2e9, allow_nan=False),
    st.sampled_from(["can0", "vcan1", "747", "a.b-c_d"]),
    st.sampled_from(IDS),
    st.binary(max_size=8),
)
odd_line = st.sampled_from(
    [
        "",
        "# a comment",
        "(1.000000) can0 747#0322F18C R",
        "(1.000000) can0 767##1AABB",
        "(1.000000) can0 747#R",
        "(1.000000) can0 20000080#0000000000000000",
        "(1.000000)   can0   747#0322F18C",
        "(1.000000) can0 747#ABC",
        "(1.000000) can0",
        "(x) can0 747#00",
        "(1.000000) can0 747#0322F18C\r",
        "(1.000000) can0 7A0#03 22",
        "(1.0) can0 767#03\u00e9",
    ]
)
lines = st.lists(st.one_of(plain_line, plain_line, plain_line, odd_line), max_size=60)
wanted = st.sampled_from(
    [
        Wanted(frozenset({0x747, 0x767})),
        Wanted(frozenset({0x7A0}), diagnostic=True),
        Wanted(diagnostic=True),
        Wanted(frozenset({0x18DAF1A0, 0x0C9})),
        Wanted(),
    ]
)


def _outcome(frames):  # type: ignore[no-untyped-def]
    try:
        return list(frames)
    except UsageError as exc:
        return str(exc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=lines, want=wanted, block=st.sampled_from([40, 97, 1 << 20]), end=st.booleans())
def test_fast_path_matches_line_reader(tmp_path, monkeypatch, lines, want, block, end) -> None:
    path = tmp_path / "t.log"
    path.write_text("\n".join(lines) + ("\n" if end else ""), encoding="latin-1", newline="")
    monkeypatch.setattr(candump, "BLOCK", block)
    full = _outcome(candump.read(path))
    expected = full if isinstance(full, str) else [f for f in full if f[1] in want]
    assert _outcome(candump.read(path, want)) == expected
    assert _outcome(read_frames(path, want)) == expected


def test_error_names_the_right_line(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.log"
    good = "(1.000000) can0 747#0322F18C\n"
    path.write_text(good * 50 + "(2.0) can0 747#ABC\n" + good)
    monkeypatch.setattr(candump, "BLOCK", 64)
    with pytest.raises(UsageError, match="line 51 "):
        list(candump.read(path, Wanted(frozenset({0x747}))))


@pytest.mark.parametrize(
    "can_id", [0, 0x6FF, 0x700, 0x747, 0x7FF, 0x800, 0x18DA0000, 0x18DBFFFF, 0x18DC0000]
)
@pytest.mark.parametrize("ids", [(None, None), (0x747, None), (None, 0x767), (0x747, 0x767)])
def test_wanted_ids_keep_what_the_decoder_uses(can_id, ids) -> None:
    decoder = Decoder(*ids)
    assert (can_id in wanted_ids(*ids)) == decoder._relevant(can_id)
    assert (can_id in Wanted(diagnostic=True)) == is_diagnostic_id(can_id)


def test_plain_trace_takes_the_fast_path(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.log"
    path.write_text("(1.000000) can0 0C9#00\n(1.000200) can0 747#0322F18CAAAAAAAA\n" * 10)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the line reader ran on a plain trace")

    monkeypatch.setattr(candump, "parse", refuse)
    frames = list(candump.read(path, Wanted(frozenset({0x747}))))
    assert len(frames) == 10
    assert frames[0] == (1.0002, 0x747, bytes.fromhex("0322F18CAAAAAAAA"))
