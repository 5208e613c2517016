"""Which port names are adapters: the one allowlist every port passes through.

pyserial's ``serial_for_url`` understands more than adapters: ``spy://`` opens a log file
named in the URL for writing (``?file=victim.txt`` empties it) and dumps the traffic on
stderr, ``loop://`` is a loopback, ``hwgrep://``/``alt://`` pick other handlers. A port is
accepted only as what an OBD adapter is: a device path or ``COMn``, ``socket://HOST:PORT`` or
``rfc2217://HOST:PORT`` (no options after the port), or the tool's own ``sim://``,
``replay:FILE`` and ``ble://``. Anything else is refused in one sentence (exit 2) before
anything is opened. :func:`check` is called by :mod:`g15diag.app.adapter` (CLI, variables, config
file, API and page) and again by the ELM327 transport before it opens a port.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from g15diag import errors
from g15diag.protocol.visible import bounded

#: the tool's own schemes (the simulator, Bluetooth LE) and the network adapters'
OWN_SCHEMES = frozenset({"sim", "ble"})
NETWORK_SCHEMES = frozenset({"socket", "rfc2217"})
REPLAY_PREFIX = "replay:"
EXAMPLES = (
    "a device (/dev/ttyUSB0, COM3), socket://HOST:PORT, rfc2217://HOST:PORT, sim://, "
    "ble://ADDRESS or replay:FILE"
)
#: longest port text quoted back in a refusal
SHOWN = 60


class PortNameError(errors.UsageError):
    """A port that is not an adapter; ``problem`` is the sentence without "Bad port:"."""

    def __init__(self, problem: str) -> None:
        self.name, self.problem = "port", problem
        super().__init__(f"Bad port: {problem}")


def scheme_of(port: str) -> str:
    """The URL scheme of ``port`` in lower case ("" for a device path)."""
    return port.split("://", 1)[0].lower() if "://" in port else ""


def check(port: str) -> str:
    """``port`` if it names an adapter; :class:`PortNameError` otherwise (nothing opened)."""
    shown = bounded(repr(port)[1:-1], SHOWN)
    if any(ch in port for ch in "\x00\r\n") or not port.isprintable():
        raise PortNameError(f"'{shown}' holds control characters; a port name never does.")
    if port.startswith(REPLAY_PREFIX):
        if not port[len(REPLAY_PREFIX) :].strip():
            raise PortNameError("replay: needs a trace file, e.g. replay:car.log.")
        return port
    scheme = scheme_of(port)
    if not scheme:
        return port  # a device path or COMn: opened as a serial port, never as a URL
    if scheme in OWN_SCHEMES:
        return port
    if scheme in NETWORK_SCHEMES:
        _check_network(port, scheme, shown)
        return port
    raise PortNameError(f"'{shown}' is not an adapter port; use {EXAMPLES}.")


def _check_network(port: str, scheme: str, shown: str) -> None:
    try:
        parts = urlsplit(port)
        number = parts.port
    except ValueError:
        parts, number = None, None
    if parts is None or not parts.hostname or number is None or not 1 <= number <= 65535:
        raise PortNameError(
            f"'{shown}' needs a host and a port from 1 to 65535, e.g. {scheme}://192.168.0.10:35000."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in port:
        raise PortNameError(
            f"'{shown}' has options after the port; an adapter port is {scheme}://HOST:PORT only."
        )
