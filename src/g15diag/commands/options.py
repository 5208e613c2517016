"""Options shared by the commands that talk to an adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from g15diag.errors import UsageError
from g15diag.transport.base import Target, Transport

F = TypeVar("F", bound=Callable[..., Any])


def adapter_options(func: F) -> F:
    """--port, --baud, --protocol, --timeout, -v."""
    for option in reversed(
        [
            click.option(
                "--port",
                "-p",
                required=True,
                metavar="PORT",
                help="Adapter port: /dev/ttyUSB0, COM3, /dev/rfcomm0, "
                "socket://192.168.0.10:35000, or sim:// for the simulator.",
            ),
            click.option(
                "--baud",
                default=38400,
                show_default=True,
                type=int,
                help="Serial speed to the adapter (ignored for socket:// and sim://).",
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
        ]
    ):
        func = option(func)
    return func


def bitrate_of(adapter: dict[str, Any]) -> int:
    """The bus bit rate the adapter options select."""
    from g15diag.transport import PROTOCOL_BITRATES

    return PROTOCOL_BITRATES[int(adapter["protocol"])]


@contextmanager
def connected(**adapter: Any) -> Iterator[Transport]:
    """Open the transport the adapter options (``**adapter`` from :func:`adapter_options`)
    name, and close it afterwards, whatever happens."""
    from g15diag.transport import make_transport

    transport = make_transport(
        adapter["port"],
        baud=adapter["baud"],
        protocol=int(adapter["protocol"]),
        timeout=adapter["timeout"],
        traffic=traffic_printer(adapter["verbose"]),
    )
    with transport:
        yield transport


def parse_address(text: str, bitrate: int) -> Target:
    """``7A0:7A8`` -> Target; IDs in hex; above 0x7FF means 29-bit."""
    try:
        req_text, resp_text = text.split(":")
        req, resp = int(req_text, 16), int(resp_text, 16)
    except ValueError:
        raise UsageError(
            f"--address {text!r} is not REQ:RESP in hex (for example 7A0:7A8)."
        ) from None
    for value in (req, resp):
        if not 0 <= value <= 0x1FFFFFFF:
            raise UsageError(f"--address {text!r}: CAN ID out of range.")
    return Target(req, resp, bitrate)


def traffic_printer(enabled: bool) -> Callable[[str, str], None] | None:
    """A -v traffic logger writing to stderr, or None."""
    if not enabled:
        return None

    def log(direction: str, text: str) -> None:
        click.echo(f"{direction} {text}", err=True)

    return log
