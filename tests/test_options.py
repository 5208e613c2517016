"""One adapter-options record, validated once: the Python API and the CLI refuse the same
bad values with the same sentence (UsageError / exit 2), never a Python error or a hang."""

from __future__ import annotations

import dataclasses
import math

import pytest

import g15diag
from g15diag import errors
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.transport.elm327 import Elm327Transport
from g15diag.transport.replay import ReplayTransport


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"port": "sim://", "protocol": 5}, "Bad protocol: 5 is not 6 (CAN 11-bit 500 kbit/s)"),
        ({"port": None}, "Missing option '--port'"),
        ({"port": "sim://", "timeout": "5"}, "Bad timeout: '5' is not a number of seconds"),
        ({"port": "sim://", "timeout": math.nan}, "Bad timeout: nan is not a number of seconds"),
        ({"port": "sim://", "timeout": math.inf}, "Bad timeout: inf is not a number"),
        ({"port": "sim://", "timeout": 0}, "Bad timeout: 0 is not a number of seconds above 0"),
        ({"port": "sim://", "timeout": -1}, "Bad timeout: -1 is not a number of seconds"),
        ({"port": "sim://", "reads": "2"}, "Bad reads: '2' is not a whole number from 1 to 10."),
        ({"port": "sim://", "reads": 0}, "Bad reads: 0 is not a whole number from 1 to 10."),
        ({"port": "sim://", "reads": -1}, "Bad reads: -1 is not a whole number from 1 to 10."),
        ({"port": "sim://", "reads": True}, "Bad reads: True is not a whole number"),
        ({"port": "sim://", "address": 123}, "Bad address: 123 is not REQ:RESP in hex"),
        ({"port": "sim://", "address": "7A0"}, "--address '7A0' is not REQ:RESP in hex"),
        ({"port": "sim://", "baud": "fast"}, "Bad baud: 'fast' is not a serial speed"),
        ({"port": 5}, "Bad port: 5 is not a port name"),
        ({"port": "sim://", "profile": 7}, "Bad profile: 7 is not a profile name"),
    ],
)
def test_api_refuses_bad_values_with_one_sentence(kwargs: dict, sentence: str) -> None:
    with pytest.raises(errors.UsageError) as caught:
        g15diag.identify(**kwargs)
    assert str(caught.value).startswith(sentence)
    assert caught.value.exit_status == errors.ExitStatus.USAGE


def test_scan_refuses_a_range_that_is_not_text() -> None:
    with pytest.raises(errors.UsageError, match=r"^id_range must be FIRST-LAST in hex"):
        g15diag.scan(port="sim://", id_range=5)  # type: ignore[arg-type]


def test_the_record_is_frozen_and_replace_validates_again() -> None:
    opts = AdapterOptions(port="sim://")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.timeout = 1.0  # type: ignore[misc]
    assert opts.replace(timeout=2).timeout == 2.0
    with pytest.raises(errors.UsageError, match="Bad timeout"):
        opts.replace(timeout=math.nan)


@pytest.mark.parametrize(
    ("kwargs", "bitrate"),
    [
        ({"port": "sim://"}, 500_000),
        ({"port": "sim://", "protocol": 8}, 250_000),
        ({"interface": "virtual", "channel": "x"}, 500_000),
        ({"interface": "virtual", "channel": "x", "bitrate": 250_000}, 250_000),
        ({"port": "replay:x.log", "bitrate": 250_000}, 250_000),
    ],
)
def test_bus_bitrate(kwargs: dict, bitrate: int) -> None:
    assert AdapterOptions(**kwargs).bus_bitrate == bitrate


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"port": "sim://", "interface": "virtual"}, "Give either a port"),
        ({"port": "sim://", "channel": "can0"}, "A channel (--channel) goes with"),
        ({"port": "sim://", "bitrate": 250_000}, "A bit rate (--bitrate) goes with"),
        ({"interface": "socketcan", "channel": "sim://"}, "A sim:// channel needs"),
        ({"interface": "nope"}, "Bad interface: 'nope' is not a python-can interface"),
    ],
)
def test_combinations(kwargs: dict, sentence: str) -> None:
    with pytest.raises(errors.UsageError) as caught:
        AdapterOptions(**kwargs)
    assert str(caught.value).startswith(sentence)


def test_make_transport_picks_the_transport() -> None:
    assert isinstance(make_transport(AdapterOptions(port="sim://")), Elm327Transport)
    replay = make_transport(AdapterOptions(port="replay:some.log"))
    assert isinstance(replay, ReplayTransport) and str(replay.path) == "some.log"
    with pytest.raises(errors.UsageError, match="needs AdapterOptions"):
        make_transport("sim://")  # type: ignore[arg-type]


def test_api_reads_with_one_record() -> None:
    opts = AdapterOptions(port="sim://?hu=7A0:7A8", address="7A0:7A8", reads=3, timeout=2)
    result = g15diag.identify(options=opts)
    assert result.value("serial") == "SIM0O1Il5S8B2024" and result.simulated


def test_api_refuses_a_record_and_a_port_together_or_a_wrong_record() -> None:
    with pytest.raises(errors.UsageError, match=r"^Give either options= or port="):
        g15diag.identify("sim://", options=AdapterOptions(port="sim://"))
    with pytest.raises(errors.UsageError, match=r"^options must be a g15diag.AdapterOptions"):
        g15diag.scan(options={"port": "sim://"})  # type: ignore[arg-type]


def test_dir_lists_the_public_api() -> None:
    listed = dir(g15diag)
    for name in g15diag.__all__:
        assert name in listed
        assert getattr(g15diag, name) is not None
    assert "AdapterOptions" in listed and "_LAZY" not in listed


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("nan", "nan is not a number of seconds above 0"),
        ("inf", "inf is not a number of seconds above 0"),
        ("0", "0.0 is not a number of seconds above 0"),
        ("-1", "-1.0 is not a number of seconds above 0"),
        ("soon", "'soon' is not a number of seconds."),
    ],
)
def test_cli_timeout_is_checked_by_the_same_validator(run_cli, value: str, problem: str) -> None:
    code, out, err = run_cli("read-serial", "--port", "sim://?fault=no_prompt", "--timeout", value)
    assert code == errors.ExitStatus.USAGE and out == ""
    assert f"Invalid value for '--timeout': {problem}" in err


def test_cli_reads_is_checked_by_the_same_validator(run_cli) -> None:
    code, _out, err = run_cli("identify", "--port", "sim://", "--reads", "0")
    assert code == errors.ExitStatus.USAGE
    assert "Invalid value for '--reads': 0 is not a whole number from 1 to 10." in err


def test_cli_protocol_is_checked_by_the_same_validator(run_cli) -> None:
    code, _out, err = run_cli("read-serial", "--port", "sim://", "--protocol", "5")
    assert code == errors.ExitStatus.USAGE
    assert "Invalid value for '--protocol': 5 is not 6 (CAN 11-bit 500 kbit/s)" in err
