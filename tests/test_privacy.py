"""Privacy: no network access except the adapter's own socket; VIN and serial masked in -v
traffic and error reports unless --unredacted; nothing stored unless asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from g15diag.app.privacy import TrafficRedactor, mask_text
from g15diag.sim.car import SIM_SERIAL, SIM_VIN

SERIAL_HEX = SIM_SERIAL.hex().upper()
VIN_HEX = SIM_VIN.hex().upper()

#: Runs the CLI with an audit hook that logs every socket event to $G15DIAG_AUDIT_LOG.
AUDITED = textwrap.dedent(
    """
    import json, os, sys
    events = []
    def hook(event, args):
        if event.startswith("socket.") and event != "socket.__new__":
            events.append([event, repr(args[1:] if event != "socket.getaddrinfo" else args)])
    sys.addaudithook(hook)
    import atexit
    atexit.register(lambda: open(os.environ["G15DIAG_AUDIT_LOG"], "w").write(json.dumps(events)))
    from g15diag.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_audited(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list]:
    log = tmp_path / "audit.json"
    env = {**os.environ, "G15DIAG_AUDIT_LOG": str(log)}
    env.pop("G15DIAG_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", AUDITED, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    return done, json.loads(log.read_text())


def hexless(text: str) -> str:
    """Only the hex digits of ``text`` (frames split over lines, spaces on or off)."""
    return "".join(c for c in text.upper() if c in "0123456789ABCDEF")


def leaks(secret_hex: str, text: str, chunk: int = 10) -> list[str]:
    """5-byte pieces of ``secret_hex`` found in the hex digits of ``text`` (pieces of fewer
    than 3 distinct bytes, such as the VIN's 30 30 30 30 30, prove nothing and are skipped)."""
    flat = hexless(text)
    pieces = {secret_hex[i : i + chunk] for i in range(0, len(secret_hex) - chunk + 1, 2)}
    pieces = {p for p in pieces if len({p[i : i + 2] for i in range(0, chunk, 2)}) >= 3}
    return sorted(p for p in pieces if p in flat)


# -- network -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_only_the_adapter_socket_is_connected(tmp_path: Path, tcp_sim) -> None:
    server = tcp_sim("sim://")
    done, events = run_audited(tmp_path, "identify", "--port", server.url, "--json")
    assert done.returncode == 0, done.stderr
    connects = [args for event, args in events if event == "socket.connect"]
    assert connects == [repr((("127.0.0.1", server.port),))], events
    # the only address lookup is pyserial's of the adapter's own (numeric) address
    lookups = [args for event, args in events if event == "socket.getaddrinfo"]
    assert all(a.startswith(f"('127.0.0.1', {server.port},") for a in lookups), lookups
    assert not [e for e, _ in events if e in ("socket.sendto", "socket.sendmsg")]


@pytest.mark.slow
def test_no_socket_at_all_without_a_network_adapter(tmp_path: Path) -> None:
    done, events = run_audited(tmp_path, "read-serial", "--port", "sim://")
    assert done.returncode == 0, done.stderr
    assert [e for e, _ in events if e in ("socket.connect", "socket.getaddrinfo")] == []


@pytest.mark.slow
def test_the_audit_hook_sees_connections(tmp_path: Path) -> None:
    """The audit above can fail: a refused connection attempt is still recorded."""
    done, events = run_audited(tmp_path, "read-serial", "--port", "socket://127.0.0.1:9")
    assert done.returncode == 3
    assert [a for e, a in events if e == "socket.connect"] == [repr((("127.0.0.1", 9),))]


# -- nothing stored unless asked ------------------------------------------------------------------


@pytest.mark.slow
def test_reads_store_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for args in (["read-serial", "--port", "sim://"], ["identify", "--port", "sim://", "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "g15diag", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["home"]


# -- -v traffic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ["--port", "sim://"],
        ["--port", "sim://?kwp=1"],
        ["--interface", "virtual", "--channel", "sim://?latency=0"],
    ],
    ids=["elm327", "elm327-kwp", "native-can"],
)
@pytest.mark.slow
def test_verbose_traffic_is_masked(run_process, extra: list[str]) -> None:
    done = run_process("identify", "-v", *extra)
    kwp = "kwp" in " ".join(extra)  # this KWP unit gives no serial: exit 5 (issue 19), output kept
    assert done.returncode == (5 if kwp else 0), done.stderr
    assert "Traceback" not in done.stderr
    traffic = "\n".join(line for line in done.stderr.splitlines() if line.startswith("<"))
    assert traffic, "no traffic was logged"
    assert leaks(SERIAL_HEX, traffic) == [] or "kwp" in " ".join(extra)
    assert leaks(VIN_HEX, traffic) == []
    assert "**" in traffic
    shown = run_process("identify", "-v", "--unredacted", *extra)
    assert shown.returncode == (5 if kwp else 0), shown.stderr
    shown_traffic = "\n".join(x for x in shown.stderr.splitlines() if x.startswith("<"))
    assert leaks(VIN_HEX, shown_traffic), "the leak check itself must see an unmasked VIN"


@pytest.mark.slow
def test_verbose_keeps_ids_and_pci_visible(run_process) -> None:
    done = run_process("read-serial", "-v", "--port", "sim://?hu=7A0:7A8", "--address", "7A0:7A8")
    assert done.returncode == 0, done.stderr
    lines = [x.replace(" ", "") for x in done.stderr.splitlines()]  # spaces on (issue 20)
    replies = [x for x in lines if x.startswith("<7A810")]
    assert replies and all("62F18C" in r for r in replies)  # ID, FF PCI, service and DID
    assert all(f"7A82{n}" in replies[0] for n in (1, 2))  # consecutive frames' PCI
    assert SERIAL_HEX[:8] not in hexless(replies[0])


def test_redactor_units() -> None:
    r = TrafficRedactor()
    assert r(">", "22F18C1") == "22F18C1"
    out = r("<", "767 10 13 62 F1 8C 53 49 4D\\r767 21 30 4F 31 49 6C 35 53\\r\\r>")
    assert out == "767 10 13 62 F1 8C ** ** **\\r767 21 ** ** ** ** ** ** **\\r\\r>"
    assert r("<", "767 03 7F 22 78 AA AA AA") == "767 03 7F 22 78 ** ** **"
    r(">", "22F1871")  # part number: not personal, shown as is
    assert r("<", "7671013 62F187323831") == "7671013 62F187323831"
    r(">", "ATSP7")
    r(">", "22F18C1")
    out = r("<", "18DAF1A0101362F18C53494D\\r18DAF1A021304F31496C3553")
    assert out == "18DAF1A0101362F18C******\\r18DAF1A021**************"
    r(">", "7A0 03 22 F1 90 00 00 00 00")  # native CAN request frame
    r(">", "7A0 30 00 00 00 00 00 00 00")  # our flow control keeps the state
    assert r("<", "7A8 21 54 44 47 31 35 33 30") == "7A8 21 ** ** ** ** ** ** **"


def test_error_text_masking() -> None:
    text = mask_text("differ: 53 49 4D 30 versus 53494D31; VIN SMLTDG15300000001 at 0x7A0")
    assert "53 49" not in text and "53494D31" not in text and "SMLTDG15300******" in text
    assert "0x7A0" in text


@pytest.mark.slow
def test_error_reports_are_masked(run_process) -> None:
    done = run_process("read-serial", "--port", "sim://?unstable=1")
    assert done.returncode == 6
    assert "differ at byte 16" in done.stderr
    assert (
        leaks(SERIAL_HEX[:30], done.stderr) == [] and "byte map [===============^]" in done.stderr
    )
    shown = run_process("read-serial", "--port", "sim://?unstable=1", "--unredacted")
    assert shown.returncode == 6 and SERIAL_HEX[:30] in hexless(shown.stderr)


def test_readme_states_what_is_read_and_stored() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    privacy = readme.split("## Privacy", 1)[1].split("\n## ", 1)[0]
    for phrase in ("What is read", "What is stored", "--unredacted", "network"):
        assert phrase in privacy, phrase
