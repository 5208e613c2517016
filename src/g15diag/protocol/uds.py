"""UDS (ISO 14229-1) ReadDataByIdentifier, negative responses and responsePending, sans I/O."""

from __future__ import annotations

from dataclasses import dataclass

from g15diag.errors import MalformedResponse, NegativeResponse
from g15diag.protocol.kwp import is_kwp_request as kwp_request
from g15diag.protocol.kwp import nrc_name as kwp_nrc_name

READ_DATA_BY_IDENTIFIER = 0x22
NEGATIVE_RESPONSE = 0x7F
RESPONSE_PENDING = 0x78
POSITIVE_OFFSET = 0x40
#: ISO 14229-2 default P2server: a server answers (or says responsePending) within 50 ms
P2_SERVER = 0.050
#: ISO 14229-2 default P2*server: after a responsePending, the next answer within 5 s
P2_STAR_SERVER = 5.0
#: the longest g15diag waits in all for one answer while the unit says responsePending
PENDING_CAP = 30.0

#: ISO 14229-1 data identifiers the tool reads (Table C.1 names)
SPARE_PART_NUMBER = 0xF187  # vehicleManufacturerSparePartNumberDataIdentifier
ECU_SERIAL_NUMBER = 0xF18C  # ECUSerialNumberDataIdentifier
VIN = 0xF190  # VINDataIdentifier

#: the negative response codes the tool acts on (names in NRC_NAMES)
SERVICE_NOT_SUPPORTED = 0x11
SUB_FUNCTION_NOT_SUPPORTED = 0x12
INCORRECT_MESSAGE_LENGTH = 0x13
CONDITIONS_NOT_CORRECT = 0x22
REQUEST_OUT_OF_RANGE = 0x31
SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION = 0x7F

#: ISO 14229-1:2020 negative response codes (Table A.1; names as the standard spells them).
#: 0x38-0x40 are named as ISO 15764 (extended data link security) names them, as udsoncan does.
NRC_NAMES: dict[int, str] = {
    0x00: "positiveResponse",
    0x10: "generalReject",
    0x11: "serviceNotSupported",
    0x12: "subFunctionNotSupported",
    0x13: "incorrectMessageLengthOrInvalidFormat",
    0x14: "responseTooLong",
    0x21: "busyRepeatRequest",
    0x22: "conditionsNotCorrect",
    0x24: "requestSequenceError",
    0x25: "noResponseFromSubnetComponent",
    0x26: "failurePreventsExecutionOfRequestedAction",
    0x31: "requestOutOfRange",
    0x33: "securityAccessDenied",
    0x34: "authenticationRequired",
    0x35: "invalidKey",
    0x36: "exceedNumberOfAttempts",
    0x37: "requiredTimeDelayNotExpired",
    0x38: "generalSecurityViolation",
    0x39: "secureDataTransmissionNotAllowed",
    0x3A: "insufficientProtection",
    0x3B: "terminationWithSignatureRequested",
    0x3C: "accessDenied",
    0x3D: "versionNotSupported",
    0x3E: "securedLinkNotSupported",
    0x3F: "certificateNotAvailable",
    0x40: "auditTrailInformationNotAvailable",
    0x50: "certificateVerificationFailed-InvalidTimePeriod",
    0x51: "certificateVerificationFailed-InvalidSignature",
    0x52: "certificateVerificationFailed-InvalidChainOfTrust",
    0x53: "certificateVerificationFailed-InvalidType",
    0x54: "certificateVerificationFailed-InvalidFormat",
    0x55: "certificateVerificationFailed-InvalidContent",
    0x56: "certificateVerificationFailed-InvalidScope",
    0x57: "certificateVerificationFailed-InvalidCertificate",
    0x58: "ownershipVerificationFailed",
    0x59: "challengeCalculationFailed",
    0x5A: "settingAccessRightsFailed",
    0x5B: "sessionKeyCreationDerivationFailed",
    0x5C: "configurationDataUsageFailed",
    0x5D: "deAuthenticationFailed",
    0x70: "uploadDownloadNotAccepted",
    0x71: "transferDataSuspended",
    0x72: "generalProgrammingFailure",
    0x73: "wrongBlockSequenceCounter",
    0x78: "requestCorrectlyReceived-ResponsePending",
    0x7E: "subFunctionNotSupportedInActiveSession",
    0x7F: "serviceNotSupportedInActiveSession",
    0x81: "rpmTooHigh",
    0x82: "rpmTooLow",
    0x83: "engineIsRunning",
    0x84: "engineIsNotRunning",
    0x85: "engineRunTimeTooLow",
    0x86: "temperatureTooHigh",
    0x87: "temperatureTooLow",
    0x88: "vehicleSpeedTooHigh",
    0x89: "vehicleSpeedTooLow",
    0x8A: "throttle/PedalTooHigh",
    0x8B: "throttle/PedalTooLow",
    0x8C: "transmissionRangeNotInNeutral",
    0x8D: "transmissionRangeNotInGear",
    0x8F: "brakeSwitch(es)NotClosed",
    0x90: "shifterLeverNotInPark",
    0x91: "torqueConverterClutchLocked",
    0x92: "voltageTooHigh",
    0x93: "voltageTooLow",
    0x94: "resourceTemporarilyNotAvailable",
}
#: ISO 14229-1:2020 Table A.1's ranges for the codes without a name of their own
NRC_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x38, 0x4F, "reservedByExtendedDataLinkSecurityDocument"),
    (0x95, 0xEF, "reservedForSpecificConditionsNotCorrect"),
    (0xF0, 0xFE, "vehicleManufacturerSpecificConditionsNotCorrect"),
)
ISO_RESERVED = "ISOSAEReserved"


