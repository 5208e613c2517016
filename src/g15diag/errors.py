"""One exception tree for the whole tool, and the exit status each maps to.

Everything a user, an adapter or a car can cause is raised as a subclass of
:class:`G15DiagError`; the CLI turns it into one sentence, a hint and the
documented exit status (see README, "Exit status").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class ExitStatus:
    """Documented process exit statuses (README, "Exit status")."""

    OK = 0
    FAILURE = 1  # unexpected internal error (a bug: please report it)
    USAGE = 2  # bad command line, bad profile, bad input file
    ADAPTER = 3  # port or adapter problem (cannot open, no prompt, disconnect, bus error)
    NO_ANSWER = 4  # no head unit answered
    REFUSED = 5  # the head unit answered with a negative response (NRC)
    DISAGREE = 6  # two reads of the same identifier returned different bytes
    NOT_USABLE = 7  # `doctor`: the adapter cannot do what the tool needs
    ADAPTER_INCAPABLE = 8  # the adapter refused a command the read needs (clone)
    OUTPUT = 9  # cannot write an output file (exists, disk full, permission)
    READ_ONLY = 10  # the read-only guard refused a request (always a bug)
    FELL_SILENT = 11  # the unit answered the first read, then not the confirming one
    INTERRUPTED = 130  # Ctrl-C / SIGINT


@dataclass(frozen=True)
class Quote:
    """Adapter output quoted in a message, kept raw. A face shows it masked like ``-v``
    traffic (g15diag.app.privacy), or raw when the run is unredacted."""

    text: str
    request: bytes | None = None
    command: str = ""
    id_bits: int = 11


@dataclass(frozen=True)
class Difference:
    """Two reads of one identifier that differ, kept raw (their bytes are personal data)."""

    first: bytes
    second: bytes


#: a raw value inside a message: shown by a face, masked unless asked
Part = Quote | Difference
#: a message: plain text, or text and raw parts in order
Message = str | tuple[str | Part, ...]


#: how many characters of adapter output a message quotes
QUOTE_LIMIT = 60


def raw(part: Part) -> str:
    """A part as it is (what ``str()`` shows before a face presented the error)."""
    if isinstance(part, Quote):
        return repr(part.text[:QUOTE_LIMIT])
    return f"{part.first.hex(' ').upper()} versus {part.second.hex(' ').upper()}"


class G15DiagError(Exception):
    """Base of every error the tool raises on purpose.

    The message may hold raw parts (:class:`Quote`, :class:`Difference`): ``pieces`` keeps
    them raw; a face renders them once (g15diag.app.privacy.present: masked unless the run is
    unredacted) and ``str()`` then gives that text. Before that, ``str()`` is raw.
    """

    exit_status: int = ExitStatus.FAILURE
    hint: str | None = None

    def __init__(self, message: Message, *, hint: str | None = None) -> None:
        self.pieces: tuple[str | Part, ...] = (message,) if isinstance(message, str) else message
        #: the message as a face presented it (None: not presented yet)
        self.shown: str | None = None
        #: the hint as a face presented it
        self.shown_hint: str | None = None
        super().__init__(self.render(raw))
        if hint is not None:
            self.hint = hint

    @property
    def parts(self) -> tuple[Part, ...]:
        """The raw values in the message, in order."""
        return tuple(p for p in self.pieces if not isinstance(p, str))

    def render(self, show: Callable[[Part], str]) -> str:
        """The message with every part shown by ``show``."""
        return "".join(p if isinstance(p, str) else show(p) for p in self.pieces)

    def __str__(self) -> str:
        return self.shown if self.shown is not None else self.render(raw)


class UsageError(G15DiagError):
    """The user asked for something impossible (bad address, bad file...)."""

    exit_status = ExitStatus.USAGE


class ReadOnlyViolation(G15DiagError):
    """A request outside the read-only allowlist was about to reach the wire."""

    exit_status = ExitStatus.READ_ONLY


# --- adapter / port ---------------------------------------------------------


class AdapterError(G15DiagError):
    """The port or the adapter failed."""

    exit_status = ExitStatus.ADAPTER


class PortError(AdapterError):
    """The port cannot be opened or was lost."""


class BluetoothError(PortError):
    """A Bluetooth LE adapter (``--port ble://...``) cannot be reached or was lost."""


class BluetoothUnavailable(BluetoothError):
    """No Bluetooth LE radio on this computer, it is switched off, or its use is denied."""


class BluezNotRunning(BluetoothError):
    """Linux: the BlueZ service (``bluetoothd``) or the system D-Bus is not running."""

    hint = (
        "Start it with `sudo systemctl start bluetooth` (and `sudo systemctl enable bluetooth` "
        "to keep it), then try again."
    )


class BleDeviceNotFound(BluetoothError):
    """No advertising device with the name or address the ``ble://`` port gives."""


class BleNoUart(BluetoothError):
    """The device has no serial-like (UART) GATT service: not an ELM327 adapter."""


class BleBusy(BluetoothError):
    """The device was seen but refused the connection (it accepts one central at a time)."""


class BleDisconnected(BluetoothError):
    """The Bluetooth LE link dropped while the tool was using the adapter."""


class AdapterTimeout(AdapterError):
    """The adapter did not come back to its ``>`` prompt in time."""

    hint = (
        "Check that the adapter is powered (ignition on), the port and --baud are right, "
        "and no other program uses the port."
    )

    def __init__(self, message: Message, *, hint: str | None = None, received: str = "") -> None:
        super().__init__(message, hint=hint)
        #: what arrived before the deadline (no prompt in it); "" when nothing did
        self.received = received


class AdapterUnsupported(AdapterError):
    """The adapter answered ``?`` to a command the tool needs (typical of clones)."""

    exit_status = ExitStatus.ADAPTER_INCAPABLE

    def __init__(self, command: str, *, hint: str | None = None) -> None:
        self.command = command
        super().__init__(
            f"The adapter does not understand {command!r} (it answered '?').",
            hint=hint
            or (
                "This is typical of cheap 'v1.5'/'v2.1' ELM327 clones. Run `g15diag doctor` "
                "and read `g15diag help adapters` for adapters that work."
            ),
        )


class WildcardFilterUnsupported(AdapterUnsupported):
    """The adapter answered ``?`` to ``--wide``'s wildcard filter ``ATCRA7XX`` (a clone that
    has ATCRA without the X digit): it cannot listen to every answer ID."""

    def __init__(self, command: str) -> None:
        self.command = command
        AdapterError.__init__(
            self,
            f"This adapter cannot listen to all answer IDs (it answered '?' to {command!r}), "
            "so --wide cannot search with it.",
            hint="Search known IDs with `--range` (e.g. 700-7FF) or `--address REQ:RESP`, or "
            "use an adapter with a genuine ELM327 v1.3+ or STN chip (`g15diag doctor`).",
        )


class RequestTruncated(AdapterError):
    """The unit saw a shorter request than was sent: the adapter cut it (typical clone)."""

    exit_status = ExitStatus.ADAPTER_INCAPABLE
    hint = (
        "'v1.5'/'v2.1' ELM327 clones keep only 2 bytes of a request, so a 3-byte "
        "identifier read cannot work. Run `g15diag doctor` and use an adapter from "
        "`g15diag help adapters`."
    )


class AdapterStatus(AdapterError):
    """An ELM327 status/error line such as ``CAN ERROR``."""

    status: str = ""
    default_hint: str | None = None

    def __init__(self, status: str, *, command: str | None = None) -> None:
        self.status = status
        self.command = command
        where = f" to {command!r}" if command else ""
        super().__init__(
            ("The adapter answered ", Quote(status), f"{where}."), hint=self.default_hint
        )


class CanBusError(AdapterStatus):
    default_hint = (
        "The adapter cannot talk on the CAN bus: check the bit rate (--protocol 6 = 500 kbit/s, "
        "8 = 250 kbit/s), that the ignition is on, and the OBD pins (`g15diag help adapters`)."
    )


class FrameCheckFailed(AdapterStatus):
    """``DATA ERROR`` / ``<DATA ERROR``: a unit answered, but its frames failed the adapter's
    check (ELM327 datasheet). Never "nobody here": the search stops and names the address."""

    exit_status = ExitStatus.ADAPTER_INCAPABLE
    default_hint = (
        "Old ELM327 firmware (v1.x) and its clones reject CAN frames that are not padded to 8 "
        "bytes, and some units send such frames. Use an adapter with newer firmware (ELM327 "
        "v2.x, or an STN-based one such as OBDLink): see `g15diag help adapters`, and run "
        "`g15diag doctor`."
    )

    def __init__(self, status: str, *, command: str | None = None, where: str = "") -> None:
        super().__init__(status, command=command)
        self.where = where
        if where:
            word = "<DATA ERROR" if "<" in status else "DATA ERROR"
            self.pieces = (
                f"A unit answered at {where}, but the adapter rejected its answer "
                f"({word}): the frames failed the adapter's check.",
            )
            self.args = (self.render(raw),)


class BufferFull(AdapterStatus):
    default_hint = "The adapter's buffer overflowed: use a higher --baud or a better adapter."


class AdapterStopped(AdapterStatus):
    default_hint = "The adapter was interrupted; another program may be using the port."


class AdapterReset(AdapterStatus):
    default_hint = "The adapter reset itself (low voltage). Check the battery; connect a charger."


class BusInitError(AdapterStatus):
    default_hint = "The adapter could not connect to the car. Switch the ignition on."


class CloneBusStatus(BusInitError):
    """``NOT CONNECTED`` (not an ELM327 message) or ``BUS INIT: ...`` (K-line only) on CAN."""

    default_hint = (
        "That answer is not one a genuine ELM327 gives on CAN; clone adapters print it. "
        "Switch the ignition on and try again; if it stays, run `g15diag doctor` and use an "
        "adapter from `g15diag help adapters`."
    )


class AdapterFault(AdapterStatus):
    default_hint = "The adapter reported an internal fault; unplug it and plug it in again."


# --- protocol -----------------------------------------------------------------


class ProtocolError(G15DiagError):
    """Bytes on the wire do not follow ISO-TP / UDS / KWP."""

    exit_status = ExitStatus.ADAPTER


class IsoTpError(ProtocolError):
    """A multi-frame answer broke (missing, out-of-order or malformed frame)."""


class MalformedResponse(ProtocolError):
    """A reassembled answer does not match the request."""


# --- the car ----------------------------------------------------------------


class NoAnswer(G15DiagError):
    """No ECU answered at the address."""

    exit_status = ExitStatus.NO_ANSWER


class NegativeResponse(G15DiagError):
    """The ECU refused the request with a negative response code."""

    exit_status = ExitStatus.REFUSED

    def __init__(self, service: int, nrc: int, name: str) -> None:
        self.service = service
        self.nrc = nrc
        self.nrc_name = name
        super().__init__(f"The unit refused service 0x{service:02X}: NRC 0x{nrc:02X} ({name}).")


class SerialNotFound(G15DiagError):
    """A unit answered but gave no serial at any place the ladder asks (exit 5, refused)."""

    exit_status = ExitStatus.REFUSED


class PendingTimeout(NoAnswer):
    """The ECU kept answering responsePending (0x78) past the P2* budget."""


class FellSilent(G15DiagError):
    """The unit answered the first read of an identifier, then not the confirming read."""

    exit_status = ExitStatus.FELL_SILENT


class ReadsDisagree(G15DiagError):
    """Two reads of the same identifier returned different bytes."""

    exit_status = ExitStatus.DISAGREE


class UserInterrupt(G15DiagError):
    """Ctrl-C (or SIGTERM/SIGHUP) ended a scan or discover early: what came before is kept;
    ``__cause__`` is the signal's own exception (the CLI re-raises it after the output)."""

    exit_status = ExitStatus.INTERRUPTED


class OutputError(G15DiagError):
    """An output file cannot be written."""

    exit_status = ExitStatus.OUTPUT


#: (status(es), meaning): the README's "Exit status" table and ``g15diag help exit-status``
#: (tests/test_readme_help.py keeps the two equal).
STATUS_TABLE: tuple[tuple[str, str], ...] = (
    ("0", "success"),
    ("1", "internal error (a bug; please report it)"),
    ("2", "usage: bad option, address, profile or input file"),
    ("3", "port or adapter problem (cannot open, no prompt, lost connection, bus error)"),
    ("4", "no head unit answered"),
    (
        "5",
        "the serial was not read: the head unit refused (negative response code), or answered "
        "but gave no serial at any place the ladder asks (`identify` still prints what it "
        "read, `export` still writes the sheet; `discover` lists what it gives)",
    ),
    ("6", "two reads disagreed"),
    ("7", "`doctor`: the adapter is not usable"),
    (
        "8",
        "the adapter does not understand a command the read needs (typical of clones), or it "
        "rejected a unit's answer with `DATA ERROR` (old firmware and a unit that does not pad "
        "its frames: the message names the address)",
    ),
    ("9", "an output file cannot be written"),
    ("10", "the read-only guard refused a request (a bug; nothing was sent)"),
    (
        "11",
        "the head unit answered the first read of the serial, then not the confirming read "
        "(it fell silent: check ACC and the connector, and read again)",
    ),
    (
        "129, 130, 143",
        "interrupted by SIGHUP, SIGINT (Ctrl-C) or SIGTERM (128 + the signal number); no "
        "partial file or temporary is left, and files that were already complete are named",
    ),
)
