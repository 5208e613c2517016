"""Clone and fault models of the simulated adapter, selected by ``sim://`` query options.

The options and their meanings are listed in :mod:`g15diag.sim.options` (``clone``,
``fault``, ``unsupported``, ``truncate``, ``baud``, ``voltage``, ``identity``, ``stn``);
the clone behaviours follow FORScan t=1575, ELMduino #69 and python-OBD #263.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from g15diag.errors import UsageError
from g15diag.sim import options as sim_options
from g15diag.sim import values
from g15diag.sim.elm327 import SimAdapterOptions

KNOWN = sim_options.names(sim_options.ADAPTER)

#: fault option value -> the status line the adapter prints instead of a data answer
STATUS_FAULTS = {
    "can_error": "CAN ERROR",
    "buffer_full": "BUFFER FULL",
    "stopped": "STOPPED",
    "lv_reset": "LV RESET",
}
LINK_FAULTS = ("garbage", "disconnect", "no_prompt", "data_error")
FAULTS = (*STATUS_FAULTS, *LINK_FAULTS)
CLONES = ("v15", "v21", "freeze", "notconnected", "businit", "nowild")
#: the commands a "v1.5" clone does not have (Multiecuscan "FAULTY ELM 327", SO Q 29213988)
V15_UNSUPPORTED = frozenset({"ATCRA", "ATFC", "ATCAF0"})
#: a clone with ATCRA but not its X wildcard digit: answers ? to ATCRA7XX (--wide)
NOWILD_UNSUPPORTED = frozenset({"ATCRA7X"})


def apply(opts: dict[str, str], adapter: SimAdapterOptions) -> SimAdapterOptions:
    """``adapter`` with the clone/fault options in ``opts`` applied."""
    changes: dict[str, Any] = {}  # SimAdapterOptions field -> value (dataclasses.replace)
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
        elif clone == "nowild":
            unsupported |= NOWILD_UNSUPPORTED
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
    unsupported |= {
        values.text("unsupported", x.strip(), 16).upper()
        for x in opts.get("unsupported", "").split(",")
        if x.strip()
    }
    changes["unsupported"] = frozenset(unsupported)
    if "truncate" in opts:
        changes["truncate_requests"] = values.integer("truncate", opts["truncate"], 1, 7)
    if "baud" in opts:
        changes["baud"] = values.integer("baud", opts["baud"], 300, 4_000_000)
    if "voltage" in opts:
        changes["voltage"] = values.text("voltage", opts["voltage"], 16)
    if "identity" in opts:
        changes["identity"] = values.text("identity", opts["identity"], 40)
    if values.flag("stn", opts.get("stn", "0")):
        changes["stn"] = "STN1130 v4.0.1 (simulated)"
    if "freeze_after" in opts:
        changes["freeze_after"] = values.integer("freeze_after", opts["freeze_after"], 1, 64)
    if "slow_after" in opts:
        changes["slow_after"] = values.integer("slow_after", opts["slow_after"], 1, 64)
    changes["late"] = values.flag("late", opts.get("late", "0"))
    return dataclasses.replace(adapter, **changes)
