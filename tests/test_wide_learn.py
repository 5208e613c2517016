"""``--wide`` learns each unit's answer ID from what answers (issue 19): ELM327 ``ATCRA7XX``
during the probe, native CAN every 11-bit ID; then the exact pair for the reads and ladder."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest

from g15diag import errors
from g15diag.app.keeper import SessionKeeper
from g15diag.app.search import SearchProgress, find_unit, learn_target, wide_candidates
from g15diag.protocol.can import Target, learnable
from g15diag.sim.can_bus import CanBusSimulator
from g15diag.sim.car import SIM_SERIAL, SimCar, head_unit
from g15diag.sim.elm327 import Elm327Simulator
from g15diag.transport.client import Client, Timing
from g15diag.transport.elm327 import Elm327Transport
from g15diag.transport.elm_commands import check_command
from g15diag.transport.native_can import NativeCanTransport
from g15diag.vehicles.profiles import Candidate, load

SERIAL = bytes.fromhex("22F18C")
_channels = itertools.count()


def _wide(first: int, last: int) -> list[Candidate]:
    """The --wide candidates from ``first`` to ``last`` (a short stretch of the real list)."""
    return [c for c in wide_candidates(load()) if first <= c.request_id <= last]


@pytest.fixture
def channel() -> str:
    return f"g15diag-learn-{next(_channels)}"


# -- the protocol core and the allowlist ------------------------------------------------------


def test_learnable_ids_are_7xx_but_the_obd_answers_and_the_request() -> None:
    assert learnable(0x7C1, 0x7B3) and learnable(0x700, 0x7B3) and learnable(0x7FF, 0x7F9)
    assert not any(learnable(i, 0x7B3) for i in range(0x7E8, 0x7F0))  # engine/OBD answers
    assert not learnable(0x7B3, 0x7B3) and not learnable(0x7DF, 0x7B3)  # requests
    assert not learnable(0x6FF, 0x7B3) and not learnable(0x800, 0x7B3)
    assert not learnable(0x18DAF1B3, 0x7B3)


@pytest.mark.parametrize("command", ["ATCRA7XX", "at cra 7xx", "AT CRA 7 X X"])
def test_the_wide_filter_is_allowed(command: str) -> None:
    check_command(command)


@pytest.mark.parametrize(
    "command",
    ["ATCRAXXX", "ATCRA7EX", "ATCRA7XF", "ATCRA7X", "ATCRA7XXX", "ATCRAXX", "ATCRA6XX",
     "ATCRA18DAF1XX", "ATCRAXXXXXXXX", "ATCF700", "ATCM700", "ATCF7XX", "ATFCSH7XX",
     "ATSH7XX", "ATCRA7XX\r0104"],
)  # fmt: skip
def test_no_other_wildcard_or_filter_shape_is_allowed(command: str) -> None:
    with pytest.raises(errors.ReadOnlyViolation):
        check_command(command)


# -- the simulated adapter's wildcard filter ---------------------------------------------------


def test_the_simulated_adapter_models_the_x_wildcard() -> None:
    sim = Elm327Simulator(SimCar([head_unit(0x7B3, 0x7C1)]))
    for line in ("ATE0", "ATH1", "ATSP6", "ATSH7B3", "ATFCSH7B3", "ATFCSD300000", "ATFCSM1"):
        assert "OK" in sim.handle(line)[1]
    sim.handle("ATCRA7D3")  # the old rule's pair (request + 0x20): the answer is filtered out
    assert "NO DATA" in sim.handle("22F18C1")[1]
    sim.handle("ATCRA7XX")
    assert "7C1 10 13 62 F1 8C" in sim.handle("22F18C1")[1]
    sim.handle("ATCRA6XX")  # X digits are don't-cares, the others must match
    assert "NO DATA" in sim.handle("22F18C1")[1]
    sim.handle("ATCRA7C1")
    assert "7C1 10 13 62 F1 8C" in sim.handle("22F18C1")[1]


# -- ELM327: the learning, byte-exact -------------------------------------------------------------


@pytest.fixture
def elm_7b3() -> Iterator[Elm327Transport]:
    transport = Elm327Transport("sim://?hu=7B3:7C1")
    transport.open()
    yield transport
    transport.close()


def test_elm_learns_the_answer_id_and_continues_at_the_exact_pair(
    elm_7b3: Elm327Transport,
) -> None:
    client = Client(elm_7b3)
    silent, unit = _wide(0x7B2, 0x7B3)
    cand, target, reply = learn_target(client, silent, silent.target(), SERIAL)
    assert (cand, target.learning, elm_7b3.learned) == (silent, True, None)
    cand, target, reply = learn_target(client, unit, unit.target(), SERIAL)
    assert target == Target(0x7B3, 0x7C1, 500_000) and cand.response_id == 0x7C1
    assert reply.raw == SIM_SERIAL
    assert client.read(SERIAL) == SIM_SERIAL  # the confirming read, at the exact pair
    adapter = elm_7b3._port.stream.adapter  # type: ignore[union-attr]
    assert adapter.commands == elm_7b3.commands_sent == [
        "ATD", "ATE0", "ATH1", "ATSP6",
        "ATSH7B2", "ATCRA7XX", "ATFCSH7B2", "ATFCSD300000", "ATFCSM1", "ATST19", "22F18C",
        "ATSH7B3", "ATFCSH7B3", "22F18C",  # ATCRA7XX stays: one round trip less per ID
        "ATCRA7C1", "22F18C1",  # the exact filter; flow control stays at the request ID
    ]  # fmt: skip


def test_elm_ignores_the_obd_answers_while_learning() -> None:
    """A frame from 7E8 that comes first is not taken as the unit's answer ID."""
    from g15diag.sim.elm327 import SimAdapterOptions

    obd = head_unit(0x7B3, 0x7E8, serial=b"NOT THE HEAD UNIT")
    car = SimCar([obd, head_unit(0x7B3, 0x7C1)])
    sim = Elm327Simulator(car, SimAdapterOptions())
    for line in ("ATE0", "ATH1", "ATSP6", "ATSH7B3", "ATFCSH7B3", "ATFCSD300000", "ATFCSM1"):
        sim.handle(line)
    sim.handle("ATCRA7XX")
    text = sim.handle("22F18C")[1]
    assert text.index("7E8 10") < text.index("7C1 10")  # both pass the filter, 7E8 first
    transport = Elm327Transport("sim://?hu=7B3:7C1")
    with transport:
        transport._port.stream.adapter.car = car  # type: ignore[union-attr]
        client = Client(transport)
        unit = _wide(0x7B3, 0x7B3)[0]
        _, target, reply = learn_target(client, unit, unit.target(), SERIAL)
    assert target.response_id == 0x7C1 and reply.raw == SIM_SERIAL


