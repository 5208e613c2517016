"""ELM327 (and compatible) adapters over pyserial: USB, Bluetooth SPP, ``socket://`` Wi-Fi.

Opens any pyserial URL with ``serial.serial_for_url``, brings the adapter to a known state
with ``ATD`` (defaults, no chip reset: a full ``ATZ`` costs about a second on real chips), and
reads every answer up to the ``>`` prompt against a deadline — never a fixed sleep. Every
command line is a round trip (15-40 ms on Bluetooth), so only what a read needs is sent, and
nothing twice: the identity (``ATI``) only when a report asks for it, per target only the
header, filter and flow-control commands that change, the silence wait (``ATST``) only before
the data request that needs a new one (docs/performance.md lists the minimum per case).
The lowest write checks every line once more (``elm_commands``): AT commands in exactly the
shapes the tool uses, data lines through the read-only guard, and no data line before ``ATD``
has put the adapter back to its defaults (CAN auto-formatting on). A bare CR (which repeats
the adapter's last command, whoever sent it) is never written.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from collections.abc import Callable

import serial

from g15diag import errors
from g15diag.protocol import can, elm, isotp, uds
from g15diag.protocol.can import Line, Target, Traffic, TrafficLog
from g15diag.transport import elm_commands as at
from g15diag.transport import port_names
from g15diag.transport.base import AdapterInfo, Transport
from g15diag.transport.elm_baud import AUTO_BAUD, AUTO_BAUDS, detect_baud
from g15diag.transport.elm_baud import PROBE_SETTLE as PROBE_SETTLE
from g15diag.transport.elm_baud import PROBE_WINDOW as PROBE_WINDOW
from g15diag.transport.elm_commands import FC_DATA, check_command, is_data, request_of, squash
from g15diag.transport.elm_errors import check_device, no_prompt, port_error

__all__ = ["AUTO_BAUD", "AUTO_BAUDS", "FC_DATA", "Elm327Transport", "check_command"]

DEFAULT_BAUD = 38400
#: ATST value for identification reads, in 4 ms units: 0x19 = 100 ms of silence ends a read.
IDENT_ST = 0x19
WIDE_ST = 0xFF  # ~1 s, after a responsePending (ddt4all uses FF for slow answers too)
#: ATST of a search's quick pass: P2server (50 ms) plus a 10 ms margin, in 4 ms units
#: (0x0F = 60 ms). A UDS or KWP-on-CAN server answers, or says responsePending, within P2.
QUICK_ST = -(-round((uds.P2_SERVER + 0.010) * 1000) // 4)
#: the adapter's own ATST after ATD (0x32 = 200 ms)
DEFAULT_ST = 0x32
#: ATST for `scan`: 0x10 = 64 ms, just above the UDS default P2server (50 ms), so a silent
#: candidate costs about 64 ms instead of 100 ms (a set response-count digit ends answered ones).
SCAN_ST = 0x10
POLL = 0.05  # longest a single read() blocks before the deadline is re-checked
#: a responsePending single frame in an answer being printed (``03 7F 22 78``, spaces or not)
_PENDING_LINE = re.compile("03 ?7F ?[0-9A-F]{2} ?78")


class Elm327Transport(Transport):
    """One ELM327-compatible adapter behind a pyserial URL."""

    resend_after_pending = True

    def __init__(
        self,
        url: str,
        *,
        baud: int | str = DEFAULT_BAUD,
        protocol: int = 6,
        timeout: float = 5.0,
        traffic: TrafficLog | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        #: an injected clock wins; else a port that keeps its own time (the in-process
        #: simulator's ``port.clock``) lends it on open; else the wall clock
        self._clock_given = clock is not None
        if clock is not None:
            self.clock = clock
        self.url = url
        self.baud = baud
        self.protocol = protocol
        self.timeout = timeout
        if traffic is not None:
            self.traffic_listeners.append(traffic)
        self.commands_sent: list[str] = []
        self._last = ""  # the command whose answer is being read
        self._port: serial.Serial | None = None
        self._target: Target | None = None
        self._fc_mode_set = False
        self._defaults = False  # ATD answered on this connection (CAN auto-formatting on)
        self._count_digit = True
        self._st = DEFAULT_ST  # the ATST the adapter has
        self._want_st = IDENT_ST  # the ATST the next data request needs
        self.ident_st = IDENT_ST  # the ATST every set_target() restores (see set_silence_wait)
        #: the last value sent per set-up command (ATSH, ATCRA...): a repeat is not sent
        self._settings: dict[str, str] = {}
        self._identity_read = False
        self._queue: deque[bytes] = deque()
        self.info = AdapterInfo(kind="elm327", port=url, simulated=url.startswith("sim:"))

    # -- port ------------------------------------------------------------------

    def open(self) -> None:
        if self._port is not None:
            return  # already open (e.g. entered as a context manager after open())
        self.open_port()
        try:
            self._initialise()
        except BaseException:
            self.close()
            raise

    def open_port(self) -> None:
        """Open the port only (finding the speed for ``baud="auto"``); no adapter set-up.

        ``doctor`` and ``adapters --probe`` use this to test commands one by one.
        """
        if self._port is not None:
            return
        port_names.check(self.url)  # the allowlist again: never a pyserial spy:// or loop://
        check_device(self.url)
        auto = self.baud == AUTO_BAUD
        first = AUTO_BAUDS[0] if auto else int(self.baud)
        try:
            self._port = serial.serial_for_url(self.url, baudrate=first, timeout=POLL)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise port_error(self.url, exc) from exc
        port_clock = getattr(self._port, "clock", None)
        if not self._clock_given and callable(port_clock):
            self.clock = port_clock
        try:
            self._port.reset_input_buffer()
            if auto:
                self._detect_baud(self._port)
            self.info.details["baud"] = str(self._port.baudrate)
        except BaseException:
            self.close()
            raise

    def _detect_baud(self, port: serial.Serial) -> int:
        """Set the host side to the first speed at which the adapter shows its prompt
        (:func:`~g15diag.transport.elm_baud.detect_baud`; the probe's ``ATI`` is kept)."""
        rate, seconds = detect_baud(
            port,
            url=self.url,
            timeout=self.timeout,
            clock=self.clock,
            emit=self._emit_traffic,
            on_identity=self._note_identity,
        )
        self.info.details["baud_detect_seconds"] = f"{seconds:.3f}"
        return rate

    def close(self) -> None:
        port, self._port = self._port, None
        self._defaults = False
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    # -- adapter set-up --------------------------------------------------------------

    def _initialise(self) -> None:
        said = self._at(at.DEFAULTS.line())  # defaults without a chip reset; echo may be on
        if any(elm.SIMULATOR_MARK in line for line in said):
            self.info.simulated = True  # `g15diag simulate` behind a real pty or socket
        self._at(at.ECHO_OFF.line(), optional=True)  # echo off: no line comes back twice
        self._at(at.HEADERS_ON.line())  # CAN ID + PCI: to reassemble and attribute
        self._at(at.PROTOCOL.line(self.protocol))
        # No ATS0 (answers parse with spaces), no ATI (adapter_identity(), when a report
        # needs it), no ATST yet (sent before the first data request that needs it).

    def adapter_identity(self) -> str:
        """``ATI``, sent once on this connection, when a report or the sheet needs it."""
        if not self._identity_read and self._port is not None:
            self._note_identity(self._transact(at.IDENTITY.line()))
        return self.info.identity

    def _note_identity(self, text: str) -> None:
        try:
            identity = elm.check_ok(at.IDENTITY.line(), text)
        except (errors.AdapterStatus, errors.AdapterUnsupported):
            identity = []
        self._identity_read = True
        self.info.identity = " ".join(identity) or "unknown"
        if elm.SIMULATOR_MARK in self.info.identity:
            self.info.simulated = True

    def _setting(self, name: str, line: str) -> None:
        """Send ``line`` unless the adapter's setting ``name`` already has it (since ATD)."""
        if self._settings.get(name) != line:
            self._at(line)
            self._settings[name] = line

    def set_target(self, target: Target) -> None:
        if target.extended != (self.protocol in (7, 9)):
            raise errors.UsageError(
                f"Target {target.label} needs protocol {'7 or 9' if target.extended else '6 or 8'}"
                f" (29-bit IDs need 7/9), but the adapter is set to {self.protocol}."
            )
        # Only what changes is sent. ATFCSH stays explicit although some chips derive the
        # flow-control ID themselves: the datasheet leaves that open for non-OBD IDs.
        if target.extended:
            self._setting("priority", at.PRIORITY.line(target.request_id >> 24))
            self._setting("header", at.HEADER_24.line(target.request_id & 0xFFFFFF))
            self._setting("filter", at.FILTER_29.line(target.response_id))
            self._setting("fc header", at.FC_HEADER_29.line(target.request_id))
        else:
            self._setting("header", at.HEADER_11.line(target.request_id))
            exact = at.FILTER_11.line(target.response_id)  # --wide learns it behind ATCRA7XX
            try:
                self._setting("filter", at.WIDE_FILTER_11.line() if target.learning else exact)
            except errors.AdapterUnsupported as exc:
                if not target.learning:
                    raise
                raise errors.WildcardFilterUnsupported(exc.command) from exc
            self._setting("fc header", at.FC_HEADER_11.line(target.request_id))
        wanted = can.protocol_for(target.extended, target.bitrate) or self.protocol
        if wanted != self.protocol:  # another bit rate: switch the adapter's CAN protocol
            self._at(at.PROTOCOL.line(wanted))
            self.protocol = wanted
        if not self._fc_mode_set:  # data and mode once per connection, after ATFCSH
            self._at(at.FC_DATA_SET.line())
            self._at(at.FC_MODE.line())
            self._fc_mode_set = True
        self._want_st = self.ident_st
        self._sync_st()
        self._target = target
        self._queue.clear()
        self._emit_target(target)

    def set_silence_wait(self, st: int) -> None:
        """Use ATST ``st`` (4 ms units) as the silence that ends a read, from now on (sent
        with the next target or data request)."""
        self.ident_st = self._want_st = st

    def quick_wait(self, quick: bool) -> bool:
        """A search's quick pass waits P2 plus a margin (``QUICK_ST``), then the long one."""
        self.set_silence_wait(QUICK_ST if quick else IDENT_ST)
        return True

    def after_pending(self) -> None:
        """Widen the adapter's wait to ~1 s so the final answer is caught on the re-send."""
        self._want_st = WIDE_ST

    def pending_over(self) -> None:
        """Back to the usual silence wait once the slow request has its answer."""
        self._want_st = self.ident_st

    def _sync_st(self) -> None:
        if self._st != self._want_st:
            self._at(at.SILENCE.line(self._want_st), optional=True)
            self._st = self._want_st

    # -- requests ----------------------------------------------------------------------

    def _send(self, pdu: bytes) -> None:
        target = self._require_target()
        self._queue.clear()
        # While an answer ID is learned behind ATCRA7XX, no response-count digit: a "1" would
        # end the read at the first frame through the filter, even one that is not learnable.
        count = self._count_digit and not target.learning
        command = elm.data_command(pdu, 1 if count else None)
        check_command(command)  # refused requests move no setting either
        self._session_check_wire(pdu)
        self._sync_st()  # a wait widened or narrowed by responsePending
        try:
            text = self._transact(command)
            reply_lines = elm.clean_lines(text, command)
            if count and any(line.strip() == "?" for line in reply_lines):
                self._count_digit = False  # an adapter without the response-count digit
                command = elm.data_command(pdu)
                text = self._transact(command)  # "?": the first line never reached the bus
        finally:
            self._session_written(pdu)  # an admitted session request is used up
        self._emit_frame(target.request_id, isotp.pad(bytes([len(pdu)]) + pdu, 0x00), True)
        reply = elm.parse_reply(text, command, 29 if target.extended else 11)
        answer_id = self._answer_id(target, reply.frames)
        for frame in reply.frames:
            self._emit_frame(frame.can_id, frame.data, False)
            if frame.can_id == answer_id and isotp.frame_type(frame.data) == 1:
                self._emit_frame(target.request_id, isotp.flow_control(0, 0, 0x00), True)
        self._queue.extend(reply.pdus(answer_id))

    def _answer_id(self, target: Target, frames: list[can.Frame]) -> int:
        """The response ID whose frames answer: the target's, or, while it is to be learned,
        the first learnable ID that answered (``ATCRA7XX`` lets every 7xx ID through)."""
        if not target.learning:
            return target.response_id
        if self.learned is None:
            heard = (f.can_id for f in frames if can.learnable(f.can_id, target.request_id))
            self.learned = next(heard, None)
        return target.response_id if self.learned is None else self.learned

    def _receive(self, timeout: float) -> bytes | None:
        return self._queue.popleft() if self._queue else None

    def command(self, command: str, *, timeout: float | None = None) -> str:
        """Send one allowed adapter command and return its raw reply (for `doctor`)."""
        if not isinstance(command, str) or not command.isascii():
            raise errors.UsageError(
                f"An adapter command is ASCII text, not {command!r:.60}. Nothing was sent."
            )
        return self._transact(command, timeout)

    # -- internals ---------------------------------------------------------------------

    def _require_target(self) -> Target:
        if self._target is None:
            raise errors.UsageError("No target set: call set_target() first.")
        return self._target

    def _at(self, command: str, *, optional: bool = False) -> list[str]:
        text = self._transact(command)
        try:
            return elm.check_ok(command, text)
        except errors.AdapterUnsupported:
            if optional:
                return []
            raise

    def _transact(self, command: str, timeout: float | None = None) -> str:
        """Write one line and read the reply up to the prompt, within the deadline."""
        port = self._require_port()
        check_command(command)  # lowest write: nothing unchecked leaves this method
        data = is_data(command)
        if data and not self._defaults:  # another program may have left ATCAF0 on
            raise errors.ReadOnlyViolation(
                f"Refused the request {command!r}: the adapter's defaults were not restored "
                "with ATD on this connection. Nothing was sent."
            )
        line = elm.command_line(command)
        request = request_of(command)
        if request is not None:  # the session rule too (session.SessionRule.check_wire)
            self._session_check_wire(request)
        self._emit_traffic(Traffic(True, (Line(command),), request, command))
        self.commands_sent.append(command)
        self._last = command
        try:
            port.write(line)
            text = self._read_prompt(port, timeout if timeout is not None else self.timeout)
        except errors.AdapterTimeout as exc:
            self._emit_reply(exc.received, command, request)
            raise
        except (serial.SerialException, OSError) as exc:
            raise errors.PortError(
                f"Lost the connection to the adapter on {self.url}: {exc}.",
                hint="Check the cable, Bluetooth pairing or Wi-Fi connection, then try again.",
            ) from exc
        if squash(command) == "ATD":
            self._defaults = True
            self._settings.clear()
            self._fc_mode_set = False
            self._st = DEFAULT_ST
        self._emit_reply(text, command, request)
        return text

    def _emit_reply(self, text: str, command: str, request: bytes | None) -> None:
        if text and self.traffic_listeners:
            lines = elm.reply_lines(text, command, self._id_bits)
            self._emit_traffic(Traffic(False, tuple(lines), request, command))

    @property
    def _id_bits(self) -> int:
        return 29 if self.protocol in (7, 9) else 11

    def _read_prompt(self, port: serial.Serial, timeout: float) -> str:
        """Read up to the prompt; each responsePending line the adapter prints on the way
        starts the wait again (P2*), up to ``pending_cap`` from the start."""
        start = self.clock()
        deadline = start + timeout
        buffer = bytearray()
        pending = 0
        while True:
            chunk = port.read(max(1, port.in_waiting))
            if chunk:
                buffer += chunk
                if b">" in chunk:
                    return buffer.decode("ascii", "replace")
                seen = len(_PENDING_LINE.findall(buffer.decode("ascii", "replace")))
                if seen > pending:
                    pending = seen
                    now = self.clock()
                    deadline = max(deadline, min(now + timeout, start + self.pending_cap))
            elif not port.is_open:
                raise errors.PortError(f"The adapter on {self.url} went away.")
            if self.clock() >= deadline:
                raise no_prompt(self.url, timeout, bytes(buffer), self._last, self._id_bits)

    def _require_port(self) -> serial.Serial:
        if self._port is None:
            raise errors.PortError("The adapter port is not open.")
        return self._port
