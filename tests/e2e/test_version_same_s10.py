"""``ferry version X`` with X the current version still locks and syncs, as uv does (s9 review
F16: ferry printed ``1.2.3 => 1.2.3`` and stopped, leaving no uv.lock and no .venv)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.runner import Runner

PYPROJECT = """\
[project]
name = "V1_Proj"
version = "1.2.3"  # kept
requires-python = ">=3.8"
dependencies = []
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "v1"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def test_same_version_locks_without_syncing(run: Runner, tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = run("version", "1.2.3", "--no-sync", cwd=root)
    assert result.code == 0, result.stderr
    assert result.stdout == "v1-proj 1.2.3 => 1.2.3\n"
    assert result.stderr.startswith("Resolved 1 package in ")
    assert 'name = "v1-proj"\nversion = "1.2.3"' in (root / "uv.lock").read_text()
    assert (root / "pyproject.toml").read_text() == PYPROJECT
    assert not (root / ".venv").exists()


def test_same_version_locks_and_syncs(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    root = _project(tmp_path)
    python = str(python_exe("3.12"))
    result = run("version", "1.2.3", "--python", python, cwd=root)
    assert result.code == 0, result.stderr
    assert result.stdout == "v1-proj 1.2.3 => 1.2.3\n"
    assert "Creating virtual environment at: .venv" in result.stderr
    assert (root / "uv.lock").is_file()
    assert (root / ".venv" / "pyvenv.cfg").is_file()
