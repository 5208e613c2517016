"""Clone and fault models of the simulated adapter, selected by ``sim://`` query options.

The options and their meanings are listed in :mod:`g15diag.sim.options` (``clone``,
``fault``, ``unsupported``, ``truncate``, ``baud``, ``voltage``, ``identity``, ``stn``);
the clone behaviours follow FORScan t=1575, ELMduino #69 and python-OBD #263.
"""

from __future__ import annotations

import dataclasses

from g15diag.errors import UsageError
from g15diag.sim import options as sim_options
from g15diag.sim.elm327 import AdapterOptions

KNOWN = sim_options.names(sim_options.ADAPTER)

#: fault option value -> the status line the adapter prints instead of a data answer
STATUS_FAULTS = {
    "can_error": "CAN ERROR",
    "buffer_full": "BUFFER FULL",
    "stopped": "STOPPED",
    "lv_reset": "LV RESET",
}
LINK_FAULTS = ("garbage", "disconnect", "no_prompt")
FAULTS = (*STATUS_FAULTS, *LINK_FAULTS)
CLONES = ("v15", "v21", "freeze", "notconnected", "businit")
#: the commands a "v1.5" clone does not have (Multiecuscan "FAULTY ELM 327", SO Q 29213988)
V15_UNSUPPORTED = frozenset({"ATCRA", "ATFC", "ATCAF0"})


def apply(opts: dict[str, str], adapter: AdapterOptions) -> AdapterOptions:
    """``adapter`` with the clone/fault options in ``opts`` applied."""
    changes: dict[str, object] = {}
    unsupported = set(adapter.unsupported)
    for clone in filter(None, opts.get("clone", "").split(",")):
        if clone not in CLONES:
            raise UsageError(f"clone must be one of {', '.join(CLONES)}, not {clone!r}.")
        if clone == "v15":
            unsupported |= V15_UNSUPPORTED
            changes["identity"] = "ELM327 v1.5"
        elif clone == "v21":
            changes["truncate_requests"] = 2
            changes["identity"] = "ELM327 v2.1"
        elif clone == "freeze":
            changes["freeze_multiframe"] = True
        elif clone == "notconnected":
            changes["data_status"] = "NOT CONNECTED"
        else:
            changes["data_status"] = "BUS INIT: ...ERROR"
    fault = opts.get("fault")
    if fault is not None:
        if fault not in FAULTS:
            raise UsageError(f"fault must be one of {', '.join(FAULTS)}, not {fault!r}.")
        if fault in STATUS_FAULTS:
            changes["data_status"] = STATUS_FAULTS[fault]
        elif fault == "no_prompt":
            changes["prompt"] = False
        else:
            changes[fault] = True
    unsupported |= {x.strip().upper() for x in opts.get("unsupported", "").split(",") if x}
    changes["unsupported"] = frozenset(unsupported)
    try:
        if "truncate" in opts:
            changes["truncate_requests"] = int(opts["truncate"])
        if "baud" in opts:
            changes["baud"] = int(opts["baud"])
    except ValueError as exc:
        raise UsageError(f"Bad simulator option: {exc}.") from exc
    if "voltage" in opts:
        changes["voltage"] = opts["voltage"]
    if "identity" in opts:
        changes["identity"] = opts["identity"]
    if opts.get("stn") == "1":
        changes["stn"] = "STN1130 v4.0.1 (simulated)"
    return dataclasses.replace(adapter, **changes)
