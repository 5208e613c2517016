"""Import rules between the layers, read from the source (every import, lazy ones included).

- protocol/ is sans-I/O: it imports no I/O module and nothing of the tool's other layers;
- transport/ imports nothing of sim/ (the simulator registers itself, g15diag.adapter);
- traces/ and transport/ do not import each other (g15diag.adapter and g15diag.recording
  join them);
- production code imports nothing POSIX-only at module level (Windows garages).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import g15diag

PACKAGE = Path(g15diag.__file__).resolve().parent

#: modules that do I/O or talk to hardware, and the tool's layers protocol/ must not reach
IO_MODULES = {
    "asyncio",
    "can",
    "fcntl",
    "io",
    "isotp",  # can-isotp (the tool's own ISO-TP is g15diag.protocol.isotp)
    "os",
    "pathlib",
    "pty",
    "select",
    "serial",
    "shutil",
    "socket",
    "subprocess",
    "sys",
    "tempfile",
    "termios",
    "threading",
    "time",
    "udsoncan",
    "urllib",
}
POSIX_ONLY = {"fcntl", "termios", "pty", "tty", "grp", "pwd", "resource", "posix", "syslog"}


def _imports(
    path: Path, *, top_level_only: bool = False, package: str | None = None
) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if package is None:
        package = ".".join(("g15diag", *path.relative_to(PACKAGE).parent.parts))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def _violations(folder: str, forbidden: set[str]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for line, name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    return bad


def test_protocol_imports_no_io_and_no_other_layer() -> None:
    layers = {f"g15diag.{x}" for x in ("transport", "sim", "traces", "app", "commands", "cli")}
    assert _violations("protocol", IO_MODULES | layers) == []


def test_transport_does_not_import_sim() -> None:
    assert _violations("transport", {"g15diag.sim"}) == []


def test_traces_and_transport_do_not_import_each_other() -> None:
    assert _violations("transport", {"g15diag.traces"}) == []
    assert _violations("traces", {"g15diag.transport"}) == []


def test_no_posix_only_import_at_module_level() -> None:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, name in _imports(path, top_level_only=True):
            if name.split(".")[0] in POSIX_ONLY:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert bad == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import serial\n", "serial"),
        ("def f():\n    from g15diag.sim import register\n", "g15diag.sim"),
        ("from ..sim import config\n", "g15diag.sim.config"),
    ],
)
def test_the_rule_reader_sees_lazy_and_relative_imports(
    tmp_path: Path, source: str, expected: str
) -> None:
    # the checker itself can fail: an import inside a function or a relative one is found
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    names = [name for _line, name in _imports(probe, package="g15diag.transport")]
    assert expected in names
