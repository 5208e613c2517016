"""The supply voltage at the OBD socket, as the adapter measures it (``ATRV``).

Only ELM327-family adapters measure it; a native CAN interface has no such command, and an
adapter that answers ``?`` simply has no reading: both give None, never an error.
"""

from __future__ import annotations

from g15diag import errors
from g15diag.protocol import elm
from g15diag.transport.base import Transport

#: under this the advice is to connect a charger before reading or entering a code
LOW_VOLTAGE = 12.0


def read_voltage(transport: Transport) -> float | None:
    """Volts at the OBD socket through ``transport``, or None when it cannot tell."""
    from g15diag.transport.elm327 import Elm327Transport

    if not isinstance(transport, Elm327Transport):
        return None
    try:
        lines = elm.check_ok("ATRV", transport.command("ATRV"))
    except (errors.AdapterUnsupported, errors.AdapterStatus):
        return None
    return elm.parse_voltage(" ".join(lines))
