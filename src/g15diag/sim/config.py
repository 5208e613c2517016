"""Build a simulated car and adapter from ``sim://`` query options.

``sim://?hu=7A0:7A8&pending=gaveup&latency=0.05`` — every option:

========== ===================================================================
hu         head-unit request:response IDs in hex (default 747:767)
bitrate    head-unit bit rate in kbit/s: 500 (default) or 250
pending    responsePending: off (default), inline, gaveup, storm
pending_count  how many 0x78 answers before the final one (default 1)
latency    seconds before each bus answer (default 0)
pad        head-unit padding byte in hex, or ``none`` (default AA)
kwp        1: the head unit answers only Renault KWP ``21 80``/``21 81``
refuse     comma-separated DIDs the head unit refuses with NRC 0x31
serial     the simulated serial text (default SIM0O1Il5S8B2024)
no_hu      1: the car has no head unit at all
unstable   1: a flaky head unit whose identifier bytes change on every read
serial_pad hex bytes appended inside the F18C data (e.g. 000000, FFFF, 2020, A3A3)
vin_mismatch 1: the head unit stores another VIN than the engine ECU
unit       how the head unit identifies itself (issue 11; all fictional):
           ``standard`` (default: 22 F18C in the default session),
           ``uds_extended`` (F18C only in 10 03, ``7F 22 7F`` before),
           ``kwp_renault`` (``7F 22 11``; 1A 8C / 21 80 / 21 81 only after 10 C0,
           ``7F xx 80`` before), ``nissan`` (21 83 only after 10 81),
           ``hidden_serial`` (no standard serial; serial-like text in 0xF1A7, which only
           ``discover`` finds)
s3         seconds after which a unit left in a non-default session falls back to the
           default session by itself (default 5, the S3 timeout)
========== ===================================================================

Adapter clone and fault options (``clone``, ``fault``, ``baud``...) are in
:mod:`g15diag.sim.faults`.

The head unit also refuses with 0x31 every DID it does not have; ``refuse=F18C`` makes it
refuse one it has. ``kwp=1`` is a KWP-only unit, ``bitrate=250`` a unit on 250 kbit/s.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from g15diag.errors import UsageError
from g15diag.sim import faults
from g15diag.sim.car import (
    S3_SECONDS,
    SIM_OTHER_VIN,
    SIM_SERIAL,
    SIM_VIN,
    UNIT_KINDS,
    SimCar,
    engine_ecu,
    head_unit,
    shape_unit,
)
from g15diag.sim.elm327 import AdapterOptions

KNOWN = {
    "hu",
    "bitrate",
    "pending",
    "pending_count",
    "latency",
    "pad",
    "kwp",
    "refuse",
    "serial",
    "no_hu",
    "unstable",
    "serial_pad",
    "vin_mismatch",
    "unit",
    "s3",
}


def parse_options(url: str) -> dict[str, str]:
    """The query options of a ``sim://`` URL, last value wins; unknown options are an error."""
    parts = urlsplit(url)
    if parts.scheme != "sim":
        raise UsageError(f"Not a simulator URL: {url!r} (expected sim://...).")
    options = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(options) - KNOWN - faults.KNOWN)
    if unknown:
        raise UsageError(
            f"Unknown simulator option(s) {', '.join(unknown)} in {url!r}; "
            f"known: {', '.join(sorted(KNOWN | faults.KNOWN))}."
        )
    return options


def build(url: str) -> tuple[SimCar, AdapterOptions]:
    """The car and adapter behaviour a ``sim://`` URL describes."""
    opts = parse_options(url)
    try:
        req, resp = (int(x, 16) for x in opts.get("hu", "747:767").split(":"))
        bitrate = int(opts.get("bitrate", "500")) * 1000
        pending = opts.get("pending", "off")
        count = int(opts.get("pending_count", "1"))
        latency = float(opts.get("latency", "0"))
        pad_text = opts.get("pad", "AA")
        pad = None if pad_text.lower() == "none" else int(pad_text, 16)
        refuse = [int(x, 16) for x in opts.get("refuse", "").split(",") if x]
        serial_pad = bytes.fromhex(opts.get("serial_pad", ""))
        s3 = float(opts.get("s3", str(S3_SECONDS)))
    except ValueError as exc:
        raise UsageError(f"Bad simulator option in {url!r}: {exc}.") from exc
    if pending not in ("off", "inline", "gaveup", "storm"):
        raise UsageError(f"pending must be off, inline, gaveup or storm, not {pending!r}.")
    if bitrate not in (500_000, 250_000):
        raise UsageError("bitrate must be 500 or 250.")
    unit = opts.get("unit", "standard")
    if unit not in UNIT_KINDS:
        raise UsageError(f"unit must be one of {', '.join(UNIT_KINDS)}, not {unit!r}.")
    ecus = [engine_ecu()]
    if opts.get("no_hu") != "1":
        ecus.append(
            head_unit(
                req,
                resp,
                bitrate=bitrate,
                serial=opts.get("serial", SIM_SERIAL.decode()).encode("latin-1"),
                pad_byte=pad,
                pending=0 if pending == "off" else count,
                pending_forever=pending == "storm",
                kwp_only=opts.get("kwp") == "1",
                refuse=refuse,
                serial_padding=serial_pad,
                vin=SIM_OTHER_VIN if opts.get("vin_mismatch") == "1" else SIM_VIN,
            )
        )
        ecus[-1].unstable = opts.get("unstable") == "1"
        ecus[-1].s3 = s3
        shape_unit(ecus[-1], unit)
    adapter = AdapterOptions(
        latency=latency, pending_mode="gaveup" if pending == "gaveup" else "inline"
    )
    return SimCar(ecus), faults.apply(opts, adapter)  # clone and fault models: sim/faults.py
