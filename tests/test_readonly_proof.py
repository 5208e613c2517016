"""Read-only proof: every service ID and malformed PDUs through every transport; only the
allowlist reaches the wire, observed on the wire itself. And: no module outside
``g15diag/protocol`` builds request bytes (an AST scan that fails on any new builder).
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import can
import pytest

from g15diag import errors
from g15diag.protocol import guard
from g15diag.transport.base import Target, Transport
from g15diag.transport.elm327 import Elm327Transport

ALLOWED = {0x01, 0x09, 0x1A, 0x21, 0x22}
#: the only session requests that may ever reach the wire (issue 11), two bytes each
SESSIONS = {b"\x10\x01", b"\x10\x03", b"\x10\x81", b"\x10\xc0"}
#: every two- and three-byte DiagnosticSessionControl request
SESSION_CONTROL = [bytes([0x10, sub]) for sub in range(256)] + [
    bytes([0x10, sub, extra]) for sub in range(256) for extra in range(256)
]
HU = Target(0x747, 0x767)
MALFORMED = [
    b"",
    b"\x22",
    b"\x22\xf1",
    b"\x22\xf1\x8c\x00",  # half a DID
    b"\x22\xf1\x8c\xf1\x90\xf1\x87\xf1\x8a",  # 9 bytes: would need a multi-frame request
    b"\x09" + bytes(7),
    b"\x01" * 8,
    b"\x21\x80" + bytes(30),
    bytes([0x10]),  # session control without a sub-function
    bytes([0x10, 0x02]),  # programming session
    bytes([0x10, 0x85]),  # KWP programming session
    bytes([0x10, 0x83]),  # 10 03 with the suppress-positive-response bit
    bytes([0x10, 0x03, 0x00]),  # three bytes
    bytes([0x27, 0x01]),
    bytes([0x2E, 0xF1, 0x8C, 0x00]),
    bytes([0x31, 0x01, 0xFF, 0x00]),
    bytes([0x3E, 0x80]),
    bytes([0x14, 0xFF, 0xFF, 0xFF]),
    bytes([0x11, 0x01]),
    bytes([0x04]),
]


def every_request() -> list[bytes]:
    """All 256 service IDs (as a 3-byte request), every two- and three-byte ``10 xx [yy]``
    and the malformed PDUs."""
    return [bytes([sid, 0xF1, 0x8C]) for sid in range(256)] + SESSION_CONTROL + MALFORMED


def push_everything(transport: Transport) -> list[bytes]:
    """Send every request through the public ``send``; return the ones that got through.

    First with no refusal seen: the stateless guard passes the four session requests, the
    transport's session rule refuses them all. Then, as after a default-session refusal
    (what the client tells the rule), each entry in turn: inside it every other two- and
    three-byte ``10 xx [yy]`` is refused, and only its exit gets out."""
    passed = []
    for pdu in every_request():
        try:
            transport.send(pdu)
        except errors.ReadOnlyViolation:
            assert not guard.is_allowed(pdu) or pdu[0] == 0x10
            continue
        assert guard.is_allowed(pdu) and pdu[0] != 0x10, f"{pdu.hex()} was sent"
        passed.append(pdu)
    passed.extend(refused_once(transport))
    for entry, exit_request in ENTRIES_AND_EXITS:
        transport.send(entry)
        passed.append(entry)
        for pdu in SESSION_CONTROL:  # 65,792 requests: a plain check (pytest.raises costs 5 µs)
            if pdu != exit_request:
                assert _refused(transport, pdu), f"{pdu.hex()} was sent inside {entry.hex()}"
        transport.send(exit_request)
        passed.append(exit_request)
    return passed


def refused_once(transport: Transport) -> list[bytes]:
    """A default-session read the unit refuses (or silence to ``21 80``), received by the
    transport itself: the only way its session rule learns of one (issue 18: no caller can
    feed the rule). Returns the requests sent."""
    assert not hasattr(transport, "sessions")
    sent = []
    for pdu in (b"\x22\xfe\xfe", b"\x21\x80"):  # no such identifier; KWP block 0x80
        transport.send(pdu)
        sent.append(pdu)
        answer = transport.receive(1.0)
        assert answer is None or answer[:1] == b"\x7f", answer
        if transport.session_permitted:
            return sent
    raise AssertionError("the unit refused nothing: the session half would be vacuous")


def _refused(transport: Transport, pdu: bytes) -> bool:
    """True when ``send`` refuses ``pdu`` as a read-only violation (other errors raise)."""
    try:
        transport.send(pdu)
    except errors.ReadOnlyViolation:
        return True
    return False


#: the order the session requests reach the wire in :func:`push_everything`
ENTRIES_AND_EXITS = [
    (b"\x10\x03", b"\x10\x01"),
    (b"\x10\xc0", b"\x10\x81"),
    (b"\x10\x81", b"\x10\x81"),
]


def assert_wire(seen: list[bytes], passed: list[bytes]) -> None:
    """Only allowed requests on the wire, and every one the guard let by did arrive (so the
    observer really sees the wire: an empty observation cannot pass)."""
    assert seen, "the observer saw nothing: the proof would be vacuous"
    bad = [pdu.hex(" ") for pdu in seen if not guard.is_allowed(pdu)]
    assert not bad, f"not on the allowlist but on the wire: {bad}"
    assert {pdu[0] for pdu in seen} == ALLOWED | {0x10}
    # exactly the four session requests, only in the rule's order: entry, then its exit
    sessions = [pdu for pdu in seen if pdu[0] == 0x10]
    pattern = [p for pair in ENTRIES_AND_EXITS for p in pair]
    assert sessions and sessions == pattern * (len(sessions) // len(pattern))
    assert set(seen) == set(passed)


# -- ELM327 -----------------------------------------------------------------------------------


def elm_requests(commands: list[str]) -> list[bytes]:
    """The request PDUs among the lines an (simulated) ELM327 received."""
    out = []
    for line in commands:
        if line.startswith(("AT", "ST")):
            continue
        body = line[:-1] if len(line) % 2 else line  # the response-count digit
        out.append(bytes.fromhex(body))
    return out


def test_elm327_in_process_simulator() -> None:
    with Elm327Transport("sim://", timeout=2) as transport:
        transport.set_target(HU)
        passed = push_everything(transport)
        log = transport._port.stream.adapter.commands  # type: ignore[union-attr]
        assert_wire(elm_requests(log), passed)
        before = list(log)
        for sid in sorted(set(range(256)) - ALLOWED):  # the lowest write, with send() bypassed
            with pytest.raises(errors.ReadOnlyViolation):
                transport._send(bytes([sid, 0xF1, 0x8C]))
        for pdu in SESSION_CONTROL + MALFORMED:
            if not guard.is_allowed(pdu):
                try:
                    transport._send(pdu)
                except (errors.ReadOnlyViolation, ValueError):
                    continue
                raise AssertionError(f"the lowest write let {pdu.hex()} through")
        assert log == before


def test_elm327_over_a_real_pty(pty_sim) -> None:
    server = pty_sim("sim://")
    with Elm327Transport(server.path, timeout=2) as transport:
        transport.set_target(HU)
        passed = push_everything(transport)
    # the adapter model behind the pseudo-terminal logged every line that crossed the pty
    assert_wire(elm_requests(server.stream.adapter.commands), passed)


# -- native CAN (python-can virtual bus) -------------------------------------------------------


@contextlib.contextmanager
def native(channel: str) -> Iterator[tuple[Transport, list[can.Message]]]:
    """The transport to the simulated car on ``channel``, and every frame a second node on
    the bus saw: filled when the block ends, once the transport and the car are closed (the
    ``virtual`` bus delivers as it sends, so nothing is still on its way then)."""
    from g15diag.app.adapter import AdapterOptions, make_transport

    observer = can.Bus(interface="virtual", channel=channel)  # a second node on the bus
    frames: list[can.Message] = []
    options = AdapterOptions(interface="virtual", channel=channel, bitrate=500_000, timeout=1)
    transport = make_transport(options)  # a sim:// channel gets the simulated car
    try:
        with transport:
            transport.set_target(HU)
            yield transport, frames
        while (msg := observer.recv(timeout=0)) is not None:
            frames.append(msg)
    finally:
        observer.shutdown()


def can_requests(frames: list[can.Message], request_id: int) -> list[bytes]:
    """Request PDUs seen on ``request_id``; a first/consecutive frame there is itself a
    failure (no allowed request needs more than a single frame)."""
    out = []
    for msg in frames:
        if msg.arbitration_id != request_id:
            continue
        data = bytes(msg.data)
        kind = data[0] >> 4
        if kind == 3:
            continue  # the tester's flow control
        assert kind == 0, f"multi-frame request on the wire: {data.hex(' ')}"
        out.append(data[1 : 1 + (data[0] & 0x0F)])
    return out


def test_native_can_virtual_bus() -> None:
    with native("sim://?latency=0") as (transport, frames):
        passed = push_everything(transport)
    assert_wire(can_requests(frames, HU.request_id), passed)
    # the car answered too: the observer sees both directions
    assert any(msg.arbitration_id == HU.response_id for msg in frames)


def test_native_can_lowest_write_refuses_even_if_send_is_bypassed() -> None:
    with native("sim://?latency=0") as (transport, frames):
        for sid in sorted(set(range(256)) - ALLOWED):
            with pytest.raises(errors.ReadOnlyViolation):
                transport._send(bytes([sid, 0xF1, 0x8C]))  # type: ignore[attr-defined]
        stack = transport._stack  # type: ignore[attr-defined]
        stack.send(bytes([0x2E, 0xF1, 0x8C, 0x00]))  # straight into can-isotp: no guard above
        stack.send(bytes([0x22]) + bytes(20))  # a multi-frame request
        with pytest.raises(errors.ReadOnlyViolation):
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                transport.receive(0.1)
    assert [m for m in frames if m.arbitration_id == HU.request_id] == []


# -- replay ----------------------------------------------------------------------------------


def test_replay_transport() -> None:
    from g15diag.app.adapter import AdapterOptions, make_transport

    trace = Path(__file__).resolve().parents[1] / "fixtures/can_traces/multiframe_padding.log"
    seen_frames: list[tuple[int, bytes]] = []
    with make_transport(AdapterOptions(port=f"replay:{trace}")) as transport:
        transport.frame_listeners.append(
            lambda can_id, data, is_request: is_request and seen_frames.append((can_id, data))
        )
        transport.set_target(HU)
        passed = push_everything(transport)
    # what a replay "puts on the bus" is what it hands to listeners (and so to --trace)
    seen = [d[1 : 1 + (d[0] & 0x0F)] for i, d in seen_frames if d[0] >> 4 == 0]
    assert all(d[0] >> 4 in (0, 3) for _, d in seen_frames)
    assert_wire(seen, passed)


# -- the simulator itself ------------------------------------------------------------------------


def test_simulated_car_only_ever_receives_allowed_requests() -> None:
    """The simulated ECUs log nothing themselves; count what reaches them instead."""
    from g15diag.sim.car import SimEcu

    reached: list[bytes] = []
    original = SimEcu.respond

    def spy(self: SimEcu, pdu: bytes) -> list[tuple[float, bytes]]:
        reached.append(pdu)
        return original(self, pdu)

    SimEcu.respond = spy  # type: ignore[method-assign]
    try:
        with Elm327Transport("sim://", timeout=2) as transport:
            transport.set_target(HU)
            passed = push_everything(transport)
        with native("sim://?latency=0") as (can_transport, _):
            passed += push_everything(can_transport)
    finally:
        SimEcu.respond = original  # type: ignore[method-assign]
    assert_wire(reached, passed)


# -- the guard has no switch ---------------------------------------------------------------------


def test_guard_has_no_switch() -> None:
    """No parameter, flag, environment variable or mutable setting can widen the allowlist."""
    source = inspect.getsource(guard)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            params = [a.arg for a in node.args.args + node.args.kwonlyargs]
            assert params == ["pdu"], f"{node.name} takes {params}"
        assert not (isinstance(node, ast.Name) and node.id in ("os", "environ", "getenv"))
        assert not isinstance(node, ast.Global)
    with pytest.raises(TypeError):
        guard.ALLOWED_SERVICES[0x2E] = "write"  # type: ignore[index]
    # Transport.send is final and always calls the guard first
    send = inspect.getsource(Transport.send)
    assert "guard.check_request(pdu)" in send
    assert send.lstrip().startswith("@final")  # type checkers refuse an override
    if sys.version_info >= (3, 11):  # typing.final marks the function only from 3.11
        assert getattr(Transport.send, "__final__", False)


# -- no request bytes built outside the protocol layer ------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src/g15diag"

#: Folders whose byte-building is not request-building, with the reason.
EXEMPT_DIRS = {
    "protocol": "the protocol layer is where requests are built (and guarded)",
    "sim": "the simulator builds ECU *responses* and adapter output; it never writes to a car",
}
#: (file, literal) pairs outside those folders that look like request bytes but are not.
EXEMPT_LITERALS: dict[tuple[str, object], str] = {
    ("transport/elm327.py", b">"): "the ELM327 prompt (0x3E), searched for in what the adapter "
    "sends back; it is never written",
}


def _is_request_sid(value: int) -> bool:
    """ISO 14229/14230 request service IDs: 0x00-0x3F and 0x80-0xBF (responses are
    0x40-0x7F and 0xC0-0xFF)."""
    return 0 <= value <= 0x3F or 0x80 <= value <= 0xBF


def _hexish(text: str) -> bool:
    compact = text.replace(" ", "")
    return 4 <= len(compact) <= 16 and all(c in "0123456789ABCDEFabcdef" for c in compact)


def request_builders(path: Path) -> list[tuple[int, object, str]]:
    """(line, literal, why) for every expression in ``path`` that builds request-like bytes:

    * a bytes literal whose first byte is a request service ID (``b"\\x22\\xf1\\x8c"``);
    * ``bytes([...])``/``bytearray([...])`` whose first element is such a constant;
    * ``bytes.fromhex("...")`` of such a constant string;
    * a hex string constant (``"2EF18C00"``, ``"1003"``) passed to any call: what an ELM327
      would take as a data request.
    """
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes) and node.value:
            if _is_request_sid(node.value[0]):
                found.append((node.lineno, node.value, "bytes literal"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = ast.unparse(func)
            if name in ("bytes", "bytearray") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.List | ast.Tuple) and arg.elts:
                    first = arg.elts[0]
                    if (
                        isinstance(first, ast.Constant)
                        and isinstance(first.value, int)
                        and _is_request_sid(first.value)
                    ):
                        found.append((node.lineno, ast.unparse(node), "bytes([...])"))
            for arg in node.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and id(arg) not in docstrings
                    and _hexish(arg.value)
                    and _is_request_sid(int(arg.value.replace(" ", "")[:2], 16))
                ):
                    found.append((node.lineno, arg.value, f"hex text passed to {name}()"))
    return found


def scanned_files() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).parts[0] not in EXEMPT_DIRS]


def test_no_module_outside_protocol_builds_request_bytes() -> None:
    offenders = []
    for path in scanned_files():
        rel = str(path.relative_to(SRC))
        for line, literal, why in request_builders(path):
            if (rel, literal) not in EXEMPT_LITERALS:
                offenders.append(f"{rel}:{line}: {why} {literal!r}")
    assert not offenders, "request bytes built outside g15diag/protocol:\n" + "\n".join(offenders)


def test_the_scan_can_fail(tmp_path: Path) -> None:
    """The scanner finds each kind of builder it claims to find."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "a = b'\\x2e\\xf1\\x8c'\n"
        "b = bytes([0x10, 0x03])\n"
        "c = bytes.fromhex('3E00')\n"
        "t.command('2701')\n"
        "ok = b'\\x62\\xf1\\x8c' + bytes([0x7F, sid, 0x78]) + bytes([n])\n",
        encoding="utf-8",
    )
    kinds = [why for _, _, why in request_builders(bad)]
    assert kinds.count("bytes literal") == 1
    assert kinds.count("bytes([...])") == 1
    assert sum("hex text" in k for k in kinds) == 2
    assert len(scanned_files()) > 10  # the scan really covers the package
