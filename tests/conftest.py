"""Fixtures every ferry test can use; the machinery behind them lives in ``tests/support``.

Tests are hermetic: ``isolated_env`` strips the machine's installer configuration (pip, uv and
ferry variables, the user's HOME and its config files), and packages come from a ``LocalIndex``
built in ``tmp_path``, served over loopback by ``index_server`` when HTTP matters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# `tests.support` must import however pytest was started (`pytest`, `python -m pytest`, xdist,
# --import-mode=importlib); the repository root on sys.path makes that so.
_REPO_ROOT = str(Path(__file__).resolve().parents[1])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from tests.support.envs import (  # noqa: E402
    EnvSnapshot,
    find_python,
    make_venv,
    pyenv_root,
    snapshot_env,
)
from tests.support.index import IndexServer, LocalIndex  # noqa: E402
from tests.support.runner import Runner, filter_output  # noqa: E402
from tests.support.sdists import make_sdist as _make_sdist  # noqa: E402
from tests.support.wheels import make_wheel as _make_wheel  # noqa: E402

# pytest-xdist's workers start with COLUMNS=80 and LINES=24 (a plain run has neither): uv then
# wraps its messages at 80 columns, and a side-by-side test passed or failed by how it was run.
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)

# Variables that would let the machine's configuration leak into a test.
_LEAKY_PREFIXES = ("FERRY_", "PIP_", "UV_", "XDG_")
_LEAKY = {
    "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYTHONPATH", "PYTHONHOME",
    "PYTHONSTARTUP", "PYTHONUSERBASE", "NETRC", "FORCE_COLOR", "CLICOLOR_FORCE",
}


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ferry cache for this test, exported as FERRY_CACHE_DIR for subprocesses."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("FERRY_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def isolated_env(tmp_path: Path, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment variables scrubbed of installer configuration; returns the fake HOME.

    HOME (and so ~/.netrc, ~/.config/pip, ~/.config/uv) points into tmp_path; pip's config
    files are disabled with PIP_CONFIG_FILE=/dev/null; PYENV_ROOT keeps pointing at the real
    pyenv, because installed interpreters are part of the machine, not of its configuration.
    """
    for key in list(os.environ):
        if key.startswith(_LEAKY_PREFIXES) or key in _LEAKY:
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("PYENV_ROOT", str(pyenv_root()))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("FERRY_CACHE_DIR", str(tmp_cache))
    return home


@pytest.fixture
def run(tmp_path: Path, isolated_env: Path) -> Runner:
    """``run("pip", "install", "x")`` → ``Result(code, stdout, stderr)``: ``python -m ferry`` in a
    subprocess, in the isolated environment, with cwd ``tmp_path`` unless ``cwd=`` is given."""
    return Runner(tmp_path)


@pytest.fixture
def local_index(tmp_path: Path) -> LocalIndex:
    """An empty index under tmp_path/index (JSON pages and .metadata files enabled)."""
    return LocalIndex(tmp_path / "index")


@pytest.fixture
def index_server(local_index: LocalIndex) -> Iterator[IndexServer]:
    """``local_index`` on loopback; add packages with ``index_server.index.add_wheel(...)``."""
    with IndexServer(local_index) as server:
        yield server


@pytest.fixture
def make_wheel(tmp_path: Path) -> Callable[..., Path]:
    """``make_wheel("a", "1.0", **knobs)`` into tmp_path/wheels (or ``directory=``)."""

    def factory(name: str, version: str, *, directory: Path | None = None, **kw: Any) -> Path:
        return _make_wheel(directory or tmp_path / "wheels", name, version, **kw)

    return factory


@pytest.fixture
def make_sdist(tmp_path: Path) -> Callable[..., Path]:
    def factory(name: str, version: str, *, directory: Path | None = None, **kw: Any) -> Path:
        return _make_sdist(directory or tmp_path / "sdists", name, version, **kw)

    return factory


@pytest.fixture
def env_snapshot() -> Callable[[Path | str], EnvSnapshot]:
    """``env_snapshot(venv)``: installed dists and file hashes, for before/after equality."""
    return snapshot_env


@pytest.fixture
def python_exe() -> Callable[[str], Path]:
    """``python_exe("3.12")``: that interpreter's path, or the test is skipped."""

    def find(version: str) -> Path:
        found = find_python(version)
        if found is None:
            pytest.skip(f"Python {version} is not installed")
        return found

    return find


@pytest.fixture
def bare_venv(tmp_path: Path) -> Path:
    """A venv made by the stdlib (no pip) with the test interpreter: a target ferry didn't make."""
    return make_venv(tmp_path / "bare-venv", sys.executable)


@pytest.fixture(name="filter_output")
def _filter_output(tmp_path: Path) -> Callable[[str], str]:
    """``filter_output(text)``: tmp paths → [TMP] (the cache → [CACHE]), timings → [TIME],
    sizes → [SIZE], 127.0.0.1:port → [SERVER]."""
    return lambda text: filter_output(text, {"[TMP]": tmp_path, "[CACHE]": tmp_path / "cache"})
