"""Baseline decoder: python-can ``LogReader`` + can-isotp listen-mode reassembly.

Run as a whole process by ``benchmarks.replay``::

    python benchmarks/replay_baseline.py TRACE.log 747 767

One ``isotp.TransportLayerLogic`` per direction in ``listen_mode`` (it never sends flow
control), fed only the frames of its own CAN ID, ``process()`` once per frame; every request
is paired with the next final answer and printed as SERVICE, IDENT, STATUS, DATA (tab
separated), the same columns as ``g15diag replay --format tsv``.
"""

from __future__ import annotations

import logging
import sys


def main(path: str, request_text: str, response_text: str) -> int:
    import can
    import isotp

    logging.getLogger("isotp").setLevel(logging.CRITICAL)  # FC seen in listen mode is logged
    req_id, resp_id = int(request_text, 16), int(response_text, 16)
    pending_frames: list[isotp.CanMessage] = []

    def rxfn(timeout: float) -> isotp.CanMessage | None:
        return pending_frames.pop() if pending_frames else None

    def txfn(msg: isotp.CanMessage) -> None:
        raise AssertionError("listen mode never transmits")

    def stack(rxid: int, txid: int) -> isotp.TransportLayerLogic:
        address = isotp.Address(isotp.AddressingMode.Normal_11bits, rxid=rxid, txid=txid)
        return isotp.TransportLayerLogic(rxfn, txfn, address, params={"listen_mode": True})

    requests, answers = stack(req_id, resp_id), stack(resp_id, req_id)
    out = sys.stdout
    open_request: bytes | None = None
    count = 0
    for msg in can.LogReader(path):
        can_id = msg.arbitration_id
        if can_id == req_id:
            layer = requests
        elif can_id == resp_id:
            layer = answers
        else:
            continue
        pending_frames.append(isotp.CanMessage(can_id, msg.dlc, bytes(msg.data)))
        layer.process()
        while requests.available():
            open_request = requests.recv()
        while answers.available():
            answer = answers.recv()
            if answer[0] == 0x7F and len(answer) > 2 and answer[2] == 0x78:
                continue
            sid = open_request[0] if open_request else answer[0] - 0x40
            if answer[0] == 0x7F:
                status, data = "NRC", f"0x{answer[2]:02X}"
                sid = answer[1]
            else:
                status, data = "POS", answer[3:].hex().upper()
            ident = f"0x{open_request[1:3].hex().upper()}" if open_request else "-"
            out.write(f"0x{sid:02X}\t{ident}\t{status}\t{data}\n")
            open_request = None
            count += 1
    print(f"# {count} transactions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
