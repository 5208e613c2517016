"""The read-only guard: the one gate every request PDU passes before any transport writes it.

There is no switch. Only identification and OBD read services are allowed:

* 0x22 ReadDataByIdentifier (UDS), exactly one identifier per request (the answer is
  checked against that one)
* 0x1A readECUIdentification (KWP2000)
* 0x21 readDataByLocalIdentifier (KWP2000, Renault identification blocks)
* 0x09 OBD mode 09 (vehicle information)
* 0x01 OBD mode 01 (current data)
* 0x10 DiagnosticSessionControl, exactly four two-byte requests and nothing else:
  ``10 01`` (UDS default), ``10 03`` (UDS extended), ``10 81`` (KWP standard), ``10 C0``
  (Renault after-sales). No programming session (``10 02``, ``10 85``), no other
  sub-function, no suppress-response bit, no tester present (0x3E).

When a session may be entered (only after a refusal in the default session) and that it is
always left is the stateful rule in :mod:`g15diag.protocol.session`; this stateless gate
admits the four requests and nothing else at every layer, down to the lowest write.

Security access (0x27), writes (0x2E, 0x3B), routines (0x31), resets (0x11), DTC clearing
(0x14, 0x04) and everything else are refused.
"""

from __future__ import annotations

from types import MappingProxyType

from g15diag.errors import ReadOnlyViolation
from g15diag.protocol.session import SESSION_CONTROL, SESSION_REQUESTS

ALLOWED_SERVICES = MappingProxyType(
    {
        0x01: "OBD mode 01 (current data)",
        0x09: "OBD mode 09 (vehicle information)",
        0x1A: "KWP2000 readECUIdentification",
        0x21: "KWP2000 readDataByLocalIdentifier",
        0x22: "UDS ReadDataByIdentifier",
        SESSION_CONTROL: "DiagnosticSessionControl (10 01, 10 03, 10 81, 10 C0 only)",
    }
)

#: The longest request the tool ever needs (OBD 0x01 with six PIDs); anything longer is refused
#: so a request always fits one ISO-TP single frame and never starts a multi-frame send.
MAX_REQUEST_LENGTH = 7
#: ``22`` and one 16-bit identifier: the tool never asks for several in one request, and an
#: answer to several would be checked against the first only (uds.classify)
RDBI_LENGTH = 3


def check_request(pdu: bytes | bytearray) -> bytes:
    """Return ``pdu`` as bytes if it may reach the wire; raise :class:`ReadOnlyViolation`."""
    data = bytes(pdu)
    if not data:
        raise ReadOnlyViolation("Refused an empty request: nothing was sent.")
    sid = data[0]
    if sid not in ALLOWED_SERVICES:
        raise ReadOnlyViolation(
            f"Refused service 0x{sid:02X}: g15diag is read-only and sends only "
            "0x22, 0x1A, 0x21, 0x09, 0x01 and four session requests. Nothing was sent."
        )
    if sid == SESSION_CONTROL and data not in SESSION_REQUESTS:
        raise ReadOnlyViolation(
            f"Refused service 0x10 request {data.hex(' ').upper()}: only 10 01, 10 03, 10 81 and "
            "10 C0 (two bytes each) may be sent. Nothing was sent."
        )
    if len(data) > MAX_REQUEST_LENGTH:
        raise ReadOnlyViolation(
            f"Refused a {len(data)}-byte request: identification requests are at most "
            f"{MAX_REQUEST_LENGTH} bytes. Nothing was sent."
        )
    if sid == 0x22 and len(data) != RDBI_LENGTH:
        raise ReadOnlyViolation(
            f"Refused a {len(data)}-byte ReadDataByIdentifier request: g15diag asks for exactly "
            "one 2-byte identifier per request (22 XX XX). Nothing was sent."
        )
    return data


def is_allowed(pdu: bytes | bytearray) -> bool:
    """True when :func:`check_request` would let ``pdu`` through."""
    try:
        check_request(pdu)
    except ReadOnlyViolation:
        return False
    return True
