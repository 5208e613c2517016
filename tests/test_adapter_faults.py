"""Every simulated clone and fault gives one clear message and its documented exit status,
through `read-serial`, `identify` and `doctor`, never a traceback (issue 6, item 4)."""

from __future__ import annotations

import json

import pytest

from g15diag.errors import ExitStatus

ADDRESS = ("--address", "747:767")
FAST = ("--timeout", "0.5")

NEEDS_CLONE = (
    "Hint: This is typical of cheap 'v1.5'/'v2.1' ELM327 clones. Run `g15diag doctor` and read "
    "`g15diag help adapters` for adapters that work.\n"
)
TRUNCATED_HINT = (
    "Hint: 'v1.5'/'v2.1' ELM327 clones keep only 2 bytes of a request, so a 3-byte identifier "
    "read cannot work. Run `g15diag doctor` and use an adapter from `g15diag help adapters`.\n"
)
CLONE_STATUS_HINT = (
    "Hint: That answer is not one a genuine ELM327 gives on CAN; clone adapters print it. "
    "Switch the ignition on and try again; if it stays, run `g15diag doctor` and use an "
    "adapter from `g15diag help adapters`.\n"
)
FREEZE_HINT = (
    "Hint: Cheap clones freeze on multi-frame answers. Unplug the adapter to reset it, then "
    "run `g15diag doctor` (`g15diag help adapters`).\n"
)
NO_PROMPT_HINT = (
    "Hint: Without the prompt the tool cannot tell when an answer ends: this is not a working "
    "ELM327-compatible adapter, or the wrong port. Run `g15diag doctor`.\n"
)
NOISE_HINT = (
    "Hint: That is line noise: check the cable and connector, and --baud (try --baud auto). "
    "A bad adapter clone can also do this (run `g15diag doctor`).\n"
)
LOST_HINT = "Hint: Check the cable, Bluetooth pairing or Wi-Fi connection, then try again.\n"

# option -> (exit status, stderr of `read-serial --address 747:767 --timeout 0.5`);
# "{url}" is the port given.
READ_SERIAL = {
    "clone=v15": (
        ExitStatus.ADAPTER_INCAPABLE,
        "Error: The adapter does not understand 'ATCRA767' (it answered '?').\n" + NEEDS_CLONE,
    ),
    "clone=v21": (
        ExitStatus.ADAPTER_INCAPABLE,
        "Error: The unit answered 'incorrect message length' (NRC 0x13) to the 3-byte request "
        "22 F1 8C: the adapter probably cut the request short.\n" + TRUNCATED_HINT,
    ),
    "clone=freeze": (
        ExitStatus.ADAPTER,
        "Error: The adapter on {url} stopped in the middle of an answer and gave no '>' prompt "
        "within 0.5 s (it sent '767 ** ** ** ** ** ** ** **').\n"
        + FREEZE_HINT,  # spaces on: issue 20
    ),
    "clone=notconnected": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'NOT CONNECTED' to '22F18C1'.\n" + CLONE_STATUS_HINT,
    ),
    "clone=businit": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'BUS INIT: ...ERROR' to '22F18C1'.\n" + CLONE_STATUS_HINT,
    ),
    "fault=can_error": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'CAN ERROR' to '22F18C1'.\n"
        "Hint: The adapter cannot talk on the CAN bus: check the bit rate (--protocol 6 = 500 "
        "kbit/s, 8 = 250 kbit/s), that the ignition is on, and the OBD pins "
        "(`g15diag help adapters`).\n",
    ),
    "fault=buffer_full": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'BUFFER FULL' to '22F18C1'.\n"
        "Hint: The adapter's buffer overflowed: use a higher --baud or a better adapter.\n",
    ),
    "fault=stopped": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'STOPPED' to '22F18C1'.\n"
        "Hint: The adapter was interrupted; another program may be using the port.\n",
    ),
    "fault=lv_reset": (
        ExitStatus.ADAPTER,
        "Error: The adapter answered 'LV RESET' to '22F18C1'.\n"
        "Hint: The adapter reset itself (low voltage). Check the battery; connect a charger.\n",
    ),
    "fault=garbage": (
        ExitStatus.ADAPTER,
        "Error: The adapter sent line noise (10 characters that are not text) instead of an "
        "answer.\n" + NOISE_HINT,
    ),
    "fault=disconnect": (
        ExitStatus.ADAPTER,
        "Error: Lost the connection to the adapter on {url}: device reports readiness to read "
        "but returned no data (device disconnected or multiple access on port?).\n" + LOST_HINT,
    ),
    "fault=no_prompt": (
        ExitStatus.ADAPTER,
        "Error: The adapter on {url} answered without its '>' prompt within 0.5 s (it sent "
        "'ATD\\r\\n(g15diag simulator)\\r\\nOK').\n" + NO_PROMPT_HINT,
    ),
    "baud=115200": (
        ExitStatus.ADAPTER,
        "Error: The adapter on {url} sent line noise (1 unreadable byte(s)) and no prompt "
        "within 0.5 s.\nHint: The serial speed is probably wrong: try --baud auto. Otherwise "
        "check the cable and connector.\n",
    ),
}

