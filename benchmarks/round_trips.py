"""Lines and time to the serial, with and without a Bluetooth-like link (issue 20).

On a Bluetooth adapter every command line is a round trip of 15-40 ms, so the number of lines,
not the bus, sets the time to the serial. Every case here runs in-process (no interpreter
start-up: see ``startup``) through :class:`Link`, a loopback TCP hop that forwards each command
line ``rtt`` seconds after its CR (the link's round trip), counts the lines and notes when each
prompt comes back. The time to the serial ends at the prompt after the last serial request
(the confirming read): closing the port afterwards is not part of it (pyserial's
``socket://`` close alone sleeps 0.3 s, for both tools).

* The five read-serial cases (unit at the first candidate, at the second, behind a session,
  KWP, ``--address``) run against g15diag's own simulator on TCP with 20 ms per bus answer.
* The comparison with python-OBD runs against an independent emulator, the ``ELM327-emulator``
  PyPI package (Ircama, CC-BY-NC-SA-4.0; installed by the benchmark extra only, never imported
  by g15diag), with a head unit at 747/767 and ``NO DATA`` elsewhere, without link latency
  and with it. Its ``delay`` (sleep before every answer, AT commands included) is 0.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import median

BUS_LATENCY = 0.02  # g15diag's simulator: seconds per bus answer
BLUETOOTH_RTT = 0.03  # seconds per command line on a Bluetooth-like link
SERIAL = "SIM0O1Il5S8B2024"
SERIAL_READS = ("22F18C", "1A8C")  # UDS and KWP serial requests

#: case -> (sim:// URL, --address or None)
CASES: dict[str, tuple[str, str | None]] = {
    "unit at the first candidate": (f"sim://?hu=712:732&latency={BUS_LATENCY}", None),
    "unit at the second candidate": (f"sim://?latency={BUS_LATENCY}", None),
    "behind a session (10 03)": (f"sim://?unit=uds_extended&latency={BUS_LATENCY}", None),
    "KWP (10 C0, 1A 8C)": (f"sim://?unit=kwp_renault&latency={BUS_LATENCY}", None),
    "--address 747:767": (f"sim://?latency={BUS_LATENCY}", "747:767"),
}


class Link:
    """A loopback TCP hop in front of ``upstream``: each command line goes on ``rtt`` seconds
    after its CR (a Bluetooth SPP round trip), answers come straight back; lines are counted."""

    def __init__(self, upstream: tuple[str, int], rtt: float) -> None:
        self.upstream, self.rtt = upstream, rtt
        self.lines: list[str] = []
        self.prompts: list[float] = []  # perf_counter() at every '>' sent back
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Link:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(2)

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                client, _ = self._listener.accept()
                server = socket.create_connection(self.upstream)
                for s in (client, server):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                back = threading.Thread(
                    target=_pipe, args=(server, client, self.prompts), daemon=True
                )
                back.start()
                self._forward(client, server)
                back.join(2)

    def _forward(self, client: socket.socket, server: socket.socket) -> None:
        pending = b""
        with client, server:
            while True:
                try:
                    chunk = client.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                while b"\r" in pending:
                    line, pending = pending.split(b"\r", 1)
                    self.lines.append(line.decode("ascii", "replace"))
                    if self.rtt:
                        time.sleep(self.rtt)  # the link's round trip, modelled here
                    server.sendall(line + b"\r")


def _pipe(source: socket.socket, sink: socket.socket, prompts: list[float]) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(4096):
            sink.sendall(chunk)
            prompts.extend([time.perf_counter()] * chunk.count(b">"))
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@dataclass
class Figure:
    name: str
    walls: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # command lines of the last run

    @property
    def wall(self) -> float:
        return median(self.walls)


def _g15diag(url: str, address: str | None) -> str:
    import g15diag

    result = g15diag.read_serial(port=url, address=address)
    return result.serial.text


def _python_obd(url: str) -> str:
    from benchmarks import obd_baseline

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if obd_baseline.main(url, "747:767") != 0:
            raise RuntimeError("python-OBD did not read the serial")
    return bytes.fromhex(out.getvalue().strip()).decode()


def _timed(
    figure: Figure, upstream: tuple[str, int], rtt: float, read: Callable[[str], str]
) -> None:
    with Link(upstream, rtt) as link:
        start = time.perf_counter()
        serial = read(link.url)
    if serial != SERIAL:
        raise RuntimeError(f"{figure.name}: read {serial!r}")
    figure.lines = to_serial(link.lines)
    figure.walls.append(link.prompts[len(figure.lines) - 1] - start)


def to_serial(lines: list[str]) -> list[str]:
    """The command lines up to the last serial request (its confirming read included)."""
    reads = [n for n, line in enumerate(lines) if line.replace(" ", "").startswith(SERIAL_READS)]
    return lines[: reads[-1] + 1] if reads else lines


def own_simulator(rounds: int = 3) -> dict[str, dict[float, Figure]]:
    """case -> {rtt: figure} on g15diag's simulator behind the link."""
    from g15diag.sim.server import TcpServer

    out: dict[str, dict[float, Figure]] = {}
    for name, (url, address) in CASES.items():
        out[name] = {}
        for rtt in (0.0, BLUETOOTH_RTT):
            figure = Figure(name)
            read = functools.partial(_g15diag, address=address)
            for _ in range(rounds):
                with TcpServer(url) as server:
                    _timed(figure, (server.host, server.port), rtt, read)
            out[name][rtt] = figure
    return out


