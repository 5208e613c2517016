"""``--baud auto`` for an ELM327: the host-side speed at which the adapter shows its prompt.

Only the host's port speed changes; nothing is sent that changes the adapter's stored
speed. Each speed costs one ``ATI`` (checked by ``elm_commands`` before it is written) and
ends on the prompt, on line noise followed by silence, or after PROBE_WINDOW of nothing.
:class:`~g15diag.transport.elm327.Elm327Transport` calls :func:`detect_baud` from its
``_detect_baud`` (which a BLE transport overrides: a BLE link has no speed to find).
"""

from __future__ import annotations

from collections.abc import Callable

import serial

from g15diag import errors
from g15diag.protocol import elm
from g15diag.protocol.can import Line, Traffic
from g15diag.transport import elm_commands as at
from g15diag.transport.elm_commands import check_command

__all__ = ["AUTO_BAUD", "AUTO_BAUDS", "PROBE_SETTLE", "PROBE_WINDOW", "detect_baud"]

#: ``--baud auto``: the two ELM327 power-up rates (pin 6), OBDLink's 115200, then the rates
#: other tools leave adapters at (research: users_adapters_dealer.md §1.1, §1.3).
AUTO_BAUD = "auto"
AUTO_BAUDS = (38400, 9600, 115200, 230400, 57600, 500_000, 1_000_000)
PROBE_WINDOW = 0.3  # a speed that brings nothing at all back within this is wrong
PROBE_SETTLE = 0.1  # line noise followed by this much silence: the speed is wrong
_PROMPT = elm.PROMPT.encode("ascii")


def detect_baud(
    port: serial.Serial,
    *,
    url: str,
    timeout: float,
    clock: Callable[[], float],
    emit: Callable[[Traffic], None],
    on_identity: Callable[[str], None],
) -> tuple[int, float]:
    """Set ``port`` to the first of AUTO_BAUDS at which the adapter shows its prompt;
    (that rate, the seconds the search took). ``emit`` hears each probe's ``ATI``,
    ``on_identity`` gets the reply that found the speed."""
    started = clock()
    for rate in AUTO_BAUDS:
        try:
            port.baudrate = rate
            port.reset_input_buffer()
            found = _probe(port, timeout, clock, emit, on_identity)
        except (serial.SerialException, OSError, ValueError) as exc:
            if isinstance(exc, ValueError):
                continue  # this platform cannot set that speed
            raise errors.PortError(f"Lost the connection to the adapter on {url}: {exc}.") from exc
        if found:
            return rate, clock() - started
    raise errors.AdapterTimeout(
        f"No adapter prompt on {url} at any speed ({', '.join(str(r) for r in AUTO_BAUDS)} baud).",
        hint="Check that the adapter is plugged in and powered (ignition on) and that "
        "this is its port (`g15diag adapters`).",
    )


def _probe(
    port: serial.Serial,
    timeout: float,
    clock: Callable[[], float],
    emit: Callable[[Traffic], None],
    on_identity: Callable[[str], None],
) -> bool:
    """Send ``ATI`` once; True when a clean ASCII reply ending in the prompt comes back."""
    command = at.IDENTITY.line()
    check_command(command)
    note = f"at {port.baudrate} baud"
    emit(Traffic(True, (Line(command),), None, command, note))
    port.write(elm.command_line(command))
    deadline = clock() + min(PROBE_WINDOW, timeout)
    buffer = bytearray()
    last: float | None = None
    while True:
        chunk = port.read(max(1, port.in_waiting))
        now = clock()
        if chunk:
            buffer += chunk
            last = now
            if buffer.rstrip().endswith(_PROMPT) and buffer.isascii():
                on_identity(buffer.decode("ascii"))  # the probe's ATI: kept
                return True
        elif last is not None and now - last >= PROBE_SETTLE:
            return False
        if now >= deadline:
            return False
