"""The ``g15diag`` command line: a thin click layer over the API in ``g15diag.app``.

Subcommands are imported only when run, so ``g15diag --help`` stays fast. Every error the
tool raises on purpose becomes one sentence, a hint and its documented exit status; nothing
a user or an adapter can cause prints a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from g15diag import __version__
from g15diag.commands import jsonout
from g15diag.errors import ExitStatus, G15DiagError
from g15diag.system import files, signals

#: command name -> "module:attribute" (one module per command under g15diag.commands)
COMMANDS: dict[str, tuple[str, str]] = {
    "adapters": (
        "g15diag.commands.adapters:command",
        "List candidate adapter ports (opens nothing unless --probe).",
    ),
    "doctor": (
        "g15diag.commands.doctor:command",
        "Self-test the adapter: identity, voltage, needed commands, verdict.",
    ),
    "read-serial": (
        "g15diag.commands.read_serial:command",
        "Read the head unit's serial number.",
    ),
    "identify": (
        "g15diag.commands.identify:command",
        "Read every identification item of the head unit, and the VIN.",
    ),
    "scan": (
        "g15diag.commands.scan:command",
        "Show which candidate addresses answer, at which bit rate.",
    ),
    "discover": (
        "g15diag.commands.discover:command",
        "List every identification identifier of each unit; --report for the project.",
    ),
    "export": (
        "g15diag.commands.export:command",
        "Write the dealer sheet (text, HTML, PDF in en/ru; JSON; CSV).",
    ),
    "checksum": (
        "g15diag.commands.checksum:command",
        "Recompute a serial's checksum (as printed on the dealer sheet).",
    ),
    "gui": (
        "g15diag.commands.gui:command",
        "Open the local window (browser page): pick adapter, read serial, print sheet.",
    ),
    "replay": (
        "g15diag.commands.replay:command",
        "Decode the diagnostic transactions in a CAN trace.",
    ),
    "simulate": (
        "g15diag.commands.simulate:command",
        "Serve the simulated adapter on a pty or TCP port.",
    ),
    "profile": (
        "g15diag.commands.profile:command",
        "List or show the vehicle profiles (candidate addresses and their sources).",
    ),
    "help": (
        "g15diag.commands.help:command",
        "Guides shipped with the tool: adapters, config, completion, simulator.",
    ),
}

EPILOG = (
    "Settings: --port and --baud also come from the environment variables G15DIAG_PORT and "
    "G15DIAG_BAUD, and every adapter option from the config file {config} (never written "
    "by the tool); the command line wins. Guides: `g15diag help config`, "
    "`g15diag help completion` (shell completion), `g15diag help adapters`."
)


def start_here() -> str:
    """The first-run path, shown by a bare ``g15diag``."""
    path = "g15diag adapters -> g15diag doctor --port PORT -> g15diag read-serial --port PORT"
    gui = " (or: g15diag gui)" if "gui" in COMMANDS else ""
    return f"Start here: {path}{gui}\nNo car at hand? g15diag read-serial --port sim://"


class StdoutClosed(Exception):
    """stdout's reader went away mid-command; carried past click (which turns EPIPE into a
    bare exit 1, inside or outside its handler depending on the version) to :func:`_run`."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if _is_broken_pipe(exc):
                raise StdoutClosed from exc
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        _watch_json(command)
        return command

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from g15diag.app import config

        formatter.write_paragraph()
        formatter.write_text(EPILOG.format(config=config.path()))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    # Spelled out: click 8.5 brackets COMMAND when a group runs without one, 8.4 does not.
    subcommand_metavar="COMMAND [ARGS]...",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="g15diag")
