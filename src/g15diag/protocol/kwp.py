"""Renault KWP-on-CAN identification, sans I/O: request builders and the ``21 80`` block.

Renault identifies ECUs with readDataByLocalIdentifier (``21 80`` identification block,
``21 81`` VIN), not with ``1A`` (ddt4all ``ecu_scanner.py`` identify_old; pyren
``mod_scan_ecus.py`` readECUIds); KWP2000 ``1A 8C`` is the standard ECUSerialNumber. Both
services are on the read-only allowlist. The ``21 80`` block is split into the fields ddt4all
and pyren read (:func:`parse_ident_block`); the caller always keeps the raw bytes as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from g15diag.protocol.session import KWP_AFTER_SALES, KWP_STANDARD

READ_DATA_BY_LOCAL_IDENTIFIER = 0x21
READ_ECU_IDENTIFICATION = 0x1A
IDENT_BLOCK = 0x80
VIN_BLOCK = 0x81
NISSAN_VERSION_RECORD = 0x83  # Nissan 21 83, read after 10 81 (openpilot FW query)
#: readECUIdentification options (ISO 14230-3, research note section 3.2)
SPARE_PART_NUMBER = 0x87
ECU_SERIAL_NUMBER = 0x8C
VIN_OPTION = 0x90
#: serviceNotSupportedInActiveDiagnosticMode (KWP2000's 0x7F of UDS)
SERVICE_NOT_SUPPORTED_IN_ACTIVE_MODE = 0x80
#: the KWP2000 session requests (standard session, Renault after-sales)
KWP_SESSIONS = (KWP_STANDARD, KWP_AFTER_SALES)

#: ISO 14230-3 negative response codes (names as the standard spells them)
KWP_NRC_NAMES: dict[int, str] = {
    0x10: "generalReject",
    0x11: "serviceNotSupported",
    0x12: "subFunctionNotSupported-invalidFormat",
    0x21: "busy-RepeatRequest",
    0x22: "conditionsNotCorrectOrRequestSequenceError",
    0x23: "routineNotComplete",
    0x31: "requestOutOfRange",
    0x33: "securityAccessDenied",
    0x35: "invalidKey",
    0x36: "exceedNumberOfAttempts",
    0x37: "requiredTimeDelayNotExpired",
    0x40: "downloadNotAccepted",
    0x41: "improperDownloadType",
    0x42: "canNotDownloadToSpecifiedAddress",
    0x43: "canNotDownloadNumberOfBytesRequested",
    0x50: "uploadNotAccepted",
    0x51: "improperUploadType",
    0x52: "canNotUploadFromSpecifiedAddress",
    0x53: "canNotUploadNumberOfBytesRequested",
    0x71: "transferSuspended",
    0x72: "transferAborted",
    0x74: "illegalAddressInBlockTransfer",
    0x75: "illegalByteCountInBlockTransfer",
    0x76: "illegalBlockTransferType",
    0x77: "blockTransferDataChecksumError",
    0x78: "reqCorrectlyRcvd-RspPending",
    0x79: "incorrectByteCountDuringBlockTransfer",
    0x80: "serviceNotSupportedInActiveDiagnosticMode",
}
#: ISO 14230-3's ranges for the codes without a name of their own
KWP_NRC_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x90, 0xF9, "vehicleManufacturerSpecific"),
    (0xFA, 0xFE, "systemSupplierSpecific"),
)
KWP_RESERVED = "reservedByDocument"


def nrc_name(code: int) -> str:
    """The ISO 14230-3 name of a KWP2000 negative response code (0x81-0x8F and every other
    gap: reservedByDocument)."""
    if code in KWP_NRC_NAMES:
        return KWP_NRC_NAMES[code]
    for low, high, name in KWP_NRC_RANGES:
        if low <= code <= high:
            return name
    return KWP_RESERVED


def is_kwp_request(request: bytes | int | None) -> bool:
    """True for a KWP2000 request (``1A``, ``21``, ``10 81``, ``10 C0``), or for the service
    ID ``1A`` / ``21`` alone."""
    if isinstance(request, int):
        return request in (READ_ECU_IDENTIFICATION, READ_DATA_BY_LOCAL_IDENTIFIER)
    if not request:
        return False
    return request[0] in (READ_ECU_IDENTIFICATION, READ_DATA_BY_LOCAL_IDENTIFIER) or (
        bytes(request[:2]) in KWP_SESSIONS
    )


def read_local_identifier(local_id: int) -> bytes:
    """Request bytes for ``21 <local_id>``."""
    if not 0 <= local_id <= 0xFF:
        raise ValueError(f"local identifier out of range: {local_id!r}")
    return bytes([READ_DATA_BY_LOCAL_IDENTIFIER, local_id])


def read_ecu_identification(option: int) -> bytes:
    """Request bytes for ``1A <option>``."""
    if not 0 <= option <= 0xFF:
        raise ValueError(f"identification option out of range: {option!r}")
    return bytes([READ_ECU_IDENTIFICATION, option])


@dataclass(frozen=True)
class RenaultBlock:
    """Fields of a ``61 80`` block at the offsets ddt4all/pyren use (``61`` = byte 0)."""

    part_fragment: bytes  # bytes 2-6, ASCII part-number fragment
    diag_version: int  # byte 7
    supplier: bytes  # bytes 8-10, ASCII
    hardware_fragment: bytes  # bytes 11-15, ASCII
    software_number: bytes  # bytes 16-17
    software_version: bytes  # bytes 18-19


#: Bytes after ``61 80`` that the documented layout needs (bytes 2..19).
BLOCK_LENGTH = 18


def parse_ident_block(data: bytes) -> RenaultBlock | None:
    """Split the data after ``61 80`` into its documented fields; None when too short."""
    if len(data) < BLOCK_LENGTH:
        return None
    return RenaultBlock(
        part_fragment=data[0:5],
        diag_version=data[5],
        supplier=data[6:9],
        hardware_fragment=data[9:14],
        software_number=data[14:16],
        software_version=data[16:18],
    )
