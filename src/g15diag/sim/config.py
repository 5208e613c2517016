"""Build a simulated car and adapter from ``sim://`` query options.

``sim://?hu=7A0:7A8&pending=gaveup&latency=0.05``. Every option (car and adapter) is
listed, with its meaning, in :mod:`g15diag.sim.options`; the adapter clone and fault models
are applied in :mod:`g15diag.sim.faults`.

The head unit also refuses with 0x31 every DID it does not have; ``refuse=F18C`` makes it
refuse one it has. ``kwp=1`` is a KWP-only unit, ``bitrate=250`` a unit on 250 kbit/s.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from g15diag.errors import UsageError
from g15diag.sim import faults
from g15diag.sim import options as sim_options
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

KNOWN = sim_options.names(sim_options.CAR)


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
        shape_unit(ecus[-1], unit)  # issue 11's session-gated units (sim/car.py)
    adapter = AdapterOptions(
        latency=latency, pending_mode="gaveup" if pending == "gaveup" else "inline"
    )
    return SimCar(ecus), faults.apply(opts, adapter)  # clone and fault models: sim/faults.py
