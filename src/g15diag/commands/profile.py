"""``g15diag profile``: the vehicle profiles shipped with the package, to read or copy."""

from __future__ import annotations

import click


@click.group("profile")
def command() -> None:
    """List or show vehicle profiles (candidate addresses, identifiers, their sources).

    To add what a field report found: g15diag profile learn report.zip -o mine.toml, then
    pass --profile mine.toml.
    """


@command.command("list")
def list_profiles() -> int:
    """Names of the shipped profiles."""
    from g15diag.vehicles import profiles

    for name in profiles.packaged_profiles():
        prof = profiles.load(name)
        click.echo(f"{name:<16} {prof.vehicle}")
    return 0


@command.command("show")
@click.argument("name", default="almera-g15")
def show(name: str) -> int:
    """Print a profile's TOML (a shipped NAME or your own file), checked first."""
    from g15diag.vehicles import profiles

    click.echo(profiles.source_text(name), nl=False)  # a bad profile is an error, not printed
    return 0


def _learn() -> click.Command:
    from g15diag.commands.profile_learn import command as learn

    return learn


command.add_command(_learn())
