"""`g15diag replay`: time relative to the first transaction and NRC names (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "can_traces"


def test_table_shows_relative_time_and_nrc_names(run_cli) -> None:
    code, out, err = run_cli("replay", str(TRACES / "nrc.log"))
    assert (code, err) == (0, "")
    nrc = "NRC     0x31 requestOutOfRange"
    assert out.splitlines()[:4] == [
        "  T+ SECONDS     REQUEST    RESPONSE  SERVICE  IDENT           STATUS  DATA",
        f"   +0.000000           -       0x767  0x22     -               {nrc}",
        f"   +0.000500       0x747       0x767  0x22     0xF18C          {nrc}",
        f"   +0.001500       0x747       0x767  0x1A     0x87            {nrc}",
    ]
    assert "1700000000" not in out  # no epoch times in the human table


def test_json_keeps_the_timestamp_and_adds_elapsed_and_nrc_name(run_cli) -> None:
    code, out, _ = run_cli("replay", str(TRACES / "nrc.log"), "--format", "json")
    items = json.loads(out)
    assert code == 0
    assert [i["elapsed"] for i in items] == [0.0, 0.0005, 0.0015, 0.0025]
    assert items[0]["time"] == 1700000000.0
    assert [i["nrc_name"] for i in items] == ["requestOutOfRange"] * 3 + [None]


def test_pending_name(run_cli) -> None:
    code, out, _ = run_cli("replay", str(TRACES / "response_pending.log"))
    assert code == 0 and out.splitlines()[1].startswith("   +0.000000")