def test_elm_search_reaches_7f9_whose_id_no_rule_pairs(elm_7b3: Elm327Transport) -> None:
    elm_7b3._port.stream.adapter.car = SimCar([head_unit(0x7F9, 0x7F1)])  # type: ignore[union-attr]
    client = Client(elm_7b3)
    found = find_unit(client, SessionKeeper(client), load(), _wide(0x7F0, 0x7FF), 500_000)
    assert found.target == Target(0x7F9, 0x7F1, 500_000)
    assert found.candidate.response_id == 0x7F1 and found.climb.serial is not None
    assert [a.target.request_id for a in found.attempts] == [*range(0x7F0, 0x7FA)]
    assert all(a.target.learning for a in found.attempts[:-1])


# -- native CAN on python-can's virtual bus -------------------------------------------------------


def test_native_can_learns_the_answer_id(channel: str) -> None:
    car = SimCar([head_unit(0x7E0, 0x7E8, serial=b"ENGINE"), head_unit(0x7B3, 0x7C1)])
    with CanBusSimulator(car, channel), NativeCanTransport("virtual", channel, 500_000) as bus:
        client = Client(bus, Timing(p2=0.1))
        steps: list[SearchProgress] = []
        keeper = SessionKeeper(client)
        found = find_unit(
            client, keeper, load(), _wide(0x7B0, 0x7B5), 500_000, progress=steps.append
        )
        assert found.target == Target(0x7B3, 0x7C1, 500_000)
        labels = [(s.label, s.rung, s.attempt) for s in steps]
        assert labels[0] == ("0x7B0", "uds-default", 1)  # no word to translate on the page
        assert labels[3] == ("0x7B3", "uds-default", 4)  # the probe, still learning
        assert labels[4] == ("0x7B3/0x7C1", "uds-default", 4)  # the ladder at the exact pair
        assert found.climb.serial is not None
        assert found.climb.serial.reply.raw == SIM_SERIAL  # multi-frame: flow control went out
        assert [a.target.label for a in found.attempts] == [
            "0x7B0/any", "0x7B1/any", "0x7B2/any", "0x7B3/0x7C1"
        ]  # fmt: skip


