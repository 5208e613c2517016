"""The read-only guard: only 0x22, 0x1A, 0x21, 0x09, 0x01 and the four two-byte session
requests 10 01, 10 03, 10 81, 10 C0 ever reach the wire."""

from __future__ import annotations

import pytest

from g15diag import errors
from g15diag.protocol import guard
from g15diag.transport.base import Target
from g15diag.transport.elm327 import Elm327Transport, check_command

ALLOWED = {0x01, 0x09, 0x1A, 0x21, 0x22}


def request_for(sid: int) -> bytes:
    return bytes([sid, 0xF1, 0x8C])


@pytest.mark.parametrize("sid", range(256))
def test_guard_over_all_service_ids(sid: int) -> None:
    pdu = request_for(sid)
    if sid in ALLOWED:
        assert guard.check_request(pdu) == pdu
    else:
        with pytest.raises(errors.ReadOnlyViolation, match=f"0x{sid:02X}"):
            guard.check_request(pdu)


def test_allowlist_is_exactly_the_five_services_and_session_control() -> None:
    assert set(guard.ALLOWED_SERVICES) == ALLOWED | {0x10}
    assert [sid for sid in range(256) if guard.is_allowed(request_for(sid))] == sorted(ALLOWED)


SESSIONS = {b"\x10\x01", b"\x10\x03", b"\x10\x81", b"\x10\xc0"}


def test_exactly_four_session_requests_of_every_two_and_three_byte_10_xx() -> None:
    """Property over the whole space: 256 two-byte and 65,536 three-byte ``10 xx [yy]``."""
    two = [bytes([0x10, sub]) for sub in range(256)]
    three = [bytes([0x10, sub, extra]) for sub in range(256) for extra in range(256)]
    assert {pdu for pdu in two if guard.is_allowed(pdu)} == SESSIONS
    assert not [pdu for pdu in three if guard.is_allowed(pdu)]
    assert not guard.is_allowed(b"\x10")
    with pytest.raises(errors.ReadOnlyViolation, match="10 02"):
        guard.check_request(b"\x10\x02")  # programming session


@pytest.mark.parametrize("command", ["1001", "1003", "1081", "10C0", "10031", "10 C0"])
def test_session_requests_pass_the_adapter_line_check(command: str) -> None:
    check_command(command)


@pytest.mark.parametrize(
    "pdu",
    [b"", b"\x22", b"\x22\xf1", b"\x22\xf1\x8c\x00", b"\x09" + bytes(7), b"\x22" + bytes(8)],
)
def test_malformed_requests_refused(pdu: bytes) -> None:
    with pytest.raises(errors.ReadOnlyViolation):
        guard.check_request(pdu)


@pytest.fixture
def elm() -> Elm327Transport:
    transport = Elm327Transport("sim://")
    transport.open()
    transport.set_target(Target(0x747, 0x767))
    yield transport
    transport.close()


def adapter_log(transport: Elm327Transport) -> list[str]:
    return transport._port.stream.adapter.commands  # type: ignore[union-attr]


@pytest.mark.parametrize("sid", range(256))
def test_nothing_reaches_the_simulated_adapter_unless_allowed(elm: Elm327Transport, sid: int):
    before = list(adapter_log(elm))
    pdu = request_for(sid)
    if sid in ALLOWED:
        elm.send(pdu)
        assert adapter_log(elm)[len(before)] == pdu.hex().upper() + "1"
    else:
        with pytest.raises(errors.ReadOnlyViolation):
            elm.send(pdu)
        assert adapter_log(elm) == before


@pytest.mark.parametrize("sid", sorted(set(range(256)) - ALLOWED))
def test_lowest_write_refuses_even_if_send_is_bypassed(elm: Elm327Transport, sid: int) -> None:
    before = list(adapter_log(elm))
    with pytest.raises(errors.ReadOnlyViolation):
        elm._send(request_for(sid))  # skipping the public send() still hits the wire check
    assert adapter_log(elm) == before


@pytest.mark.parametrize(
    "command",
    [
        "ATPP0CSV08",
        "ATBRD08",
        "ATMA",
        "ATWM8210F13E",
        "ATSW96",
        "3E00",
        "1002",
        "1085",
        "10830",
        "100300",
        "10",
        "2EF18C00",
        "14FFFFFF",
        "1101",
        "2701",
        "ATZ 3E",
        "STSBR 115200",
        "AT SH 7E0; 1101",
        "XYZ",
    ],
)
def test_adapter_command_allowlist(command: str) -> None:
    with pytest.raises(errors.ReadOnlyViolation):
        check_command(command)


@pytest.mark.parametrize(
    "command",
    [
        "ATD",
        "ATE0",
        "ATH1",
        "ATSP6",
        "ATSH7A0",
        "ATCRA7A8",
        "ATFCSD300000",
        "ATFCSM1",
        "ATST19",
        "ATI",
        "ATRV",
        "22F18C1",
        "0902",
        "2180",
    ],
)
def test_needed_commands_pass(command: str) -> None:
    check_command(command)


def test_guard_cannot_be_switched_off() -> None:
    import inspect

    source = inspect.getsource(guard)
    for word in ("enable", "disable", "expert", "unsafe", "override"):
        assert word not in source.lower()
