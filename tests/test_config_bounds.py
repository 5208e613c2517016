"""Issue 18: one reader with one set of bounds for every file the tool reads, the config file
included; and the API's own values. Before: a 5,000-digit or huge hex ``timeout``, TOML's
``1_2_3...``, 20,000 nested brackets or a 3 GiB sparse config.toml gave an internal error for
every command; ``AdapterOptions(timeout=10**400)`` an OverflowError, ``export(result, 123)``
a TypeError and ``command("ATSH7\\ufb00")`` a UnicodeEncodeError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.errors import ExitStatus as S
from g15diag.errors import UsageError

CASES = {
    "digits": "[adapter]\ntimeout = " + "9" * 5000 + "\n",
    "hex": "[adapter]\nbaud = 0x" + "F" * 5000 + "\n",
    "underscores": "[adapter]\nbitrate = " + "1_" * 3000 + "1\n",
    "brackets": "[adapter]\nport = " + "[" * 20000 + "]" * 20000 + "\n",
    "big-number": "[adapter]\ntimeout = 1" + "0" * 39 + "\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["read-serial", "adapters", "doctor"])
def test_a_hostile_config_file_is_one_sentence(
    tmp_path: Path, run_cli, monkeypatch, case: str, command: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CASES[case])
    monkeypatch.setenv("G15DIAG_CONFIG", str(config))
    code, _, err = run_cli(command, "--port", "sim://")
    assert code == S.USAGE, err
    assert err.startswith("Error: ") and "Internal error" not in err and len(err) < 400, err


def test_a_3_gib_sparse_config_file_is_refused_from_its_size(tmp_path: Path, run_cli, monkeypatch):
    config = tmp_path / "config.toml"
    with open(config, "wb") as handle:
        handle.truncate(3 << 30)
    monkeypatch.setenv("G15DIAG_CONFIG", str(config))
    code, _, err = run_cli("read-serial", "--port", "sim://")
    assert code == S.USAGE and "3,221,225,472 bytes is more than the 65,536" in err, err


def test_underscored_numbers_in_a_profile(tmp_path: Path, run_cli) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text("name = " + "1_" * 3000 + "1\n")
    code, _, err = run_cli("read-serial", "--port", "sim://", "--profile", str(profile))
    assert code == S.USAGE and "Internal error" not in err, err


def test_api_values_are_usage_errors(tmp_path: Path) -> None:
    from g15diag.app import api

    with pytest.raises(UsageError, match="is not a number of seconds"):
        AdapterOptions(port="sim://", timeout=10**400)
    data = json.loads((Path(__file__).parent / "golden" / "identify_sim.json").read_text())
    with pytest.raises(UsageError, match="needs a file name"):
        api.export(data, 123)  # type: ignore[arg-type]
    with (
        make_transport(AdapterOptions(port="sim://")) as transport,
        pytest.raises(UsageError, match="is ASCII text"),
    ):
        transport.command("ATSH7\ufb00")  # type: ignore[attr-defined]
