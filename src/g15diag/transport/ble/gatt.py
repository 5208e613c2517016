"""The GATT "UART" of a Bluetooth LE ELM327: which service and characteristics carry the text.

Sans-I/O: works on anything shaped like bleak's service collection (services with ``uuid``,
``description`` and ``characteristics``; characteristics with ``uuid`` and ``properties``),
so it is tested without bleak or a radio.

Known layouts (research: the adapters' GATT tables as published by their users):

* service ``FFF0``: notify ``FFF1``, write ``FFF2`` (Veepeak OBDCheck BLE, many clones);
* service ``FFE0``: ``FFE1`` notifies and is written (HM-10 style modules, LELink);
* Vgate's service ``E7810A71-73AE-499D-8C15-FAA9AEF0C3F2`` (iCar Pro BLE, "IOS-Vlink"):
  its characteristics are taken by their properties.

Otherwise, within one service, the characteristic that notifies and the one that can be
written (the same one on HM-10 style modules) are taken; standard services (Generic Access,
Device Information, Battery...) and firmware-update services are never a UART.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"
VGATE_SERVICE = "e7810a71-73ae-499d-8c15-faa9aef0c3f2"
#: The smallest ATT payload of a write (the BLE minimum MTU 23 less 3 bytes of header).
MIN_CHUNK = 20


def uuid128(uuid: str) -> str:
    """``"FFF0"`` or ``"0000fff0-..."`` -> the lower-case 128-bit form."""
    text = uuid.strip().lower()
    if re.fullmatch(r"[0-9a-f]{4}", text):
        return f"0000{text}{BASE_UUID_TAIL}"
    if re.fullmatch(r"[0-9a-f]{8}", text):
        return f"{text}{BASE_UUID_TAIL}"
    return text


_STANDARD_16 = re.compile(r"0000([0-9a-f]{4})" + re.escape(BASE_UUID_TAIL))


def short(uuid: str) -> str:
    """The 16-bit form (``FFF0``) of a Bluetooth-base UUID, else the upper-case 128-bit one."""
    text = uuid128(uuid)
    base = _STANDARD_16.fullmatch(text)
    return base.group(1).upper() if base else text.upper()


@dataclass(frozen=True)
class Layout:
    """A known UART service; ``notify``/``write`` None: take them by their properties."""

    name: str
    service: str
    notify: str | None = None
    write: str | None = None


LAYOUTS: tuple[Layout, ...] = (
    Layout("FFF0", uuid128("fff0"), uuid128("fff1"), uuid128("fff2")),
    Layout("FFE0", uuid128("ffe0"), uuid128("ffe1"), uuid128("ffe1")),
    Layout("Vgate", VGATE_SERVICE),
)
#: Standard SIG services that are never a UART (Generic Access/Attribute, Device
#: Information, Battery, Heart Rate...): only consulted for the by-properties fallback.
_STANDARD = re.compile(r"0000(18[0-9a-f]{2})" + re.escape(BASE_UUID_TAIL))
#: Advertised names of BLE OBD adapters (Vgate "IOS-Vlink", Veepeak "VEEPEAK", OBDLink CX,
#: LELink, Konnwei, Carista, generic "OBDII"/"OBDBLE"/"ELM327" clones).
OBD_NAME = re.compile(
    r"obd|elm ?327|v-?link|vgate|icar|veepeak|lelink|konnwei|carista|kiwi|vlinker|"
    r"android-vlink|ios-vlink",
    re.IGNORECASE,
)
#: Firmware-update services (Nordic DFU, TI OAD, Telink/Silicon Labs OTA): they notify and
#: take writes too, but are never the UART, and nothing is written to them.
NOT_UART = frozenset(
    {
        uuid128("fe59"),  # Nordic Secure DFU
        "00001530-1212-efde-1523-785feabcd123",  # Nordic legacy DFU
        "f000ffc0-0451-4000-b000-000000000000",  # TI OAD
        "00010203-0405-0607-0809-0a0b0c0d1912",  # Telink OTA
        "1d14d6ee-fd63-4fa1-bfa4-8f47b42119f0",  # Silicon Labs OTA
    }
)
WRITE_PROPS = ("write", "write-without-response")
NOTIFY_PROPS = ("notify", "indicate")


class Characteristic(Protocol):
    @property
    def uuid(self) -> str: ...
    @property
    def properties(self) -> Sequence[str]: ...


class Service(Protocol):
    @property
    def uuid(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def characteristics(self) -> Sequence[Characteristic]: ...


@dataclass(frozen=True)
class Uart:
    """The chosen pair: where the adapter's text arrives and where commands are written."""

    service: str
    notify: str
    write: str
    with_response: bool  # write with response (the characteristic allows it)
    how: str  # which layout matched, for -v
    #: the characteristic objects themselves (bleak's), so a UUID used twice is no question
    notify_char: Any = field(default=None, compare=False, repr=False)
    write_char: Any = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        mode = "with response" if self.with_response else "without response"
        return (
            f"GATT UART {self.how}: service {short(self.service)}, notify {short(self.notify)}, "
            f"write {short(self.write)} ({mode})"
        )


