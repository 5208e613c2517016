"""``g15diag replay``: decode every diagnostic transaction in a CAN trace (streaming)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from g15diag.errors import UsageError

if TYPE_CHECKING:
    from g15diag.traces.decode import Transaction

TABLE_HEAD = (
    f"{'T+ SECONDS':>12}  {'REQUEST':>10}  {'RESPONSE':>10}  SERVICE  {'IDENT':<14}  STATUS  DATA"
)


def _can_id(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.removeprefix("0x").removeprefix("0X"), 16)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a hex CAN ID (for example 7A0).") from None
    if not 0 <= value <= 0x1FFFFFFF:
        raise UsageError(f"{option} {text!r}: CAN ID out of range.")
    return value


@click.command("replay")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--request-id", metavar="HEX", help="Request CAN ID (above 7FF means 29-bit).")
@click.option("--response-id", metavar="HEX", help="Response CAN ID (above 7FF means 29-bit).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
    help="tsv: SERVICE, IDENT, STATUS, DATA per line; json: one array of objects.",
)
def command(path: str, request_id: str | None, response_id: str | None, fmt: str) -> int:
    """Decode every diagnostic transaction in the trace PATH, in trace order.

    candump -L .log files are read by a fast dedicated reader; .asc, .blf, .trc, .csv, .db
    and .gz variants through python-can. Without --request-id/--response-id every pair of
    diagnostic IDs found is decoded. Memory stays flat whatever the trace's size.

    The table shows time in seconds after the first transaction and each negative response
    code with its ISO 14229 name; --format json keeps the trace's own timestamp ("time") and
    adds "elapsed" and "nrc_name".
    """
    from g15diag.traces import read_frames
    from g15diag.traces.decode import transactions, wanted_ids

    req = _can_id(request_id, "--request-id")
    resp = _can_id(response_id, "--response-id")
    stream = transactions(read_frames(path, wanted_ids(req, resp)), req, resp)
    if fmt == "tsv":
        for txn in stream:
            click.echo(txn.tsv())
    elif fmt == "json":
        start: float | None = None
        click.echo("[", nl=False)
        for txn in stream:
            lead = "\n  " if start is None else ",\n  "
            start = txn.time if start is None else start
            item = {**txn.as_dict(), "elapsed": round(txn.time - start, 6), "nrc_name": _nrc(txn)}
            click.echo(lead + json.dumps(item), nl=False)
        click.echo("\n]" if start is not None else "]")
    else:
        click.echo(TABLE_HEAD)
        first: float | None = None
        for txn in stream:
            first = txn.time if first is None else first
            click.echo(_row(txn, txn.time - first))
    return 0


def _nrc(txn: Transaction) -> str | None:
    """The ISO 14229 (or, for a KWP request, ISO 14230) name of a negative answer's code."""
    from g15diag.protocol.uds import NEGATIVE_RESPONSE, nrc_name

    resp = txn.response
    if resp is None or len(resp) < 3 or resp[0] != NEGATIVE_RESPONSE:
        return None
    return nrc_name(resp[2], txn.request)


def _row(txn: Transaction, elapsed: float) -> str:
    item = txn.as_dict()
    req, resp = item["request_id"] or "-", item["response_id"] or "-"
    name = _nrc(txn)
    data = f"{item['data']} {name}" if name else item["data"]
    return (
        f"{elapsed:>+12.6f}  {req:>10}  {resp:>10}  {item['service']:<7}  "
        f"{item['ident']:<14}  {item['status']:<6}  {data}"
    )
