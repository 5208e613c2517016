"""Conventions of click tools and a technician's first hour (issue 13): a bare `g15diag`,
JSON errors with --json, hints that name shipped commands, help topics, profiles, the config
file and G15DIAG_* variables, shell completion, --baud auto saying what it found."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import g15diag
from g15diag import errors
from g15diag.app import config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(g15diag.__file__).resolve().parent


@pytest.mark.slow
def test_bare_g15diag_shows_help_and_where_to_start(run_process) -> None:
    proc = run_process()
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("Usage: g15diag [OPTIONS] COMMAND [ARGS]...")
    assert (
        "Start here: g15diag adapters -> g15diag doctor --port PORT -> "
        "g15diag read-serial --port PORT" in proc.stdout
    )
    assert "No car at hand? g15diag read-serial --port sim://" in proc.stdout


# -- --json errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status", "error_start"),
    [
        (["read-serial", "--port", "sim://?no_hu=1"], 4, "No head unit answered at "),
        (["identify", "--port", "sim://", "--timeout", "nan"], 2, "Invalid value for '--timeout'"),
        (["read-serial", "--port", "sim://", "--interface", "x"], 2, "Invalid value for"),
        (["doctor", "--port", "/nonexistent/ttyUSB9"], 7, None),
        (["read-serial"], 2, "Missing option '--port'"),
    ],
)
def test_json_error_object_on_stdout_and_sentence_on_stderr(
    run_cli, args: list[str], status: int, error_start: str | None
) -> None:
    for where in ("before", "after"):  # --json counts wherever it stands, even before a bad value
        argv = [args[0], "--json", *args[1:]] if where == "before" else [*args, "--json"]
        code, out, err = run_cli(*argv)
        assert code == status
        if error_start is None:  # doctor: a verdict, not an error, is the JSON answer
            assert json.loads(out)["verdict"] == "not usable"
            continue
        data = json.loads(out)
        assert set(data) == {"schema_version", "error", "hint", "exit_status"}
        assert data["exit_status"] == status and data["error"].startswith(error_start)
        assert f"Error: {data['error']}" in err or data["error"] in err


def test_scan_with_nobody_answering_prints_one_json_document(run_cli) -> None:
    # the table of who answered is the run's JSON document; no second (error) object follows
    code, out, err = run_cli("scan", "--port", "sim://?no_hu=1", "--json")
    assert code == errors.ExitStatus.NO_ANSWER
    data = json.loads(out)  # exactly one document
    assert "rows" in data and "error" not in data
    assert "Error: Nothing answered at" in err


def test_json_error_hint_is_the_hint_on_stderr(run_cli) -> None:
    code, out, err = run_cli("read-serial", "--port", "sim://?no_hu=1", "--json")
    data = json.loads(out)
    assert code == errors.ExitStatus.NO_ANSWER
    assert data["hint"] and f"Hint: {data['hint']}" in err


def test_no_json_no_stdout_on_error(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--port", "sim://?no_hu=1")
    assert code == errors.ExitStatus.NO_ANSWER and out == ""


def test_json_error_masks_like_stderr(run_cli) -> None:
    code, out, err = run_cli(
        "read-serial", "--port", "sim://?clone=freeze", "--address", "747:767", "--json"
    )
    assert code != 0
    data = json.loads(out)
    assert "SIM0O1Il5S8B2024" not in out and "SIM0O1Il5S8B2024" not in err
    assert data["exit_status"] == code


# -- hints point at what a pip install has ---------------------------------------------------


def _strings_that_are_not_docstrings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_message_points_at_repository_files() -> None:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in _strings_that_are_not_docstrings(path):
            if any(x in text for x in ("hardware/", "adapters.md", "research/", "src/g15diag")):
                if path.name == "help.py" and text == "adapters.md":
                    continue  # the help command reads its shipped copy
                bad.append(f"{path.relative_to(PACKAGE)}:{line}: {text[:60]!r}")
    assert bad == []


def test_help_adapters_is_the_guide_shipped_in_the_package(run_cli) -> None:
    code, out, _ = run_cli("help", "adapters")
    shipped = (PACKAGE / "help" / "adapters.md").read_text(encoding="utf-8")
    assert code == 0 and out == shipped.rstrip("\n") + "\n"
    repo_copy = ROOT / "hardware" / "adapters.md"
    if repo_copy.exists():  # the package copy stays equal to the repository's guide
        assert shipped == repo_copy.read_text(encoding="utf-8")


@pytest.mark.parametrize("topic", ["config", "completion", "simulator", "exit-status"])
def test_help_topics(run_cli, topic: str) -> None:
    code, out, _ = run_cli("help", topic)
    assert code == 0 and len(out.splitlines()) >= 3


def test_help_lists_topics_and_shows_command_help(run_cli) -> None:
    code, out, _ = run_cli("help")
    assert code == 0 and "adapters" in out and "completion" in out
    code, out, _ = run_cli("help", "read-serial")
    assert code == 0 and out.startswith("Usage: g15diag read-serial [OPTIONS]")
    code, _, err = run_cli("help", "nope")
    assert code == 2 and "No help topic or command 'nope'" in err


def test_profile_list_and_show(run_cli) -> None:
    code, out, _ = run_cli("profile", "list")
    assert code == 0 and out.startswith("almera-g15 ")
    code, out, _ = run_cli("profile", "show")
    shipped = (PACKAGE / "vehicles" / "almera-g15.toml").read_text(encoding="utf-8")
    assert code == 0 and out == shipped


def test_profile_error_hint_names_a_command(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text("schema = 1\n[vehicle]\n", encoding="utf-8")
    code, _, err = run_cli("read-serial", "--port", "sim://", "--profile", str(bad))
    assert code == 2 and "`g15diag profile show almera-g15`" in err


# -- settings: environment variables and the config file -----------------------------------


def test_help_shows_env_vars_and_the_config_file(run_cli) -> None:
    code, out, _ = run_cli("read-serial", "--help")
    flat = " ".join(out.split())
    assert code == 0
    assert "[env var: G15DIAG_PORT]" in flat and "[env var: G15DIAG_BAUD;" in flat
    assert "g15diag help config" in flat
    code, out, _ = run_cli("--help")
    assert "G15DIAG_PORT" in out and "config file" in out
    assert str(config.path()) in " ".join(out.split())


def test_env_port_is_used_and_the_command_line_wins(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("G15DIAG_PORT", "sim://?hu=714:734")
    code, out, _ = run_cli("read-serial", "--json")
    assert code == 0 and json.loads(out)["request_id"] == "0x714"
    code, out, _ = run_cli("read-serial", "--json", "--port", "sim://")
    assert code == 0 and json.loads(out)["request_id"] == "0x747"


def test_env_baud_is_validated(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("G15DIAG_BAUD", "fast")
    code, _, err = run_cli("read-serial", "--port", "sim://")
    assert code == 2 and "'fast' is not a serial speed" in err


def test_config_file_sets_defaults_under_env_and_command_line(
    run_cli, monkeypatch, tmp_path: Path
) -> None:
    file = tmp_path / "config.toml"
    file.write_text('[adapter]\nport = "sim://?hu=714:734"\ntimeout = 3\n', encoding="utf-8")
    monkeypatch.setenv("G15DIAG_CONFIG", str(file))
    before = file.read_bytes()
    code, out, _ = run_cli("read-serial", "--json")
    assert code == 0 and json.loads(out)["request_id"] == "0x714"
    monkeypatch.setenv("G15DIAG_PORT", "sim://?hu=782:7A2")  # environment over the file
    code, out, _ = run_cli("read-serial", "--json")
    assert code == 0 and json.loads(out)["request_id"] == "0x782"
    code, out, _ = run_cli("read-serial", "--json", "--port", "sim://")  # command line first
    assert code == 0 and json.loads(out)["request_id"] == "0x747"
    assert file.read_bytes() == before  # read, never written
    code, out, _ = run_cli("read-serial", "--help")
    assert "sim://?hu=714:734" in out  # --help shows the file's value as the default


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[adapter]\ntimeout = nan\n", "timeout: nan is not a number of seconds"),
        ("[adapter]\nspeed = 1\n", "unknown key(s) speed"),
        ("[adapter\n", "it is not valid TOML"),
        ("adapter = 3\n", "[adapter] must be a table"),
    ],
)
def test_bad_config_file_is_a_usage_error(
    run_cli, monkeypatch, tmp_path: Path, text: str, problem: str
) -> None:
    file = tmp_path / "config.toml"
    file.write_text(text, encoding="utf-8")
    monkeypatch.setenv("G15DIAG_CONFIG", str(file))
    code, out, err = run_cli("read-serial", "--port", "sim://")
    assert code == 2 and out == ""
    assert f"Error: Bad config file {file}: {problem}" in err


# -- shell completion ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="click completes bash/zsh/fish")
def test_bash_completion_completes_commands() -> None:
    env = dict(
        os.environ, _G15DIAG_COMPLETE="bash_complete", COMP_WORDS="g15diag re", COMP_CWORD="1"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "g15diag"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0
    assert "plain,read-serial" in proc.stdout.split() and "plain,replay" in proc.stdout.split()


def test_readme_documents_completion_and_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "_G15DIAG_COMPLETE=bash_source g15diag" in readme
    assert "G15DIAG_PORT" in readme and "config.toml" in readme


# -- --baud auto ---------------------------------------------------------------------------


def test_baud_auto_says_which_speed_it_found(run_cli) -> None:
    code, _, err = run_cli(
        "read-serial", "--port", "sim://?baud=115200", "--baud", "auto", "--address", "747:767"
    )
    assert code == 0
    assert "--baud auto: the adapter answers at 115200 baud" in err
