"""The click options that make one :class:`~g15diag.app.adapter.AdapterOptions` and one run
policy (:class:`~g15diag.app.link.Run`: --trace, -v, --unredacted) for the API calls every
command that talks to a car makes (commands never open an adapter themselves).

The options parse text into values and hand them to the same validators the Python API
uses (``g15diag.app.adapter``); the command receives one validated, frozen ``options`` record.
``--port`` and ``--baud`` also come from ``G15DIAG_PORT``/``G15DIAG_BAUD`` and every adapter
option from the user config file (``g15diag.app.config``); the command line wins.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

import click

from g15diag.app import adapter as adapter_mod
from g15diag.app.adapter import AdapterOptions, OptionError
from g15diag.vehicles.profiles import DEFAULT_PROFILE

if TYPE_CHECKING:
    from g15diag.app.link import Run, TrafficEvent

F = TypeVar("F", bound=Callable[..., Any])


class Checked(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on only
    """Text -> value with ``parse``, then the shared validator ``check`` (exit 2 on failure)."""

    def __init__(self, name: str, parse: Callable[[str], Any], check: Callable[[Any], Any]) -> None:
        self.name = name
        self._parse = parse
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            parsed = self._parse(value.strip()) if isinstance(value, str) else value
            return self._check(parsed)
        except OptionError as exc:
            self.fail(exc.problem, param, ctx)
        except ValueError:
            self.fail(f"{value!r} is not a {self.name}.", param, ctx)


def _baud_text(text: str) -> int | str:
    return text.lower() if text.lower() == adapter_mod.BAUD_AUTO else int(text)


BAUD = Checked("serial speed (e.g. 38400) or 'auto'", _baud_text, adapter_mod.check_baud)
TIMEOUT = Checked("number of seconds", float, adapter_mod.check_timeout)
PENDING_CAP = Checked("number of seconds", float, adapter_mod.check_pending_cap)
PROTOCOL = Checked("protocol number (6, 7, 8 or 9)", int, adapter_mod.check_protocol)
BITRATE = Checked("bit rate in bit/s", int, adapter_mod.check_bitrate)
READS = Checked("whole number", int, adapter_mod.check_reads)
INTERFACE = Checked("python-can interface", str, adapter_mod.check_interface)
ADDRESS = Checked("REQ:RESP address", str, adapter_mod.check_address)

#: the click parameters that become fields of the AdapterOptions record
FIELDS = {f for f in AdapterOptions.__dataclass_fields__}
#: the click parameters that become the run policy (g15diag.app.link.Run)
RUN_FIELDS = ("verbose", "unredacted", "trace")


def _options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--port",
            "-p",
            metavar="PORT",
            envvar="G15DIAG_PORT",
            show_envvar=True,
            show_default=True,  # the config file's port, when it sets one
            help="Adapter port: /dev/ttyUSB0, COM3, /dev/rfcomm0, "
            "socket://192.168.0.10:35000, ble://NAME for Bluetooth LE, sim:// for the "
            "simulator, or replay:FILE.log "
            "to answer from a recorded trace. Required unless --interface is given. "
            "Also from the config file (`g15diag help config`).",
        ),
        click.option(
            "--baud",
            default="38400",
            show_default=True,
            envvar="G15DIAG_BAUD",
            show_envvar=True,
            type=BAUD,
            metavar="BAUD|auto",
            help="Serial speed to the adapter, or 'auto' to find it (tries 38400, 9600, "
            "115200, 230400, 57600, 500000, 1000000; never changes the adapter's setting).",
        ),
        click.option(
            "--protocol",
            type=PROTOCOL,
            default=6,
            show_default=True,
            metavar="6|7|8|9",
            help="ELM327 protocol: 6 = CAN 11-bit 500 kbit/s, 8 = 11-bit "
            "250 kbit/s, 7/9 = 29-bit 500/250.",
        ),
        click.option(
            "--timeout",
            default=5.0,
            show_default=True,
            type=TIMEOUT,
            metavar="SECONDS",
            help="Seconds to wait for the adapter's prompt on one command "
            f"(above 0, at most {adapter_mod.TIMEOUT_MAX:g}).",
        ),
        click.option(
            "--pending-cap",
            default=AdapterOptions.pending_cap,
            show_default=True,
            type=PENDING_CAP,
            metavar="SECONDS",
            help="Longest a unit may keep answering 'response pending' (0x78) to one request, "
            f"in all (above 0, at most {adapter_mod.PENDING_CAP_MAX:g}).",
        ),
        click.option("-v", "--verbose", is_flag=True, help="Show adapter traffic on stderr."),
        click.option(
            "--unredacted",
            is_flag=True,
            help="Show the VIN and the serial in -v traffic and error reports (masked "
            "by default: they are personal data in a garage's hands).",
        ),
        click.option(
            "--interface",
            metavar="NAME",
            type=INTERFACE,
            help="Native CAN adapter through python-can instead of an ELM327: socketcan, "
            "slcan, pcan, kvaser, gs_usb... ('config' = python-can's config file/CAN_* "
            "variables; 'virtual' with --channel sim://... = the simulated car).",
        ),
        click.option(
            "--channel",
            metavar="CHANNEL",
            help="python-can channel for --interface (can0, /dev/ttyACM0, PCAN_USBBUS1...).",
        ),
        click.option(
            "--bitrate",
            type=BITRATE,
            default=None,
            metavar="BIT/S",
            help="CAN bit rate for --interface (default 500000) and replay: traces.",
        ),
        click.option(
            "--trace",
            metavar="FILE.log",
            type=click.Path(dir_okay=False),
            help="Record the CAN exchange as candump -L lines in FILE.log plus a "
            "FILE.json sidecar (replay it with --port replay:FILE.log).",
        ),
    ]


profile_option = click.option(
    "--profile",
    default=DEFAULT_PROFILE,
    show_default=True,
    help="Vehicle profile: a shipped name (`g15diag profile list`) or your own TOML file.",
)


def target_options(func: F) -> F:
    """--address, --profile, --reads: which unit to read, and how often."""
    for option in reversed(
        [
            click.option(
                "--address",
                metavar="REQ:RESP",
                type=ADDRESS,
                help="Head-unit CAN IDs in hex (e.g. 7A0:7A8); skips the candidate search.",
            ),
            profile_option,
            click.option(
                "--reads",
                default=2,
                show_default=True,
                type=READS,
                metavar="N",
                help="How many identical reads confirm the serial.",
            ),
        ]
    ):
        func = option(func)
    return func


@overload
def adapter_options(func: F) -> F: ...


@overload
def adapter_options(func: None = None, *, optional: bool = False) -> Callable[[F], F]: ...


def adapter_options(func: F | None = None, *, optional: bool = False) -> Any:
    """Add the adapter options; the command gets them as one ``options: AdapterOptions`` and
    one ``run: Run`` (--trace, -v, --unredacted: what the API takes beside the options).

    Any of ``--address``/``--profile``/``--reads`` the command declares (e.g. with
    :func:`target_options`) go into the same record. With ``optional=True`` (``export
    --from``) the command gets ``options=None`` when neither --port nor --interface is given.
    """
    if func is None:
        return functools.partial(adapter_options, optional=optional)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raw = {name: kwargs.pop(name) for name in list(kwargs) if name in FIELDS}
        policy = {name: kwargs.pop(name) for name in RUN_FIELDS}
        kwargs["run"] = run_policy(**policy)
        if optional and not (raw.get("port") or raw.get("interface")):
            kwargs["options"] = None
        else:
            kwargs["options"] = AdapterOptions(**raw)
        return func(*args, **kwargs)

    for option in reversed(_options()):
        wrapper = option(wrapper)
    return wrapper


def run_policy(verbose: bool, unredacted: bool, trace: str | None) -> Run:
    """The run policy of one command: -v prints traffic on stderr, --trace records, the
    sidecar names the command, --baud auto's finding goes to stderr."""
    from g15diag.app.link import Run

    return Run(
        trace=trace,
        traffic=traffic_printer(verbose),
        unredacted=unredacted,
        command=_command_name(),
        notice=lambda text: click.echo(text, err=True),
    )


def _command_name() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.command_path.removeprefix("g15diag ") if ctx else ""


def traffic_printer(enabled: bool) -> Callable[[TrafficEvent], None] | None:
    """A -v traffic logger writing to stderr, or None. The events come masked from the run
    (the serial and VIN data bytes as ``**`` unless --unredacted)."""
    if not enabled:
        return None

    from g15diag.protocol.visible import visible

    def log(event: TrafficEvent) -> None:
        click.echo(visible(str(event)), err=True)  # an adapter's ESC or NUL stays text

    return log
