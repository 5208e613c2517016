"""``g15diag gui``: the one-screen local page for people who do not use a terminal."""

from __future__ import annotations

import click


@click.command("gui")
@click.option(
    "--port",
    "-p",
    metavar="PORT",
    help="Adapter to preselect (any --port value; sim:// for the simulator).",
)
@click.option(
    "--no-browser",
    is_flag=True,
    help="Do not open a browser; print the page's address (first line of output).",
)
def command(port: str | None, no_browser: bool) -> int:
    """Open the local page: pick the adapter, check it, read the serial, print the dealer
    sheet or save it as PDF.

    The page is served on 127.0.0.1 only, on a free port, with a random token in its
    address that every request must carry. It stops on Quit, when the page is closed, or
    on Ctrl-C. Nothing is stored unless you press a Save button.
    """
    from g15diag.gui.server import serve

    serve(default_port=port, open_browser=not no_browser, echo=click.echo)
    return 0