def test_native_can_ignores_obd_answers_and_reaches_7f9(channel: str) -> None:
    obd = head_unit(0x7F9, 0x7E8, serial=b"NOT THE HEAD UNIT")
    car = SimCar([obd, head_unit(0x7F9, 0x7F1)])
    with CanBusSimulator(car, channel), NativeCanTransport("virtual", channel, 500_000) as bus:
        client = Client(bus, Timing(p2=0.1))
        unit = _wide(0x7F9, 0x7F9)[0]
        cand, target, reply = learn_target(client, unit, unit.target(), SERIAL)
        assert (target, cand.response_id) == (Target(0x7F9, 0x7F1, 500_000), 0x7F1)
        assert reply.raw == SIM_SERIAL
        assert client.read(SERIAL) == SIM_SERIAL


# -- the whole command, through the faces ----------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "resp", "rate"),
    [("7B3:7C1", "0x7C1", 500), ("7F9:7F1", "0x7F1", 500), ("7F9:7F1&bitrate=250", "0x7F1", 250)],
)
def test_read_serial_wide_finds_a_unit_off_the_rule(
    run_cli, unit: str, resp: str, rate: int
) -> None:
    """In-process on simulated time: the whole 700-7FF search costs no wall time."""
    code, out, err = run_cli("read-serial", "--port", f"sim://?hu={unit}", "--wide", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["serial"] == "SIM0O1Il5S8B2024"
    assert (data["request_id"], data["response_id"]) == (f"0x{unit[:3]}", resp)
    assert (data["bitrate"], data["unit"]) == (rate * 1000, f"wide {unit[:3]}")


def test_a_learning_wide_search_sends_only_allowed_requests(run_cli, tmp_path) -> None:
    trace = tmp_path / "wide.log"
    args = ("identify", "--port", "sim://?hu=7B3:7C1", "--wide", "--trace", str(trace))
    code, _, err = run_cli(*args)
    assert code == 0, err
    code, out, err = run_cli("replay", str(trace), "--format", "json")
    assert code == 0, err
    items = json.loads(out)
    assert {item["service"] for item in items} <= {"0x22", "0x1A", "0x21", "0x09", "0x01", "0x10"}
    assert {f"0x{i:03X}" for i in range(0x700, 0x7B4)} <= {item["request_id"] for item in items}
    assert any(item["response_id"] == "0x7C1" for item in items)


def test_scan_wide_lists_the_learned_pair(run_cli) -> None:
    code, out, err = run_cli("scan", "--port", "sim://?hu=7B3:7C1", "--wide", "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    found = [r for r in rows if r["outcome"] == "answered"]
    assert [(r["request_id"], r["response_id"]) for r in found] == [("0x7B3", "0x7C1")]
    wide_silent = [r for r in rows if r["outcome"] == "silent" and r["name"].startswith("wide")]
    assert len(wide_silent) > 100 and {r["response_id"] for r in wide_silent} == {None}


def test_discover_learns_the_pair_and_profile_learn_reads_there(run_cli, tmp_path) -> None:
    """discover widens by itself, learns 0x7C1; the learned profile reads at that pair."""
    port = "sim://?hu=7B3:7C1&unit=hidden_serial"
    report, mine = tmp_path / "r.zip", tmp_path / "mine.toml"
    code, out, err = run_cli("discover", "--port", port, "--report", str(report))
    assert code == 0, err
    assert "Unit 0x7B3/0x7C1 at 500 kbit/s (wide 7B3)" in out
    code, out, err = run_cli("profile", "learn", str(report), "-o", str(mine))
    assert code == 0, err
    assert 'request = "7B3"' in mine.read_text() and 'response = "7C1"' in mine.read_text()
    code, out, err = run_cli("read-serial", "--json", "--port", port, "--profile", str(mine))
    assert code == 0, err
    data = json.loads(out)
    assert (data["request_id"], data["response_id"], data["reads"]) == ("0x7B3", "0x7C1", 2)


@pytest.mark.slow
def test_wide_over_a_real_pty_learns_the_pair(pty_sim, run_cli) -> None:
    """The ELM path over real pty bytes (wall time: about 10 s on the simulator)."""
    server = pty_sim("sim://?hu=7B3:7C1")
    code, out, err = run_cli("read-serial", "--port", server.path, "--wide", "--json", "-v")
    assert code == 0, err
    data = json.loads(out)
    assert (data["request_id"], data["response_id"]) == ("0x7B3", "0x7C1")
    sent = [line.split("> ", 1)[1] for line in err.splitlines() if line.startswith("> ")]
    assert sent.count("ATCRA7XX") >= 1 and "ATCRA7C1" in sent
    own = {f"ATCRA{c.response_id:03X}" for c in load().head_units}  # the profile's, first
    filters = {c for c in sent if c.startswith("ATCRA")}
    assert filters == own | {"ATCRA7XX", "ATCRA7C1"}  # no rule-paired filter at all
    at_unit = sent[sent.index("ATSH7B3") :]
    assert at_unit[:3] == ["ATSH7B3", "ATFCSH7B3", "22F18C"]  # the probe, learning
    assert at_unit[3:5] == ["ATCRA7C1", "22F18C1"]  # then the exact pair


def test_a_recorded_wide_read_replays_with_wide(run_cli, tmp_path) -> None:
    """The sidecar keeps the learned pair (never the learning target); replay learns it."""
    trace = tmp_path / "w.log"
    code, _, err = run_cli(
        "read-serial", "--port", "sim://?hu=7B3:7C1", "--wide", "--trace", str(trace)
    )
    assert code == 0, err
    side = json.loads(trace.with_suffix(".json").read_text())
    assert side["ids"][-1] == {"request": "0x7B3", "response": "0x7C1", "bitrate": 500000}
    assert all(pair["response"].startswith("0x7") for pair in side["ids"])  # no "any"/-1
    code, out, err = run_cli("read-serial", "--port", f"replay:{trace}", "--wide", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["request_id"], data["response_id"], data["serial"]) == (
        "0x7B3", "0x7C1", "SIM0O1Il5S8B2024"
    )  # fmt: skip


@pytest.mark.parametrize("command", ["read-serial", "scan"])
def test_wide_on_a_clone_without_the_wildcard_says_so_and_offers_known_ids(
    run_cli, command: str
) -> None:
    """A clone with ATCRA but not its X digit: one sentence, the ways round it, exit 8."""
    code, out, err = run_cli(command, "--port", "sim://?hu=7B3:7C1&clone=nowild", "--wide")
    assert (code, out) == (errors.ExitStatus.ADAPTER_INCAPABLE, "")
    assert err.startswith(
        "Error: This adapter cannot listen to all answer IDs (it answered '?' to 'ATCRA7XX'), "
        "so --wide cannot search with it.\n"
    ), err
    assert "Search known IDs with `--range` (e.g. 700-7FF) or `--address REQ:RESP`" in err
    assert "genuine ELM327 v1.3+ or STN chip" in err


def test_the_same_clone_reads_at_a_known_address() -> None:
    """Without --wide the exact filter is all it needs: the clone reads the serial."""
    from g15diag.app import api

    result = api.read_serial("sim://?hu=7B3:7C1&clone=nowild", address="7B3:7C1")
    assert result.serial.raw == SIM_SERIAL