# option -> (doctor check that fails, its status, its exact detail)
DOCTOR = {
    "clone=v15": ("ATCRA", "missing", "ATCRA7E8: receive filter for the head unit's answer ID"
                  " — answered '?'"),
    "clone=v21": ("3-byte request", "missing", "the adapter cut 22 F1 90 short: the ECU called "
                  "the request the wrong length (NRC 0x13)"),
    "clone=freeze": ("multi-frame answer", "missing", "the adapter froze after the first frame "
                     "of a multi-frame answer (it sent '7E8101462F190******', then nothing)"),
    "clone=notconnected": ("CAN bus", "missing",
                           "The adapter answered 'NOT CONNECTED' to '22F1901'."),
    "clone=businit": ("CAN bus", "missing",
                      "The adapter answered 'BUS INIT: ...ERROR' to '22F1901'."),
    "fault=can_error": ("CAN bus", "missing", "The adapter answered 'CAN ERROR' to '22F1901'."),
    "fault=buffer_full": ("adapter link", "missing",
                          "The adapter answered 'BUFFER FULL' to '22F1901'."),
    "fault=stopped": ("adapter link", "missing", "The adapter answered 'STOPPED' to '22F1901'."),
    "fault=lv_reset": ("adapter link", "missing", "The adapter answered 'LV RESET' to '22F1901'."),
    "fault=garbage": ("adapter link", "missing", "The adapter sent line noise (10 characters "
                      "that are not text) instead of an answer."),
    "fault=disconnect": ("adapter link", "missing", "Lost the connection to the adapter on "
                         "{url}: device reports readiness to read but returned no data (device "
                         "disconnected or multiple access on port?)."),
    "fault=no_prompt": ("adapter link", "missing", "The adapter on {url} answered without its "
                        "'>' prompt within 0.5 s (it sent "
                        "'ATD\\r\\n(g15diag simulator)\\r\\nOK')."),
    "baud=115200": ("adapter link", "missing", "The adapter on {url} sent line noise (1 "
                    "unreadable byte(s)) and no prompt within 0.5 s."),
}  # fmt: skip


def _no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        assert "Internal error" not in text


@pytest.mark.parametrize("option", sorted(READ_SERIAL))
def test_read_serial_fault(option: str, run_cli) -> None:
    url = f"sim://?{option}"
    status, stderr = READ_SERIAL[option]
    code, out, err = run_cli("read-serial", "--port", url, *ADDRESS, *FAST)
    assert (code, out, err) == (status, "", stderr.format(url=url))


@pytest.mark.parametrize("option", sorted(READ_SERIAL))
def test_read_serial_fault_candidate_search(option: str, run_cli) -> None:
    """Without --address the search stops at the first adapter fault, with the same status."""
    code, out, err = run_cli("read-serial", "--port", f"sim://?{option}", *FAST)
    assert code == READ_SERIAL[option][0], err
    assert out == ""
    assert err.startswith("Error: ")
    _no_traceback(err)


# `identify` (issue 4) goes through the same transport. Its search treats CAN ERROR at one bit
# rate as "no bus at this rate" and moves on; CAN ERROR at every rate is the adapter's error.
IDENTIFY = sorted(READ_SERIAL)


@pytest.mark.parametrize("option", IDENTIFY)
def test_identify_fault(option: str, run_cli) -> None:
    url = f"sim://?{option}"
    status, stderr = READ_SERIAL[option]
    code, out, err = run_cli("identify", "--port", url, *FAST)
    assert code == status, err
    assert out == ""
    first = stderr.format(url=url).splitlines()[0]
    if option != "clone=v15":  # the candidate search starts at another address
        assert err.splitlines()[0] == first
    assert "Hint: " in err
    _no_traceback(err)


