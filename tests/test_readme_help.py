"""README and --help agree: every command, every exit status, every documented setting."""

from __future__ import annotations

import re
from pathlib import Path

from g15diag.cli import COMMANDS, cli
from g15diag.errors import STATUS_TABLE, ExitStatus

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name in COMMANDS if f"g15diag {name}" not in README]
    assert missing == []


def test_exit_status_table_matches_the_code_and_the_help() -> None:
    rows = re.findall(r"^\| ([\d, ]+) \| (.+) \|$", README, re.MULTILINE)
    documented = {int(n) for first, _ in rows for n in first.split(",")}
    codes = {v for k, v in vars(ExitStatus).items() if k.isupper()}
    assert codes <= documented and documented - codes <= {129, 143}  # 128 + SIGHUP/SIGTERM
    summary = (cli.help or "").split("Exit status:", 1)[1]
    in_help = {int(n) for n in re.findall(r"\b(\d+) [a-z]", summary)}
    assert in_help == codes - {ExitStatus.FAILURE} | {0}


def test_readme_and_help_name_the_same_settings(run_cli) -> None:
    _, out, _ = run_cli("read-serial", "--help")
    flat = " ".join(out.split())
    for name in ("G15DIAG_PORT", "G15DIAG_BAUD"):
        assert name in flat and name in README
    _, out, _ = run_cli("help", "config")
    for key in ("port", "baud", "protocol", "timeout", "interface", "channel", "bitrate"):
        assert f"`{key}`" in README
        assert key in out


def test_help_exit_status_is_the_readme_table(run_cli) -> None:
    section = README[README.index("## Exit status") :]
    rows = re.findall(r"^\| ([\d, ]+) \| (.+) \|$", section, re.MULTILINE)
    assert tuple(rows[: len(STATUS_TABLE)]) == STATUS_TABLE
    code, out, _ = run_cli("help", "exit-status")
    flat = " ".join(out.split())
    assert code == 0
    for status, meaning in STATUS_TABLE:
        assert f"{status} {' '.join(meaning.split())}" in flat
