"""A ``path`` source with ``package = false``: locked ``virtual`` as uv locks it, its
dependencies installed and not itself (ferry once refused to lock it, and every non-frozen
command failed on uv's lock: s9 review W8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV
from tests.interop.test_workspace_lock import CUTOFF, _dists
from tests.interop.test_workspace_member_kinds_s9 import lock_like_uv
from tests.interop.workspace_interop_kit import served_index
from tests.support.runner import Runner

APP = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["np", "lib"]

[tool.uv.sources]
np = { path = "../np", package = false }
"""

NP = """[project]
name = "np"
version = "0.3.0"
requires-python = ">=3.10"
dependencies = ["dep"]
"""


def _project(base: Path) -> Path:
    (base / "np").mkdir(parents=True)
    (base / "np" / "pyproject.toml").write_text(NP, encoding="utf-8")
    (base / "app").mkdir()
    (base / "app" / "pyproject.toml").write_text(APP, encoding="utf-8")
    return base / "app"


def test_virtual_path_source_installs_its_dependencies_only(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python) as (server, _env):
        project = _project(tmp_path / "mine")
        flags = ["--exclude-newer", CUTOFF, "--default-index", server.simple_url]
        made = run("lock", *flags, "--python", str(python), cwd=project)
        assert made.code == 0, made.stderr
        assert 'source = { virtual = "../np" }' in (project / "uv.lock").read_text()
        synced = run("sync", "--frozen", "--python", str(python), cwd=project)
        assert synced.code == 0, synced.stderr
        assert set(_dists(project / ".venv")) == {"dep", "lib"}


@pytest.mark.skipif(UV is None, reason="uv is not installed")
def test_virtual_path_source_locks_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python) as (server, env):
        flags = ["--exclude-newer", CUTOFF, "--default-index", server.simple_url]
        lock_like_uv(run, uv_env_of=env, flags=flags, python=python,
                     theirs=_project(tmp_path / "uv"), mine=_project(tmp_path / "ferry"))
