"""The simulator's clone and fault options (sim/faults.py) and the adapter behaviour they select."""

from __future__ import annotations

import pytest

from g15diag import errors
from g15diag.sim import config
from g15diag.sim.elm327 import Elm327Simulator


def adapter(query: str) -> Elm327Simulator:
    car, options = config.build(f"sim://?{query}")
    sim = Elm327Simulator(car, options)
    for command in ("ATE0", "ATH1", "ATSP6", "ATSH7E0"):
        sim.handle(command)
    return sim


def test_v15_answers_question_mark_to_filter_and_flow_control() -> None:
    sim = adapter("clone=v15")
    for command in ("ATCRA7E8", "ATFCSH7E0", "ATFCSD300000", "ATFCSM1", "ATCAF0"):
        assert sim.handle(command) == (0.0, "?\r\n\r\n>")
    assert sim.handle("ATSH7E0") == (0.0, "OK\r\n\r\n>")
    assert sim.handle("ATI") == (0.0, "ELM327 v1.5 (g15diag simulator)\r\n\r\n>")


def test_v21_keeps_two_bytes_of_a_request() -> None:
    sim = adapter("clone=v21")
    assert sim.handle("22F190") == (0.2, "7E8 03 7F 22 13 00 00 00 00\r\n\r\n>")


def test_freeze_prints_the_first_frame_then_nothing() -> None:
    sim = adapter("clone=freeze")
    _delay, text = sim.handle("22F1901")
    assert text == "7E8 10 14 62 F1 90 53 4D 4C\r\n"
    assert sim.handle("ATI") == (0.0, "")  # frozen until power-cycled


@pytest.mark.parametrize(
    ("query", "line"),
    [
        ("clone=notconnected", "NOT CONNECTED"),
        ("clone=businit", "BUS INIT: ...ERROR"),
        ("fault=can_error", "CAN ERROR"),
        ("fault=buffer_full", "BUFFER FULL"),
        ("fault=stopped", "STOPPED"),
        ("fault=lv_reset", "LV RESET"),
    ],
)
def test_status_faults_replace_data_answers(query: str, line: str) -> None:
    sim = adapter(query)
    assert sim.handle("22F1901") == (0.0, f"{line}\r\n\r\n>")
    assert sim.handle("ATI")[1] == "ELM327 v1.4b (g15diag simulator)\r\n\r\n>"  # AT still work


def test_lv_reset_brings_back_the_defaults() -> None:
    sim = adapter("fault=lv_reset")
    sim.handle("22F1901")
    assert sim.state.headers is False
    assert sim.state.header == 0x7DF


def test_no_prompt_never_prints_the_prompt() -> None:
    sim = adapter("fault=no_prompt")
    assert sim.handle("ATI") == (0.0, "ELM327 v1.4b (g15diag simulator)\r\n\r\n")


def test_disconnect_cuts_the_answer_and_drops() -> None:
    sim = adapter("fault=disconnect")
    _, text = sim.handle("22F1901")
    assert sim.dropped
    assert ">" not in text
    assert text.startswith("7E8 10 14 62")


@pytest.mark.parametrize(
    "query",
    ["clone=v99", "fault=fire", "baud=fast", "truncate=two", "clone=v15,bogus"],
)
def test_bad_options_are_usage_errors(query: str) -> None:
    with pytest.raises(errors.UsageError):
        config.build(f"sim://?{query}")


def test_options_combine() -> None:
    _, options = config.build("sim://?clone=v15,freeze&voltage=11.0V&unsupported=ATST&stn=1")
    assert options.unsupported == frozenset({"ATCRA", "ATFC", "ATCAF0", "ATST"})
    assert options.freeze_multiframe
    assert options.voltage == "11.0V"
    assert options.stn == "STN1130 v4.0.1 (simulated)"


def test_unknown_option_lists_the_fault_options_too() -> None:
    with pytest.raises(errors.UsageError) as caught:
        config.build("sim://?colne=v15")
    assert "clone" in str(caught.value)
    assert "fault" in str(caught.value)
