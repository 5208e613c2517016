"""Issue 11: the identification ladder and guarded diagnostic sessions, on the wire.

Every simulated unit through every transport (in-process ELM327, a real pty, loopback TCP,
python-can's ``virtual`` bus) at 500 and 250 kbit/s: read-serial finds the serial in the
session where the unit gives it, and what reached the unit shows each session entered only
after a default-session refusal and always left again (10 01, or 10 81 after KWP).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from g15diag import errors
from g15diag.app.adapter import AdapterOptions
from g15diag.app.adapter import make_transport as _make_transport
from g15diag.app.keeper import SessionKeeper, SessionMode
from g15diag.app.read_serial import read_serial
from g15diag.app.search import SearchProgress
from g15diag.protocol import guard
from g15diag.protocol.session import ENTRY_NRCS, Session, SessionRule
from g15diag.sim.car import SIM_SERIAL, SimEcu, head_unit, shape_unit
from g15diag.transport.base import Transport
from g15diag.transport.client import Client
from g15diag.vehicles import profiles


def make_transport(port: str) -> Transport:
    return _make_transport(AdapterOptions(port=port))


ENTRIES = {b"\x10\x03", b"\x10\xc0", b"\x10\x81"}
EXIT_FOR = {b"\x10\x03": b"\x10\x01", b"\x10\xc0": b"\x10\x81", b"\x10\x81": b"\x10\x81"}


def check_wire(exchanges: list[tuple[bytes, bytes | None]]) -> list[bytes]:
    """Assert the session rule on what reached one unit; return the sessions it entered."""
    inside: bytes | None = None
    permitted = False
    entered = []
    for request, answer in exchanges:
        assert guard.is_allowed(request), request.hex()
        if request[0] != 0x10:
            refused = answer is not None and answer[0] == 0x7F and answer[2] in ENTRY_NRCS
            if inside is None and (refused or (answer is None and request == b"\x21\x80")):
                permitted = True
            continue
        if inside is None:
            assert request in ENTRIES, f"{request.hex()} sent outside a session"
            assert permitted, f"{request.hex()} sent before any default-session refusal"
            if answer is None or answer[0] == 0x50:  # entered (or may have been)
                inside = request
                entered.append(request)
        else:
            assert request == EXIT_FOR[inside], f"{request.hex()} while in {inside.hex()}"
            inside = None
    assert inside is None, f"the run ended with the unit still in {inside.hex()}"
    return entered


@contextlib.contextmanager
def opened(
    kind: str, url: str, bitrate: int, pty_sim, tcp_sim
) -> Iterator[tuple[Transport, SimEcu]]:  # type: ignore[no-untyped-def]
    """A transport of ``kind`` to the simulated car ``url``, and that car's head unit."""
    if kind == "virtual":
        opts = AdapterOptions(interface="virtual", channel=url, bitrate=bitrate, timeout=2)
        with _make_transport(opts) as transport:
            yield transport, transport._sim.car.ecus[1]  # type: ignore[attr-defined]
        return
    if kind == "elm":
        with make_transport(url) as transport:
            yield transport, transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        return
    if kind == "pty":
        server = pty_sim(url)
        with make_transport(server.path) as transport:
            yield transport, server.stream.adapter.car.ecus[1]
        return
    server = tcp_sim(url)
    with make_transport(server.url) as transport:
        yield transport, server.streams[-1].adapter.car.ecus[1]


UNITS = [
    # (unit, identifier, session the serial was read in, sessions entered on the wire)
    ("standard", 0xF18C, Session.DEFAULT, []),
    ("uds_extended", 0xF18C, Session.UDS_EXTENDED, [b"\x10\x03"]),
    ("kwp_renault", 0x1A8C, Session.KWP_AFTER_SALES, [b"\x10\xc0"]),
]


@pytest.mark.parametrize("kind", ["elm", "pty", "tcp", "virtual"])
@pytest.mark.parametrize("kbit", [500, 250])
@pytest.mark.parametrize(("unit", "identifier", "session", "entered"), UNITS)
def test_read_serial_from_every_unit(  # type: ignore[no-untyped-def]
    kind, kbit, unit, identifier, session, entered, pty_sim, tcp_sim
) -> None:
    url = f"sim://?unit={unit}&bitrate={kbit}&hu=712:732"
    steps: list[SearchProgress] = []
    with opened(kind, url, kbit * 1000, pty_sim, tcp_sim) as (transport, ecu):
        result = read_serial(transport, profiles.load(), bitrate=kbit * 1000, progress=steps.append)
    assert result.serial.raw == SIM_SERIAL
    assert (result.identifier, result.session, result.target.bitrate) == (
        identifier,
        session,
        kbit * 1000,
    )
    assert check_wire(ecu.wire) == entered
    assert ecu.in_default_session
    assert steps and steps[0].rung == "uds-default" and steps[0].request_id == 0x712
    assert all(isinstance(s, SearchProgress) and s.attempts >= s.attempt for s in steps)