@contextlib.contextmanager
def independent_emulator() -> Iterator[tuple[str, int]]:
    """ELM327-emulator on loopback TCP: the head unit at 747/767, NO DATA elsewhere."""
    from elm import Elm
    from elm.obd_message import DT, ELM_FOOTER, HD, ST, SZ

    logging.getLogger().setLevel(logging.CRITICAL)
    # its thread configures logging from ELM_LOG_CFG (else a file elm.log in the working
    # directory): a configuration that writes nothing
    quiet = Path(tempfile.mkdtemp(prefix="g15diag-bench-")) / "elm-log.yaml"
    quiet.write_text(
        "version: 1\ndisable_existing_loggers: false\n"
        "handlers: {nowhere: {class: logging.NullHandler}}\n"
        "root: {level: CRITICAL, handlers: [nowhere]}\n",
        encoding="utf-8",
    )
    os.environ["ELM_LOG_CFG"] = str(quiet)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    emulator = Elm(net_port=port, net_interface="127.0.0.1", batch_mode=True)
    body = SERIAL.encode().hex(" ").upper().split()
    emulator.ObdMessage["g15diag"] = {
        "HEAD_UNIT_SERIAL": {
            "Request": "^22F18C" + ELM_FOOTER,
            "Descr": "head unit serial (UDS 22 F18C)",
            "Header": "747",
            "Priority": 1,
            "Response": HD("767")
            + SZ("10")
            + DT("13 62 F1 8C " + " ".join(body[:3]))
            + HD("767")
            + SZ("21")
            + DT(" ".join(body[3:10]))
            + HD("767")
            + SZ("22")
            + DT(" ".join(body[10:16]) + " 00"),
        },
        "NOBODY_ELSE": {
            "Request": "^22F18C" + ELM_FOOTER,
            "Descr": "no unit at any other address",
            "Priority": 5,
            "Response": ST("NO DATA"),
        },
    }
    with emulator:
        emulator.set_sorted_obd_msg("g15diag")
        emulator.delay = 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # until its server socket listens
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        yield ("127.0.0.1", port)


def against_python_obd(rounds: int = 3) -> dict[str, dict[float, Figure]]:
    """{"g15diag", "python-OBD"} -> {rtt: figure}, each run on a fresh independent emulator."""
    readers: dict[str, Callable[[str], str]] = {
        "g15diag": lambda u: _g15diag(u, None),
        "python-OBD": _python_obd,
    }
    out: dict[str, dict[float, Figure]] = {}
    for name, read in readers.items():
        out[name] = {}
        for rtt in (0.0, BLUETOOTH_RTT):
            figure = Figure(name)
            for _ in range(rounds):
                with independent_emulator() as upstream:
                    _timed(figure, upstream, rtt, read)
            out[name][rtt] = figure
    return out


