"""Finding the project root, --project, the environment path and .python-version."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import ParseError, UserError
from ferry.project.discovery import (
    discover_project,
    find_project_root,
    project_environment_path,
    python_version_file,
    workspace_members,
)
from ferry.project.pyproject import read_pyproject

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_walks_up_to_the_first_project(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "outer"\n')
    _write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "inner"\n')
    deep = tmp_path / "inner" / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == tmp_path / "inner"
    project = discover_project(deep)
    assert project.pyproject.name == "inner"
    assert project.lock_path == tmp_path / "inner" / "uv.lock"


@pytest.mark.parametrize(
    ("text", "is_root"),
    [
        ("[tool.black]\nline-length = 100\n", False),
        ("[tool.uv]\n", True),
        ("[tool.ferry]\n", True),
        ('[dependency-groups]\ndev = ["x"]\n', True),
        ('[build-system]\nrequires = ["setuptools"]\n', False),
    ],
)
def test_pyproject_without_project_table(tmp_path: Path, text: str, is_root: bool) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "outer"\n')
    _write(tmp_path / "sub" / "pyproject.toml", text)
    expected = tmp_path / "sub" if is_root else tmp_path
    assert find_project_root(tmp_path / "sub") == expected


def test_not_found(tmp_path: Path) -> None:
    assert find_project_root(tmp_path) is None or find_project_root(tmp_path) != tmp_path
    lonely = tmp_path / "a"
    lonely.mkdir()
    if find_project_root(lonely) is None:
        with pytest.raises(UserError, match=r"No `pyproject\.toml` found") as info:
            discover_project(lonely)
        assert info.value.hint is not None and "ferry init" in info.value.hint


def test_explicit_project_directory(tmp_path: Path) -> None:
    _write(tmp_path / "p" / "pyproject.toml", '[project]\nname = "p"\n')
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    assert discover_project(elsewhere, project=tmp_path / "p").root == tmp_path / "p"
    with pytest.raises(UserError, match="--project"):
        discover_project(project=elsewhere)


def test_broken_pyproject_on_the_way_up_is_reported(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[project\nname = 1\n")
    (tmp_path / "sub").mkdir()
    with pytest.raises(ParseError) as info:
        discover_project(tmp_path / "sub")
    assert info.value.line == 1


def test_environment_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_PROJECT_ENVIRONMENT", raising=False)
    assert project_environment_path(tmp_path) == tmp_path / ".venv"
    monkeypatch.setenv("FERRY_PROJECT_ENVIRONMENT", "envs/dev")
    assert project_environment_path(tmp_path) == tmp_path / "envs" / "dev"
    monkeypatch.setenv("FERRY_PROJECT_ENVIRONMENT", str(tmp_path / "abs"))
    assert project_environment_path(tmp_path / "elsewhere") == tmp_path / "abs"


def test_python_version_file(tmp_path: Path) -> None:
    _write(tmp_path / ".python-version", "3.12\n")
    _write(tmp_path / "proj" / "pyproject.toml", '[project]\nname = "p"\n')
    assert python_version_file(tmp_path / "proj") == tmp_path / ".python-version"
    _write(tmp_path / "proj" / ".python-version", "3.11\n")
    assert discover_project(tmp_path / "proj").python_version_file() == (
        tmp_path / "proj" / ".python-version"
    )


def test_workspace_members() -> None:
    members = workspace_members(read_pyproject(GOLDEN / "workspace" / "pyproject.toml"))
    assert members == {
        "root": GOLDEN / "workspace",
        "member": GOLDEN / "workspace" / "packages" / "member",
    }
