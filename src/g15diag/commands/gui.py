"""``g15diag gui``: the one-screen local page for people who do not use a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from g15diag.app.adapter import AdapterOptions
from g15diag.commands.options import adapter_options, target_options

if TYPE_CHECKING:
    from g15diag.app.link import Run


@click.command("gui")
@adapter_options(optional=True)
@target_options
@click.option(
    "--no-browser",
    is_flag=True,
    help="Do not open a browser; print the page's address (first line of output).",
)
def command(no_browser: bool, options: AdapterOptions | None, run: Run) -> int:
    """Open the local page: pick the adapter, check it, read the serial, print the dealer
    sheet or save it as PDF.

    --port (or G15DIAG_PORT, or the config file) preselects the adapter; --baud, --protocol,
    --timeout, --profile, --address and --reads apply to every read from the page. The page
    is served on 127.0.0.1 only, on a free port, with a random token in its address that
    every request must carry. It stops on Quit, when the page is closed, or on Ctrl-C.
    Nothing is stored unless you press a Save button.
    """
    from g15diag.errors import UsageError
    from g15diag.gui.server import serve

    given = run.trace is not None or run.traffic is not None
    if (options is not None and options.interface) or given:
        raise UsageError(
            "gui reads ELM327-compatible adapters (--port); --interface, --trace and -v are "
            "for the terminal commands."
        )
    serve(options=options, open_browser=not no_browser, echo=click.echo)
    return 0
