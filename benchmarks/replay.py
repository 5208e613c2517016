"""Replay throughput: a generated 1,000,000-frame candump -L trace decoded three ways.

The trace: nine noise IDs outside the diagnostic range (DLC 8 mostly, random data) and one
diagnostic exchange every 1,000 frames on 747/767 (request, multi-frame answer with flow
control, or a negative answer). Decoded as whole processes by ``g15diag replay --format
tsv``, by the python-can ``LogReader`` + can-isotp listen-mode baseline
(``replay_baseline.py``) and, when installed, by tshark (ISO-TP on 0x747/0x767, UDS decode).
Peak memory is each child's own peak RSS (``os.wait4``).
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import PYTHON, ROOT, g15diag_script, median, run

FRAMES = 1_000_000
EVERY = 1000
NOISE_IDS = (0x0C9, 0x130, 0x1F9, 0x215, 0x284, 0x354, 0x358, 0x5C5, 0x60D)
REQ, RESP = 0x747, 0x767
SERIAL = b"SIM0O1Il5S8B2024"
VIN = b"VF1ALMERAG1500001"  # 17 characters, fictional


def _exchange(n: int) -> list[tuple[int, bytes]]:
    """One request/answer exchange (frames with their IDs), three kinds in turn."""
    kind = n % 3
    if kind == 2:  # refused: a single-frame negative answer
        return [
            (REQ, bytes.fromhex("0322F1A0AAAAAAAA")),
            (RESP, bytes.fromhex("037F2231AAAAAAAA")),
        ]
    did, value = (b"\xf1\x8c", SERIAL) if kind == 0 else (b"\xf1\x90", VIN)
    pdu = b"\x62" + did + value
    frames = [(REQ, b"\x03\x22" + did + b"\xaa" * 4)]
    frames.append((RESP, bytes([0x10 | (len(pdu) >> 8), len(pdu) & 0xFF]) + pdu[:6]))
    frames.append((REQ, bytes.fromhex("300000AAAAAAAAAA")))
    rest, seq = pdu[6:], 1
    while rest:
        chunk, rest = rest[:7], rest[7:]
        frames.append((RESP, bytes([0x20 | (seq & 0xF)]) + chunk.ljust(7, b"\xaa")))
        seq += 1
    return frames


def generate(path: Path, frames: int = FRAMES) -> int:
    """Write the trace; returns how many exchanges it holds."""
    rng = random.Random(7)
    stamp = 1_700_000_000.0
    exchanges = 0
    written = 0
    with path.open("w", encoding="ascii") as handle:
        lines: list[str] = []
        while written < frames:
            block = []
            diag = _exchange(exchanges)
            block.extend(diag)
            noise = min(EVERY, frames - written) - len(diag)
            for _ in range(noise):
                can_id = NOISE_IDS[rng.randrange(9)]
                size = 8 if rng.random() < 0.85 else rng.randrange(9)
                block.append((can_id, rng.randbytes(size)))
            # the exchange sits somewhere inside the block, in order
            at = rng.randrange(noise + 1)
            block = block[len(diag) : len(diag) + at] + diag + block[len(diag) + at :]
            exchanges += 1
            for can_id, data in block:
                stamp += 0.0002
                lines.append(f"({stamp:.6f}) can0 {can_id:03X}#{data.hex().upper()}\n")
            written += len(block)
            if len(lines) >= 50_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)
    return exchanges


@dataclass
class Decoder:
    name: str
    seconds: float
    peak_mib: float
    transactions: int
    frames: int = FRAMES
    output: str = ""  # the last run's standard output

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds


def _measure(name: str, argv: list[str], rounds: int, count_lines) -> Decoder:  # type: ignore[no-untyped-def]
    walls, peaks, found, output = [], [], 0, ""
    for _ in range(rounds):
        result = run(argv, cwd=ROOT)
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed ({result.returncode}): {result.stderr[-800:]}")
        walls.append(result.wall)
        peaks.append(result.max_rss_kib / 1024)
        found = count_lines(result.stdout)
        output = result.stdout
    return Decoder(name, median(walls), max(peaks), found, output=output)


def _tsv_rows(text: str) -> int:
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def replay_available() -> bool:
    """True when ``g15diag replay PATH --format tsv`` works (the command is in progress)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.log"
        generate(path, 2000)
        result = run([g15diag_script(), "replay", str(path), "--format", "tsv"], cwd=ROOT)
        return result.returncode == 0 and _tsv_rows(result.stdout) == 2


def measure(path: Path, rounds: int = 3, tshark_rounds: int = 1) -> dict[str, Decoder | str]:
    exchanges = generate(path)
    out: dict[str, Decoder | str] = {"exchanges": str(exchanges)}
    if replay_available():
        out["g15diag replay"] = _measure(
            "g15diag replay",
            [
                g15diag_script(),
                "replay",
                str(path),
                "--format",
                "tsv",
                "--request-id",
                "747",
                "--response-id",
                "767",
            ],
            rounds,
            _tsv_rows,
        )
        out["g15diag replay (IDs found)"] = _measure(
            "g15diag replay (IDs found)",
            [g15diag_script(), "replay", str(path), "--format", "tsv"],
            rounds,
            _tsv_rows,
        )
    else:
        out["g15diag replay"] = "`g15diag replay PATH --format tsv` did not work in this run"
    out["python-can + can-isotp"] = _measure(
        "python-can + can-isotp",
        [PYTHON, str(ROOT / "benchmarks" / "replay_baseline.py"), str(path), "747", "767"],
        rounds,
        _tsv_rows,
    )
    ours = out.get("g15diag replay")
    if isinstance(ours, Decoder):
        small = path.with_name("trace-100k.log")
        generate(small, FRAMES // 10)
        tenth = _measure(
            "g15diag replay, 100k frames",
            [g15diag_script(), "replay", str(small), "--format", "tsv"],
            1,
            _tsv_rows,
        )
        tenth.frames = FRAMES // 10
        out["g15diag replay, 100k frames"] = tenth
        base = out["python-can + can-isotp"]
        assert isinstance(base, Decoder)
        out["same output"] = "yes" if ours.output == base.output else "NO: outputs differ"
    tshark = shutil.which("tshark")
    if tshark:
        out["tshark"] = _measure(
            "tshark",
            [
                tshark,
                "-r",
                str(path),
                "-o",
                "iso15765.can.ids:0x747,0x767",
                "-d",
                "iso15765.subdissector,uds",
                "-Y",
                "uds.reply == 1",
                "-T",
                "fields",
                "-E",
                "separator=/t",
                "-e",
                "frame.number",
                "-e",
                "uds.sid",
                "-e",
                "uds.rdbi.data_record",
                "-e",
                "uds.err.code",
            ],
            tshark_rounds,
            _tsv_rows,
        )
    else:
        out["tshark"] = "tshark is not installed (apt-get install tshark)"
    return out
