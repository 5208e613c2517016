"""One simulated car, shared by every simulated face (ELM327 adapter, native CAN bus).

Everything here is fictional and obviously so: the serial starts with ``SIM``, the VIN
contains ``SIMULATED``-style text, the supplier is "Simulated Supplier". Nothing in this
module is knowledge about a real Almera G15; the head unit's IDs are whatever the caller
(or the ``sim://`` URL) puts there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from g15diag.protocol import isotp

# Fictional values. The serial deliberately mixes look-alike characters (0/O, 1/I/l, 5/S, 8/B).
SIM_SERIAL = b"SIM0O1Il5S8B2024"
# Fictional VIN: "SMLTD" (simulated) in place of a manufacturer code, valid check digit.
SIM_VIN = b"SMLTDG15300000001"
SIM_PART_NUMBER = b"281150000R-SIM"
SIM_SUPPLIER = b"Simulated Supplier"
SIM_HARDWARE = b"HW-SIM-01"
SIM_SOFTWARE = b"SW-SIM-1.0"
SIM_SUPPLIER_HW = b"SUPHW-SIM-7"
SIM_SUPPLIER_HW_VERSION = b"HV-SIM-02"
SIM_SUPPLIER_SW = b"SUPSW-SIM-3"
SIM_DIAG_VERSION = b"\x0d"
# A second fictional VIN (valid check digit) for ``vin_mismatch``: a swapped head unit.
SIM_OTHER_VIN = b"SMLTDG15X00000002"

NRC_REQUEST_OUT_OF_RANGE = 0x31
NRC_SERVICE_NOT_SUPPORTED = 0x11
NRC_RESPONSE_PENDING = 0x78
NRC_INCORRECT_LENGTH = 0x13  # incorrectMessageLengthOrInvalidFormat (a cut-short request)
NRC_SUBFUNCTION_NOT_SUPPORTED = 0x12
NRC_NOT_IN_SESSION = 0x7F  # UDS serviceNotSupportedInActiveSession
NRC_KWP_NOT_IN_SESSION = 0x80  # KWP2000 serviceNotSupportedInActiveDiagnosticMode
#: S3: a unit left alone this long in a non-default session falls back by itself.
S3_SECONDS = 5.0
#: The positive answer to each session request (UDS 10 03 carries P2/P2* timing).
SESSION_ANSWERS = {
    0x01: bytes.fromhex("5001003201F4"),
    0x03: bytes.fromhex("5003003201F4"),
    0x81: bytes.fromhex("5081"),
    0xC0: bytes.fromhex("50C0"),
}
DEFAULT_SESSIONS = frozenset({0x01, 0x81})


@dataclass
class SimEcu:
    """A simulated ECU: answers identification reads from tables, refuses everything else.

    ``pending`` is how many ``7F xx 78`` answers precede the final one the first time each
    request is seen (a unit fetching from slow memory); ``pending_forever`` never answers.
    """

    name: str
    request_id: int
    response_id: int
    bitrate: int = 500_000
    dids: dict[int, bytes] = field(default_factory=dict)
    local_ids: dict[int, bytes] = field(default_factory=dict)  # KWP 0x21 blocks
    kwp_idents: dict[int, bytes] = field(default_factory=dict)  # KWP 0x1A options
    obd: dict[tuple[int, int], bytes] = field(default_factory=dict)  # (mode, pid) -> data
    refuse: dict[int, int] = field(default_factory=dict)  # DID -> NRC
    supports_uds: bool = True
    pad_byte: int | None = 0xAA
    pending: int = 0
    pending_forever: bool = False
    pending_delay: float = 0.02
    functional: bool = False  # answers the OBD functional address 0x7DF
    unstable: bool = False  # a flaky unit: every 0x22 answer's last data byte changes
    #: session sub-functions (10 xx) the unit accepts; the others get 7F 10 12
    sessions: frozenset[int] = frozenset({0x01, 0x03})
    #: request prefix -> (session it needs, NRC it gets in any other session)
    gated: dict[bytes, tuple[int, int]] = field(default_factory=dict)
    s3: float = S3_SECONDS
    clock: Callable[[], float] = time.monotonic
    session: int = 0x01  # the unit's current session (0x01 / 0x81 are both "default")
    session_log: list[int] = field(default_factory=list, repr=False)  # every session entered
    #: every request that reached this ECU and its final answer (None: silence), in order
    wire: list[tuple[bytes, bytes | None]] = field(default_factory=list, repr=False)
    _last: float = field(default=0.0, repr=False)
    _reads: int = field(default=0, repr=False)
    _seen: set[bytes] = field(default_factory=set, repr=False)

    def respond(self, pdu: bytes) -> list[tuple[float, bytes]]:
        """Answer one request PDU: a list of (delay in seconds, response PDU)."""
        final = self._final(pdu)
        self.wire.append((bytes(pdu), final))
        if final is None:
            return []
        if self.pending_forever:
            # a burst of 0x78 per request, then silence: the final answer never comes
            return [
                (self.pending_delay, bytes([0x7F, pdu[0], NRC_RESPONSE_PENDING])) for _ in range(10)
            ]
        out: list[tuple[float, bytes]] = []
        if pdu not in self._seen and self.pending:
            out = [
                (self.pending_delay, bytes([0x7F, pdu[0], NRC_RESPONSE_PENDING]))
                for _ in range(self.pending)
            ]
        self._seen.add(pdu)
        out.append((self.pending_delay if out else 0.0, final))
        return out

    def _final(self, pdu: bytes) -> bytes | None:
        now = self.clock()
        if self.session not in DEFAULT_SESSIONS and now - self._last > self.s3:
            self.session = 0x01  # S3 expired: back to the default session by itself
        self._last = now
        sid = pdu[0]
        if sid == 0x10:
            return self._session_control(pdu)
        for prefix, (needed, nrc) in self.gated.items():
            if pdu.startswith(prefix) and self.session != needed:
                return bytes([0x7F, sid, nrc])
        if sid == 0x22 and len(pdu) < 3:
            return bytes([0x7F, sid, NRC_INCORRECT_LENGTH])
        if sid == 0x22:
            if not self.supports_uds:
                return bytes([0x7F, sid, NRC_SERVICE_NOT_SUPPORTED])
            did = int.from_bytes(pdu[1:3], "big")
            if did in self.refuse:
                return bytes([0x7F, sid, self.refuse[did]])
            if did not in self.dids:
                return bytes([0x7F, sid, NRC_REQUEST_OUT_OF_RANGE])
            data = self.dids[did]
            if self.unstable and data:
                self._reads += 1
                data = data[:-1] + bytes([(data[-1] + self._reads) & 0xFF])
            return b"\x62" + pdu[1:3] + data
        if sid == 0x21 and len(pdu) >= 2:
            if pdu[1] not in self.local_ids:
                return bytes([0x7F, sid, NRC_REQUEST_OUT_OF_RANGE])
            return b"\x61" + pdu[1:2] + self.local_ids[pdu[1]]
        if sid == 0x1A and len(pdu) >= 2:
            if pdu[1] not in self.kwp_idents:
                return bytes([0x7F, sid, NRC_REQUEST_OUT_OF_RANGE])
            return b"\x5a" + pdu[1:2] + self.kwp_idents[pdu[1]]
        if sid in (0x01, 0x09) and len(pdu) >= 2:
            key = (sid, pdu[1])
            if key not in self.obd:
                return None if self.functional else bytes([0x7F, sid, NRC_REQUEST_OUT_OF_RANGE])
            return bytes([sid + 0x40, pdu[1]]) + self.obd[key]
        return bytes([0x7F, sid, NRC_SERVICE_NOT_SUPPORTED])

    def _session_control(self, pdu: bytes) -> bytes:
        if len(pdu) != 2 or pdu[1] not in self.sessions:
            return bytes([0x7F, 0x10, NRC_SUBFUNCTION_NOT_SUPPORTED])
        self.session = pdu[1]
        self.session_log.append(pdu[1])
        return SESSION_ANSWERS[pdu[1]]

    @property
    def in_default_session(self) -> bool:
        return self.session in DEFAULT_SESSIONS

    def frames(self, pdu: bytes) -> list[bytes]:
        """The CAN frames this ECU puts on the bus for one PDU (padded as the ECU pads)."""
        return isotp.segment(pdu, self.pad_byte)


@dataclass
class SimCar:
    """A set of ECUs on CAN buses, each ECU at its own bit rate."""

    ecus: list[SimEcu]

    def listeners(self, request_id: int, bitrate: int) -> list[SimEcu]:
        """ECUs that take a request sent to ``request_id`` at ``bitrate``."""
        out = []
        for ecu in self.ecus:
            if ecu.bitrate != bitrate:
                continue
            if ecu.request_id == request_id or (request_id == 0x7DF and ecu.functional):
                out.append(ecu)
        return out

    def has_bus(self, bitrate: int) -> bool:
        """True when at least one ECU runs at ``bitrate`` (otherwise the bus errors)."""
        return any(ecu.bitrate == bitrate for ecu in self.ecus)

    def ecu_by_request(self, request_id: int) -> SimEcu | None:
        for ecu in self.ecus:
            if ecu.request_id == request_id:
                return ecu
        return None


def head_unit(
    request_id: int = 0x747,
    response_id: int = 0x767,
    *,
    bitrate: int = 500_000,
    serial: bytes = SIM_SERIAL,
    vin: bytes = SIM_VIN,
    pad_byte: int | None = 0xAA,
    pending: int = 0,
    pending_forever: bool = False,
    kwp_only: bool = False,
    refuse: Iterable[int] = (),
    serial_padding: bytes = b"",
) -> SimEcu:
    """The simulated head unit (fictional identification).

    ``serial_padding`` is appended inside the F18C data (trailing 00/FF/20/A3 variants).
    """
    dids = {
        0xF18C: serial + serial_padding,
        0xF187: SIM_PART_NUMBER,
        0xF18A: SIM_SUPPLIER,
        0xF191: SIM_HARDWARE,
        0xF192: SIM_SUPPLIER_HW,
        0xF193: SIM_SUPPLIER_HW_VERSION,
        0xF194: SIM_SUPPLIER_SW,
        0xF195: SIM_SOFTWARE,
        0xF190: vin,
        0xF1A0: SIM_DIAG_VERSION,
    }
    return SimEcu(
        name="Head unit (simulated)",
        request_id=request_id,
        response_id=response_id,
        bitrate=bitrate,
        dids=dids,
        local_ids={0x80: kwp_ident_block(), 0x81: vin},
        refuse=dict.fromkeys(refuse, NRC_REQUEST_OUT_OF_RANGE),
        supports_uds=not kwp_only,
        sessions=frozenset({0x81, 0xC0}) if kwp_only else frozenset({0x01, 0x03}),
        session=0x81 if kwp_only else 0x01,
        pad_byte=pad_byte,
        pending=pending,
        pending_forever=pending_forever,
    )


# -- the session-gated units of issue 11 (fictional; each is a ``sim://?unit=`` option) --------

#: Fictional serial-like text a "hidden serial" unit keeps in a manufacturer identifier.
SIM_HIDDEN_SERIAL = b"HU7K2M9Q4X51"
SIM_HIDDEN_DID = 0xF1A7
#: A fictional Nissan-style ``61 83`` record: 5-character part suffix, binary, NULs, 0x80.
SIM_NISSAN_RECORD = b"5SIMA\x04\x18SIM-RECORD" + bytes(8) + b"\x80"
KWP_IDENTS = {0x87: SIM_PART_NUMBER, 0x8A: SIM_SUPPLIER, 0x8C: SIM_SERIAL, 0x90: SIM_VIN}
UNIT_KINDS = ("standard", "uds_extended", "kwp_renault", "nissan", "hidden_serial")


def shape_unit(ecu: SimEcu, kind: str) -> SimEcu:
    """Give a simulated head unit one of the behaviours field tools expect (issue 11).

    * ``uds_extended``: answers ``22 F18C`` only in ``10 03`` (``7F 22 7F`` before).
    * ``kwp_renault``: refuses ``22`` with ``7F 22 11``; answers ``1A 8C``, ``21 80`` and
      ``21 81`` only after ``10 C0`` (``7F xx 80`` before); accepts 10 C0 / 10 81 only.
    * ``nissan``: refuses 22 and 1A (0x11); answers ``21 83`` only after ``10 81``.
    * ``hidden_serial``: no standard serial anywhere (F18C and 1A 8C refused with 0x31);
      serial-like text in manufacturer identifier 0xF1A7, found only by ``discover``.
    """
    if kind == "uds_extended":
        ecu.gated = {b"\x22\xf1\x8c": (0x03, NRC_NOT_IN_SESSION)}
    elif kind == "kwp_renault":
        ecu.supports_uds = False
        ecu.sessions = frozenset({0x81, 0xC0})
        ecu.session = 0x81
        ecu.kwp_idents = {**KWP_IDENTS, 0x8C: ecu.dids[0xF18C]}
        ecu.gated = {
            b"\x1a": (0xC0, NRC_KWP_NOT_IN_SESSION),
            b"\x21\x80": (0xC0, NRC_KWP_NOT_IN_SESSION),
            b"\x21\x81": (0xC0, NRC_KWP_NOT_IN_SESSION),
        }
    elif kind == "nissan":
        ecu.supports_uds = False
        ecu.sessions = frozenset({0x81})
        ecu.session = 0x01  # powered up in no KWP session until the tester asks for 10 81
        ecu.local_ids = {0x83: SIM_NISSAN_RECORD}
        ecu.gated = {b"\x21": (0x81, NRC_SUBFUNCTION_NOT_SUPPORTED), b"\x1a": (0x00, 0x11)}
    elif kind == "hidden_serial":
        del ecu.dids[0xF18C]
        ecu.dids[SIM_HIDDEN_DID] = SIM_HIDDEN_SERIAL
        ecu.local_ids = {}
    elif kind != "standard":
        raise ValueError(f"unit must be one of {', '.join(UNIT_KINDS)}, not {kind!r}")
    return ecu


def kwp_ident_block() -> bytes:
    """A fictional ``21 80`` block in the byte layout ddt4all/pyren parse (61 = byte 0):
    part fragment (2-6), diag version (7), supplier (8-10), hardware fragment (11-15),
    software number (16-17), software version (18-19). No public source places a serial
    number in this block, so the simulated one carries none."""
    return b"SIM1R" + b"\x0d" + b"SIM" + b"HW01R" + b"\x12\x34" + b"\x00\x05"


def engine_ecu(vin: bytes = SIM_VIN, bitrate: int = 500_000) -> SimEcu:
    """The simulated engine ECU: OBD mode 01 PID 00, mode 09 PID 02 (VIN) and 22 F190."""
    return SimEcu(
        name="Engine ECU (simulated)",
        request_id=0x7E0,
        response_id=0x7E8,
        bitrate=bitrate,
        dids={0xF190: vin},
        obd={(0x01, 0x00): bytes.fromhex("BE1FA813"), (0x09, 0x02): b"\x01" + vin},
        pad_byte=0x00,
        functional=True,
    )


def default_car(**head_unit_options: Any) -> SimCar:
    """The demo car: an engine ECU and one head unit (``head_unit``'s keyword options)."""
    return SimCar([engine_ecu(), head_unit(**head_unit_options)])
