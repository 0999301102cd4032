"""Workspace discovery and member rules (``ferry.project.workspace``), without any network."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import UserError
from ferry.model.requires_python import lock_requires_python
from ferry.project.discovery import discover_project


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _project(name: str, extra: str = "") -> str:
    return f'[project]\nname = "{name}"\nversion = "1.0"\n{extra}'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _write(tmp_path / "pyproject.toml", _project(
        "root", 'requires-python = ">=3.9"\n\n[tool.uv.sources]\nshared = { workspace = true }\n'
        'dep = { index = "corp" }\n\n[[tool.uv.index]]\nname = "corp"\nurl = "https://corp/"\n\n'
        '[tool.ferry.workspace]\nmembers = ["libs/*", "apps/one"]\nexclude = ["libs/old"]\n'))
    _write(tmp_path / "libs" / "shared" / "pyproject.toml", _project(
        "shared", 'requires-python = "<4,>=3.10"\n'))
    _write(tmp_path / "libs" / "old" / "pyproject.toml", _project("old"))
    _write(tmp_path / "apps" / "one" / "pyproject.toml", _project(
        "one", '\n[tool.uv.sources]\ndep = { path = "../dep" }\n'))
    _write(tmp_path / "apps" / "two" / "pyproject.toml", _project("two"))
    return tmp_path


def test_members_and_discovery_from_a_member(tree: Path) -> None:
    project = discover_project(tree / "libs" / "shared" / "src")
    assert project.root == tree
    assert project.current == "shared"
    assert project.workspace is not None
    assert project.workspace.names == ("one", "root", "shared")
    assert project.workspace.requires_python() == ">=3.10, <4"
    member = project.current_member()
    assert member is not None and member.root == tree / "libs" / "shared"


def test_excluded_and_unlisted_projects_stand_alone(tree: Path) -> None:
    for name in ("libs/old", "apps/two"):
        project = discover_project(tree / name)
        assert project.workspace is None
        assert project.root == tree / name


def test_root_sources_apply_unless_the_member_overrides(tree: Path) -> None:
    workspace = discover_project(tree).workspace
    assert workspace is not None
    one = workspace.require_member("one")
    kinds = {name: specs[0].kind for name, specs in workspace.effective(one).tool.sources}
    assert kinds == {"dep": "path", "shared": "workspace"}
    assert workspace.effective(one).tool.index_named("corp") is not None
    with pytest.raises(UserError, match="`nope` is not a member"):
        workspace.require_member("nope")


def test_duplicate_names_and_missing_pyprojects_are_errors(tree: Path) -> None:
    _write(tree / "libs" / "twin" / "pyproject.toml", _project("shared"))
    with pytest.raises(UserError, match="both called `shared`"):
        discover_project(tree)
    (tree / "libs" / "twin" / "pyproject.toml").unlink()
    _write(tree / "libs" / "twin" / "notes.txt", "x")
    with pytest.raises(UserError, match=r"missing a `pyproject.toml` \(matches: `libs/\*`\)"):
        discover_project(tree)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ([">=3.10", ">=3.11"], ">=3.11"),
        ([">=3.10", "<4,>=3.9"], ">=3.10, <4"),
        ([">3.9", ">=3.9"], ">3.9"),
        ([">=3.8", "!=3.9.*"], ">=3.8, !=3.9.*"),
    ],
)
def test_requires_python_intersection(declared: list[str], expected: str) -> None:
    assert lock_requires_python((f"m{i}", d) for i, d in enumerate(declared)) == expected
