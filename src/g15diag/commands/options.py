"""Options shared by the commands that talk to an adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import click

from g15diag.errors import G15DiagError, UsageError
from g15diag.transport.base import Traffic, Transport

F = TypeVar("F", bound=Callable[..., Any])


class BaudType(click.ParamType):
    """A serial speed in bit/s, or ``auto``."""

    name = "BAUD|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit() and 300 <= int(text) <= 4_000_000:
            return int(text)
        self.fail(f"{value!r} is not a serial speed (e.g. 38400) or 'auto'.", param, ctx)


BAUD = BaudType()


def _set_unredacted(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    from g15diag import privacy

    privacy.set_unredacted(value)


def adapter_options(func: F) -> F:
    """--port, --baud, --protocol, --timeout, -v; --interface/--channel/--bitrate; --trace."""
    for option in reversed(
        [
            click.option(
                "--port",
                "-p",
                metavar="PORT",
                help="Adapter port: /dev/ttyUSB0, COM3, /dev/rfcomm0, "
                "socket://192.168.0.10:35000, sim:// for the simulator, or replay:FILE.log "
                "to answer from a recorded trace. Required unless --interface is given.",
            ),
            click.option(
                "--baud",
                default="38400",
                show_default=True,
                type=BAUD,
                help="Serial speed to the adapter, or 'auto' to find it (tries 38400, 9600, "
                "115200, 230400, 57600, 500000, 1000000; never changes the adapter's setting).",
            ),
            click.option(
                "--protocol",
                type=click.Choice(["6", "7", "8", "9"]),
                default="6",
                show_default=True,
                help="ELM327 protocol: 6 = CAN 11-bit 500 kbit/s, 8 = 11-bit "
                "250 kbit/s, 7/9 = 29-bit 500/250.",
            ),
            click.option(
                "--timeout",
                default=5.0,
                show_default=True,
                type=float,
                help="Seconds to wait for the adapter's prompt on one command.",
            ),
            click.option("-v", "--verbose", is_flag=True, help="Show adapter traffic on stderr."),
            click.option(
                "--unredacted",
                is_flag=True,
                expose_value=False,
                callback=_set_unredacted,
                help="Show the VIN and the serial in -v traffic and error reports (masked "
                "by default: they are personal data in a garage's hands).",
            ),
            click.option(
                "--interface",
                metavar="NAME",
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
                type=click.IntRange(10_000, 1_000_000),
                default=None,
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
    ):
        func = option(func)
    return func


def bitrate_of(adapter: dict[str, Any]) -> int:
    """The bus bit rate the adapter options select."""
    from g15diag.transport import PROTOCOL_BITRATES

    if adapter.get("bitrate"):
        return int(adapter["bitrate"])
    if adapter.get("interface"):
        return 500_000
    return PROTOCOL_BITRATES[int(adapter["protocol"])]


@contextmanager
def connected(**adapter: Any) -> Iterator[Transport]:
    """Open the transport the adapter options (``**adapter`` from :func:`adapter_options`)
    name, and close it afterwards, whatever happens."""
    from g15diag.transport import make_transport

    port, interface = adapter.get("port"), adapter.get("interface")
    if not port and not interface:
        raise UsageError("Missing option '--port' (or '--interface' for a native CAN adapter).")
    if port and interface:
        raise UsageError("Give either --port or --interface, not both.")
    if adapter.get("channel") and not interface:
        raise UsageError("--channel goes with --interface.")
    if adapter.get("bitrate") and not interface and not port.startswith("replay:"):
        raise UsageError("--bitrate goes with --interface or a replay: port (ELM327: --protocol).")
    transport = make_transport(
        port or "",
        baud=adapter["baud"],
        protocol=int(adapter["protocol"]),
        timeout=adapter["timeout"],
        traffic=traffic_printer(adapter["verbose"]),
        interface=interface,
        channel=adapter.get("channel"),
        bitrate=_native_bitrate(adapter),
    )
    recorder = None
    if adapter.get("trace"):
        from g15diag.traces.recorder import Recorder

        recorder = Recorder(adapter["trace"])
    try:
        with transport:
            if recorder is not None:
                recorder.attach(transport)
            try:
                yield transport
            except BaseException as exc:
                if recorder is not None:
                    recorder.note_error(exc)
                    done, recorder = recorder, None
                    with suppress(G15DiagError):  # the first error is the one to report
                        done.finish(transport, _command_name(), bitrate_of(adapter))
                raise
            if recorder is not None:
                done, recorder = recorder, None
                done.finish(transport, _command_name(), bitrate_of(adapter))
    finally:
        if recorder is not None:
            recorder.discard()


def note_result(transport: Transport, result: dict[str, Any]) -> None:
    """Give --trace's sidecar the command's result (its JSON form); no-op without --trace."""
    from g15diag.traces.recorder import note_result as note

    note(transport, result)


def _native_bitrate(adapter: dict[str, Any]) -> int | None:
    """--bitrate for a native bus; ``--interface config`` leaves it to python-can's config."""
    if not adapter.get("interface"):
        return None
    if adapter.get("bitrate"):
        return int(adapter["bitrate"])
    return None if adapter["interface"] == "config" else 500_000


def _command_name() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.command_path.removeprefix("g15diag ") if ctx else ""


def traffic_printer(enabled: bool) -> Callable[[Traffic], None] | None:
    """A -v traffic logger writing to stderr, or None. The data bytes of answers that carry
    the serial or the VIN are masked unless --unredacted was given (g15diag.privacy)."""
    if not enabled:
        return None
    from g15diag import privacy

    render = privacy.TrafficMasker()

    def log(step: Traffic) -> None:
        note = f" ({step.note})" if step.note else ""
        click.echo(f"{'>' if step.sent else '<'} {render(step)}{note}", err=True)

    return log
