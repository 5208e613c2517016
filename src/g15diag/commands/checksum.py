"""``g15diag checksum TEXT``: recompute the dealer sheet's serial checksum after retyping."""

from __future__ import annotations

import click


@click.command("checksum")
@click.argument("text")
def command(text: str) -> int:
    """Print the 4-hex-digit checksum of TEXT (CRC-32 of its UTF-8 bytes, first 4 digits).

    Type the serial as you copied it: if the result differs from the checksum on the
    dealer sheet, a character was mistyped (look for 0/O, 1/I/l, 5/S, 8/B).
    """
    from g15diag.app.export import checksum

    click.echo(checksum(text))
    return 0
