"""stderr of ``add``/``remove``/``version`` in uv 0.13.8's order and words (s9 review F21): the
environment is announced (``Using CPython …``, ``Creating virtual environment at: .venv``)
before ``Resolved``, as uv finds or creates it before locking; a missing local path is named
by its ``file://`` URL."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.runner import Runner

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []
"""


def _order(stderr: str) -> list[str]:
    keys = ("Using ", "Creating virtual environment", "Resolved ", "Installed ", "Uninstalled ")
    return [key.strip() for line in stderr.splitlines() for key in keys if line.startswith(key)]


def test_environment_lines_come_before_resolved(
    run: Runner, tmp_path: Path, local_index: LocalIndex, python_exe: Callable[[str], Path]
) -> None:
    local_index.add_wheel("leaf", "1.0.0")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    python = str(python_exe("3.12"))
    common = ["--index-url", local_index.file_url, "--python", python]
    added = run("add", *common, "leaf", cwd=tmp_path)
    assert added.code == 0, added.stderr
    assert _order(added.stderr) == [
        "Using", "Creating virtual environment", "Resolved", "Installed"
    ]
    assert "Creating virtual environment at: .venv" in added.stderr.splitlines()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.replace("[]", '["leaf"]'))
    for args in (["version", "0.2.0"], ["remove", "leaf"]):
        shutil.rmtree(tmp_path / ".venv")
        done = run(*args, *common, cwd=tmp_path)
        assert done.code == 0, done.stderr
        order = _order(done.stderr)
        assert order[:3] == ["Using", "Creating virtual environment", "Resolved"], done.stderr


def test_missing_path_is_named_by_its_url(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    result = run("add", "--frozen", "../libs/nothere", cwd=tmp_path)
    assert result.code == 1
    missing = (tmp_path.parent / "libs" / "nothere").as_uri()
    assert result.stderr.splitlines()[-1] == f"error: Distribution not found at: {missing}"
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT
