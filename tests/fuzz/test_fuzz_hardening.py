"""Fuzz the classes of input that found issue 12's bugs: huge integers, deep nesting, long
names, non-regular files, signals at random moments, late and frozen adapter output, AT
command payloads and ``sim://`` option values.

Contract as everywhere in tests/fuzz: a result or a ``G15DiagError``, never another
exception; plus each target's own property (no partial file, no secret in the output, no AT
shape outside the tool's own).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g15diag import errors
from g15diag.app import export, privacy
from g15diag.protocol import elm, isotp
from g15diag.sim import config as sim_config
from g15diag.sim.options import OPTIONS
from g15diag.system import files, inputs, signals
from g15diag.traces import candump
from g15diag.transport.base import Traffic
from g15diag.transport.elm_commands import SHAPES, check_command
from g15diag.vehicles import profiles

POSIX = sys.platform != "win32"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="g15diag-fuzz12-") as name:
        yield Path(name)


# -- huge integers and deep nesting ---------------------------------------------------------

pieces = st.one_of(
    st.sampled_from(['{"a": ', "[", "]", "}", ", ", '"x"', "1", "x = ", "\n", "[[t]]\n", "#"]),
    st.integers(1, 6000).map(lambda n: "9" * n),  # huge integers
    st.integers(1, 3000).map(lambda n: "[" * n),  # deep nesting
    st.integers(1, 3000).map(lambda n: "{" * n),
    st.text(max_size=8),
)
documents = st.lists(pieces, max_size=12).map("".join)


@given(documents)
def test_identify_json_of_any_depth_and_number_length(folder: Path, text: str) -> None:
    path = folder / "from.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(errors.G15DiagError):
        export.load_identify_json(path)


@given(documents)
def test_profile_of_any_depth_and_number_length(text: str) -> None:
    with contextlib.suppress(errors.G15DiagError):
        profiles.loads(text, "fuzz.toml")


# -- non-regular files and long names --------------------------------------------------------

KINDS = ["fifo", "folder", "dev-null", "dev-zero", "dangling", "regular", "symlink-to-fifo"]


def _make(folder: Path, kind: str, name: str) -> Path:
    path = folder / name
    if os.path.lexists(path):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind in ("dev-null", "dev-zero"):
        path.symlink_to("/dev/null" if kind == "dev-null" else "/dev/zero")
    elif kind == "dangling":
        path.symlink_to(folder / "nowhere")
    elif kind == "symlink-to-fifo":
        fifo = folder / "the-fifo"
        if not fifo.exists():
            os.mkfifo(fifo)
        path.symlink_to(fifo)
    else:
        path.write_text("{}")
    return path


names = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=300,
).filter(lambda n: n not in (".", ".."))


@pytest.mark.skipif(not POSIX, reason="FIFOs and /dev are POSIX")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(KINDS), names)
def test_inputs_never_block_or_crash(folder: Path, kind: str, name: str) -> None:
    here = Path(tempfile.mkdtemp(dir=folder))  # a fresh folder per example
    try:
        path = _make(here, kind, name)
    except OSError:  # a name the file system refuses: reading it must still be one sentence
        path = here / name
    try:
        data = inputs.read_bytes(path, "the fuzz file")
    except errors.UsageError:
        return
    assert kind in ("regular", "dev-null") or data == b""


@given(names, st.binary(max_size=64), st.booleans())
def test_write_new_with_any_name(folder: Path, name: str, data: bytes, exists: bool) -> None:
    target = Path(tempfile.mkdtemp(dir=folder)) / name  # a fresh folder per example
    before = set(os.listdir(target.parent))
    try:
        if exists:
            target.write_bytes(b"old")
            before = set(os.listdir(target.parent))
    except OSError:
        exists = False
    try:
        files.write_new(target, data)
    except errors.G15DiagError:
        assert set(os.listdir(target.parent)) == before  # nothing new, no temporary
        if exists:
            assert target.read_bytes() == b"old"
        return
    assert not exists and target.read_bytes() == data
    target.unlink()


# -- signals at random moments ---------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX signals")
@settings(deadline=None)
@given(
    st.sampled_from([signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)]),
    st.floats(0, 0.004),
    st.integers(0, 4 << 20),
)
def test_signal_at_a_random_moment_never_leaves_a_partial_file(
    folder: Path, sig: int, delay: float, size: int
) -> None:
    target = Path(tempfile.mkdtemp(dir=folder)) / "out.bin"  # a fresh folder per example
    timer = threading.Timer(delay, os.kill, (os.getpid(), sig))
    with signals.installed(), files.ledger() as book:  # this example's files only
        try:
            timer.start()
            try:
                files.write_new(target, b"x" * size)
            finally:
                timer.join()  # sent by now: its handler runs before this block is left
        except signals.Interrupted as exc:
            assert exc.exit_status == 128 + sig
    present = sorted(p.name for p in target.parent.iterdir())
    if target in book.written:
        assert present == ["out.bin"] and target.stat().st_size == size
        target.unlink()  # up to 4 MiB each: keep the disk flat
    else:
        assert present == [], present  # nothing, not even a temporary


# -- late and frozen adapter output ----------------------------------------------------------

SENSITIVE = [b"\x22\xf1\x8c", b"\x22\xf1\x90", b"\x09\x02", b"\x21\x80", b"\x21\x81"]


@given(
    st.sampled_from(SENSITIVE),
    st.binary(min_size=8, max_size=40).filter(lambda b: len(set(b)) >= 4),
    st.integers(0, 12),  # frames printed before the adapter froze (0: all of them)
    st.booleans(),  # late: the frames come under the next, unrelated command
    st.booleans(),  # spaces on
    st.sampled_from(["", "_", "\x07", " x", "SEARCHING..."]),  # glued to a line
)
def test_late_or_frozen_answers_never_show_the_secret(
    request: bytes, secret: bytes, frozen: int, late: bool, spaces: bool, glue: str
) -> None:
    echo = bytes([request[0] + 0x40]) + request[1:]
    frames = [elm.Frame(0x7A8, f) for f in isotp.segment(echo + secret, 0xAA)]
    if frozen:
        frames = frames[:frozen]
    lines = elm.frames_text(frames, spaces).split("\r")
    lines[-1] += glue
    text = "\r".join(lines) + "\r\r>"
    masker = privacy.TrafficMasker(unredacted=False)
    command = elm.data_command(request, 1)
    shown = []
    if late:  # our request got only the prompt; the answer arrives under "ATST19"
        masker(Traffic(True, (elm.Line(command),), request, command))
        shown.append(masker(Traffic(False, (elm.Line(">"),), request, command)))
        masker(Traffic(True, (elm.Line("ATST19"),), None, "ATST19"))
        step = Traffic(False, tuple(elm.reply_lines(text + "OK\r>", "ATST19")), None, "ATST19")
    else:
        masker(Traffic(True, (elm.Line(command),), request, command))
        step = Traffic(False, tuple(elm.reply_lines(text, command)), request, command)
    shown.append(masker(step))
    shown.append(privacy.quote(text, request if not late else None, command))
    flat = "".join(c for c in "".join(shown).upper() if c in "0123456789ABCDEF")
    runs = {secret[i : i + 4].hex().upper() for i in range(len(secret) - 3)}
    runs = {r for r in runs if len(set(r[j : j + 2] for j in range(0, 8, 2))) >= 3}
    assert not [r for r in runs if r in flat], shown


# -- AT command payloads ---------------------------------------------------------------------

PREFIXES = sorted({shape.split("[")[0].split("(")[0] for shape, _ in SHAPES} | {"AT", "ST"})


@given(st.sampled_from(PREFIXES), st.text(max_size=20))
def test_any_at_payload_is_a_known_shape_or_refused(prefix: str, payload: str) -> None:
    import re

    command = prefix + payload
    try:
        check_command(command)
    except errors.ReadOnlyViolation:
        return
    squashed = command.replace(" ", "").upper()
    if re.fullmatch("[0-9A-F]+", squashed):
        return  # a data line: the read-only guard passed it
    assert any(re.fullmatch(shape, squashed) for shape, _ in SHAPES), command
    assert "CAF0" not in squashed
    assert not squashed.startswith("ATFCSD") or squashed == "ATFCSD300000"


# -- sim:// option values --------------------------------------------------------------------


@given(
    st.dictionaries(
        st.sampled_from([o.name for o in OPTIONS]),
        st.one_of(
            st.text(max_size=12),
            st.integers(-(10**12), 10**12).map(str),
            st.sampled_from(["nan", "inf", "-1", "0", "1", "100", "zzz", "%00%FF", "1:2:3"]),
        ),
        max_size=4,
    )
)
def test_sim_url_options_are_checked(options: dict[str, str]) -> None:
    from urllib.parse import urlencode

    with contextlib.suppress(errors.UsageError):
        sim_config.build("sim://?" + urlencode(options))


# -- replay lines of any length --------------------------------------------------------------


@given(st.lists(st.integers(0, 9000), min_size=1, max_size=4), st.booleans())
def test_candump_lines_of_any_length(folder: Path, lengths: list[int], wanted: bool) -> None:
    path = folder / "long.log"
    path.write_text("".join(f"(1.0) can0 7E8#{'00' * (n // 2)}\n" for n in lengths))
    want = candump.Wanted(frozenset({0x7E8})) if wanted else None
    try:
        frames = list(candump.read(path, want))
    except errors.UsageError:
        assert max(lengths) + 16 > candump.MAX_LINE
        return
    assert len(frames) == len(lengths)
