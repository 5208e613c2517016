"""Fuzz the tool's file inputs and outputs: trace readers and decoder, trace sidecars, vehicle
profiles, ``export --from`` and the export renderers.

Contract: arbitrary input gives a result or a ``G15DiagError`` subclass, never another
exception. Files are written into one temporary folder per module (hypothesis re-runs a test
body many times; function-scoped fixtures would be shared between examples anyway).
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from g15diag import errors
from g15diag.app import export
from g15diag.traces import candump, read_frames, sidecar
from g15diag.traces.decode import transactions
from g15diag.vehicles import profiles

ROOT = Path(__file__).resolve().parents[2]
SEED_PROFILE = (ROOT / "src/g15diag/vehicles/almera-g15.toml").read_text(encoding="utf-8")
SEED_IDENTIFY = json.loads((ROOT / "tests/golden/identify_sim.json").read_text(encoding="utf-8"))
TRACE_FIXTURES = sorted((ROOT / "fixtures/can_traces").glob("*.log"))
SEED_TRACE_LINES = [line for path in TRACE_FIXTURES for line in path.read_text().splitlines()[:40]]


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="g15diag-fuzz-") as name:
        yield Path(name)


# -- strategies -----------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.text(st.characters(codec=None, categories=None), max_size=4),  # lone surrogates too
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            out += _paths(inner, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, seed: dict[str, Any], max_changes: int = 4) -> dict[str, Any]:
    """``seed`` with a few subtrees replaced by arbitrary JSON values or removed."""
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, max_changes))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_value)
    return data


candump_line = st.one_of(
    st.sampled_from(SEED_TRACE_LINES or ["(0.000000) can0 7A0#0322F18C"]),
    st.builds(
        lambda stamp, chan, ident, data, fd: f"({stamp}) {chan} {ident}#{'#' if fd else ''}{data}",
        st.one_of(st.floats(allow_nan=True).map(str), st.text(max_size=6)),
        st.sampled_from(["can0", "vcan0", "x"]),
        st.one_of(st.integers(0, 0x1FFFFFFF).map(lambda i: f"{i:X}"), st.text(max_size=9)),
        st.one_of(st.binary(max_size=9).map(lambda b: b.hex().upper()), st.text(max_size=9)),
        st.booleans(),
    ),
    st.text(max_size=40),
)
trace_text = st.lists(candump_line, max_size=12).map("\n".join)


# -- traces ---------------------------------------------------------------------------------


@given(st.lists(candump_line, max_size=12))
def test_candump_parse_never_crashes(lines: list[str]) -> None:
    try:
        frames = list(candump.parse(lines, "fuzz.log"))
    except errors.G15DiagError:
        return
    for _stamp, can_id, data in frames:
        assert can_id >= 0 and isinstance(data, bytes)


@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e6),
            st.one_of(
                st.sampled_from([0x7A0, 0x7A8, 0x747, 0x767, 0x7DF, 0x7E8]),
                st.integers(0, 0x1FFFFFFF),
            ),
            st.one_of(
                st.binary(max_size=8),
                st.sampled_from(
                    [
                        b"\x03\x22\xf1\x8c",
                        b"\x03\x7f\x22\x78",
                        b"\x10\x14\x62\xf1\x8c",
                        b"\x30\x00\x00",
                        b"\x21abcdefg",
                    ]
                ),
            ),
        ),
        max_size=20,
    ),
    st.one_of(st.none(), st.just((0x747, 0x767)), st.just((0x747, None)), st.just((None, 0x767))),
    st.booleans(),
)
def test_decode_transactions_never_crash(
    frames: list[tuple[float, int, bytes]], ids: tuple[int | None, int | None] | None, keep: bool
) -> None:
    request_id, response_id = ids or (None, None)
    for txn in transactions(frames, request_id, response_id, keep_frames=keep):
        txn.tsv()
        txn.as_dict()


@given(trace_text, st.sampled_from([".log", ".asc", ".trc", ".csv", ".log.gz", ".asc.gz"]))
def test_trace_files_never_crash(folder: Path, text: str, suffix: str) -> None:
    path = folder / f"trace{suffix}"
    raw = text.encode("utf-8", "surrogatepass")
    path.write_bytes(gzip.compress(raw) if suffix.endswith(".gz") else raw)
    try:
        for txn in transactions(read_frames(path)):
            txn.tsv()
    except errors.G15DiagError:
        return


@given(st.binary(max_size=200), st.sampled_from([".blf", ".log", ".asc", ".trc", ".csv"]))
def test_binary_trace_files_never_crash(folder: Path, raw: bytes, suffix: str) -> None:
    path = folder / f"binary{suffix}"
    path.write_bytes(raw)
    with contextlib.suppress(errors.G15DiagError):
        list(read_frames(path))


@given(st.one_of(json_value.map(json.dumps), st.text(max_size=60)))
def test_sidecar_never_crashes(folder: Path, text: str) -> None:
    (folder / "side.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        sidecar.load_for(folder / "side.log")
    except errors.G15DiagError:
        return


# -- profiles -------------------------------------------------------------------------------

profile_lines = SEED_PROFILE.splitlines()


@st.composite
def edited_profile(draw: st.DrawFn) -> str:
    """The shipped profile with a few lines deleted, duplicated or given another value."""
    lines = list(profile_lines)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "value", "text"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            value = draw(
                st.one_of(
                    st.integers(-(2**70), 2**70).map(str),
                    st.text(max_size=10).map(json.dumps),
                    st.sampled_from(["[]", "{}", "[500000, 1]", "true", "1.5", '"7FF"', '"zz"']),
                    st.text(max_size=10),
                )
            )
            lines[i] = f"{key}= {value}"
        else:
            lines[i] = draw(st.text(max_size=20))
        if not lines:
            break
    return "\n".join(lines)


@given(st.one_of(edited_profile(), st.text(max_size=200)))
def test_profile_text_never_crashes(text: str) -> None:
    try:
        profile = profiles.loads(text, "fuzz.toml")
    except errors.G15DiagError:
        return
    assert profile.head_units and profile.items
    for item in profile.items:
        assert item.request[0] in (0x22, 0x21, 0x1A)


@given(mutated(profiles.tomllib.loads(SEED_PROFILE)))
def test_profile_structure_never_crashes(data: dict[str, Any]) -> None:
    try:
        profile = profiles._Parser(data, SEED_PROFILE, "fuzz.toml").profile()
    except errors.G15DiagError:
        return
    for cand in profile.head_units:
        cand.target()


@given(st.one_of(edited_profile(), st.text(max_size=100)))
def test_profile_file_never_crashes(folder: Path, text: str) -> None:
    path = folder / "profile.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        profiles.load(str(path))
    except errors.G15DiagError:
        return


# -- export ---------------------------------------------------------------------------------


@given(
    st.one_of(mutated(SEED_IDENTIFY, 3), st.just(SEED_IDENTIFY)),
    st.sampled_from(export.FORMATS),
    st.sampled_from(export.LANGS),
    st.booleans(),
)
def test_export_from_file_never_crashes(
    folder: Path, data: dict[str, Any], fmt: str, lang: str, redacted: bool
) -> None:
    """``export --from FILE``: a hand-edited identify file is rendered or refused."""
    source = folder / "identify.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    try:
        loaded = export.load_identify_json(source)
        text = export.render(loaded, fmt, lang=lang, redacted=redacted)
    except errors.G15DiagError:
        return
    if fmt == "pdf":  # the PDF lays out the same sheet as the text format: check that
        assert isinstance(text, bytes) and text.startswith(b"%PDF-")
        text = export.render(loaded, "text", lang=lang, redacted=redacted)
    assert isinstance(text, str) and text
    try:
        export.write(folder / f"request.{fmt}", text, force=True)
    except errors.G15DiagError:
        return
    if redacted:  # a copy for sharing never shows the serial or the VIN the file holds
        for key, kept in (("serial", 4), ("vin", 11), ("vin_engine", 11), ("vin_head_unit", 11)):
            value = loaded.get(key)  # masking keeps the last 4 / first 11 characters
            if isinstance(value, str) and len(value) >= kept + 4 and value.isalnum():
                assert value not in text, key


@given(st.one_of(st.binary(max_size=200), json_value.map(lambda v: json.dumps(v).encode())))
def test_export_from_garbage_never_crashes(folder: Path, raw: bytes) -> None:
    source = folder / "garbage.json"
    source.write_bytes(raw)
    try:
        export.load_identify_json(source)
    except errors.G15DiagError:
        return


@given(st.text(max_size=200), st.booleans())
def test_export_write_atomic(folder: Path, content: str, force: bool) -> None:
    """Either the whole content lands in the file, or it is untouched and no temp remains."""
    target = folder / "out" / "request.txt"
    target.parent.mkdir(exist_ok=True)
    existed = target.exists()
    before = target.read_bytes() if existed else None
    try:
        export.write(target, content, force=force)
    except errors.G15DiagError as exc:
        assert isinstance(exc, errors.OutputError) and existed and not force
        assert target.read_bytes() == before
    else:
        assert target.read_bytes() == content.encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["request.txt"]
