"""One simulated car, shared by every simulated face (ELM327 adapter, native CAN bus).

Everything here is fictional and obviously so: the serial starts with ``SIM``, the VIN
contains ``SIMULATED``-style text, the supplier is "Simulated Supplier". Nothing in this
module is knowledge about a real Almera G15; the head unit's IDs are whatever the caller
(or the ``sim://`` URL) puts there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    _reads: int = field(default=0, repr=False)
    _seen: set[bytes] = field(default_factory=set, repr=False)

    def respond(self, pdu: bytes) -> list[tuple[float, bytes]]:
        """Answer one request PDU: a list of (delay in seconds, response PDU)."""
        final = self._final(pdu)
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
        sid = pdu[0]
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
        pad_byte=pad_byte,
        pending=pending,
        pending_forever=pending_forever,
    )


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


def default_car(**head_unit_options: object) -> SimCar:
    """The demo car: an engine ECU and one head unit."""
    return SimCar([engine_ecu(), head_unit(**head_unit_options)])  # type: ignore[arg-type]