def choose(services: Iterable[Service]) -> Uart | None:
    """The UART among ``services``: a known layout first, then notify + write in one
    non-standard service; None when there is none."""
    found = list(services)
    by_uuid = {uuid128(s.uuid): s for s in found}
    for layout in LAYOUTS:
        service = by_uuid.get(layout.service)
        if service is None:
            continue
        pair = _pair(service, layout.notify, layout.write)
        if pair is not None:
            return _uart(service, *pair, f"layout {layout.name}")
    for service in found:
        if _STANDARD.fullmatch(uuid128(service.uuid)) or uuid128(service.uuid) in NOT_UART:
            continue
        pair = _pair(service, None, None)
        if pair is not None:
            return _uart(service, *pair, "chosen by properties (not a known layout)")
    return None


def _pair(
    service: Service, notify: str | None, write: str | None
) -> tuple[Characteristic, Characteristic] | None:
    chars = list(service.characteristics)
    notifiers = [c for c in chars if _can(c, NOTIFY_PROPS)]
    writers = [c for c in chars if _can(c, WRITE_PROPS)]
    if notify is not None:
        notifiers = [c for c in notifiers if uuid128(c.uuid) == notify]
    if write is not None:
        writers = [c for c in writers if uuid128(c.uuid) == write]
    if not notifiers or not writers:
        return None
    both = [c for c in notifiers if c in writers]  # HM-10 style: one does both
    if both and notify is None:
        return both[0], both[0]
    return notifiers[0], writers[0]


def _can(char: Characteristic, props: tuple[str, ...]) -> bool:
    return any(p in char.properties for p in props)


def _uart(service: Service, notify: Characteristic, write: Characteristic, how: str) -> Uart:
    return Uart(
        service=uuid128(service.uuid),
        notify=uuid128(notify.uuid),
        write=uuid128(write.uuid),
        with_response="write" in write.properties,
        how=how,
        notify_char=notify,
        write_char=write,
    )


def offered(services: Iterable[Service]) -> str:
    """``"1800 Generic Access, 180D Heart Rate"``: what a device offers, for an error."""
    parts = []
    for service in services:
        name = getattr(service, "description", "") or ""
        label = short(service.uuid)
        parts.append(f"{label} {name}".strip() if name and name != "Unknown" else label)
    return ", ".join(parts) or "no services at all"


def chunks(data: bytes, size: int) -> list[bytes]:
    """``data`` cut into writes of at most ``size`` bytes (never below :data:`MIN_CHUNK`)."""
    size = max(MIN_CHUNK, size)
    return [data[i : i + size] for i in range(0, len(data), size)]


@dataclass(frozen=True)
class BleAdapter:
    """One advertising device that looks like an OBD adapter (``adapters --ble``)."""

    name: str
    address: str
    rssi: int
    why: str  # "name", "FFF0 service", "name and Vgate service"
    port: str  # the exact --port value


def looks_like_obd(name: str | None, service_uuids: Iterable[str]) -> str | None:
    """Why an advertisement looks like an OBD adapter (``"name"``, ``"FFF0 service"`` or
    ``"name and FFF0 service"``), or None (a heart-rate sensor, headphones...).

    The known UART services are generic BLE serial modules: printers and other gadgets use
    them too, so a service alone is a weaker sign than an adapter's name."""
    advertised = {uuid128(u) for u in service_uuids}
    reasons = ["name"] if name and OBD_NAME.search(name) else []
    reasons += [f"{x.name} service" for x in LAYOUTS if x.service in advertised][:1]
    return " and ".join(reasons) or None
