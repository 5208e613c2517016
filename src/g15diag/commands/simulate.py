"""``g15diag simulate``: the simulated adapter on a pseudo-terminal or a loopback TCP port."""

from __future__ import annotations

import click


@click.command("simulate")
@click.option(
    "--sim",
    "sim_url",
    default="sim://",
    show_default=True,
    help="Simulator options as a sim:// URL (e.g. sim://?hu=7A0:7A8&latency=0.05).",
)
@click.option(
    "--tcp",
    "tcp_port",
    type=int,
    default=None,
    help="Listen on 127.0.0.1:PORT (0 picks a free port) instead of a pty.",
)
def command(sim_url: str, tcp_port: int | None) -> int:
    """Serve the simulated ELM327 so any tool can open it like a real adapter.

    Prints the port to use (a /dev/pts/N path or socket://127.0.0.1:PORT) and serves until
    interrupted. Every value it returns is fictional.
    """
    from g15diag.sim.server import PtyServer, TcpServer

    if tcp_port is not None:
        server = TcpServer(sim_url, port=tcp_port)
        click.echo(server.url, err=False)
    else:
        server = PtyServer(sim_url)  # type: ignore[assignment]
        click.echo(server.path)
    try:
        server.serve_forever()
    finally:
        server.close()
    return 0
