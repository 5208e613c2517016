"""``g15diag help [TOPIC|COMMAND]``: the guides a pip-installed user has no repository for."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import click

COMPLETION = """Shell completion (click)

bash   add to ~/.bashrc:
           eval "$(_G15DIAG_COMPLETE=bash_source g15diag)"
zsh    add to ~/.zshrc:
           eval "$(_G15DIAG_COMPLETE=zsh_source g15diag)"
fish   run once:
           _G15DIAG_COMPLETE=fish_source g15diag > ~/.config/fish/completions/g15diag.fish

Then open a new shell: `g15diag re<Tab>` completes to read-serial / replay, and options
complete after `--`. PowerShell and cmd.exe have no click completion.
"""


def _adapters() -> str:
    return (resources.files("g15diag") / "help" / "adapters.md").read_text(encoding="utf-8")


def _field_guide() -> str:
    return (resources.files("g15diag") / "help" / "field-guide.md").read_text(encoding="utf-8")


def _config() -> str:
    from g15diag.app import config

    doc = (config.__doc__ or "").strip()
    return f"{doc}\n\nOn this computer the file is looked for at:\n    {config.path()}\n"


def _simulator() -> str:
    from g15diag.sim.options import OPTIONS

    width = max(len(o.name) for o in OPTIONS)
    rows = "\n".join(f"  {o.name:<{width}}  [{o.kind}] {o.meaning}" for o in OPTIONS)
    return (
        "The built-in simulator (every value fictional)\n\n"
        "  g15diag read-serial --port 'sim://?hu=7A0:7A8&clone=v15'\n"
        "  g15diag simulate [--tcp 0]     # a pty or 127.0.0.1 port for other tools\n\n"
        f"Options (sim://?name=value&name=value):\n{rows}\n"
    )


def _exit_status() -> str:
    from g15diag.errors import STATUS_TABLE

    width = max(len(status) for status, _ in STATUS_TABLE)
    rows = "\n".join(f"  {status:<{width}}  {meaning}" for status, meaning in STATUS_TABLE)
    return f"Exit status of every g15diag command\n\n{rows}\n"


#: topic -> (one line, the text)
TOPICS: dict[str, tuple[str, Callable[[], str]]] = {
    "adapters": ("Which adapters work, finding the port on each system, pins.", _adapters),
    "field-guide": (
        "When the serial is not found: discover, the field report, what the project does.",
        _field_guide,
    ),
    "config": ("The config file and the G15DIAG_PORT / G15DIAG_BAUD variables.", _config),
    "completion": ("Shell completion for bash, zsh and fish.", lambda: COMPLETION),
    "simulator": ("The sim:// options of the built-in simulator.", _simulator),
    "exit-status": ("What each exit status means.", _exit_status),
}


@click.command("help")
@click.argument("topic", required=False)
@click.pass_context
def command(ctx: click.Context, topic: str | None) -> int:
    """Show a guide (adapters, field-guide, config, completion, simulator, exit-status) or a
    command's help.

    Everything here ships with the package: no repository or network needed.
    """
    from g15diag.errors import UsageError

    if topic is None:
        click.echo("Guides (g15diag help TOPIC):")
        for name, (line, _) in TOPICS.items():
            click.echo(f"  {name:<12} {line}")
        click.echo("Commands: g15diag COMMAND --help (or g15diag help COMMAND).")
        return 0
    if topic in TOPICS:
        click.echo(TOPICS[topic][1]().rstrip("\n"))
        return 0
    root = ctx.find_root()
    group = root.command
    sub = group.get_command(root, topic) if isinstance(group, click.Group) else None
    if sub is None or topic == "help":
        commands = group.list_commands(root) if isinstance(group, click.Group) else []
        known = ", ".join([*TOPICS, *(commands if sub is None else [])])
        raise UsageError(f"No help topic or command {topic!r}; known: {known}.")
    with click.Context(sub, info_name=topic, parent=root) as sub_ctx:
        click.echo(sub.get_help(sub_ctx))
    return 0
