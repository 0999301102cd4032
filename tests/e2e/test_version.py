"""``ferry version``: reading, setting and bumping project.version, and the lock that follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.runner import Runner

PYPROJECT = """\
[project]
name = "Hello-Ferry"
version = "0.1.0"  # bumped by CI
requires-python = ">=3.8"
dependencies = []
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "hello"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def test_show(run: Runner, project: Path) -> None:
    assert run("version", cwd=project).stdout == "hello-ferry 0.1.0\n"
    assert run("version", "--short", cwd=project).stdout == "0.1.0\n"
    shown = json.loads(run("version", "--output-format", "json", cwd=project).stdout)
    assert shown == {"package_name": "hello-ferry", "version": "0.1.0", "commit_info": None}


def test_bump_writes_pyproject_and_relocks(run: Runner, project: Path) -> None:
    result = run("version", "--bump", "minor", "--no-sync", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == "hello-ferry 0.1.0 => 0.2.0\n"
    assert result.stderr.startswith("Resolved 1 package in ")
    assert (project / "pyproject.toml").read_text() == PYPROJECT.replace("0.1.0", "0.2.0")
    assert 'name = "hello-ferry"\nversion = "0.2.0"' in (project / "uv.lock").read_text()
    assert not (project / ".venv").exists()


def test_dry_run_and_frozen(run: Runner, project: Path) -> None:
    dry = run("version", "--bump", "patch", "--bump", "beta", "--dry-run", cwd=project)
    assert dry.stdout == "hello-ferry 0.1.0 => 0.1.1b1\n"
    assert (project / "pyproject.toml").read_text() == PYPROJECT
    frozen = run("version", "1.0.0", "--frozen", cwd=project)
    assert frozen.code == 0, frozen.stderr
    assert frozen.stdout == "hello-ferry 0.1.0 => 1.0.0\n"
    assert frozen.stderr == ""
    assert not (project / "uv.lock").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["major"], "error: Invalid version `major`, did you mean to pass `--bump major`?"),
        (
            ["--bump", "alpha"],
            "error: 0.1.0 => 0.1.0a1 didn't increase the version; when bumping "
            "to a pre-release version you also need to increase a release version component, e.g., "
            "with `--bump <major|minor|patch>`",
        ),
        (
            ["--bump", "major", "--bump", "minor"],
            "error: Only one release version component can "
            "be provided to `--bump`, got: major, minor",
        ),
    ],
)
def test_refusals(run: Runner, project: Path, args: list[str], message: str) -> None:
    result = run("version", *args, "--frozen", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == message
    assert (project / "pyproject.toml").read_text() == PYPROJECT


def test_dynamic_version_cannot_be_set(run: Runner, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "d"\ndynamic = ["version"]\n')
    result = run("version", cwd=project)
    assert result.code == 1
    assert "We cannot get or set dynamic project versions in:" in result.stderr
