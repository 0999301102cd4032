"""``ferry sync --package NAME`` / ``ferry run --package NAME`` where NAME is no member (excluded,
outside the workspace, or nothing at all): uv 0.13.8's words and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv
from tests.support.runner import Runner

PROJECT = '[project]\nname = "{}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for name, where in (("a", "packages/a"), ("b", "packages/b"), ("other", "other")):
        (root / where).mkdir(parents=True)
        (root / where / "pyproject.toml").write_text(PROJECT.format(name), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        PROJECT.format("root") + "dependencies = []\n\n[tool.uv.workspace]\n"
        'members = ["packages/*"]\nexclude = ["packages/b"]\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("args", [
    ("sync", "--package", "b"),  # excluded
    ("sync", "--package", "other"),  # a project, not a member
    ("sync", "--package", "nope"),
    ("sync", "--package", "a", "--package", "nope"),
    ("run", "--package", "b", "python", "-c", "pass"),
])
def test_an_unknown_member_is_uvs_usage_error(
    run: Runner, tmp_path: Path, workspace: Path, args: tuple[str, ...]
) -> None:
    ours = run(*args, cwd=workspace)
    theirs = run_uv(list(args), workspace, tmp_path)
    assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout) == (2, "")
    first, _, hint = ours.stderr.partition("\n")
    assert first + "\n" == theirs.stderr
    assert hint == "hint: workspace members: a, root\n"
    assert not (workspace / ".venv").exists()


def test_outside_a_workspace(run: Runner, tmp_path: Path) -> None:
    project = tmp_path / "solo"
    project.mkdir()
    (project / "pyproject.toml").write_text(PROJECT.format("solo") + "dependencies = []\n",
                                            encoding="utf-8")
    ours = run("sync", "--package", "nope", cwd=project)
    assert ours.code == 2
    assert ours.stderr.startswith(f"error: The workspace does not have a member nope: {project}\n")
    theirs = run_uv(["sync", "--package", "nope"], project, tmp_path)
    assert ours.stderr.partition("\n")[0] + "\n" == theirs.stderr