@pytest.mark.parametrize("unit", ["uds_extended", "kwp_renault"])
def test_sessions_never_stays_in_the_default_session(unit: str) -> None:
    with make_transport(f"sim://?unit={unit}") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        with pytest.raises(errors.SerialNotFound) as info:
            read_serial(transport, profiles.load(), bitrate=500_000, sessions=SessionMode.NEVER)
    assert not any(req[0] == 0x10 for req, _ in ecu.wire)
    assert "discover" in (info.value.hint or "")


@pytest.mark.parametrize("kind", ["elm", "pty", "tcp", "virtual"])
def test_nissan_unit_answers_21_83_in_10_81_and_is_left(kind: str, pty_sim, tcp_sim) -> None:  # type: ignore[no-untyped-def]
    from g15diag.app.identify import identify

    with opened(kind, "sim://?unit=nissan&hu=747:767", 500_000, pty_sim, tcp_sim) as (
        transport,
        ecu,
    ):
        result = identify(transport, profiles.load(), bitrate=500_000)
    assert result.session is Session.KWP_STANDARD
    item = result.to_dict()["items"]["0x2183"]
    assert (item["status"], item["session"]) == ("ok", "kwp_standard")
    assert item["hex"].startswith("3553494D41")  # "5SIMA", the fictional part suffix
    assert check_wire(ecu.wire) == [b"\x10\x81"]
    assert ecu.wire[-1][0] == b"\x10\x81"  # left with 10 81 (KWP's default session)


def test_identify_reads_the_other_items_in_the_answering_session() -> None:
    from g15diag.app.identify import identify

    with make_transport("sim://?unit=kwp_renault") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        data = identify(transport, profiles.load(), bitrate=500_000).to_dict()
    assert data["head_unit"]["session"] == "kwp_after_sales"
    assert data["serial"] == SIM_SERIAL.decode() and data["serial_identifier"] == "0x1A8C"
    for key in ("0x1A8C", "0x1A87", "0x1A8A", "0x2180", "0x2181"):
        assert (data["items"][key]["status"], data["items"][key]["session"]) == (
            "ok",
            "kwp_after_sales",
        ), key
    assert data["items"]["0xF18C"]["nrc"] == "0x11"  # what the default session said
    assert check_wire(ecu.wire) == [b"\x10\xc0"]
    # the serial was read twice in the session, never outside it
    reads = [i for i, (req, _) in enumerate(ecu.wire) if req == b"\x1a\x8c"]
    enter = ecu.wire.index((b"\x10\xc0", b"\x50\xc0"))
    assert len([i for i in reads if i > enter]) >= 2


def test_ctrl_c_inside_a_session_still_returns_to_default() -> None:
    with make_transport("sim://?unit=uds_extended") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]

        def interrupt(can_id: int, data: bytes, is_request: bool) -> None:
            if is_request and data[1:4] == b"\x22\xf1\x8c" and ecu.session == 0x03:
                raise KeyboardInterrupt

        transport.frame_listeners.append(interrupt)
        with pytest.raises(KeyboardInterrupt):
            read_serial(transport, profiles.load(), bitrate=500_000)
    assert check_wire(ecu.wire) == [b"\x10\x03"]
    assert ecu.wire[-1][0] == b"\x10\x01" and ecu.in_default_session


def test_an_error_inside_a_session_still_returns_to_default() -> None:
    with make_transport("sim://?unit=uds_extended&unstable=1") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        with pytest.raises(errors.ReadsDisagree):
            read_serial(transport, profiles.load(), bitrate=500_000)
    assert check_wire(ecu.wire) == [b"\x10\x03"]
    assert ecu.wire[-1][0] == b"\x10\x01"


# -- the rule itself, sans I/O -------------------------------------------------------------