def nrc_name(code: int, request: bytes | int | None = None) -> str:
    """The name of a negative response code: ISO 14230-3 (KWP2000) for an answer to a KWP
    request (``1A``, ``21``, ``10 C0``, ``10 81``), ISO 14229-1:2020 (UDS) otherwise.

    ``request`` is the request PDU, or only its service ID (``10`` alone counts as UDS).
    """
    if kwp_request(request):
        return kwp_nrc_name(code)
    if code in NRC_NAMES:
        return NRC_NAMES[code]
    for low, high, name in NRC_RANGES:
        if low <= code <= high:
            return name
    return ISO_RESERVED


@dataclass(frozen=True)
class Positive:
    """A positive answer: the bytes after the echoed service and identifier."""

    data: bytes


@dataclass(frozen=True)
class Negative:
    """A negative answer (7F sid nrc)."""

    service: int
    nrc: int
    kwp: bool = False  # an answer to a KWP2000 request: named from ISO 14230-3

    @property
    def name(self) -> str:
        return kwp_nrc_name(self.nrc) if self.kwp else nrc_name(self.nrc)

    @property
    def pending(self) -> bool:
        return self.nrc == RESPONSE_PENDING

    def error(self) -> NegativeResponse:
        return NegativeResponse(self.service, self.nrc, self.name)


Answer = Positive | Negative


def read_data_by_identifier(did: int) -> bytes:
    """Request bytes for ReadDataByIdentifier of one 16-bit identifier."""
    if not 0 <= did <= 0xFFFF:
        raise ValueError(f"data identifier out of range: {did!r}")
    return bytes([READ_DATA_BY_IDENTIFIER]) + did.to_bytes(2, "big")


def classify(request: bytes, response: bytes) -> Answer:
    """Decode ``response`` to ``request`` into Positive or Negative.

    A positive answer must echo the service (+0x40) and every byte of the request after the
    service ID (the DID for 0x22, the local identifier for 0x21/0x1A, the PID for OBD);
    otherwise it belongs to another request and :class:`MalformedResponse` is raised.
    """
    if not response:
        raise MalformedResponse("Empty answer.")
    sid = request[0]
    if response[0] == NEGATIVE_RESPONSE:
        if len(response) < 3:
            raise MalformedResponse(f"Negative response too short: {response.hex(' ').upper()}.")
        if response[1] != sid:
            raise MalformedResponse(
                f"Negative response for service 0x{response[1]:02X}, expected 0x{sid:02X}."
            )
        return Negative(response[1], response[2], kwp_request(request))
    if response[0] != sid + POSITIVE_OFFSET:
        raise MalformedResponse(
            f"Answer starts 0x{response[0]:02X}, expected 0x{sid + POSITIVE_OFFSET:02X}."
        )
    echo = echo_length(request)
    if response[1 : 1 + echo] != request[1 : 1 + echo]:
        raise MalformedResponse(
            f"Answer echoes {response[1 : 1 + echo].hex(' ').upper() or 'nothing'} where "
            f"{request[1 : 1 + echo].hex(' ').upper()} was requested (the adapter may have "
            "cut the request short)."
        )
    return Positive(bytes(response[1 + echo :]))


def echo_length(request: bytes) -> int:
    """How many request bytes after the SID a positive answer repeats."""
    if request[0] == READ_DATA_BY_IDENTIFIER:
        return 2  # the one DID (the guard admits exactly one per request)
    return min(1, len(request) - 1)
