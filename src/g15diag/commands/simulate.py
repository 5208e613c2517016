"""``g15diag simulate``: the simulated adapter on a pseudo-terminal or a loopback TCP port."""

from __future__ import annotations

import signal
import sys
from typing import Any

import click


class SimulateCommand(click.Command):
    """``--help`` ends with every ``sim://`` option, read from ``g15diag.sim.options``."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from g15diag.sim.options import help_rows

        with formatter.section("Simulator options (sim://?name=value&name=value)"):
            formatter.write_dl(help_rows())
        formatter.write_paragraph()
        formatter.write_text(
            "The same options work on --port sim://?... (no server needed) and on "
            "--interface virtual --channel sim://?... (native CAN). Every value is fictional."
        )


@click.command("simulate", cls=SimulateCommand)
@click.option(
    "--sim",
    "sim_url",
    default="sim://",
    show_default=True,
    help="Simulator options as a sim:// URL (e.g. sim://?hu=7A0:7A8&latency=0.05); "
    "the options are listed below.",
)
@click.option(
    "--tcp",
    "tcp_port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Listen on 127.0.0.1:PORT (0 picks a free port) instead of a pty "
    "(Windows has no pty: use --tcp there).",
)
def command(sim_url: str, tcp_port: int | None) -> int:
    """Serve the simulated ELM327 so any tool can open it like a real adapter.

    Prints the port to use (a /dev/pts/N path or socket://127.0.0.1:PORT) on stdout, how to
    use it and how to stop it on stderr, and serves until Ctrl-C or SIGTERM (exit 0).
    Every value it returns is fictional.
    """
    from g15diag.sim.server import PtyServer, TcpServer

    server: Any
    if tcp_port is not None:
        server = TcpServer(sim_url, port=tcp_port)
        port = server.url
    else:
        server = PtyServer(sim_url)
        port = server.path
    stopping = [signal.SIGINT, signal.SIGTERM]  # both stop it cleanly (exit 0)
    previous = {sig: signal.getsignal(sig) for sig in stopping}
    for sig in stopping:  # before the port is printed: a caller may signal at once
        signal.signal(sig, lambda *_: server.stop())
    try:
        click.echo(port)  # stdout: the one line a script reads
        click.echo(
            f"Simulated ELM327 adapter (fictional car) on {port}.\n"
            f"  Use it from another terminal:  g15diag read-serial --port {port}\n"
            "  Stop it with Ctrl-C (or SIGTERM).",
            err=True,
        )
        sys.stdout.flush()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
    click.echo("Simulator stopped.", err=True)
    return 0
