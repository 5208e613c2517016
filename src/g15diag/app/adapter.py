"""One record of adapter options, validated once, and the one factory that opens a transport.

:class:`AdapterOptions` is what the CLI's click options, the Python API (``g15diag.identify``
...), ``doctor`` and the GUI all build; every value is checked by the validators below when
the record is made (the click options call the same validators while parsing), so a bad
value is a :class:`~g15diag.errors.UsageError` (exit 2) with one sentence, wherever it came
from. :func:`make_transport` turns a record into a transport, not opened yet.

This module is the composition root of the transports: ``transport/`` knows nothing of the
simulator or of trace files; ``sim://`` ports get the simulator's pyserial handler
registered here (:data:`URL_SCHEMES`, a lazy table like python-can's ``BACKENDS``), and
``replay:`` ports get a trace file from ``traces/``.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from g15diag.errors import UsageError
from g15diag.protocol.can import DEFAULT_BITRATE, PROTOCOL_BITRATES
from g15diag.protocol.uds import PENDING_CAP
from g15diag.transport import port_names
from g15diag.vehicles.profiles import DEFAULT_PROFILE

if TYPE_CHECKING:
    from g15diag.protocol.can import TrafficLog
    from g15diag.transport.base import Transport
    from g15diag.vehicles.profiles import Candidate, Profile

BAUD_AUTO = "auto"
BAUD_MIN, BAUD_MAX = 300, 4_000_000
BITRATE_MIN, BITRATE_MAX = 10_000, 1_000_000
READS_MIN, READS_MAX = 1, 10
TIMEOUT_MAX = 600.0
PENDING_CAP_MAX = 600.0
DEFAULT_NATIVE_BITRATE = DEFAULT_BITRATE
REPLAY_PREFIX = port_names.REPLAY_PREFIX
#: ``python-can``'s own configuration (files and ``CAN_*`` variables) picks the interface
INTERFACE_FROM_CONFIG = "config"
#: URL scheme -> "module:function" that makes it known to pyserial (imported on first use)
URL_SCHEMES: dict[str, str] = {
    "sim": "g15diag.sim:register",
    "ble": "g15diag.transport.ble:register",  # Bluetooth LE through bleak
}
BLE_PREFIX = "ble://"
#: the simulated car on a python-can ``virtual`` bus for ``sim:`` channels (imported on first use)
CAN_SIMULATOR = "g15diag.sim:can_simulator"


class OptionError(UsageError):
    """One option has a bad value; ``problem`` is the sentence without the option's name."""

    def __init__(self, name: str, problem: str) -> None:
        self.name, self.problem = name, problem
        super().__init__(f"Bad {name}: {problem}")


def _short(value: object) -> str:
    """``repr(value)`` for a message, cut (a 400-digit number is not quoted whole)."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- the validators (shared by the click options and the API) -------------------------------


def check_port(value: object) -> str | None:
    """A ``--port`` value naming an adapter (:func:`g15diag.transport.port_names.check`:
    no pyserial ``spy://``, ``loop://``...), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(
            "port", f"{value!r} is not a port name (e.g. /dev/ttyUSB0, COM3 or sim://)."
        )
    return port_names.check(value.strip())


def check_baud(value: object) -> int | str:
    """A serial speed in bit/s (300..4,000,000), or ``"auto"``."""
    if isinstance(value, str) and value.strip().lower() == BAUD_AUTO:
        return BAUD_AUTO
    if isinstance(value, int) and not isinstance(value, bool) and BAUD_MIN <= value <= BAUD_MAX:
        return value
    raise OptionError(
        "baud",
        f"{_short(value)} is not a serial speed (e.g. 38400) or 'auto' "
        f"(speeds run from {BAUD_MIN} to {BAUD_MAX} bit/s).",
    )


def check_protocol(value: object) -> int:
    """An ELM327 CAN protocol number: 6, 7, 8 or 9."""
    if isinstance(value, int) and not isinstance(value, bool) and value in PROTOCOL_BITRATES:
        return value
    raise OptionError(
        "protocol",
        f"{_short(value)} is not 6 (CAN 11-bit 500 kbit/s), 8 (11-bit 250), 7 or 9 (29-bit).",
    )


def _seconds(name: str, value: object, most: float) -> float:
    """Seconds: a finite number above 0 and at most ``most``; else the option's error."""
    if _is_number(value) and 0 < value <= most and math.isfinite(value):
        return float(value)
    raise OptionError(
        name, f"{_short(value)} is not a number of seconds above 0 and at most {most:g}."
    )