def test_identify_can_error_at_one_rate_moves_on(run_cli) -> None:
    code, out, err = run_cli("identify", "--port", "sim://", "--protocol", "8", "--json")
    assert code == 0, err
    assert json.loads(out)["head_unit"]["bitrate"] == 500_000


@pytest.mark.parametrize("option", sorted(DOCTOR))
def test_doctor_fault(option: str, run_cli) -> None:
    url = f"sim://?{option}"
    name, status, detail = DOCTOR[option]
    code, out, err = run_cli("doctor", "--port", url, "--json", *FAST)
    assert code == ExitStatus.NOT_USABLE, out
    assert err == ""
    report = json.loads(out)
    assert report["verdict"] == "not usable"
    assert report["checks"][name] == status
    assert report["details"][name] == detail.format(url=url)
    assert report["advice"]  # always something a technician can do


@pytest.mark.parametrize("option", sorted(DOCTOR))
def test_doctor_fault_text(option: str, run_cli) -> None:
    url = f"sim://?{option}"
    name, _, detail = DOCTOR[option]
    code, out, err = run_cli("doctor", "--port", url, *FAST)
    assert code == ExitStatus.NOT_USABLE
    assert f"  {name:<18} MISSING  {detail.format(url=url)}\n" in out
    assert "\nVerdict: not usable\n  - " in out
    _no_traceback(out, err)


# --- real processes, real pty / socket faces -------------------------------------------------

SUBPROCESS = ["clone=v15", "clone=v21", "clone=freeze", "fault=garbage", "fault=no_prompt"]


@pytest.mark.slow
@pytest.mark.parametrize("option", SUBPROCESS)
def test_read_serial_fault_subprocess(option: str, run_process) -> None:
    url = f"sim://?{option}"
    status, stderr = READ_SERIAL[option]
    proc = run_process("read-serial", "--port", url, *ADDRESS, *FAST)
    assert (proc.returncode, proc.stdout, proc.stderr) == (status, "", stderr.format(url=url))


@pytest.mark.slow
@pytest.mark.parametrize("option", SUBPROCESS)
def test_doctor_fault_subprocess(option: str, run_process) -> None:
    proc = run_process("doctor", "--port", f"sim://?{option}", *FAST)
    assert proc.returncode == ExitStatus.NOT_USABLE
    assert proc.stderr == ""
    assert "Verdict: not usable\n" in proc.stdout


@pytest.mark.slow
def test_disconnect_over_pty_drops_the_port(pty_sim, run_process) -> None:
    server = pty_sim("sim://?fault=disconnect")
    proc = run_process("read-serial", "--port", server.path, *ADDRESS, *FAST)
    assert proc.returncode == ExitStatus.ADAPTER
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"Error: Lost the connection to the adapter on {server.path}: ")
    assert proc.stderr.endswith("\n" + LOST_HINT)


@pytest.mark.slow
def test_disconnect_over_socket_drops_the_connection(tcp_sim, run_process) -> None:
    server = tcp_sim("sim://?fault=disconnect")
    proc = run_process("read-serial", "--port", server.url, *ADDRESS, *FAST)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        ExitStatus.ADAPTER,
        "",
        f"Error: Lost the connection to the adapter on {server.url}: read failed: socket "
        "disconnected.\n" + LOST_HINT,
    )


@pytest.mark.slow
def test_doctor_disconnect_over_socket(tcp_sim, run_process) -> None:
    server = tcp_sim("sim://?fault=disconnect")
    proc = run_process("doctor", "--port", server.url, "--json", *FAST)
    assert proc.returncode == ExitStatus.NOT_USABLE
    report = json.loads(proc.stdout)
    assert report["checks"]["adapter link"] == "missing"
    assert report["details"]["adapter link"] == (
        f"Lost the connection to the adapter on {server.url}: read failed: socket disconnected."
    )


@pytest.mark.slow
def test_freeze_keeps_the_adapter_frozen(pty_sim, run_process) -> None:
    """A frozen clone answers nothing more until reset: the next run cannot even open it."""
    server = pty_sim("sim://?clone=freeze")
    first = run_process("read-serial", "--port", server.path, *ADDRESS, *FAST)
    assert first.returncode == ExitStatus.ADAPTER
    again = run_process("read-serial", "--port", server.path, *ADDRESS, *FAST)
    assert again.returncode == ExitStatus.ADAPTER
    assert again.stderr.startswith(
        f"Error: The adapter on {server.path} did not answer within 0.5 s.\n"
    )
