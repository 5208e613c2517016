"""The sdist carries its own test suite: every test file, conftest, golden file, fuzz target
and recorded trace, and that suite runs from the unpacked sdist (issue 13).

Time-bounded: the sdist is built without network (``--no-isolation``; ``build`` and
``setuptools>=77`` come with the ``test`` extra) and the quick tier of a representative part
of its suite runs here (conftest fixtures, golden files, fuzz regressions, the recorded
traces, the layer rules); ``.ci/run`` runs the sdist's whole suite before the main one.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSET = [
    "tests/test_layers.py",
    "tests/test_trace_fixtures.py",
    "tests/test_export.py",
    "tests/fuzz/test_fuzz_regressions.py",
    "tests/test_cli_conventions.py",
]
QUICK = ["-m", "not slow"]  # the whole sdist suite, slow tier included, runs in .ci/run
SKIP_PARTS = {"__pycache__", ".hypothesis", ".pytest_cache"}

pytestmark = [
    pytest.mark.slow,  # builds the sdist and a wheel
    pytest.mark.skipif(
        bool(os.environ.get("G15DIAG_IN_SDIST")),
        reason="already running inside the unpacked sdist",
    ),
]


def _tree(folder: str) -> set[str]:
    return {
        str(p.relative_to(ROOT))
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and not SKIP_PARTS & set(p.parts)
    }


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (archive,) = out.glob("g15diag-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    (unpacked,) = (p for p in out.iterdir() if p.is_dir())
    return unpacked


def test_sdist_ships_the_whole_test_tree_and_fixtures(sdist: Path) -> None:
    shipped = {str(p.relative_to(sdist)) for p in sdist.rglob("*") if p.is_file()}
    for folder in ("tests", "fixtures", "src/g15diag"):
        missing = sorted(_tree(folder) - shipped)
        assert missing == [], f"{folder}: {missing[:10]}"
    for name in ("LICENSE", "README.md", "hardware/adapters.md", "tests/conftest.py"):
        assert name in shipped
    assert "Copyright (c)" in (sdist / "LICENSE").read_text(encoding="utf-8")


def test_sdist_metadata(sdist: Path) -> None:
    meta = (sdist / "PKG-INFO").read_text(encoding="utf-8")
    assert "License-Expression: MIT" in meta and "License-File: LICENSE" in meta
    assert "Classifier: Operating System :: Microsoft :: Windows" in meta
    assert "Project-URL" not in meta  # no invented hosts


def test_the_unpacked_sdist_runs_its_tests(sdist: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(sdist / "src"), G15DIAG_IN_SDIST="1")
    env.pop("G15DIAG_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *QUICK, *SUBSET],
        cwd=sdist,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " passed" in proc.stdout.splitlines()[-1] and "failed" not in proc.stdout
    skips = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("tshark" in line for line in skips), skips  # none for a file the sdist lacks


def _see_our_dependencies(python: Path) -> None:
    """Let the venv of ``python`` import what this interpreter has installed (the
    dependencies), without network: a ``.pth`` naming our site-packages folders. ``.pth``
    files inside them are not run, so an editable g15diag stays invisible there.

    (``--system-site-packages`` is not enough: it shows the base interpreter's packages, and
    a test run from a virtual environment has its dependencies in that environment.)"""
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    ours = [*site.getsitepackages(), site.getusersitepackages()]
    folders = [p for p in dict.fromkeys(ours) if Path(p).is_dir() and Path(p) != Path(purelib)]
    Path(purelib).mkdir(parents=True, exist_ok=True)
    (Path(purelib) / "g15diag-test-deps.pth").write_text("\n".join(folders) + "\n")


def test_the_wheel_built_from_the_sdist_has_its_help(sdist: Path, tmp_path: Path) -> None:
    """After `pip install`, with no repository at hand, the hints' commands work."""
    wheels = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(wheels), "."],
        cwd=sdist,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = wheels.glob("g15diag-*.whl")
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    _see_our_dependencies(python)
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    subprocess.run([*pip, "--target", str(target), str(wheel)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("G15DIAG_", "PYTHON"))}
    env["PYTHONPATH"] = str(target)  # the installed wheel only, not the source tree
    env["G15DIAG_CONFIG"] = str(tmp_path / "none.toml")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "g15diag", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    guide = run("help", "adapters")
    assert guide.returncode == 0 and guide.stdout.startswith("# Adapters: choosing one")
    profile = run("profile", "show")
    assert profile.returncode == 0 and profile.stdout.startswith("# Vehicle knowledge")
    read = run("read-serial", "--port", "sim://", "--json")
    assert read.returncode == 0 and '"serial": "SIM0O1Il5S8B2024"' in read.stdout
    origin = subprocess.run(
        [str(python), "-c", "import g15diag; print(g15diag.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert origin.stdout.startswith(str(target))  # it really ran the installed copy
