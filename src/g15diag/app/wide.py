"""``--wide``'s extent and what it costs: every 11-bit request ID of :data:`WIDE_RANGE` but
the broadcast ID, at :data:`WIDE_RATES`. The candidates are made in app/search.py (the one
search); the no-answer hint (hints.py) quotes :func:`wide_minutes`."""

from __future__ import annotations

WIDE_RANGE = (0x700, 0x7FF)
WIDE_RATES = (500_000, 250_000)
BROADCAST = 0x7DF  # the OBD functional request ID: never one unit's address
#: seconds one silent address costs on an ELM327 with the short silence wait (ATSH, ATFCSH
#: and one request with ATST 64 ms; ATCRA7XX stays set from address to address; the
#: simulator over a pty takes about 0.07 s)
WIDE_SECONDS_PER_PROBE = 0.15


def wide_seconds() -> float:
    """At most how long a ``--wide`` search takes when nothing answers."""
    first, last = WIDE_RANGE
    ids = sum(1 for i in range(first, last + 1) if i != BROADCAST)
    return ids * len(WIDE_RATES) * WIDE_SECONDS_PER_PROBE


def wide_minutes() -> int:
    """:func:`wide_seconds` in whole minutes, rounded up."""
    return max(1, -(-int(wide_seconds()) // 60))