def test_rule_enters_only_after_a_refusal_and_one_at_a_time() -> None:
    rule = SessionRule()
    with pytest.raises(errors.ReadOnlyViolation):
        rule.enter(Session.UDS_EXTENDED)  # nothing refused yet
    rule.note_refusal(0x78, b"\x22\xf1\x8c")  # not a reason
    rule.note_refusal(None, b"\x22\xf1\x8c")  # silence to 22 is not either
    assert not rule.permitted
    rule.note_refusal(None, b"\x21\x80")  # silence to 21 80 is
    assert rule.enter(Session.KWP_AFTER_SALES) == b"\x10\xc0"
    with pytest.raises(errors.ReadOnlyViolation):
        rule.enter(Session.UDS_EXTENDED)  # still inside 10 C0
    with pytest.raises(errors.ReadOnlyViolation):
        rule.new_address()  # never move on with a session open
    assert rule.leave() == b"\x10\x81"
    assert rule.leave() is None
    rule.new_address()
    assert not rule.permitted
    for nrc in range(256):
        fresh = SessionRule()
        fresh.note_refusal(nrc, b"\x22\xf1\x8c")
        assert fresh.permitted is (nrc in {0x7F, 0x80, 0x22, 0x11, 0x12, 0x31})


def test_keeper_leaves_on_exit_even_when_the_body_fails() -> None:
    with make_transport("sim://?refuse=F18C") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        transport.set_target(ecu_target(ecu))
        with pytest.raises(RuntimeError), SessionKeeper(Client(transport)) as keeper:
            assert keeper.ask(b"\x22\xf1\x8c").nrc == 0x31
            assert keeper.enter(Session.UDS_EXTENDED).raw == bytes.fromhex("003201F4")
            raise RuntimeError("boom")
    assert [req for req, _ in ecu.wire] == [b"\x22\xf1\x8c", b"\x10\x03", b"\x10\x01"]


def ecu_target(ecu: SimEcu):  # type: ignore[no-untyped-def]
    from g15diag.transport.base import Target

    return Target(ecu.request_id, ecu.response_id, ecu.bitrate)


# -- S3: the simulated unit falls back by itself (injected clock, no sleeping) ----------------


def test_s3_timeout_returns_the_simulated_unit_to_default() -> None:
    now = [100.0]
    ecu = shape_unit(head_unit(), "uds_extended")
    ecu.clock = lambda: now[0]
    assert ecu.respond(b"\x22\xf1\x8c")[-1][1] == b"\x7f\x22\x7f"
    assert ecu.respond(b"\x10\x03")[-1][1][:2] == b"\x50\x03"
    now[0] += 4.9
    assert ecu.respond(b"\x22\xf1\x8c")[-1][1][:3] == b"\x62\xf1\x8c"  # within S3
    now[0] += 5.1
    assert ecu.respond(b"\x22\xf1\x8c")[-1][1] == b"\x7f\x22\x7f"  # S3 expired
    assert ecu.in_default_session


def test_s3_option_through_the_adapter() -> None:
    with (
        make_transport("sim://?unit=uds_extended&s3=0") as transport,
        pytest.raises(errors.SerialNotFound),  # the session is gone before the read
    ):
        read_serial(transport, profiles.load(), bitrate=500_000)


# -- the public API: progress hook and session in the result ---------------------------------


def test_api_progress_hook_and_session() -> None:
    import g15diag

    steps: list[SearchProgress] = []
    result = g15diag.read_serial(port="sim://?unit=uds_extended&hu=714:734", progress=steps.append)
    assert result.session is Session.UDS_EXTENDED and result.serial.raw == SIM_SERIAL
    assert [(hex(s.request_id), s.rung, s.attempt, s.attempts) for s in steps] == [
        ("0x712", "uds-default", 1, 8),
        ("0x747", "uds-default", 2, 8),
        ("0x714", "uds-default", 3, 8),
        ("0x714", "uds-extended", 3, 8),
    ]
    table = g15diag.scan(port="sim://?hu=714:734", progress=steps.append)
    assert steps[-1] == SearchProgress(0x714, 0x734, 250_000, "uds-default", 8, 8)
    assert [r.outcome.value for r in table.responders] == ["answered"]
    data = g15diag.identify(port="sim://?unit=uds_extended", sessions="never").to_dict()
    assert data["serial"] is None and data["head_unit"]["session"] == "default"


