"""`--baud auto`: the adapter's speed is found by its prompt, fast, and never changed."""

from __future__ import annotations

import json
import time

import pytest

from g15diag import errors
from g15diag.sim.stream import garble
from g15diag.transport.elm327 import AUTO_BAUDS, PROBE_SETTLE, Elm327Transport

#: generous bound per wrong speed (noise, then PROBE_SETTLE of silence) on a loaded CI machine
PER_WRONG_RATE = PROBE_SETTLE + 0.15


@pytest.mark.parametrize("rate", AUTO_BAUDS)
def test_auto_finds_each_rate_in_process(rate: int) -> None:
    transport = Elm327Transport(f"sim://?baud={rate}", baud="auto", timeout=2)
    started = time.monotonic()
    with transport:
        elapsed = time.monotonic() - started
        assert transport.info.details["baud"] == str(rate)
        assert transport.info.identity == "ELM327 v1.4b (g15diag simulator)"
    wrong = AUTO_BAUDS.index(rate)
    assert elapsed < 0.2 + wrong * PER_WRONG_RATE


@pytest.mark.parametrize("rate", [38400, 115200, 1_000_000])
def test_auto_over_a_real_pty(rate: int, pty_sim) -> None:
    """The pty server reads the speed the tool set on its end (termios), like a UART."""
    server = pty_sim(f"sim://?baud={rate}")
    with Elm327Transport(server.path, baud="auto", timeout=2) as transport:
        assert transport.info.details["baud"] == str(rate)


def test_auto_only_probes_with_ati_and_changes_no_stored_setting() -> None:
    transport = Elm327Transport("sim://?baud=57600", baud="auto", timeout=2)
    with transport:
        sent = list(transport.commands_sent)
        adapter_saw = transport._port.stream.adapter.commands  # type: ignore[union-attr]
    assert not any(c.startswith(("ATPP", "ATBRD", "STSBR", "STWBR")) for c in sent)
    # At the wrong speeds the adapter only saw noise; at 57600 its first command was ATI.
    assert adapter_saw[0] == "ATI"
    assert sent[0] == "ATD"  # the set-up after detection


@pytest.mark.slow
def test_auto_cli_reads_the_serial(run_process) -> None:
    proc = run_process(
        "read-serial", "--port", "sim://?baud=230400", "--baud", "auto", "--address", "747:767",
        "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["serial"] == "SIM0O1Il5S8B2024"


def test_auto_gives_up_with_a_clear_message(run_cli) -> None:
    code, out, err = run_cli(
        "read-serial", "--port", "sim://?baud=19200", "--baud", "auto", "--address", "747:767"
    )
    assert (code, out) == (errors.ExitStatus.ADAPTER, "")
    assert err == (
        "Error: No adapter prompt on sim://?baud=19200 at any speed (38400, 9600, 115200, "
        "230400, 57600, 500000, 1000000 baud).\n"
        "Hint: Check that the adapter is plugged in and powered (ignition on) and that this is "
        "its port (`g15diag adapters`).\n"
    )


def test_explicit_right_baud_works(run_cli) -> None:
    code, _, err = run_cli(
        "read-serial", "--port", "sim://?baud=115200", "--baud", "115200", "--address", "747:767"
    )
    assert code == 0, err


@pytest.mark.parametrize("value", ["fast", "0", "-1", "38400.5"])
def test_bad_baud_is_a_usage_error(value: str, run_cli) -> None:
    code, _out, err = run_cli("read-serial", "--port", "sim://", "--baud", value)
    assert code == errors.ExitStatus.USAGE
    assert "is not a serial speed (e.g. 38400) or 'auto'" in err


def test_garble_is_never_a_prompt_or_text() -> None:
    for host in AUTO_BAUDS:
        for adapter in AUTO_BAUDS:
            noise = garble(b"?\r\r>ELM327 v1.4b\r\r>", host, adapter)
            assert noise
            assert all(b >= 0x80 for b in noise)