def report(rounds: int = 3) -> tuple[list[str], list[tuple[str, str, bool]], dict[str, list[str]]]:
    """Printed lines, (target, result, met) and the command lines per case."""
    said: list[str] = []
    targets: list[tuple[str, str, bool]] = []
    sequences: dict[str, list[str]] = {}
    own = own_simulator(rounds)
    said.append(
        f"\n[round trips] read-serial in-process through a loopback link, median of {rounds}; "
        f"g15diag simulator, {BUS_LATENCY * 1000:.0f} ms per bus answer"
    )
    said.append(
        f"  {'case':<30} {'lines':>5}  {'no link latency':>15}  "
        f"{f'{BLUETOOTH_RTT * 1000:.0f} ms per line':>15}"
    )
    for name, by_rtt in own.items():
        fast, slow = by_rtt[0.0], by_rtt[BLUETOOTH_RTT]
        said.append(f"  {name:<30} {len(fast.lines):>5}  {fast.wall:13.3f} s  {slow.wall:13.3f} s")
        sequences[name] = fast.lines
    second = len(own["unit at the second candidate"][0.0].lines)
    targets.append(("lines to the serial at the second candidate <= 16", str(second), second <= 16))

    peers = against_python_obd(rounds)
    said.append(
        "\n[time to serial] independent emulator (ELM327-emulator), unit at the second "
        f"candidate, in-process, median of {rounds}"
    )
    base = peers["python-OBD"]
    for rtt in (0.0, BLUETOOTH_RTT):
        label = "no link latency" if not rtt else f"{rtt * 1000:.0f} ms per line"
        ours, theirs = peers["g15diag"][rtt], base[rtt]
        said.append(
            f"  {label:<17} g15diag {ours.wall:6.3f} s ({len(ours.lines)} lines)   "
            f"python-OBD {theirs.wall:6.3f} s ({len(theirs.lines)} lines)   "
            f"{theirs.wall / ours.wall:.1f}x"
        )
    ratio = base[0.0].wall / peers["g15diag"][0.0].wall
    targets.append(
        (
            "time to serial >= 5x python-OBD (independent emulator, no link latency)",
            f"{ratio:.1f}x",
            ratio >= 5,
        )
    )
    sequences["independent emulator: g15diag"] = peers["g15diag"][0.0].lines
    sequences["independent emulator: python-OBD"] = base[0.0].lines
    return said, targets, sequences


START, END = "<!-- round-trips: start -->", "<!-- round-trips: end -->"


def markdown(
    said: list[str], targets: list[tuple[str, str, bool]], sequences: dict[str, list[str]]
) -> str:
    """The *Round trips* section of docs/performance.md."""
    out = [
        START,
        "## Round trips to the serial (issue 20)",
        "",
        "Written by `python -m benchmarks` (or `python -m benchmarks.round_trips` for this "
        "section alone). Every command line is a round trip: on Bluetooth 15-40 ms, so lines, "
        "not the bus, set the time to the serial. Time to the serial ends at the prompt after "
        "the confirming read (in-process, no interpreter start-up, port close not counted).",
        "",
        "| target | result | |",
        "|---|---|---|",
        *[f"| {t} | {r} | {'met' if ok else 'MISSED'} |" for t, r, ok in targets],
        "",
        "```",
        *[line for line in said if line],
        "```",
        "",
        "Command lines to the serial, per case (the minimum: nothing twice, no `ATS0`, no `ATI`, "
        "per address only the header, filter and flow-control ID; the flow-control data and "
        "mode once; `ATST0F` = P2 + 10 ms for the quick pass):",
        "",
        *[f"- **{case}** ({len(lines)}): `{' '.join(lines)}`" for case, lines in sequences.items()],
        "",
        END,
    ]
    return "\n".join(out)


def write_section(path: Path, section: str) -> None:
    """Put ``section`` in place of the old one in ``path`` (appended when there is none)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    from benchmarks.common import ROOT

    text, met, seqs = report()
    print("\n".join(text))
    for target, result, ok in met:
        print(f"  {'met' if ok else 'MISSED':<12} {target}: {result}")
    write_section(ROOT / "docs" / "performance.md", markdown(text, met, seqs))
    print("wrote the round-trips section of docs/performance.md")
