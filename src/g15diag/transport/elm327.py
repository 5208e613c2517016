"""ELM327 (and compatible) adapters over pyserial: USB, Bluetooth SPP, ``socket://`` Wi-Fi.

Opens any pyserial URL with ``serial.serial_for_url``, brings the adapter to a known state
with ``ATD`` (defaults, no chip reset: a full ``ATZ`` costs about a second on real chips), and
reads every answer up to the ``>`` prompt against a deadline — never a fixed sleep.
The lowest write checks every line once more (``elm_commands``): AT commands in exactly the
shapes the tool uses, data lines through the read-only guard, and no data line before ``ATD``
has put the adapter back to its defaults (CAN auto-formatting on). A bare CR (which repeats
the adapter's last command, whoever sent it) is never written.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable

import serial

from g15diag import errors
from g15diag.protocol import elm, isotp
from g15diag.transport.base import AdapterInfo, Target, Traffic, TrafficLog, Transport
from g15diag.transport.elm_commands import FC_DATA, check_command, is_data, request_of, squash
from g15diag.transport.elm_errors import check_network_url, no_prompt, port_error

__all__ = ["AUTO_BAUD", "AUTO_BAUDS", "FC_DATA", "Elm327Transport", "check_command"]

DEFAULT_BAUD = 38400
#: ATST value for identification reads, in 4 ms units: 0x19 = 100 ms of silence ends a read.
IDENT_ST = 0x19
WIDE_ST = 0xFF  # ~1 s, after a responsePending (ddt4all uses FF for slow answers too)
#: ATST for `scan`: 0x10 = 64 ms, just above the UDS default P2server (50 ms), so a silent
#: candidate costs about 64 ms instead of 100 ms (a set response-count digit ends answered ones).
SCAN_ST = 0x10
#: (29-bit?, bit rate) -> ELM327 protocol number
_PROTOCOLS = {(False, 500_000): 6, (False, 250_000): 8, (True, 500_000): 7, (True, 250_000): 9}
#: ``--baud auto``: the two ELM327 power-up rates (pin 6), OBDLink's 115200, then the rates
#: other tools leave adapters at (research: users_adapters_dealer.md §1.1, §1.3).
AUTO_BAUD = "auto"
AUTO_BAUDS = (38400, 9600, 115200, 230400, 57600, 500_000, 1_000_000)
PROBE_WINDOW = 0.3  # a speed that brings nothing at all back within this is wrong
PROBE_SETTLE = 0.1  # line noise followed by this much silence: the speed is wrong
POLL = 0.05  # longest a single read() blocks before the deadline is re-checked


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
        self._st = IDENT_ST
        self.ident_st = IDENT_ST  # the ATST every set_target() restores (see set_silence_wait)
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
        check_network_url(self.url)
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
        """Set the host side to the first speed at which the adapter shows its prompt.

        Only the host's port speed changes; nothing is sent that changes the adapter's
        stored speed. Each speed costs one ``ATI`` and ends on the prompt, on line noise
        followed by silence, or after PROBE_WINDOW of nothing.
        """
        started = self.clock()
        for rate in AUTO_BAUDS:
            try:
                port.baudrate = rate
                port.reset_input_buffer()
                found = self._probe(port)
            except (serial.SerialException, OSError, ValueError) as exc:
                if isinstance(exc, ValueError):
                    continue  # this platform cannot set that speed
                raise errors.PortError(
                    f"Lost the connection to the adapter on {self.url}: {exc}."
                ) from exc
            if found:
                self.info.details["baud_detect_seconds"] = f"{self.clock() - started:.3f}"
                return rate
        raise errors.AdapterTimeout(
            f"No adapter prompt on {self.url} at any speed "
            f"({', '.join(str(r) for r in AUTO_BAUDS)} baud).",
            hint="Check that the adapter is plugged in and powered (ignition on) and that "
            "this is its port (`g15diag adapters`).",
        )

    def _probe(self, port: serial.Serial) -> bool:
        """Send ``ATI`` once; True when a clean ASCII reply ending in the prompt comes back."""
        command = "ATI"
        check_command(command)
        note = f"at {port.baudrate} baud"
        self._emit_traffic(Traffic(True, (elm.Line(command),), None, command, note))
        port.write(elm.command_line(command))
        deadline = self.clock() + min(PROBE_WINDOW, self.timeout)
        buffer = bytearray()
        last: float | None = None
        while True:
            chunk = port.read(max(1, port.in_waiting))
            now = self.clock()
            if chunk:
                buffer += chunk
                last = now
                if buffer.rstrip().endswith(b">") and buffer.isascii():
                    return True
            elif last is not None and now - last >= PROBE_SETTLE:
                return False
            if now >= deadline:
                return False

    def close(self) -> None:
        port, self._port = self._port, None
        self._defaults = False
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    # -- adapter set-up --------------------------------------------------------------

    def _initialise(self) -> None:
        self._at("ATD")  # defaults without a chip reset; echo may still be on
        self._at("ATE0", optional=True)  # echo off: half the bytes (echo is stripped anyway)
        self._at("ATS0", optional=True)  # spaces off: a third fewer bytes per frame
        self._at("ATH1")  # CAN ID + PCI on every line: needed to reassemble and to attribute
        self._at(f"ATSP{self.protocol:X}")
        identity = self._at("ATI")
        self.info.identity = " ".join(identity) or "unknown"
        if elm.SIMULATOR_MARK in self.info.identity:
            self.info.simulated = True  # `g15diag simulate` behind a real pty or socket
        self._at(f"ATST{IDENT_ST:02X}", optional=True)

    def set_target(self, target: Target) -> None:
        if target.extended != (self.protocol in (7, 9)):
            raise errors.UsageError(
                f"Target {target.label} needs protocol {'7 or 9' if target.extended else '6 or 8'}"
                f" (29-bit IDs need 7/9), but the adapter is set to {self.protocol}."
            )
        if target.extended:
            self._at(f"ATCP{target.request_id >> 24:02X}")
            self._at(f"ATSH{target.request_id & 0xFFFFFF:06X}")
            self._at(f"ATCRA{target.response_id:08X}")
            self._at(f"ATFCSH{target.request_id:08X}")
        else:
            self._at(f"ATSH{target.request_id:03X}")
            self._at(f"ATCRA{target.response_id:03X}")
            self._at(f"ATFCSH{target.request_id:03X}")
        wanted = _PROTOCOLS.get((target.extended, target.bitrate), self.protocol)
        if wanted != self.protocol:  # another bit rate: switch the adapter's CAN protocol
            self._at(f"ATSP{wanted:X}")
            self.protocol = wanted
        if not self._fc_mode_set:
            self._at(f"ATFCSD{FC_DATA}")
            self._at("ATFCSM1")
            self._fc_mode_set = True
        if self._st != self.ident_st:
            self._at(f"ATST{self.ident_st:02X}", optional=True)
            self._st = self.ident_st
        self._target = target
        self._queue.clear()
        self._emit_target(target)

    def set_silence_wait(self, st: int) -> None:
        """Use ATST ``st`` (4 ms units) as the silence that ends a read, from now on."""
        self.ident_st = st
        if self._st != st:
            self._at(f"ATST{st:02X}", optional=True)
            self._st = st

    def after_pending(self) -> None:
        """Widen the adapter's wait to ~1 s so the final answer is caught on the re-send."""
        if self._st != WIDE_ST:
            self._at(f"ATST{WIDE_ST:02X}", optional=True)
            self._st = WIDE_ST

    def pending_over(self) -> None:
        """Back to the usual silence wait once the slow request has its answer."""
        if self._st != self.ident_st:
            self._at(f"ATST{self.ident_st:02X}", optional=True)
            self._st = self.ident_st

    # -- requests ----------------------------------------------------------------------

    def _send(self, pdu: bytes) -> None:
        target = self._require_target()
        self._queue.clear()
        command = elm.data_command(pdu, 1 if self._count_digit else None)
        try:
            text = self._transact(command)
            reply_lines = elm.clean_lines(text, command)
            if self._count_digit and any(line.strip() == "?" for line in reply_lines):
                self._count_digit = False  # an adapter without the response-count digit
                command = elm.data_command(pdu)
                text = self._transact(command)  # "?": the first line never reached the bus
        finally:
            self.sessions.written(pdu)  # an admitted session request is used up
        self._emit_frame(target.request_id, isotp.pad(bytes([len(pdu)]) + pdu, 0x00), True)
        reply = elm.parse_reply(text, command, 29 if target.extended else 11)
        for frame in reply.frames:
            self._emit_frame(frame.can_id, frame.data, False)
            if frame.can_id == target.response_id and isotp.frame_type(frame.data) == 1:
                self._emit_frame(target.request_id, isotp.flow_control(0, 0, 0x00), True)
        self._queue.extend(reply.pdus(target.response_id))

    def receive(self, timeout: float) -> bytes | None:
        return self._queue.popleft() if self._queue else None

    def command(self, command: str, *, timeout: float | None = None) -> str:
        """Send one allowed adapter command and return its raw reply (for `doctor`)."""
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
            self.sessions.check_wire(request)
        self._emit_traffic(Traffic(True, (elm.Line(command),), request, command))
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
        deadline = self.clock() + timeout
        buffer = bytearray()
        while True:
            chunk = port.read(max(1, port.in_waiting))
            if chunk:
                buffer += chunk
                if b">" in chunk:
                    return buffer.decode("ascii", "replace")
            elif not port.is_open:
                raise errors.PortError(f"The adapter on {self.url} went away.")
            if self.clock() >= deadline:
                raise no_prompt(self.url, timeout, bytes(buffer), self._last, self._id_bits)

    def _require_port(self) -> serial.Serial:
        if self._port is None:
            raise errors.PortError("The adapter port is not open.")
        return self._port
