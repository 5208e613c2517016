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
from g15diag.sim import faults, values
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
from g15diag.sim.elm327 import SimAdapterOptions

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


def build(url: str) -> tuple[SimCar, SimAdapterOptions]:
    """The car and adapter behaviour a ``sim://`` URL describes."""
    opts = parse_options(url)
    req, resp = values.id_pair("hu", opts.get("hu", "747:767"))
    bitrate = {"500": 500_000, "250": 250_000}.get(opts.get("bitrate", "500"))
    if bitrate is None:
        raise UsageError("sim:// option bitrate must be 500 or 250.")
    pending = opts.get("pending", "off")
    if pending not in ("off", "inline", "gaveup", "storm"):
        raise UsageError(f"pending must be off, inline, gaveup or storm, not {pending[:40]!r}.")
    count = values.integer("pending_count", opts.get("pending_count", "1"), 1, 100)
    latency = values.seconds("latency", opts.get("latency", "0"), 60)
    pad_text = opts.get("pad", "AA")
    pad = (
        None
        if pad_text.lower() == "none"
        else values.hex_int("pad", pad_text, 0xFF, "a hex byte 00-FF or none")
    )
    refuse = [
        values.hex_int("refuse", x, 0xFFFF, "comma-separated hex DIDs (e.g. F18C)")
        for x in opts.get("refuse", "").split(",")
        if x
    ]
    serial_pad = values.hex_bytes("serial_pad", opts.get("serial_pad", ""), 16)
    serial = values.latin1("serial", opts.get("serial", SIM_SERIAL.decode()), 32)
    flags = {
        name: values.flag(name, opts.get(name, "0"))
        for name in ("kwp", "no_hu", "unstable", "vin_mismatch")
    }
    s3 = values.seconds("s3", opts.get("s3", str(S3_SECONDS)), 3600)
    unit = opts.get("unit", "standard")
    if unit not in UNIT_KINDS:
        raise UsageError(f"unit must be one of {', '.join(UNIT_KINDS)}, not {unit[:40]!r}.")
    ecus = [engine_ecu()]
    if not flags["no_hu"]:
        ecus.append(
            head_unit(
                req,
                resp,
                bitrate=bitrate,
                serial=serial,
                pad_byte=pad,
                pending=0 if pending == "off" else count,
                pending_forever=pending == "storm",
                kwp_only=flags["kwp"],
                refuse=refuse,
                serial_padding=serial_pad,
                vin=SIM_OTHER_VIN if flags["vin_mismatch"] else SIM_VIN,
            )
        )
        ecus[-1].unstable = flags["unstable"]
        ecus[-1].s3 = s3
        shape_unit(ecus[-1], unit)  # issue 11's session-gated units (sim/car.py)
    adapter = SimAdapterOptions(
        latency=latency, pending_mode="gaveup" if pending == "gaveup" else "inline"
    )
    return SimCar(ecus), faults.apply(opts, adapter)  # clone and fault models: sim/faults.py
