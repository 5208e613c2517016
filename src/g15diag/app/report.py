"""``discover --report FILE.zip``: one file a technician can send so the project learns a car.

The bundle holds the adapter self-test (``doctor.json``), the scan (``scan.json``), every
identifier of every answering unit (``discover.json``), the CAN trace with its sidecar
(``trace.log``, ``trace.json``) and a ``README.txt`` saying what it is and how to send it.
Unless ``--unredacted``, the VIN and serial-like values are masked everywhere: in the JSON
(text kept to the first 11 VIN characters / the last 4 serial characters, hex removed) and in
the trace (their data bytes replaced by ``2A``, framing and length kept). Built in memory and
written once, through the shared atomic writer (never over an existing file without --force).
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from g15diag.app import by_value, privacy
from g15diag.app.export import mask_serial, mask_vin
from g15diag.traces import candump
from g15diag.traces.candump import Frame

MASK_BYTE = 0x2A  # "*": a masked trace stays a valid candump file
#: the zip's fixed timestamp (the content says when it was recorded; the zip need not)
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

README = """g15diag field report
====================

What this is: the answers one car's diagnostic units gave to g15diag's read-only
identification requests (g15diag {version}, {when}{simulated}). Nothing was written to
the car; diagnostic sessions were volatile and always left.

Files:
  README.txt      this text
  doctor.json     the adapter self-test (which adapter, which commands it supports)
  scan.json       which diagnostic addresses answered, at which bit rate
  discover.json   every identification identifier each answering unit gave; values that
                  look like a serial number are marked "serial_candidate" (UNVERIFIED)
  trace.log       the CAN exchange (candump -L format) and trace.json, its sidecar
{incomplete}{masking}
How to send it: attach this file to a new issue in the g15diag project (or mail it to
the maintainers) with the car's model year, market and radio type (label or photo).
The project turns it into a profile candidate and a test case: `g15diag help field-guide`
(`g15diag profile learn THIS.zip -o mine.toml` reads the serial where this report found it).
"""

MASKED_NOTE = """
The VIN and every serial-like value are MASKED (VIN: first 11 characters kept; serial:
last 4 kept; their bytes in trace.log replaced by 2A). Run with --unredacted only if you
agree to share them.
"""
UNMASKED_NOTE = """
This report is UNREDACTED: it contains the VIN and the serial number (personal data).
"""


def _designated(discover: dict[str, Any]) -> set[bytes]:
    """The fixed serial/VIN requests and every identifier whose answer looked like a serial
    or the VIN: where those values are (their fields keep a documented part)."""
    out = {bytes(r) for r in privacy.SENSITIVE_REQUESTS}
    for item in _items(discover):
        if item["serial_candidate"] or _vin_like(item.get("text")):
            out.add(bytes.fromhex(item["request"]))
    return out


def _items(discover: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for unit in discover.get("units", []) for item in unit["items"]]


def known_values(discover: dict[str, Any]) -> tuple[str, ...]:
    """The serial and VIN values this run found (for masking by value)."""
    designated = _designated(discover)
    return by_value.cores(
        item.get("text")
        for item in _items(discover)
        if bytes.fromhex(item["request"]) in designated
    )


def sensitive_requests(discover: dict[str, Any]) -> set[bytes]:
    """Requests whose answers must be masked: the designated ones (:func:`_designated`) and,
    by value, every identifier whose answer carries one of their values in any shape
    (:mod:`g15diag.app.by_value`)."""
    out = _designated(discover)
    known = known_values(discover)
    for item in _items(discover):
        raw = bytes.fromhex(item["hex"]) if item.get("hex") else None
        if by_value.contains(item.get("text"), known) or by_value.contains_bytes(raw, known):
            out.add(bytes.fromhex(item["request"]))
    return out


def _vin_like(text: str | None) -> bool:
    return bool(text) and len(text or "") == 17 and (text or "").isalnum()


def mask_discover(data: dict[str, Any], sensitive: set[bytes]) -> dict[str, Any]:
    """A copy of ``discover --json`` with serial candidates and VINs masked (their documented
    part kept), every other occurrence of their values starred, hex removed."""
    designated, known = _designated(data), known_values(data)
    out = copy.deepcopy(data)
    out["redacted"] = True
    for item in _items(out):
        request = bytes.fromhex(item["request"])
        if request not in sensitive or item["text"] is None:
            continue
        if request in designated:
            vin = _vin_like(item["text"]) and not item["serial_candidate"]
            item["text"] = mask_vin(item["text"]) if vin else mask_serial(item["text"])
        else:  # the serial or the VIN repeated in another slot: starred where it is
            item["text"] = by_value.mask(item["text"], known)
        item["hex"] = None
    return out


def mask_trace(frames: Iterable[Frame], sensitive: set[bytes]) -> list[Frame]:
    """The frames with the data bytes of answers to ``sensitive`` requests set to 2A.

    Requests and answers are paired by ID (the answer ID is the one that follows a request
    ID's single frame); PCI bytes, the echoed service and identifier and negative answers
    stay as they were (:func:`g15diag.app.privacy.mask_frame`).
    """
    masking = False
    out: list[Frame] = []
    for stamp, can_id, data in frames:
        kind = data[0] >> 4 if data else 0xF
        if kind == 0 and _is_request(data):
            request = data[1 : 1 + (data[0] & 0x0F)]
            masking = any(request.startswith(s) for s in sensitive)
        elif masking and kind in (0, 1, 2):
            masked = privacy.mask_frame(data)
            if kind == 0:  # a single frame's padding after the PDU is not data: keep it
                masked = [m and i <= (data[0] & 0x0F) for i, m in enumerate(masked)]
            data = bytes(MASK_BYTE if m else b for b, m in zip(data, masked, strict=True))
        out.append((stamp, can_id, data))
    return out


def _is_request(data: bytes) -> bool:
    """A single frame whose service byte is a request (below 0x40, not a 7F answer)."""
    length = data[0] & 0x0F
    return 0 < length <= 7 and data[1] < 0x40


def bundle(
    *,
    doctor: dict[str, Any] | None,
    scan: dict[str, Any],
    discover: dict[str, Any],
    trace: Path,
    sidecar: dict[str, Any],
    unredacted: bool,
    version: str,
) -> bytes:
    """The zip file's bytes."""
    sensitive = sensitive_requests(discover)
    frames = list(candump.read(trace))
    if not unredacted:
        discover = mask_discover(discover, sensitive)
        frames = mask_trace(frames, sensitive)
        sidecar = {**sidecar, "result": discover, "redacted": True}
    text = io.StringIO()
    candump.write(text, frames)
    readme = README.format(
        version=version,
        when=sidecar.get("recorded_at", ""),
        simulated=", SIMULATED car: not real data" if discover.get("simulated") else "",
        masking=UNMASKED_NOTE if unredacted else MASKED_NOTE,
        incomplete=_incomplete(discover.get("error")),
    )
    members = {
        "README.txt": readme,
        "doctor.json": _json(doctor if doctor is not None else {"skipped": "not an ELM327"}),
        "scan.json": _json(scan),
        "discover.json": _json(discover),
        "trace.log": text.getvalue(),
        "trace.json": _json(sidecar),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content.encode("utf-8"))
    return buffer.getvalue()


def _incomplete(error: dict[str, Any] | None) -> str:
    """One sentence when the run ended early: what stopped it, and that the rest is partial."""
    if not error:
        return ""
    return (
        f"\nINCOMPLETE: the run stopped early with this error (exit status "
        f"{error['exit_status']}): {error['message']} The files hold what was gathered before it.\n"
    )


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
