"""Import rules between the layers, read from the source (every import, lazy ones included).

- no import cycle anywhere in the package (imports inside functions count);
- errors.py imports nothing of the tool (every layer may raise its exceptions);
- protocol/ is sans-I/O: it imports no I/O module, and of the tool only itself and errors;
- the faces (cli.py, commands/, gui/) never import transport/: they call the API
  (g15diag.app.api), which alone opens an adapter (g15diag.app.link.Link);
- transport/ imports nothing of sim/ (the simulator registers itself, g15diag.app.adapter);
- traces/ and transport/ do not import each other (g15diag.app.adapter and g15diag.app.recording
  join them);
- each layer imports only itself and the layers below it (LAYERS: errors, protocol/, system/,
  vehicles/, transport/ and traces/, sim/, app/, the faces);
- production code imports nothing POSIX-only at module level (Windows garages).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
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


def _tool_imports(paths: Iterable[Path], allowed: tuple[str, ...] = ()) -> list[str]:
    """Imports of the tool's own modules in ``paths`` outside ``allowed`` (prefixes)."""
    bad = []
    for path in paths:
        for line, name in _imports(path):
            own = name == "g15diag" or name.startswith("g15diag.")
            if own and not any(name == a or name.startswith(a + ".") for a in allowed):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    return bad


def test_errors_imports_nothing_of_the_tool() -> None:
    assert _tool_imports([PACKAGE / "errors.py"]) == []


def test_protocol_imports_only_itself_and_errors() -> None:
    paths = sorted((PACKAGE / "protocol").rglob("*.py"))
    allowed = ("g15diag.protocol", "g15diag.errors")
    bad = _tool_imports(paths, allowed)
    # ``from g15diag import errors`` names the package first: only ``errors`` is taken from it
    assert [b for b in bad if not b.endswith(" imports g15diag")] == []


#: which layer may import which (issue 17): each layer imports itself and the ones listed.
#: errors is the floor; protocol/ the sans-I/O core; system/ the OS edge (files, inputs,
#: signals); vehicles/ the profiles (data with sources); transport/ and traces/ the adapters and
#: trace files; sim/ the simulator; app/ the composition root (the API, the run object, the
#: adapter options, masking, recording); the faces (cli.py, commands/, gui/) everything but
#: transport/.
LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "protocol": {"errors"},
    "system": {"errors"},
    "vehicles": {"errors", "protocol", "system"},
    "transport": {"errors", "protocol", "system"},
    "traces": {"errors", "protocol", "system"},
    "sim": {"errors", "protocol", "system"},
    "lang": {"errors"},
    "app": {"errors", "protocol", "system", "vehicles", "transport", "traces", "sim", "lang"},
    "faces": {"errors", "protocol", "system", "vehicles", "traces", "sim", "lang", "app"},
}


def _layer(module: str) -> str | None:
    """The layer of a g15diag module name (None: the package root or its version)."""
    parts = module.split(".")
    if (
        parts[0] != "g15diag"
        or len(parts) == 1
        or parts[1] in ("__version__", "__main__", "__init__")
    ):
        return None
    head = parts[1]
    if head in ("cli", "commands", "gui"):
        return "faces"
    return head


def layer_violations(package: Path, layers: dict[str, set[str]]) -> list[str]:
    """Every import in ``package`` that reaches a layer its own layer may not import."""
    bad = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        mine = _layer(".".join(("g15diag", *rel.with_suffix("").parts)))
        if mine is None:
            continue
        for line, name in _imports(path):
            theirs = _layer(name)
            if theirs is not None and theirs != mine and theirs not in layers[mine]:
                bad.append(f"{rel}:{line} ({mine}) imports {name} ({theirs})")
    return bad


def test_every_module_belongs_to_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        layer = _layer(".".join(("g15diag", *rel.with_suffix("").parts)))
        assert layer is None or layer in LAYERS, f"{rel} is in no layer: add it to LAYERS"


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert layer_violations(PACKAGE, LAYERS) == []


def test_the_layer_rule_sees_an_upward_import() -> None:
    # the checker is not vacuous: vehicles/ reads its files through system/; forbid that
    bad = layer_violations(PACKAGE, {**LAYERS, "vehicles": {"errors", "protocol"}})
    assert bad and all("(vehicles) imports g15diag.system" in b for b in bad)


FACES = ("cli.py", "commands", "gui")


def test_faces_never_import_transport() -> None:
    bad = []
    for face in FACES:
        if face.endswith(".py"):
            for line, name in _imports(PACKAGE / face):
                if name == "g15diag.transport" or name.startswith("g15diag.transport."):
                    bad.append(f"{face}:{line} imports {name}")
        else:
            bad += _violations(face, {"g15diag.transport"})
    assert bad == []


def test_faces_open_no_adapter_themselves() -> None:
    # the API (app/api.py) makes the run's Link; a face never makes a transport or a Link
    doors = {
        "g15diag.app.adapter.make_transport",
        "g15diag.app.link.Link",
        "g15diag.make_transport",
    }
    bad = []
    for face in FACES:
        paths = [PACKAGE / face] if face.endswith(".py") else sorted((PACKAGE / face).rglob("*.py"))
        for path in paths:
            bad += [f"{path.relative_to(PACKAGE)}:{n} {m}" for n, m in _imports(path) if m in doors]
    assert bad == []


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at module level or inside functions).

    ``from pkg import mod`` is an edge to ``pkg.mod`` (the parent package runs first either
    way: a child importing its parent's ``__init__`` is no cycle); ``from mod import name``
    is an edge to ``mod``."""
    paths = {_module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    module = f"{base}.{node.module}" if node.module else base
                else:
                    module = node.module or ""
                subs = [f"{module}.{alias.name}" for alias in node.names]
                targets = [t for t in subs if t in paths] or [module]
            else:
                continue
            for target in targets:
                while target and target not in paths:  # ``import a.b.name`` -> a.b
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_anywhere() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 90 and "g15diag.app.link" in graph["g15diag.app.api"]
    assert cycles(graph) == []


def test_the_cycle_checker_finds_a_lazy_cycle(tmp_path: Path) -> None:
    # the checker itself can fail: a loop closed by an import inside a function is found
    pkg = tmp_path / "pkg"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "errors.py").write_text("def quoted():\n    from pkg.privacy import quote\n")
    (pkg / "privacy.py").write_text("from pkg.core import elm\n")
    (pkg / "core" / "elm.py").write_text("from . import helper\nfrom pkg import errors\n")
    (pkg / "core" / "helper.py").write_text("import os\n")
    graph = import_graph(pkg)
    assert graph["pkg.core.elm"] == {"pkg.core.helper", "pkg.errors"}
    assert cycles(graph) == [["pkg.core.elm", "pkg.errors", "pkg.privacy"]]
    (pkg / "errors.py").write_text("")  # errors imports nothing: the loop is gone
    assert cycles(import_graph(pkg)) == []


def test_the_face_rule_sees_a_lazy_transport_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def run():\n    from g15diag.transport.base import can_id_text\n")
    names = [name for _line, name in _imports(probe, package="g15diag.commands")]
    assert "g15diag.transport.base" in names


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