@pytest.mark.parametrize(
    ("text", "message"),
    [("7DF-7FF", "broadcast"), ("7F0-7FF", "7FF"), ("7DF-7DF", "broadcast")],
)
def test_scan_range_that_leaves_nothing_is_a_usage_error(run_cli, text: str, message: str) -> None:
    code, out, err = run_cli("scan", "--port", "sim://", "--range", text)
    assert code == errors.ExitStatus.USAGE and out == ""
    assert message in err and "Nothing answered" not in err


def test_scan_range_adds_to_the_candidates_and_skips_broadcast(run_cli) -> None:
    import json

    code, out, err = run_cli("scan", "--port", "sim://?hu=7D0:7F0", "--range", "7D0-7DF", "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    ids = [r["request_id"] for r in rows if r["bitrate"] == 500_000]
    assert ids[:5] == ["0x712", "0x747", "0x714", "0x780", "0x782"]  # the profile's first
    assert "0x7DF" not in ids and ids[5:] == [f"0x{i:03X}" for i in range(0x7D0, 0x7DF)]
    answered = [r["request_id"] for r in rows if r["outcome"] == "answered"]
    assert answered == ["0x7D0"]  # at 500 kbit/s; 250 kbit/s has no bus in this car


def test_trace_sidecar_says_which_session(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    trace = tmp_path / "s.log"
    code, out, err = run_cli(
        "read-serial", "--port", "sim://?unit=kwp_renault", "--json", "--trace", str(trace)
    )
    assert code == 0, err
    assert json.loads(out)["session"] == "kwp_after_sales"
    result = json.loads(trace.with_suffix(".json").read_text())["result"]
    assert (result["session"], result["identifier"]) == ("kwp_after_sales", "0x1A8C")
    code, out, _ = run_cli("read-serial", "--port", "sim://?unit=kwp_renault")
    assert "  session      Renault after-sales (10 C0)\n" in out
    assert "  identifier   0x1A8C (KWP2000 readECUIdentification)\n" in out
    # the recorded exchange shows the session opened and closed on the head unit's ID
    lines = trace.read_text().splitlines()
    assert any(line.endswith("747#0210C00000000000") for line in lines)
    assert lines.index(next(x for x in lines if x.endswith("747#0210810000000000"))) > lines.index(
        next(x for x in lines if x.endswith("747#0210C00000000000"))
    )


# -- the rule at the transport: whoever sends, and whatever the app layer does ---------------


def test_transport_rule_holds_without_the_app_layer() -> None:
    from g15diag.transport.base import Target

    with make_transport("sim://?unit=uds_extended") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        transport.set_target(ecu_target(ecu))
        client = Client(transport)
        with pytest.raises(errors.ReadOnlyViolation):
            client.read(b"\x10\x03")  # no refusal seen yet: refused before the wire
        assert client.read(b"\x22\xf1\x90")  # an answer is not a refusal
        with pytest.raises(errors.ReadOnlyViolation):
            client.read(b"\x10\x03")
        with pytest.raises(errors.NegativeResponse):
            client.read(b"\x22\xf1\x8c")  # 7F 22 7F: the client tells the rule
        assert client.read(b"\x10\x03") == bytes.fromhex("003201F4")
        with pytest.raises(errors.ReadOnlyViolation):
            client.read(b"\x10\xc0")  # one session at a time
        with pytest.raises(errors.ReadOnlyViolation):
            client.read(b"\x10\x81")  # not this session's exit
        assert client.read(b"\x22\xf1\x8c") == SIM_SERIAL
        # the transport itself leaves a session still open when it is closed
    assert [req for req, _ in ecu.wire if req[0] == 0x10] == [b"\x10\x03", b"\x10\x01"]
    assert ecu.in_default_session
    with make_transport("sim://?unit=uds_extended") as transport:
        ecu = transport._port.stream.adapter.car.ecus[1]  # type: ignore[attr-defined]
        transport.set_target(ecu_target(ecu))
        client = Client(transport)
        with pytest.raises(errors.NegativeResponse):
            client.read(b"\x22\xf1\x8c")
        client.read(b"\x10\x03")
        with pytest.raises(errors.ReadOnlyViolation):
            transport.set_target(Target(0x712, 0x732))  # never move on with a session open
        with pytest.raises(errors.ReadOnlyViolation):
            client.read(b"\x10\x01")  # nor send its exit to another unit
    assert [req for req, _ in ecu.wire if req[0] == 0x10] == [b"\x10\x03"]
