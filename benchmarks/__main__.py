"""``python -m benchmarks``: run every benchmark, print each figure with its ratio against the
baseline measured in the same run, and write ``docs/performance.md``.

Options: ``--rounds N`` (repetitions of the short measurements, default 5), ``--output PATH``
(default docs/performance.md), ``--skip-replay`` (no 1M-frame trace).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import sys
import tempfile
from pathlib import Path

from benchmarks import replay, round_trips, silent_candidate, startup, time_to_serial
from benchmarks.common import ROOT, machine

#: Why g15diag sends each adapter command before the serial request (docs/performance.md).
WHY = {
    "ATD": "Settings back to defaults without a chip reset: another tool may have left "
    "CAF0, a filter, another header or flow-control mode behind. `ATZ` would do the same "
    "but costs about 1 s on real chips (reset and LED test); nothing cheaper restores every "
    "setting.",
    "ATE0": "Echo off: every later command would otherwise come back twice; 12+ more commands "
    "and their replies repay this one round trip on the serial link.",
    "ATH1": "CAN ID and PCI on every line: needed to attribute answers to the head unit and "
    "to reassemble ISO-TP ourselves (headers off hides both).",
    "ATSP6": "The CAN protocol (11-bit, 500 kbit/s); `ATSP0` would auto-search with "
    "`SEARCHING...` and probe requests on the bus.",
    "ATST0F": "Silence wait of the search's quick pass: P2 (50 ms) plus a 10 ms margin, instead "
    "of the default 200 ms; a UDS or KWP-on-CAN unit answers (or says responsePending) within "
    "P2. Only if this pass finds nobody are the candidates tried again with `ATST19` (100 ms). "
    "Answered reads end on the response-count digit anyway.",
    "ATST19": "Silence wait 100 ms (the long pass, and --address after a quick pass found nobody).",
    "ATSH": "Request CAN ID of the head unit (default is the functional 7DF).",
    "ATCRA": "Receive filter on the head unit's response ID (default filter passes only "
    "7E8-7EF, so the answer would be dropped as NO DATA).",
    "ATFCSH": "Flow-control frames to the head unit's request ID: its 19-byte answer is "
    "multi-frame and stalls after the first frame without a flow control it accepts.",
    "ATFCSD300000": "Flow-control data: clear to send, block size 0, STmin 0 (one FC for the "
    "whole answer). Sent once per session.",
    "ATFCSM1": "Use the user flow-control header and data above (mode 1). Sent once per "
    "session; needs FCSH and FCSD set first.",
    "22F18C1": "Serial request to a candidate that stayed silent (search only); the trailing "
    "1 is the response-count digit.",
    "ATI": "Not sent to read the serial: the identity is read once, lazily, when the dealer "
    "sheet, a report or a --trace sidecar names the adapter.",
}


def why(command: str) -> str:
    for key in (command, command[:4], command[:5], command[:6]):
        if key in WHY:
            return WHY[key]
    return "NOT JUSTIFIED (unexpected command)"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--skip-replay", action="store_true")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("obd") is None:
        print("python-OBD (the baseline) is not installed: pip install -e '.[obd]'")
        return 2

    lines: list[str] = []  # printed figures, also kept for the document
    status: list[tuple[str, str, bool | None]] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    info = machine()
    say("g15diag benchmarks — " + ", ".join(f"{k}: {v}" for k, v in info.items()))

    # -- start-up --------------------------------------------------------------------------
    up = startup.measure(max(11, args.rounds * 4))
    bare, helped = up["python -c pass"], up["g15diag --help"]
    say("\n[start-up] median wall of whole processes")
    say(f"  python -c pass            {bare * 1000:7.1f} ms  (baseline)")
    for name in ("g15diag --help", "python -m g15diag --help"):
        say(
            f"  {name:<25} {up[name] * 1000:7.1f} ms  ({up[name] / bare:.2f}x python -c pass, "
            f"+{(up[name] - bare) * 1000:.1f} ms)"
        )
    status.append(("`g15diag --help` <= 150 ms wall", f"{helped * 1000:.0f} ms", helped <= 0.150))

    # -- time to serial --------------------------------------------------------------------
    tts = time_to_serial.measure(args.rounds, max(3, args.rounds // 2 + 1))
    obd = tts["python-OBD"]
    say(f"\n[time to serial] sim on a real pty, {time_to_serial.SIM_URL}, median wall")
    say(
        f"  python-OBD                {obd.wall:7.3f} s   (baseline; "
        f"{len(obd.before_serial)} adapter commands before the serial request)"
    )
    for name in ("g15diag --address", "g15diag (search)"):
        case = tts[name]
        say(
            f"  {name:<25} {case.wall:7.3f} s   ({obd.wall / case.wall:.1f}x faster; "
            f"{len(case.before_serial)} adapter commands before the serial request)"
        )
    fastest = tts["g15diag --address"]
    status.append(
        (
            "time to serial >= 5x python-OBD (--address)",
            f"{obd.wall / fastest.wall:.1f}x",
            obd.wall / fastest.wall >= 5,
        )
    )
    searched = tts["g15diag (search)"]
    status.append(
        (
            "time to serial >= 5x python-OBD (profile search)",
            f"{obd.wall / searched.wall:.1f}x",
            obd.wall / searched.wall >= 5,
        )
    )

    # -- silent candidate ------------------------------------------------------------------
    silent = silent_candidate.measure()
    base = silent["python-OBD"]
    say(
        f"\n[silent candidate] per candidate, {silent_candidate.COUNT} silent addresses, "
        "in-process (no start-up)"
    )
    say(f"  python-OBD (ATST default 200 ms)      {base.seconds * 1000:6.1f} ms  (baseline)")
    for name in ("g15diag scan", "g15diag read-serial search"):
        item = silent[name]
        estimate = item.real_estimate or item.seconds
        say(
            f"  {name + f' (ATST {item.st_ms} ms)':<37} {item.seconds * 1000:6.1f} ms  "
            f"({base.seconds / item.seconds:.1f}x faster); with 38400-baud wire time for "
            f"{item.wire_bytes:.0f} bytes: {estimate * 1000:.1f} ms"
        )
        status.append(
            (
                f"silent candidate <= 0.15 s ({name}, incl. 38400-baud wire time)",
                f"{estimate * 1000:.0f} ms",
                estimate <= 0.150,
            )
        )

    # -- round trips (issue 20) ---------------------------------------------------------------
    trips, trip_targets, trip_sequences = round_trips.report(max(3, args.rounds // 2 + 1))
    for line in trips:
        say(line)
    status.extend(trip_targets)

    # -- replay ----------------------------------------------------------------------------
    decoded: dict[str, replay.Decoder | str] = {}
    if not args.skip_replay:
        with tempfile.TemporaryDirectory(prefix="g15diag-bench-") as tmp:
            decoded = replay.measure(Path(tmp) / "trace-1M.log", rounds=max(1, args.rounds // 2))
        say(
            f"\n[replay] {replay.FRAMES:,} frames of candump -L, {decoded['exchanges']} "
            "diagnostic exchanges, median wall of whole processes, peak RSS per child"
        )
        baseline = decoded["python-can + can-isotp"]
        assert isinstance(baseline, replay.Decoder)
        tshark = decoded.get("tshark")
        say(
            "  g15diag replay --format tsv and the baseline print the same transactions: "
            f"{decoded.get('same output', 'not compared')}"
        )
        for name, item in decoded.items():
            if name in ("exchanges", "same output", "g15diag replay, 100k frames"):
                continue
            if isinstance(item, str):
                say(f"  {name:<28} not measured: {item}")
                continue
            vs = f"{item.frames_per_second / baseline.frames_per_second:.2f}x baseline"
            if isinstance(tshark, replay.Decoder) and item is not tshark:
                vs += f", {item.frames_per_second / tshark.frames_per_second:.1f}x tshark"
            if item is baseline:
                vs = "baseline"
            say(
                f"  {name:<28} {item.seconds:6.2f} s  {item.frames_per_second:>10,.0f} frames/s"
                f"  peak {item.peak_mib:6.1f} MiB  {item.transactions} transactions  ({vs})"
            )
        ours = decoded.get("g15diag replay")
        if isinstance(ours, replay.Decoder):
            r = ours.frames_per_second / baseline.frames_per_second
            status.append(("replay >= 3x python-can + can-isotp", f"{r:.2f}x", r >= 3))
            if isinstance(tshark, replay.Decoder):
                r = ours.frames_per_second / tshark.frames_per_second
                status.append(("replay >= 10x tshark", f"{r:.1f}x", r >= 10))
            else:
                status.append(("replay >= 10x tshark", "tshark not installed", None))
            tenth = decoded.get("g15diag replay, 100k frames")
            if isinstance(tenth, replay.Decoder):
                say(
                    f"  peak memory, 100k vs 1M frames: {tenth.peak_mib:.1f} MiB vs "
                    f"{ours.peak_mib:.1f} MiB (flat: {ours.peak_mib - tenth.peak_mib:+.1f} MiB "
                    "for 10x the frames)"
                )
            status.append(
                (
                    "replay peak memory <= 100 MiB at 1M frames",
                    f"{ours.peak_mib:.1f} MiB",
                    ours.peak_mib <= 100,
                )
            )
        else:
            status.append(("replay targets", "g15diag replay not available", None))

    say("\n[targets]")
    for label, value, ok in status:
        mark = "not measured" if ok is None else verdict(ok)
        say(f"  {mark:<12} {label}: {value}")

    write_document(args.output, info, lines, status, tts, silent, decoded)
    round_trips.write_section(
        args.output, round_trips.markdown(trips, trip_targets, trip_sequences)
    )
    print(f"\nwrote {args.output}")
    return 0 if all(ok is not False for _, _, ok in status) else 1


def write_document(path, info, lines, status, tts, silent, decoded) -> None:  # type: ignore[no-untyped-def]
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Performance",
        "",
        "Written by `python -m benchmarks` (see README, *Benchmarks*); do not edit by hand —",
        "re-run the command. Every figure is measured against its baseline in the same run on "
        "the same machine.",
        "",
        f"Run: {when}",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        "## Targets",
        "",
        "| target | result | |",
        "|---|---|---|",
        *[
            f"| {label} | {value} | {'not measured' if ok is None else verdict(ok)} |"
            for label, value, ok in status
        ],
        "",
        "## Output of the run",
        "",
        "```",
        *lines,
        "```",
        "",
        "## Adapter commands before the serial request",
        "",
        "Counted from the simulator's command log (`Elm327Simulator.commands`) of the last run.",
        "",
    ]
    for name, case in tts.items():
        out.append(f"**{name}** ({len(case.before_serial)}): `{' '.join(case.before_serial)}`")
        out.append("")
    out += [
        "Why g15diag sends each one (none is redundant; no `ATZ`):",
        "",
        "| command | why |",
        "|---|---|",
    ]
    seen: set[str] = set()
    for command in tts["g15diag (search)"].before_serial + tts["g15diag --address"].before_serial:
        text = why(command)
        if text not in seen:
            seen.add(text)
            out.append(f"| `{command}` | {text} |")
    out += ["", NOTES]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


NOTES = """## Profile and what was fixed