def check_timeout(value: object) -> float:
    """Seconds: a finite number above 0 and at most :data:`TIMEOUT_MAX`."""
    return _seconds("timeout", value, TIMEOUT_MAX)


def check_pending_cap(value: object) -> float:
    """Seconds a request may stay 'response pending' (0x78) in all: above 0, at most
    :data:`PENDING_CAP_MAX`."""
    return _seconds("pending_cap", value, PENDING_CAP_MAX)


def check_reads(value: object) -> int:
    """How many identical reads confirm a value: 1..10."""
    if isinstance(value, int) and not isinstance(value, bool) and READS_MIN <= value <= READS_MAX:
        return value
    raise OptionError(
        "reads", f"{_short(value)} is not a whole number from {READS_MIN} to {READS_MAX}."
    )


def check_bitrate(value: object) -> int | None:
    """A CAN bit rate in bit/s (10,000..1,000,000), or None."""
    if value is None:
        return None
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and BITRATE_MIN <= value <= BITRATE_MAX
    ):
        return value
    raise OptionError(
        "bitrate",
        f"{_short(value)} is not a CAN bit rate from {BITRATE_MIN} to {BITRATE_MAX} bit/s "
        "(e.g. 500000).",
    )


def check_interface(value: object) -> str | None:
    """A python-can interface name (``socketcan``, ``pcan``... or ``config``), or None."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        name = value.strip()
        if name == INTERFACE_FROM_CONFIG or name in known_interfaces():
            return name
    raise OptionError(
        "interface",
        f"{value!r} is not a python-can interface; known: {', '.join(known_interfaces())} "
        f"(or '{INTERFACE_FROM_CONFIG}').",
    )


def known_interfaces() -> list[str]:
    """python-can's interface names, plugins included (imports python-can)."""
    from can.interfaces import VALID_INTERFACES

    return sorted(VALID_INTERFACES)


def check_text(name: str, value: object) -> str | None:
    """An optional non-empty string option (``channel``, ``trace``...)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value
    raise OptionError(name, f"{value!r} is not a non-empty text.")


def check_address(value: object) -> str | None:
    """``REQ:RESP`` CAN IDs in hex (e.g. ``7A0:7A8``), or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise OptionError("address", f"{value!r} is not REQ:RESP in hex (e.g. '7A0:7A8').")
    from g15diag.vehicles.profiles import parse_address

    parse_address(value, PROTOCOL_BITRATES[6])  # raises UsageError with the reason
    return value.strip()


def check_profile(value: object) -> Any:
    """A shipped profile name, a TOML path, or a loaded
    :class:`~g15diag.vehicles.profiles.Profile`."""
    from g15diag.vehicles.profiles import Profile

    if isinstance(value, Profile):
        return value
    if isinstance(value, str) and value.strip():
        return value
    raise OptionError(
        "profile", f"{value!r} is not a profile name (e.g. {DEFAULT_PROFILE}) or a file."
    )


def check_flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise OptionError(name, f"{value!r} is not True or False.")


