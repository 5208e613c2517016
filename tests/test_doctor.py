"""`g15diag doctor`: verdicts, identity, voltage, capability lines, Linux port checks."""

from __future__ import annotations

import json

import pytest

from g15diag.app import doctor, host_checks
from g15diag.app.adapter import AdapterOptions
from g15diag.errors import ExitStatus

CAPABILITY_NAMES = [
    "ATH1",
    "ATS0",
    "ATSP6/8",
    "ATSH",
    "ATCRA",
    "ATCRA7XX",
    "ATFC SH",
    "ATFC SD",
    "ATFC SM",
    "ATST",
]

GOOD_TEXT = """\
SIMULATED: this is the built-in simulator, not a real adapter.
Adapter self-test on sim:// at 38400 baud
  ATI                ELM327 v1.4b (g15diag simulator)
  AT@1               g15diag simulator (not a real adapter)
  identity           ok       ELM327 v1.4b (g15diag simulator)
  voltage            ok       12.6 V at the OBD socket
  ATH1               ok       ATH1: CAN IDs in answers (needed to tell units apart)
  ATS0               ok       ATS0: spaces off (only makes answers shorter)
  ATSP6/8            ok       ATSP6: CAN 11-bit protocol
  ATSH               ok       ATSH7E0: request CAN ID
  ATCRA              ok       ATCRA7E8: receive filter for the head unit's answer ID
  ATCRA7XX           ok       ATCRA7XX: wildcard answer filter 700-7FF (needed by --wide)
  ATFC SH            ok       ATFCSH7E0: flow-control ID for multi-frame answers
  ATFC SD            ok       ATFCSD300000: flow-control data
  ATFC SM            ok       ATFCSM1: user flow-control mode
  ATST               ok       ATST19: answer wait time (reads are slower without it)
  CAN bus            ok       the engine ECU answered 22 F1 90
  3-byte request     ok       22 F1 90 arrived whole (the answer echoes F1 90)
  multi-frame answer ok       20-byte answer arrived complete
Verdict: usable
"""


def test_good_adapter_is_usable(run_cli) -> None:
    code, out, err = run_cli("doctor", "--port", "sim://")
    assert (code, out, err) == (ExitStatus.OK, GOOD_TEXT, "")


@pytest.mark.slow
def test_good_adapter_json(run_process) -> None:
    proc = run_process("doctor", "--port", "sim://", "--json")
    assert proc.returncode == 0
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["verdict"] == "usable"
    assert report["identity"] == {
        "ATI": "ELM327 v1.4b (g15diag simulator)",
        "AT@1": "g15diag simulator (not a real adapter)",
    }
    assert report["voltage"] == 12.6
    assert report["checks"] == {
        "identity": "ok",
        "voltage": "ok",
        **dict.fromkeys(CAPABILITY_NAMES, "ok"),
        "CAN bus": "ok",
        "3-byte request": "ok",
        "multi-frame answer": "ok",
    }
    assert report["advice"] == []
    assert report["simulated"] is True


