"""OBD-II mode 09 PID 02 (VIN) request and decoding, and VIN checks (ISO 3779), sans I/O."""

from __future__ import annotations

from dataclasses import dataclass

VEHICLE_INFO = 0x09
PID_VIN = 0x02
VIN_LENGTH = 17
FORBIDDEN = frozenset("IOQ")

_VALUES = dict(zip("ABCDEFGH", range(1, 9), strict=True))
_VALUES.update(zip("JKLMN", range(1, 6), strict=True))
_VALUES.update({"P": 7, "R": 9})
_VALUES.update(zip("STUVWXYZ", range(2, 10), strict=True))
_VALUES.update({str(d): d for d in range(10)})
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_request() -> bytes:
    """Request bytes for mode 09 PID 02."""
    return bytes([VEHICLE_INFO, PID_VIN])


def vin_bytes(data: bytes) -> bytes:
    """The VIN bytes of a ``49 02`` answer's data (after the PID echo).

    CAN answers start with a one-byte item count (``01``); some ECUs pad with ``00``.
    """
    if len(data) > VIN_LENGTH and data[0] == 0x01:
        data = data[1:]
    return data.lstrip(b"\x00")


@dataclass(frozen=True)
class VinCheck:
    """The result of checking a VIN: errors make it invalid, warnings do not."""

    vin: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


def check_digit(vin: str) -> str | None:
    """The ISO 3779 / North-American check digit a VIN should carry, or None if uncomputable."""
    if len(vin) != VIN_LENGTH or any(ch not in _VALUES for ch in vin):
        return None
    total = sum(_VALUES[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def check_vin(vin: str) -> VinCheck:
    """17 characters, digits and capitals without I, O, Q; a wrong check digit only warns
    (position 9 is mandatory in North America, not everywhere)."""
    errors: list[str] = []
    warnings: list[str] = []
    if len(vin) != VIN_LENGTH:
        errors.append(f"has {len(vin)} characters, not {VIN_LENGTH}")
    bad = sorted({ch for ch in vin if ch in FORBIDDEN})
    if bad:
        errors.append(f"contains {', '.join(bad)} (never used in a VIN)")
    other = sorted({ch for ch in vin if ch not in _VALUES and ch not in FORBIDDEN})
    if other:
        errors.append(f"contains characters a VIN cannot have: {''.join(other)!r}")
    if not errors:
        expected = check_digit(vin)
        if expected is not None and vin[8] != expected:
            warnings.append(
                f"check digit (position 9) is {vin[8]!r}, computed {expected!r}; "
                "not mandatory outside North America"
            )
    return VinCheck(vin=vin, errors=tuple(errors), warnings=tuple(warnings))
