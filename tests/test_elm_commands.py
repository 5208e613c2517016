"""The lowest write of the ELM327 transport: AT commands only in the shapes the tool uses.

Each test goes through the public ``Elm327Transport.command()`` to the simulated adapter and
asserts on what the adapter received, so a refusal really means nothing was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from g15diag import errors
from g15diag.transport.base import Target
from g15diag.transport.elm327 import Elm327Transport
from g15diag.transport.elm_commands import FC_DATA, check_command


@pytest.fixture
def elm() -> Iterator[Elm327Transport]:
    transport = Elm327Transport("sim://")
    transport.open()
    transport.set_target(Target(0x7E0, 0x7E8))
    yield transport
    transport.close()


def received(transport: Elm327Transport) -> list[str]:
    return list(transport._port.stream.adapter.commands)  # type: ignore[union-attr]


def test_caf0_then_mode_04_never_reaches_the_adapter(elm: Elm327Transport) -> None:
    before = received(elm)
    with pytest.raises(errors.ReadOnlyViolation, match="Nothing was sent") as info:
        elm.command("ATCAF0")  # with CAF0 the next data line goes on the bus raw
    assert info.value.exit_status == errors.ExitStatus.READ_ONLY
    assert received(elm) == before
    # "0104" is an allowed OBD read with auto-formatting on, which ATD guarantees
    elm.command("0104")
    assert received(elm) == [*before, "0104"]


def test_flow_control_data_is_fixed(elm: Elm327Transport) -> None:
    before = received(elm)
    for data in ("0211010000", "021101", "300001", "30FF00", "3000", "30000000"):
        with pytest.raises(errors.ReadOnlyViolation):
            elm.command(f"ATFCSD{data}")  # "02 11 01" would answer every first frame with a reset
    assert received(elm) == before
    elm.command(f"AT FC SD {FC_DATA[:2]} {FC_DATA[2:4]} {FC_DATA[4:]}")
    assert received(elm)[-1].replace(" ", "") == f"ATFCSD{FC_DATA}"


@pytest.mark.parametrize(
    "command",
    ["ATCAF0", "ATCAF1", "ATZ", "ATWS", "ATMA", "ATBD", "ATCFC0", "ATCFC1", "ATAL", "ATSP0",
     "ATSPA", "ATFCSM0", "ATFCSM2", "ATSH7E01", "ATSH800", "ATCRA", "ATCRA7E", "ATCP20",
     "ATE1", "ATH0", "ATL1", "ATV1", "ATAT2", "ATTP6", "ATDPN", "ATRA7E8", "ATPB0101",
     "STPX H:7E0, D:1101", "STSBR115200", "ATI\r0104", "ATST1", "ATST123"],
)  # fmt: skip
def test_shapes_the_tool_does_not_use_are_refused(elm: Elm327Transport, command: str) -> None:
    before = received(elm)
    with pytest.raises(errors.ReadOnlyViolation):
        elm.command(command)
    assert received(elm) == before


def test_no_data_line_before_the_adapter_defaults_are_restored() -> None:
    transport = Elm327Transport("sim://")
    transport.open_port()  # doctor's way in: no set-up yet
    try:
        with pytest.raises(errors.ReadOnlyViolation, match="ATD"):
            transport.command("0104")
        assert received(transport) == []
        transport.command("ATD")
        transport.command("0100")
        assert received(transport) == ["ATD", "0100"]
    finally:
        transport.close()


# -- property: the allowlist is exactly the tool's own shapes ---------------------------------

ID11 = st.integers(0, 0x7FF)
ID29 = st.integers(0x800, 0x1FFFFFFF)
#: every AT/ST command the tool composes, as the tool composes it (elm327.py, doctor.py)
USED = st.one_of(
    st.sampled_from(["ATD", "ATE0", "ATS0", "ATH1", "ATI", "AT@1", "ATRV", "STI", "STDI"]),
    st.sampled_from([f"ATSP{p:X}" for p in (6, 7, 8, 9)]),
    st.integers(0, 0xFF).map(lambda v: f"ATST{v:02X}"),
    ID11.map(lambda i: f"ATSH{i:03X}"),
    ID29.map(lambda i: f"ATSH{i & 0xFFFFFF:06X}"),
    ID29.map(lambda i: f"ATCP{i >> 24:02X}"),
    ID11.map(lambda i: f"ATCRA{i:03X}"),
    ID29.map(lambda i: f"ATCRA{i:08X}"),
    ID11.map(lambda i: f"ATFCSH{i:03X}"),
    ID29.map(lambda i: f"ATFCSH{i:08X}"),
    st.just(f"ATFCSD{FC_DATA}"),
    st.just("ATFCSM1"),
    st.just("ATCRA7XX"),  # --wide's learning filter: the one wildcard shape
)
PREFIXES = ["AT", "ST", "ATFCSD", "ATCAF", "ATSH", "ATCRA", "ATFCSH", "ATCP", "ATSP", "ATST",
            "ATFCSM", "ATPP", "ATBRD", "ATMA", "ATZ", "ATD", "ATI", "STP", "STPX"]  # fmt: skip


#: command -> {payload length: largest value}; ATSP takes one digit 6-9
RANGES = {
    "ATST": {2: 0xFF},
    "ATSH": {3: 0x7FF, 6: 0xFFFFFF},
    "ATCP": {2: 0x1F},
    "ATCRA": {3: 0x7FF, 8: 0x1FFFFFFF},
    "ATFCSH": {3: 0x7FF, 8: 0x1FFFFFFF},
}


def tool_would_send(squashed: str) -> bool:
    """An independent statement of the shapes (not the module's regex)."""
    fixed = {"ATD", "ATE0", "ATS0", "ATH1", "ATI", "AT@1", "ATRV", "STI", "STDI", "ATFCSM1",
             "ATCRA7XX"}  # fmt: skip
    if squashed in fixed or squashed == "ATFCSD" + FC_DATA:
        return True
    if squashed in ("ATSP6", "ATSP7", "ATSP8", "ATSP9"):
        return True
    for prefix, lengths in RANGES.items():
        rest = squashed.removeprefix(prefix)
        if rest != squashed and re.fullmatch("[0-9A-F]+", rest) and len(rest) in lengths:
            return int(rest, 16) <= lengths[len(rest)]
    return False


@settings(max_examples=300, deadline=None)
@given(USED, st.booleans())
def test_every_shape_the_tool_uses_passes(command: str, spaced: bool) -> None:
    check_command(" ".join(command) if spaced else command.lower())


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(PREFIXES), st.text(max_size=24))
def test_at_commands_with_arbitrary_payloads(prefix: str, payload: str) -> None:
    command = prefix + payload
    squashed = command.replace(" ", "").upper()
    if tool_would_send(squashed):
        check_command(command)
    else:
        with pytest.raises(errors.ReadOnlyViolation):
            check_command(command)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PREFIXES), st.binary(max_size=10))
def test_hex_payloads_that_carry_bus_bytes_are_refused(prefix: str, payload: bytes) -> None:
    """Bytes after a command prefix are allowed only where they are an ID or FC 30 00 00."""
    command = prefix + payload.hex().upper()
    if not tool_would_send(command):
        with pytest.raises(errors.ReadOnlyViolation):
            check_command(command)
    else:
        check_command(command)
