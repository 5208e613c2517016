"""responsePending (0x78) both ways a real ELM327 shows it, against the simulated adapter."""

from __future__ import annotations

import pytest

from g15diag import errors
from g15diag.protocol import uds
from g15diag.transport.base import Target
from g15diag.transport.client import Client, Timing
from g15diag.transport.elm327 import Elm327Transport

SERIAL = b"SIM0O1Il5S8B2024"
REQUEST = uds.read_data_by_identifier(0xF18C)


def open_elm(url: str) -> Elm327Transport:
    transport = Elm327Transport(url)
    transport.open()
    transport.set_target(Target(0x747, 0x767))
    return transport


def data_commands(transport: Elm327Transport) -> list[str]:
    return [c for c in transport.commands_sent if not c.startswith("AT")]


def test_inline_pending_final_on_same_command() -> None:
    with open_elm("sim://?pending=inline&pending_count=3") as elm:
        client = Client(elm)
        assert client.read(REQUEST) == SERIAL
        assert client.pending_seen == 3
        assert data_commands(elm) == ["22F18C1"]  # keep reading, no re-send


def test_adapter_gave_up_after_pending_resends_once() -> None:
    with open_elm("sim://?pending=gaveup") as elm:
        client = Client(elm)
        assert client.read(REQUEST) == SERIAL
        assert client.pending_seen == 1
        assert data_commands(elm) == ["22F18C1", "22F18C1"]
        assert "ATSTFF" in elm.commands_sent  # the wait is widened before the re-send


def test_pending_storm_is_bounded() -> None:
    with open_elm("sim://?pending=storm") as elm:
        client = Client(elm, Timing(p2_star=5.0, max_resends=2))
        with pytest.raises(errors.PendingTimeout):
            client.read(REQUEST)
        assert len(data_commands(elm)) == 3  # the request + 2 bounded re-sends


def test_pending_budget_is_time_bounded() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    with open_elm("sim://?pending=storm") as elm:
        client = Client(elm, Timing(p2_star=3.0, max_resends=100), clock=clock)
        with pytest.raises(errors.PendingTimeout):
            client.read(REQUEST)
        assert len(data_commands(elm)) <= 3


def test_silent_target_is_no_answer() -> None:
    with open_elm("sim://") as elm:
        elm.set_target(Target(0x712, 0x732))
        with pytest.raises(errors.NoAnswer):
            Client(elm).read(REQUEST)


def test_refused_identifier_is_negative_response() -> None:
    with open_elm("sim://?refuse=F18C") as elm:
        with pytest.raises(errors.NegativeResponse) as info:
            Client(elm).read(REQUEST)
        assert (info.value.service, info.value.nrc) == (0x22, 0x31)


def test_without_flow_control_set_a_non_obd_unit_stalls() -> None:
    """The real-adapter trap: auto flow control goes to resp-8, so the unit never continues."""
    with open_elm("sim://") as elm:
        adapter = elm._port.stream.adapter  # type: ignore[union-attr]
        adapter.state.fc_mode = 0
        with pytest.raises(errors.IsoTpError, match="short"):
            elm.send(REQUEST)


def test_without_cra_the_default_filter_hides_the_unit() -> None:
    with open_elm("sim://") as elm:
        adapter = elm._port.stream.adapter  # type: ignore[union-attr]
        adapter.state.cra = None
        with pytest.raises(errors.NoAnswer):
            Client(elm).read(REQUEST)


def test_init_sequence_is_minimal_and_exact() -> None:
    """Issue 20: no ATS0 (answers parse with spaces), no ATI until a report asks for it, no
    repeated setting; the identity is read once, when asked for."""
    with open_elm("sim://") as elm:
        assert elm.commands_sent == [
            "ATD",
            "ATE0",
            "ATH1",
            "ATSP6",
            "ATSH747",
            "ATCRA767",
            "ATFCSH747",
            "ATFCSD300000",
            "ATFCSM1",
            "ATST19",
        ]
        assert elm.adapter_identity() == "ELM327 v1.4b (g15diag simulator)"
        assert elm.adapter_identity() == "ELM327 v1.4b (g15diag simulator)"
        assert elm.commands_sent[10:] == ["ATI"]  # once
        assert elm.info.simulated