- **Replay** (pyinstrument, 1M frames): about 70 % of the time was `traces/candump.parse`
  converting every line (timestamp `float`, ID `int`, data `bytes.fromhex`) although 99.5 %
  of the frames are noise the decoder drops; another 13 % was calling `Decoder.feed` for each
  of them. Fixes, same output: the reader remembers the value of each ID text; `transactions()`
  remembers per ID whether the decoder can use it; and `candump.read(path, wanted)` checks each
  1 MiB block of plain lines with one possessive regular expression and converts only the lines
  of the wanted IDs, found by a search for ` ID#` (any other kind of line sends the block
  through the line reader, so frames and error messages are the line reader's:
  `tests/test_trace_fast_path.py` checks this with Hypothesis). `g15diag replay` passes the IDs
  its decoder uses (`decode.wanted_ids`). Before: 1.9-2.2 s for 1M frames (3.1-3.4x the
  baseline, 8.2x tshark in the first full run: the tshark target was missed); after: see
  the table.
- **read-serial** (pyinstrument, `--address`): the process spends its time in `select` inside
  `Serial.read`, waiting for the adapter (the two 50 ms bus answers); interpreter start and
  imports are the rest (~40 ms of imports, click the largest). No CPU hot spot; the gain over
  python-OBD comes from fewer round trips, the response-count digit and no sleeps.