# --- the record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterOptions:
    """Everything that says which adapter to open and how to read through it.

    Made once per run (CLI or API) and validated on creation; immutable afterwards
    (``dataclasses.replace`` validates again).
    """

    port: str | None = None
    baud: int | str = 38400
    protocol: int = 6
    timeout: float = 5.0
    pending_cap: float = PENDING_CAP
    interface: str | None = None
    channel: str | None = None
    bitrate: int | None = None
    address: str | None = None
    reads: int = 2
    profile: str | Profile = DEFAULT_PROFILE

    def __post_init__(self) -> None:
        checked = {
            "port": check_port(self.port),
            "baud": check_baud(self.baud),
            "protocol": check_protocol(self.protocol),
            "timeout": check_timeout(self.timeout),
            "pending_cap": check_pending_cap(self.pending_cap),
            "interface": check_interface(self.interface),
            "channel": check_text("channel", self.channel),
            "bitrate": check_bitrate(self.bitrate),
            "address": check_address(self.address),
            "reads": check_reads(self.reads),
            "profile": check_profile(self.profile),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        self._check_combination()

    def _check_combination(self) -> None:
        port, interface = self.port, self.interface
        if not port and not interface:
            raise UsageError(
                "Missing option '--port' (or '--interface' for a native CAN adapter): name "
                "the adapter's port, e.g. /dev/ttyUSB0, COM3 or sim://.",
                hint="Run `g15diag adapters` to list the ports of this computer.",
            )
        if port and interface:
            raise UsageError("Give either a port (--port) or an interface (--interface), not both.")
        if self.channel and not interface:
            raise UsageError("A channel (--channel) goes with an interface (--interface).")
        if self.bitrate and port and not port.startswith(REPLAY_PREFIX):
            raise UsageError(
                "A bit rate (--bitrate) goes with --interface or a replay: port "
                "(an ELM327 takes --protocol)."
            )
        sim_channel = bool(self.channel and self.channel.startswith("sim:"))
        if interface and sim_channel and interface != "virtual":
            raise UsageError("A sim:// channel needs --interface virtual.")

    # -- derived values ------------------------------------------------------------------

    @property
    def bus_bitrate(self) -> int:
        """The CAN bit rate these options select (for targets and trace sidecars)."""
        if self.bitrate:
            return self.bitrate
        if self.interface:
            return DEFAULT_NATIVE_BITRATE
        return PROTOCOL_BITRATES[self.protocol]

    @property
    def native_bitrate(self) -> int | None:
        """The bit rate to give python-can; None leaves it to python-can's config."""
        if not self.interface:
            return None
        if self.bitrate:
            return self.bitrate
        return None if self.interface == INTERFACE_FROM_CONFIG else DEFAULT_NATIVE_BITRATE

    @property
    def simulated(self) -> bool:
        """True when the options name the built-in simulator."""
        return bool(
            (self.port and self.port.startswith("sim:"))
            or (self.channel and self.channel.startswith("sim:"))
        )

    def load_profile(self) -> Profile:
        """The vehicle profile (loaded from the package or the user's file)."""
        from g15diag.vehicles.profiles import Profile, load

        return self.profile if isinstance(self.profile, Profile) else load(self.profile)

    def address_candidates(self) -> list[Candidate] | None:
        """``[candidate]`` for a given ``address``; None means "search the profile's"."""
        if not self.address:
            return None
        from g15diag.vehicles.profiles import address_candidate

        return [address_candidate(self.address, self.bus_bitrate)]

    def replace(self, **changes: Any) -> AdapterOptions:
        """A copy with ``changes``, validated again."""
        return dataclasses.replace(self, **changes)


# --- the factory --------------------------------------------------------------------------


def make_transport(options: AdapterOptions, *, traffic: TrafficLog | None = None) -> Transport:
    """The transport ``options`` name: a native CAN bus (``interface``), a recorded trace
    (``replay:PATH``) or an ELM327 on any pyserial URL (``sim://`` and ``ble://`` included).

    Not opened yet: use it as a context manager (``with make_transport(opts) as t:``).
    """
    if not isinstance(options, AdapterOptions):
        raise UsageError(f"make_transport() needs AdapterOptions, not {type(options).__name__}.")
    if options.interface:
        return _native(options, traffic)
    port = options.port or ""
    if port.startswith(REPLAY_PREFIX):
        from g15diag.traces.source import TraceFile
        from g15diag.transport.replay import ReplayTransport

        return ReplayTransport(TraceFile(port[len(REPLAY_PREFIX) :]))
    register_scheme(port)
    from g15diag.transport.elm327 import Elm327Transport

    kind: type[Elm327Transport] = Elm327Transport
    if port.lower().startswith(BLE_PREFIX):  # the same transport; -v names the GATT UART
        from g15diag.transport.ble.elm import BleElm327Transport

        kind = BleElm327Transport
    return kind(
        port,
        baud=options.baud,
        protocol=options.protocol,
        timeout=options.timeout,
        traffic=traffic,
    )


def register_scheme(port: str) -> None:
    """Make the URL scheme of ``port`` known to pyserial when a package provides it."""
    scheme = port.partition("://")[0] if "://" in port else ""
    target = URL_SCHEMES.get(scheme.lower())
    if target:
        module, _, attr = target.partition(":")
        getattr(importlib.import_module(module), attr)()


def _native(options: AdapterOptions, traffic: TrafficLog | None) -> Transport:
    from g15diag.transport.native_can import NativeCanTransport

    simulator = None
    if options.channel and options.channel.startswith("sim:"):
        module, _, attr = CAN_SIMULATOR.partition(":")
        simulator = getattr(importlib.import_module(module), attr)
    assert options.interface is not None
    return NativeCanTransport(
        options.interface,
        options.channel,
        options.native_bitrate,
        timeout=options.timeout,
        traffic=traffic,
        simulator=simulator,
    )


__all__ = [
    "BAUD_AUTO",
    "PROTOCOL_BITRATES",
    "AdapterOptions",
    "OptionError",
    "make_transport",
]