def test_v15_clone_names_every_missing_command(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?clone=v15", "--json")
    assert code == ExitStatus.NOT_USABLE
    report = json.loads(out)
    missing = [name for name, status in report["checks"].items() if status == "missing"]
    assert missing == ["ATCRA", "ATCRA7XX", "ATFC SH", "ATFC SD", "ATFC SM"]
    assert report["checks"]["identity"] == "warning"
    assert report["details"]["identity"] == (
        "'ELM327 v1.5 (g15diag simulator)' is a version ELM Electronics never released: a clone"
    )
    assert report["advice"][0].startswith("The adapter lacks ATCRA, ATFC SH, ATFC SD, ATFC SM. ")


def test_missing_header_command_skips_the_bus_test(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?unsupported=ATH", "--json")
    assert code == ExitStatus.NOT_USABLE
    report = json.loads(out)
    assert report["checks"]["ATH1"] == "missing"
    assert report["checks"]["3-byte request"] == "missing"
    assert report["details"]["3-byte request"] == (
        "not tested: the adapter lacks a command the test needs"
    )


def test_optional_command_missing_is_usable_with_limits(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?unsupported=ATST", "--json")
    assert code == ExitStatus.OK
    report = json.loads(out)
    assert report["verdict"] == "usable with limits"
    assert report["checks"]["ATST"] == "missing"
    assert report["advice"] == ["ATST19 is not supported: reads still work, a little slower."]


def test_a_clone_without_the_wildcard_filter_is_usable_but_not_for_wide(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?clone=nowild", "--json")
    assert code == ExitStatus.OK
    report = json.loads(out)
    assert report["verdict"] == "usable with limits"
    missing = [name for name, status in report["checks"].items() if status == "missing"]
    assert missing == ["ATCRA7XX"]
    assert report["checks"]["ATCRA"] == "ok"
    assert report["details"]["ATCRA7XX"] == (
        "ATCRA7XX: wildcard answer filter 700-7FF (needed by --wide) — answered '?'"
    )
    assert report["advice"] == [
        "ATCRA7XX is not supported: reads at known addresses work, but `--wide` needs this "
        "filter to hear every answer ID 700-7FF. Search known IDs with `--range` or "
        "`--address`, or use an adapter with a genuine ELM327 v1.3+ or STN chip."
    ]


def test_the_wildcard_check_has_its_own_advice_in_both_languages() -> None:
    from g15diag.lang import page_words

    report = doctor.run_doctor(AdapterOptions(port="sim://?clone=nowild"), system_checks=False)
    (check,) = [c for c in report.checks if c.name == "ATCRA7XX"]
    assert (check.kind, check.required, check.params["command"]) == (
        "wide_filter",
        False,
        "ATCRA7XX",
    )
    for lang in ("en", "ru"):
        text = page_words(lang)["doctor_advice"][check.kind].format(**check.params)
        assert text.startswith("ATCRA7XX ") and "700–7FF" in text


def test_low_voltage_warns(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?voltage=11.4V")
    assert code == ExitStatus.OK
    assert "  voltage            warning  11.4 V at the OBD socket (under 12 V)\n" in out
    assert "Verdict: usable with limits\n" in out
    assert "connect a battery charger" in out


def test_stn_identity(run_cli) -> None:
    code, out, _ = run_cli("doctor", "--port", "sim://?stn=1", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["identity"]["STI"] == "STN1130 v4.0.1 (simulated)"
    assert report["identity"]["STDI"] == "OBDLink-compatible (simulated)"
    assert report["details"]["identity"] == "STN chip: STN1130 v4.0.1 (simulated)"


def test_silent_engine_ecu_leaves_truncation_untested(run_cli) -> None:
    """No answer at 7E0 (a car without it, ignition off): the test cannot prove anything."""
    from g15diag.sim import car

    original = car.engine_ecu

    def mute(*args: object, **kwargs: object) -> car.SimEcu:
        ecu = original(*args, **kwargs)  # type: ignore[arg-type]
        ecu.request_id, ecu.response_id = 0x7E1, 0x7E9
        return ecu

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("g15diag.sim.config.engine_ecu", mute)
        code, out, _ = run_cli("doctor", "--port", "sim://", "--json")
    assert code == ExitStatus.OK
    report = json.loads(out)
    assert report["verdict"] == "usable with limits"
    assert report["checks"]["CAN bus"] == "warning"
    assert report["checks"]["3-byte request"] == "warning"
    assert "multi-frame answer" not in report["checks"]


def test_port_that_cannot_open_is_not_usable(run_cli, tmp_path) -> None:
    missing = str(tmp_path / "ttyUSB9")
    code, out, err = run_cli("doctor", "--port", missing, "--json")
    assert (code, err) == (ExitStatus.NOT_USABLE, "")
    report = json.loads(out)
    assert report["verdict"] == "not usable"
    assert report["checks"]["port"] == "missing"
    assert report["details"]["port"] == f"Cannot open {missing}: no such port."


@pytest.mark.slow
def test_doctor_over_pty_with_auto_baud(pty_sim, run_process) -> None:
    server = pty_sim("sim://?baud=115200")
    proc = run_process("doctor", "--port", server.path, "--baud", "auto", "--json")
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    assert report["baud"] == "115200"
    assert report["verdict"] in ("usable", "usable with limits")  # brltty may be installed
    assert report["checks"]["port permission"] == "ok"
    assert "port free" not in report["checks"]  # a pty's far end is always open


def test_doctor_sends_nothing_that_changes_stored_settings() -> None:
    from g15diag.sim.protocol_sim import Serial

    seen: list[str] = []
    original = Serial.write

    def spy(self: Serial, data: bytes) -> int:
        seen.append(bytes(data).decode("ascii"))
        return original(self, data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Serial, "write", spy)
        report = doctor.run_doctor(AdapterOptions(port="sim://"), system_checks=False)
    assert report.verdict == "usable"
    sent = "".join(seen).split("\r")[:-1]
    assert sent == [
        "ATD", "ATE0", "ATI", "AT@1", "STI", "STDI", "ATRV", "ATH1", "ATS0", "ATSP6",
        "ATSH7E0", "ATCRA7E8", "ATCRA7XX", "ATFCSH7E0", "ATFCSD300000", "ATFCSM1", "ATST19",
        "22F1901",
    ]  # fmt: skip


# --- Linux checks --------------------------------------------------------------------------


def test_linux_checks_skip_non_local_ports() -> None:
    assert host_checks.linux_checks("sim://", platform="linux") == []
    assert host_checks.linux_checks("socket://192.168.0.10:35000", platform="linux") == []
    assert host_checks.linux_checks("/dev/ttyUSB0", platform="win32") == []


def test_linux_checks_missing_device(tmp_path) -> None:
    port = str(tmp_path / "ttyUSB0")
    checks = host_checks.linux_checks(port, platform="linux", which=lambda _: None)
    assert [(c.name, c.status) for c in checks] == [("port exists", "missing"), ("brltty", "ok")]


def test_linux_checks_brltty_warns(tmp_path) -> None:
    device = tmp_path / "ttyUSB0"
    device.write_text("")
    checks = host_checks.linux_checks(
        str(device), platform="linux", which=lambda _: "/usr/bin/brltty", proc=str(tmp_path)
    )
    by_name = {c.name: c for c in checks}
    assert by_name["port permission"].status == "ok"
    assert by_name["port free"].status == "ok"
    assert by_name["brltty"].status == "warning"
    assert "sudo apt remove brltty" in by_name["brltty"].advice


def test_linux_checks_permission_denied(tmp_path, monkeypatch) -> None:
    device = tmp_path / "ttyUSB0"
    device.write_text("")
    monkeypatch.setattr(host_checks.os, "access", lambda *_: False)  # as a user outside the group
    monkeypatch.setattr(host_checks, "_group_name", lambda _: "dialout")
    monkeypatch.setattr(host_checks, "_configured_groups", lambda: set())
    checks = host_checks.linux_checks(str(device), platform="linux", which=lambda _: None)
    perm = next(c for c in checks if c.name == "port permission")
    assert perm.status == "missing"
    assert perm.detail == f"no read/write permission on {device} (group 'dialout')"
    assert perm.advice == (
        "Add yourself to the 'dialout' group: sudo usermod -aG dialout $USER, then log out "
        "and in again."
    )
    monkeypatch.setattr(host_checks, "_configured_groups", lambda: {"dialout"})
    checks = host_checks.linux_checks(str(device), platform="linux", which=lambda _: None)
    perm = next(c for c in checks if c.name == "port permission")
    assert perm.advice == (
        "You are in the 'dialout' group but this session is not: log out and in again "
        "(or run `newgrp dialout`)."
    )


def test_port_busy_found_in_proc(tmp_path) -> None:
    device = tmp_path / "ttyUSB0"
    device.write_text("")
    fake_proc = tmp_path / "proc"
    (fake_proc / "4242" / "fd").mkdir(parents=True)
    (fake_proc / "4242" / "fd" / "3").symlink_to(device)
    (fake_proc / "4242" / "comm").write_text("minicom\n")
    checks = host_checks.linux_checks(
        str(device), platform="linux", which=lambda _: None, proc=str(fake_proc)
    )
    busy = next(c for c in checks if c.name == "port free")
    assert busy.status == "missing"
    assert busy.detail == f"{device} is open in minicom (PID 4242)"
    report = doctor.DoctorReport(port=str(device), simulated=False, checks=checks)
    assert report.verdict == "not usable"