- **Start-up**: `g15diag --help` loads click, `g15diag.cli` and `g15diag.errors` only; command
  modules are imported when their command runs.

## How each figure is measured

- **Start-up**: median wall time of whole processes, interleaved runs; the console script next
  to the interpreter is run directly (a pyenv shim in front of it would add its own ~50 ms).
  `g15diag --help` imports only click and two small g15diag modules; python-can, can-isotp,
  udsoncan, python-OBD and pyserial are not loaded (checked by
  `tests/test_performance_hygiene.py`, which times nothing).
- **Time to serial**: `g15diag read-serial --port /dev/pts/N [--address 747:767]` and
  `benchmarks/obd_baseline.py` (python-OBD: `OBD(port, 38400, protocol="6", fast=False)`,
  raw `ATCRA`/`ATFC` through `connection.interface.send_and_parse`, a custom `OBDCommand`
  with `header=b"747"`, read twice like g15diag) as whole processes, each against a fresh
  simulator on a real pseudo-terminal with 50 ms per bus answer. python-OBD's time is its
  fixed 1 s sleep after `ATZ`, its OBD set-up (`0100` and the supported-PID getters, each
  waiting out the adapter's default 200 ms silence) and two serial reads that also wait out
  the silence (no response-count digit on a first query). g15diag ends each answered read on
  the response-count digit and sleeps nowhere.
- **Silent candidate**: in-process, 16 addresses with no unit, on the same pty simulator.
  The simulator waits the adapter's `ATST` time in real time before `NO DATA`. The read-serial
  figure is the search's quick pass (`ATST0F`, P2 + 10 ms): 16 silent candidates before the
  head unit, less the same search with the head unit alone, per candidate; only when the quick
  pass finds nobody are the candidates tried again with `ATST19`. A pty moves
  bytes instantly, so the bytes each probe exchanges are counted and their 38400-baud wire time
  (10 bits per byte) is added for the real-adapter estimate; Bluetooth adapters add their own
  per-round-trip latency (4 round trips per candidate) on top. ELM327 adaptive timing (`AT1`,
  the default) can only shorten the wait: `ATST` is its maximum.
- **Simulator model fix (this issue)**: the simulator used to add its per-answer bus latency
  (`latency=`) to a silent candidate's `ATST` wait. A real adapter starts its silence timer when
  the request goes out and nothing ever answers, so a silent probe costs `ATST` alone; the
  simulator now models that (`sim/elm327.py`, `_bus_exchange`).
- **Replay**: a generated 1,000,000-frame candump `-L` trace (nine noise IDs, 85 % DLC 8; one
  exchange on 747/767 every 1,000 frames: serial read, VIN read, or a refusal; multi-frame
  answers with flow control). Decoded by `g15diag replay TRACE --format tsv` (with the IDs
  given, and with the IDs found automatically), by `benchmarks/replay_baseline.py` (python-can
  `LogReader` + one can-isotp `TransportLayerLogic` in `listen_mode` per direction, fed only
  its own ID) and by tshark (ISO-TP on 0x747,0x767, UDS via Decode As). Peak memory is each
  child's own peak RSS from `os.wait4`. All three decoders report the same 1,000 transactions.
- The machine is shared: other work may run during a benchmark, so figures vary by some 10-30 %
  between runs; ratios are taken within one run.
"""


if __name__ == "__main__":
    sys.exit(main())