@click.pass_context
def cli(ctx: click.Context) -> int | None:
    """g15diag: read a Nissan Almera G15 head unit's serial number over OBD-II.

    Read-only: it sends identification reads only and never computes codes.
    Exit status: 0 ok, 2 usage, 3 port/adapter, 4 no head unit answered, 5 refused (NRC),
    6 reads disagreed, 7 adapter not usable, 8 adapter lacks a needed command,
    9 cannot write output, 10 read-only guard refused, 11 unit fell silent after one read,
    130 interrupted.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        click.echo("")
        click.echo(start_here())
        return ExitStatus.OK
    if ctx.invoked_subcommand not in ("help", "profile", "replay"):
        from g15diag.app import config

        settings = config.load()  # the user's config file: defaults under the command line
        if settings:
            ctx.default_map = {name: dict(settings) for name in COMMANDS}
    return None


def _watch_json(command: click.Command) -> None:
    """Make a command's ``--json`` flag eager and noted, so any error of the run is also
    printed as one JSON object on stdout (see :func:`report`)."""
    for param in command.params:
        if "--json" in getattr(param, "opts", ()) and not getattr(param, "_g15_watched", False):
            inner: Callable[[click.Context, click.Parameter, Any], Any] | None = param.callback

            def note(ctx: click.Context, p: click.Parameter, value: Any, inner: Any = inner) -> Any:
                if value:
                    jsonout.output(ctx).requested = True
                return inner(ctx, p, value) if inner else value

            param.callback = note
            param.is_eager = True
            param._g15_watched = True  # type: ignore[attr-defined]  # our mark on click's object


def report(error: G15DiagError, out: jsonout.Output) -> None:
    """Print an error as the user should see it: as the run that raised it presented it
    (VIN and serial masked unless --unredacted), masked when no run did."""
    from g15diag.app.privacy import present
    from g15diag.protocol.visible import visible

    message = present(error)
    click.echo(f"Error: {visible(message)}", err=True)  # an adapter's ESC stays text
    if error.shown_hint:
        click.echo(f"Hint: {visible(error.shown_hint)}", err=True)
    report_json(out, message, error.shown_hint, error.exit_status, masked=True)


def report_json(
    out: jsonout.Output, message: str, hint: str | None, status: int, *, masked: bool = False
) -> None:
    """With --json, the error as one JSON object on stdout too (scripts read both)."""
    if not out.error_object_wanted():
        return
    import json

    from g15diag.app.privacy import mask_text

    if not masked:
        message, hint = mask_text(message), mask_text(hint) if hint else None
    data = {
        "schema_version": 1,
        "error": message,
        "hint": hint or None,
        "exit_status": int(status),
    }
    with contextlib.suppress(OSError):
        click.echo(json.dumps(data, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns (and exits with) the documented status."""
    # this run's files (temporaries, what was written): the ledger removes what is left
    with signals.installed(restore=argv is not None), files.ledger():
        try:
            code = _run(argv)
        finally:
            signals.stop()  # from here on a signal cannot break the report or the cleanup
    if argv is None:
        sys.exit(code)
    return code


def _interrupted(exc: BaseException) -> int:
    """Say what is true after a signal: which files were complete, and exit 128+n."""
    signals.stop()
    cause = exc.__cause__ if isinstance(exc, click.exceptions.Abort) else exc
    status = getattr(cause, "exit_status", ExitStatus.INTERRUPTED)
    done = [path for path in files.written() if path.exists()]  # not a removed temporary
    kept = f" {', '.join(map(str, done))} had been written completely." if done else ""
    with contextlib.suppress(OSError):
        click.echo(f"Interrupted.{kept}", err=True)
    return int(status)


def _pipe_closed() -> int:
    """stdout's reader went away (``| head``): a normal end, silent, exit 0."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
    return ExitStatus.OK


def _run(argv: list[str] | None) -> int:
    try:
        return _run_command(argv)
    except KeyboardInterrupt as exc:  # a signal while the final message was being written
        return _silenced(exc)


def _silenced(exc: KeyboardInterrupt) -> int:
    """A signal landed while the last message was blocked on stderr (a terminal paused
    with Ctrl-S): end at once with 128+n, writing nothing more through that stream."""
    signals.stop()
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stderr, sys.stdout):  # the interpreter's last flush goes nowhere
            os.dup2(devnull, stream.fileno())
    return int(getattr(exc, "exit_status", ExitStatus.INTERRUPTED))


def _run_command(argv: list[str] | None) -> int:
    out = jsonout.Output()  # this run's --json state, nobody else's
    try:
        status = cli.main(args=argv, prog_name="g15diag", standalone_mode=False, obj=out)
        code = status if isinstance(status, int) else ExitStatus.OK
    except G15DiagError as error:
        report(error, out)
        code = error.exit_status
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        code = _interrupted(exc)
    except click.ClickException as error:
        error.show()
        code = ExitStatus.USAGE if isinstance(error, click.UsageError) else error.exit_code
        report_json(out, error.format_message(), None, code)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except (BrokenPipeError, StdoutClosed):
        code = _pipe_closed()
    except SystemExit as done:  # click ends a run whose stdout pipe closed with exit 1
        if not _is_broken_pipe(done.__context__):
            raise
        code = _pipe_closed()
    except Exception as error:
        if os.environ.get("G15DIAG_DEBUG"):
            raise
        message = (
            f"Internal error: {type(error).__name__}: {error}. This is a bug in g15diag; "
            "please report it (set G15DIAG_DEBUG=1 for details)."
        )
        click.echo(message, err=True)
        code = ExitStatus.FAILURE
        report_json(out, message, None, code)
    return code


def _is_broken_pipe(exc: BaseException | None) -> bool:
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )
