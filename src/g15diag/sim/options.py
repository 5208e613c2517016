"""Every ``sim://`` option, in one table: the simulator's parser accepts exactly these names,
and ``g15diag simulate --help``, ``g15diag help simulator`` and the README list them from here.

Add an option here (name, kind, meaning) and it is known to the parser and documented
everywhere; tests/test_sim_options.py checks that the README lists each one.
"""

from __future__ import annotations

from dataclasses import dataclass

CAR, ADAPTER = "car", "adapter"


@dataclass(frozen=True)
class SimOption:
    """One ``sim://?name=value`` option: what it changes (the car or the adapter) and how."""

    name: str
    kind: str
    meaning: str


OPTIONS: tuple[SimOption, ...] = (
    SimOption(
        "hu",
        CAR,
        "head-unit request:response IDs in hex (default 747:767); e.g. 7B3:7D3 for a unit no "
        "profile lists, found only with --wide (or discover); 7B3:7C1 or 7F9:7F1 for one "
        "whose answer ID follows no rule (--wide learns it)",
    ),
    SimOption("bitrate", CAR, "head-unit bit rate in kbit/s: 500 (default) or 250"),
    SimOption("pending", CAR, "responsePending: off (default), inline, gaveup, storm"),
    SimOption("pending_count", CAR, "how many 0x78 answers before the final one (default 1)"),
    SimOption("latency", CAR, "seconds before each bus answer (default 0)"),
    SimOption("pad", CAR, "head-unit padding byte in hex, or none (default AA)"),
    SimOption("kwp", CAR, "1: the head unit answers only Renault KWP 21 80 / 21 81"),
    SimOption("refuse", CAR, "comma-separated DIDs the head unit refuses with NRC 0x31"),
    SimOption("serial", CAR, "the simulated serial text (default SIM0O1Il5S8B2024)"),
    SimOption("no_hu", CAR, "1: the car has no head unit at all"),
    SimOption("unstable", CAR, "1: a flaky head unit whose identifier bytes change every read"),
    SimOption("serial_pad", CAR, "hex bytes appended inside the F18C data (e.g. 000000, FFFF)"),
    SimOption("vin_mismatch", CAR, "1: the head unit stores another VIN than the engine ECU"),
    SimOption(
        "unit",
        CAR,
        "how the head unit identifies itself (fictional): standard (22 F18C in the default "
        "session), uds_extended (F18C only in 10 03, 7F 22 7F before), kwp_renault (7F 22 11; "
        "1A 8C / 21 80 / 21 81 only after 10 C0, 7F xx 80 before), nissan (21 83 only after "
        "10 81), hidden_serial (no standard serial; its serial at manufacturer identifier "
        "0xF1A7: identify/export exit 5, discover finds it, profile learn makes it readable)",
    ),
    SimOption(
        "s3",
        CAR,
        "seconds after which a unit left in a non-default session falls back to the default "
        "session by itself (default 5, the S3 timeout)",
    ),
    SimOption(
        "clone",
        ADAPTER,
        "comma-separated clone behaviours: v15 (answers ? to ATCRA/ATFC/ATCAF0), v21 (keeps "
        "2 bytes of a request), freeze (hangs after a first frame), notconnected, businit, "
        "nowild (takes ATCRA but answers ? to the wildcard ATCRA7XX that --wide needs)",
    ),
    SimOption(
        "fault",
        ADAPTER,
        "one fault on every data request: can_error, buffer_full, stopped, lv_reset, "
        "garbage, disconnect, no_prompt, data_error (an answering unit's frame line ends in "
        "<DATA ERROR, as v1.x firmware prints unpadded frames)",
    ),
    SimOption("unsupported", ADAPTER, "comma-separated AT commands answered ? (e.g. ATCRA,ATST)"),
    SimOption("truncate", ADAPTER, "keep only N bytes of every request"),
    SimOption("baud", ADAPTER, "the adapter's real serial speed: other host speeds read noise"),
    SimOption("voltage", ADAPTER, "what ATRV answers, e.g. 11.4V"),
    SimOption("identity", ADAPTER, "what ATI answers"),
    SimOption("stn", ADAPTER, "1: an STN chip (answers STI/STDI)"),
    SimOption("freeze_after", ADAPTER, "N: hangs after the first N frames of a multi-frame answer"),
    SimOption(
        "slow_after",
        ADAPTER,
        "N: prints the first N frames of a multi-frame answer, the rest 30 s later",
    ),
    SimOption("late", ADAPTER, "1: prints the prompt first and every data answer after it"),
)


def names(kind: str | None = None) -> set[str]:
    """The option names (of one kind: ``"car"`` or ``"adapter"``)."""
    return {o.name for o in OPTIONS if kind is None or o.kind == kind}


def help_rows() -> list[tuple[str, str]]:
    """(name, meaning) rows for click's help formatter."""
    return [(o.name, o.meaning) for o in OPTIONS]


def markdown_table() -> str:
    """The README's table of options (tests check the README carries exactly this)."""
    lines = ["| option | changes | meaning |", "|---|---|---|"]
    lines += [f"| `{o.name}` | {o.kind} | {o.meaning} |" for o in OPTIONS]
    return "\n".join(lines)
