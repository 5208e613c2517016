"""Property: whatever the adapter does, no serial or VIN character appears in any output
(stderr, -v traffic, error reports; stdout unless it is the read's own result) without
--unredacted. The adapter behaviours are the simulator's clones, faults and odd timings."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g15diag.cli import main
from g15diag.sim.car import SIM_OTHER_VIN, SIM_SERIAL, SIM_VIN

BEHAVIOURS = [
    "clone=freeze", "clone=v15", "clone=v21", "clone=notconnected", "clone=businit",
    "fault=can_error", "fault=buffer_full", "fault=stopped", "fault=lv_reset",
    "fault=garbage", "fault=disconnect", "fault=no_prompt",
    "freeze_after=2", "freeze_after=3", "slow_after=1", "slow_after=2", "late=1",
    "pending=inline", "pending=gaveup", "pending=storm", "unstable=1", "kwp=1",
    "serial_pad=000000", "vin_mismatch=1", "hu=7A0:7A8", "pad=none",
]  # fmt: skip
COMMANDS = ["read-serial", "identify", "doctor"]
SECRETS = [SIM_SERIAL, SIM_VIN, SIM_OTHER_VIN]


def pieces(secret: bytes, size: int) -> set[bytes]:
    """Runs of ``size`` bytes with at least 3 distinct values (00000 proves nothing)."""
    runs = {secret[i : i + size] for i in range(len(secret) - size + 1)}
    return {r for r in runs if len(set(r)) >= 3}


def leaked(text: str) -> list[str]:
    """Serial/VIN pieces in ``text``: 5 characters of the text, or 4 bytes in its hex."""
    flat = "".join(c for c in text.upper() if c in "0123456789ABCDEF")
    found = []
    for secret in SECRETS:
        found += [p.decode() for p in pieces(secret, 5) if p.decode() in text]
        found += [p.hex().upper() for p in pieces(secret, 4) if p.hex().upper() in flat]
    return found


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.sampled_from(BEHAVIOURS), min_size=1, max_size=2, unique=True),
    st.sampled_from(COMMANDS),
    st.booleans(),
)
def test_no_serial_or_vin_without_unredacted(
    behaviours: list[str], command: str, verbose: bool
) -> None:
    url = "sim://?" + "&".join(behaviours)
    args = [command, "--port", url, "--timeout", "0.3"] + (["-v"] if verbose else [])
    code, out, err = run(*args)
    assert "Traceback" not in err and "Internal error" not in err, err
    assert leaked(err) == [], (args, err)
    # stdout is the read's result only on success, and for identify's exit 5 (issue 19: the
    # serial was not read, the table of what was read is still printed)
    result = code == 0 or (command == "identify" and code == 5)
    if command == "doctor" or not result:
        assert leaked(out) == [], (args, out)


def test_the_leak_check_sees_unmasked_output() -> None:
    """The property can fail: with --unredacted the same runs do show the secrets."""
    code, _, err = run("read-serial", "--port", "sim://?freeze_after=2", "--timeout", "0.3",
                       "--unredacted")  # fmt: skip
    assert code == 3 and leaked(err)
    code, _, err = run("read-serial", "--port", "sim://?late=1", "--timeout", "0.3", "-v",
                       "--unredacted")  # fmt: skip
    assert leaked(err)


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("sim://?freeze_after=2", []),  # froze after the 2nd frame: shown in the error
        ("sim://?slow_after=2", []),
        ("sim://?late=1", ["-v"]),  # the answer after the prompt, logged under the next command
        ("sim://?clone=freeze", ["-v"]),
    ],
)
def test_each_reported_leak(url: str, args: list[str]) -> None:
    code, _, err = run("read-serial", "--port", url, "--timeout", "0.3", *args)
    assert leaked(err) == [], err
    assert code != 0


def test_doctor_on_a_freezing_adapter_masks_the_vin() -> None:
    _, out, _ = run("doctor", "--port", "sim://?clone=freeze", "--timeout", "0.3")
    assert "froze after the first frame" in out
    assert "7E8101462F190******" in out and leaked(out) == []


def test_unreadable_line_next_to_a_word_is_masked() -> None:
    from g15diag import errors
    from g15diag.app import privacy
    from g15diag.protocol import elm

    # masking is a value: the error keeps the adapter's output raw, a face presents it
    with pytest.raises(errors.ProtocolError) as info:
        elm.parse_frame_line("7A8101362F18C53494D_")
    assert info.value.parts == (errors.Quote("7A8101362F18C53494D_"),)
    shown = privacy.present(info.value)
    assert shown == "Unreadable line from the adapter: '*******************_'."
    assert str(info.value) == shown  # presented once, shown so from then on
    with pytest.raises(errors.ProtocolError) as info:
        elm.parse_frame_line("7A8101362F18C53494D\x07")
    assert leaked(privacy.present(info.value)) == []
    assert "53494D" in privacy.present(info.value, unredacted=True)


def test_a_bad_trace_line_is_quoted_masked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    trace = tmp_path / "u.log"
    trace.write_text("(1.0) can0 7A8#101362F18C53494D_\n")
    code, _, err = run("replay", str(trace))
    assert code == 2 and "is not a candump -L line" in err
    assert "53494D" not in err and leaked(err) == []
