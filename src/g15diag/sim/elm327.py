"""A simulated ELM327: command text in, adapter text out, in front of a :class:`SimCar`.

It models a real adapter, not an ideal one: echo on after reset, default header 7DF, receive
filter 7E8-7EF until ``ATCRA`` (``X`` digits are don't-cares: ``ATCRA7XX``), automatic flow
control to ``response ID - 8`` unless ``ATFC SH/SD/SM 1`` is set (a unit at another pair
then stalls after its first frame), ``NO DATA`` on silence after the ``ATST`` wait, padding
bytes printed, the response-count digit, ``SEARCHING...`` on protocol 0, ``CAN ERROR`` when
no ECU runs at the bit rate, and a bare CR repeating the last command. Options select
responsePending presentation and clone behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from g15diag.protocol import isotp
from g15diag.protocol.can import PROTOCOL_BITRATES, Frame
from g15diag.protocol.elm import SIMULATOR_MARK, frames_text
from g15diag.sim.car import SimCar

IDENTITY = "ELM327 v1.4b"
DESCRIPTION = "g15diag simulator (not a real adapter)"
BITRATES = PROTOCOL_BITRATES  # ELM327 protocol number -> CAN bit rate (protocol/can.py)
#: Line noise (EMI, a loose connector): high-bit bytes, never a '>' or a '?'.
SLOW = 30.0  # seconds a slow adapter takes for the rest of a long answer
GARBAGE = "\xf8\x80\x1e\xe6\x9c\x06\xd3\xfe\x81\xa7"


@dataclass
class SimAdapterOptions:
    """How the simulated adapter behaves (all settable from the ``sim://`` URL)."""

    latency: float = 0.0  # seconds from request to the first bus answer
    pending_mode: str = "inline"  # inline | gaveup: how a 7F xx 78 answer is presented
    identity: str = IDENTITY
    voltage: str = "12.6V"
    unsupported: frozenset[str] = frozenset()  # AT commands answered with '?' (clones)
    truncate_requests: int | None = None  # keep only N data bytes of a request (clones)
    count_digit: bool = True  # understands the response-count digit
    stn: str | None = None  # STN firmware id answered to STI (None: not an STN chip, '?')
    baud: int | None = None  # the adapter's real host-link speed (None: any speed works)
    freeze_multiframe: bool = False  # clone: stops dead after the first frame of a long answer
    freeze_after: int | None = None  # stops dead after the first N frames of a long answer
    slow_after: int | None = None  # the rest of a long answer after N frames comes SLOW s later
    late: bool = False  # prints the prompt first, every data answer after it
    data_status: str | None = None  # status line printed instead of every data answer
    #: v1.x firmware and an unpadded unit: every answer's frame line ends in <DATA ERROR
    data_error: bool = False
    garbage: bool = False  # every data answer arrives as line noise
    disconnect: bool = False  # the link drops in the middle of the first data answer
    prompt: bool = True  # False: the adapter never prints its '>' prompt


@dataclass
class _State:
    echo: bool = True
    linefeeds: bool = True
    spaces: bool = True
    headers: bool = False
    protocol: int = 0
    header: int = 0x7DF
    cra: int | None = None
    cra_mask: int = 0x1FFFFFFF  # the digits of ATCRA that must match (X digits: 0)
    fc_header: int | None = None
    fc_data: bytes | None = None
    fc_mode: int = 0
    st: int = 0x32
    priority: int = 0x18


@dataclass
class Elm327Simulator:
    """The adapter's command interpreter. ``handle(line)`` returns (delay, text)."""

    car: SimCar
    options: SimAdapterOptions = field(default_factory=SimAdapterOptions)
    state: _State = field(default_factory=_State)
    last_command: str = ""
    commands: list[str] = field(default_factory=list)  # every command received, in order
    frozen: bool = False  # stuck after a multi-frame answer: ignores everything (clone)
    dropped: bool = False  # the link dropped (disconnect fault): the stream closes
    #: (delay, text) printed after the answer (late and slow adapters); the stream drains it
    later: list[tuple[float, str]] = field(default_factory=list)

    # -- entry point ---------------------------------------------------------

    def handle(self, raw: str) -> tuple[float, str]:
        """Process one CR-terminated command line (without the CR)."""
        if self.frozen or self.dropped:
            return 0.0, ""  # a frozen adapter answers nothing until it is power-cycled
        line = raw.replace(" ", "").upper()
        if not line:  # a bare CR repeats the previous command, as on a real ELM327
            line = self.last_command
        else:
            self.last_command = line
        self.commands.append(line)
        echo = raw + self._eol() if self.state.echo else ""
        if not line:
            return 0.0, echo + "?" + self._end()
        if line.startswith("AT"):
            body = self._at(line[2:])
            return 0.0, echo + body + self._end()
        if line.startswith("ST"):
            return 0.0, echo + self._st(line[2:]) + self._end()
        delay, body = self._data(line)
        if self.options.late and not self.frozen and not self.dropped:
            self.later.append((delay + 0.02, body + self._eol()))
            return 0.0, echo + self._end()  # the prompt first, the answer after it
        if self.frozen:
            return delay, echo + body + self._eol()  # first frame, then nothing: no prompt
        if self.later and not self.options.late:
            return delay, echo + body  # the rest (and the prompt) comes later
        if self.dropped:
            return delay, echo + body[: max(1, len(body) // 2)]  # half an answer, then gone
        return delay, echo + body + self._end()

    def _eol(self) -> str:
        return "\r\n" if self.state.linefeeds else "\r"

    def _end(self) -> str:
        return self._eol() + self._eol() + (">" if self.options.prompt else "")

    # -- AT commands -----------------------------------------------------------

    def _at(self, cmd: str) -> str:
        for prefix in self.options.unsupported:
            if cmd.startswith(prefix.replace(" ", "").upper()[2:]):
                return "?"
        s = self.state
        if cmd in ("Z", "WS"):
            self.state = _State()
            return self._eol() + self._identity()
        if cmd == "D":
            echo = s.echo
            self.state = _State()
            self.state.echo = echo
            # a line no real adapter prints (and no other tool sends ATD to check): values read
            # through a pty or socket from `g15diag simulate` are marked simulated without ATI
            return SIMULATOR_MARK + self._eol() + "OK"
        if cmd == "I":
            return self._identity()
        if cmd == "@1":
            return DESCRIPTION
        if cmd == "RV":
            return self.options.voltage
        if cmd == "DPN":
            return f"{s.protocol:X}"
        flags = {"E": "echo", "L": "linefeeds", "S": "spaces", "H": "headers"}
        if len(cmd) == 2 and cmd[0] in flags and cmd[1] in "01":
            setattr(s, flags[cmd[0]], cmd[1] == "1")
            return "OK"
        m = re.fullmatch(r"(?:SP|TP)A?([0-9A-C])", cmd)
        if m:
            s.protocol = int(m.group(1), 16)
            return "OK"
        m = re.fullmatch(r"SH([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})", cmd)
        if m:
            value = int(m.group(1), 16)
            if len(m.group(1)) == 6:
                value |= s.priority << 24
            s.header = value
            return "OK"
        m = re.fullmatch(r"CP([0-9A-F]{2})", cmd)
        if m:
            s.priority = int(m.group(1), 16) & 0x1F
            return "OK"
        if cmd == "CRA":
            s.cra = None
            return "OK"
        m = re.fullmatch(r"CRA([0-9A-FX]{3}|[0-9A-FX]{8})", cmd)
        if m:  # X: a don't-care digit (ATCRA 7XX passes every ID 700-7FF)
            digits = m.group(1)
            s.cra = int(digits.replace("X", "0"), 16)
            s.cra_mask = int("".join("0" if d == "X" else "F" for d in digits), 16)
            return "OK"
        m = re.fullmatch(r"FCSH([0-9A-F]{3}|[0-9A-F]{8})", cmd)
        if m:
            s.fc_header = int(m.group(1), 16)
            return "OK"
        m = re.fullmatch(r"FCSD((?:[0-9A-F]{2}){1,5})", cmd)
        if m:
            s.fc_data = bytes.fromhex(m.group(1))
            return "OK"
        m = re.fullmatch(r"FCSM([0-2])", cmd)
        if m:
            mode = int(m.group(1))
            if mode == 1 and (s.fc_header is None or s.fc_data is None):
                return "?"
            s.fc_mode = mode
            return "OK"
        m = re.fullmatch(r"ST([0-9A-F]{2})", cmd)
        if m:
            s.st = int(m.group(1), 16) or 0x32
            return "OK"
        if re.fullmatch(r"(AT[0-2]|CAF[01]|CFC[01]|AL|NL|V[01]|PC|D[01]|M[01])", cmd):
            return "OK"
        return "?"

    def _identity(self) -> str:
        """``ATI``: the configured identity plus the simulator mark (never hidden)."""
        return f"{self.options.identity} {SIMULATOR_MARK}"

    def _st(self, cmd: str) -> str:
        if self.options.stn is None:
            return "?"  # not an STN chip
        if cmd == "I":
            return self.options.stn
        if cmd == "DI":
            return "OBDLink-compatible (simulated)"
        return "?"

    # -- data requests -----------------------------------------------------------

    def _data(self, line: str) -> tuple[float, str]:
        if not re.fullmatch(r"[0-9A-F]+", line):
            return 0.0, "?"
        count: int | None = None
        if len(line) % 2:
            if not self.options.count_digit:
                return 0.0, "?"
            count = int(line[-1], 16)
            line = line[:-1]
        pdu = bytes.fromhex(line)
        if not pdu or len(pdu) > 7:
            return 0.0, "?"
        if self.options.truncate_requests is not None:
            pdu = pdu[: self.options.truncate_requests]
        fault = self._data_fault()
        if fault is not None:
            return 0.0, fault
        s = self.state
        prefix = ""
        if s.protocol == 0:
            prefix = "SEARCHING..." + self._eol()
            s.protocol = 6
        bitrate = BITRATES.get(s.protocol)
        if bitrate is None:
            return 0.0, prefix + "UNABLE TO CONNECT"
        if not self.car.has_bus(bitrate):
            return 0.0, prefix + "CAN ERROR"
        frames, delay = self._bus_exchange(pdu, bitrate, count)
        if not frames:
            return delay, prefix + "NO DATA"
        if self.options.data_error:  # the chip flags the unit's first frame and stops there
            return delay, prefix + self._render(frames[:1]) + " <DATA ERROR"
        multi = any(isotp.frame_type(f.data) == isotp.FIRST for f in frames)
        freeze = 1 if self.options.freeze_multiframe else self.options.freeze_after
        if multi and freeze is not None:
            self.frozen = True  # prints the first frame(s), then hangs (FORScan t=1575 #2)
            return delay, prefix + self._render(frames[:freeze])
        slow = self.options.slow_after
        if multi and slow is not None and len(frames) > slow:
            rest = self._render(frames[slow:]) + self._end()
            self.later.append((SLOW, self._eol() + rest))
            return delay, prefix + self._render(frames[:slow])
        if self.options.disconnect:
            self.dropped = True
        return delay, prefix + self._render(frames)

    def _data_fault(self) -> str | None:
        """The status line or noise a faulty adapter prints instead of a data answer."""
        opts = self.options
        if opts.data_status is not None:
            if opts.data_status == "LV RESET":
                echo = self.state.echo
                self.state = _State()  # a brown-out reset: every setting back to default
                self.state.echo = echo
            return opts.data_status
        if opts.garbage:
            return GARBAGE
        return None

    def _bus_exchange(
        self, pdu: bytes, bitrate: int, count: int | None
    ) -> tuple[list[Frame], float]:
        s = self.state
        st_seconds = s.st * 0.004
        printed: list[Frame] = []
        finals = 0
        elapsed = self.options.latency
        for ecu in self.car.listeners(s.header, bitrate):
            if not self._passes_filter(ecu.response_id):
                ecu.respond(pdu)  # the ECU answers; the adapter's filter drops it
                continue
            for delay, answer in ecu.respond(pdu):
                if delay > st_seconds:
                    break  # the adapter stopped listening before this answer came
                elapsed += delay
                frames = ecu.frames(answer)
                if len(frames) > 1 and not self._flow_control_reaches(ecu.request_id):
                    frames = frames[:1]  # the unit never gets our flow control
                printed += [Frame(ecu.response_id, f) for f in frames]
                pending = answer[0] == 0x7F and len(answer) > 2 and answer[2] == 0x78
                if pending and self.options.pending_mode == "gaveup":
                    break
                if not pending:
                    finals += 1
                if count is not None and finals >= count:
                    return printed, elapsed
        if not printed:
            return printed, st_seconds  # silence: the adapter waits ATST, no bus latency
        return printed, elapsed + st_seconds

    def _passes_filter(self, can_id: int) -> bool:
        if self.state.cra is not None:
            return can_id & self.state.cra_mask == self.state.cra
        if can_id > 0x7FF:
            return (can_id >> 8) == 0x18DAF1
        return 0x7E8 <= can_id <= 0x7EF

    def _flow_control_reaches(self, ecu_request_id: int) -> bool:
        s = self.state
        if s.fc_mode == 1 and s.fc_header is not None:
            return s.fc_header == ecu_request_id and (s.fc_data or b"\x30")[0] == 0x30
        return ecu_request_id == s.header and 0x7E0 <= ecu_request_id <= 0x7E7

    def _render(self, frames: list[Frame]) -> str:
        if self.state.headers:
            return frames_text(frames, self.state.spaces).replace("\r", self._eol())
        return self._render_headerless(frames)

    def _render_headerless(self, frames: list[Frame]) -> str:
        sep = " " if self.state.spaces else ""
        lines = []
        for frame in frames:
            kind = isotp.frame_type(frame.data)
            if kind == isotp.SINGLE:
                body = frame.data[1 : 1 + (frame.data[0] & 0x0F)]
            elif kind == isotp.FIRST:
                length = ((frame.data[0] & 0x0F) << 8) | frame.data[1]
                lines.append(f"{length:03X}")
                body = frame.data[2:]
                lines.append("0:" + sep + sep.join(f"{b:02X}" for b in body))
                continue
            else:
                body = frame.data[1:]
                lines.append(
                    f"{frame.data[0] & 0x0F:X}:" + sep + sep.join(f"{b:02X}" for b in body)
                )
                continue
            lines.append(sep.join(f"{b:02X}" for b in body))
        return self._eol().join(lines)
