"""Baseline: python-OBD reading the head unit's serial the way its documentation allows.

Run as a whole process by ``benchmarks.time_to_serial``::

    python benchmarks/obd_baseline.py PORT REQ:RESP

``OBD(port, baudrate, protocol="6", fast=False)`` connects (its fixed sequence: ``ATZ`` with a
1 s sleep, ``ATE0``, ``ATH1``, ``ATL0``, ``AT RV``, ``ATTP6``, ``0100`` and the supported-PID
getters). The head unit's address is set the only ways python-OBD offers: a custom
``OBDCommand`` with ``header=b"747"`` (python-OBD sends ``AT SH 747``) and raw ``ATCRA`` /
``ATFC`` commands through ``connection.interface.send_and_parse`` (python-OBD has no API for
them). The serial is read twice, as g15diag does, and printed as hex.

python-OBD is GPL-2.0-only: this script is run only by the benchmarks (``pip install
'.[obd]'``); nothing in g15diag imports it.
"""

from __future__ import annotations

import sys


def main(port: str, address: str) -> int:
    import obd
    from obd import OBDCommand
    from obd.protocols import ECU

    request, response = address.upper().split(":")
    connection = obd.OBD(port, baudrate=38400, protocol="6", fast=False, check_voltage=True)
    if not connection.is_connected():
        print("python-OBD could not connect", file=sys.stderr)
        return 3
    interface = connection.interface
    interface.send_and_parse(f"ATCRA{response}".encode())
    interface.send_and_parse(f"ATFCSH{request}".encode())
    interface.send_and_parse(b"ATFCSD300000")
    interface.send_and_parse(b"ATFCSM1")

    def raw(messages):  # type: ignore[no-untyped-def]
        return bytes(messages[0].data) if messages else b""

    serial_cmd = OBDCommand(
        "HU_SERIAL",
        "Head-unit serial (UDS 22 F18C)",
        b"22F18C",
        0,
        raw,
        ECU.ALL,
        False,
        header=request.encode(),
    )
    reads = []
    for _ in range(2):
        answer = connection.query(serial_cmd, force=True)
        reads.append(answer.value)
    connection.close()
    if not reads[0] or reads[0] != reads[1] or reads[0][:3] != b"\x62\xf1\x8c":
        print(f"python-OBD read failed: {reads!r}", file=sys.stderr)
        return 4
    print(reads[0][3:].hex().upper())
    return 0


def silent(port: str, count: int) -> int:
    """Probe ``count`` silent addresses (6x0:6x0+20) the python-OBD way; print s/candidate.

    Per candidate: raw ``ATCRA`` and ``ATFCSH`` plus a custom command with its own header
    (python-OBD sends ``AT SH``); no ``ATST`` (python-OBD has no API for it, so the adapter's
    default 0x32 = 200 ms applies) and no response-count digit on a first query.
    """
    import time

    import obd
    from obd import OBDCommand
    from obd.protocols import ECU

    connection = obd.OBD(port, baudrate=38400, protocol="6", fast=False, check_voltage=True)
    if not connection.is_connected():
        return 3
    interface = connection.interface
    interface.send_and_parse(b"ATFCSD300000")
    start = time.perf_counter()
    for n in range(count):
        request, response = 0x600 + n, 0x620 + n
        interface.send_and_parse(f"ATCRA{response:03X}".encode())
        interface.send_and_parse(f"ATFCSH{request:03X}".encode())
        interface.send_and_parse(b"ATFCSM1")
        probe = OBDCommand(
            f"PROBE_{request:03X}",
            "silent probe",
            b"22F18C",
            0,
            lambda m: m,
            ECU.ALL,
            False,
            header=f"{request:03X}".encode(),
        )
        connection.query(probe, force=True)
    print((time.perf_counter() - start) / count)
    connection.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "silent":
        sys.exit(silent(sys.argv[2], int(sys.argv[3])))
    sys.exit(main(sys.argv[1], sys.argv[2]))
