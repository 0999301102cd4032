"""Git sources and marker-split sources: ferry's ``uv.lock`` against uv 0.13.8's, byte for byte.

Each case is locked by uv and by ferry against the same repositories (made by the test) and the
same loopback index(es); the two files must be identical, and each tool must call the other's
lock up to date (``lock --locked``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import run_ferry

pytestmark = [needs_git, pytest.mark.skipif(UV is None, reason="uv is not installed")]

T = "2024-01-01T00:00:00Z"
HEAD = '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'

GIT_CASES: dict[str, tuple[str, str]] = {
    # name: (dependencies, [tool.uv.sources] body); REPO is replaced by the repository URL.
    "tag": ('["gitpkg"]', 'gitpkg = { git = "REPO", tag = "v1", subdirectory = "sub" }'),
    "branch": ('["gitpkg"]', 'gitpkg = { git = "REPO", branch = "main", subdirectory = "sub" }'),
    "rev": ('["gitpkg"]', 'gitpkg = { git = "REPO", rev = "v1", subdirectory = "sub" }'),
    "direct-url": ('["gitpkg @ git+REPO@v1#subdirectory=sub"]', ""),
    "marker-split": (
        '["gitpkg"]',
        "gitpkg = { git = \"REPO\", tag = \"v1\", subdirectory = \"sub\", "
        "marker = \"sys_platform == 'linux'\" }",
    ),
}


def _compare(project: Path, tmp_path: Path, python: Path, ferry_env: dict[str, str]) -> None:
    env = uv_env(tmp_path, python)
    done = uv(["lock"], project, env)
    assert done.returncode == 0, done.stderr
    theirs = (project / "uv.lock").read_text(encoding="utf-8")
    (project / "uv.lock").unlink()
    ours_run = run_ferry(["lock"], cwd=project, env=ferry_env)
    assert ours_run.code == 0, ours_run.stderr
    ours = (project / "uv.lock").read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(theirs.splitlines(True), ours.splitlines(True),
                                        "uv", "ferry"))
    assert ours == theirs, diff
    checked = uv(["lock", "--locked"], project, env)
    assert checked.returncode == 0, checked.stderr
    again = run_ferry(["lock", "--locked", "--offline"], cwd=project, env=ferry_env)
    assert again.code == 0, again.stderr


@pytest.fixture
def python311(python_exe: Callable[[str], Path]) -> Path:
    return python_exe("3.11")


@pytest.mark.parametrize("case", sorted(GIT_CASES))
def test_git_sources_lock_like_uv(
    case: str, tmp_path: Path, isolated_env: Path, python311: Path
) -> None:
    index = LocalIndex(tmp_path / "index")
    index.add_wheel("dep", "1.0", upload_time=T)
    index.add_wheel("gitpkg", "0.5", upload_time=T)
    repo = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    repo.commit("1.0", requires=["dep"], tag="v1")
    repo.commit("2.0", requires=["dep"])
    dependencies, sources = GIT_CASES[case]
    with IndexServer(index) as server:
        project = tmp_path / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            f"{HEAD}dependencies = {dependencies}\n\n"
            f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n\n'
            f"[tool.uv.sources]\n{sources}\n".replace("REPO", repo.url),
            encoding="utf-8",
        )
        _compare(project, tmp_path, python311, {"FERRY_PYTHON": str(python311)})


def test_marker_split_indexes_lock_like_uv(
    tmp_path: Path, isolated_env: Path, python311: Path
) -> None:
    first, second = LocalIndex(tmp_path / "a"), LocalIndex(tmp_path / "b")
    first.add_wheel("torch", "2.0", requires=["dep"], upload_time=T)
    first.add_wheel("dep", "1.0", upload_time=T)
    second.add_wheel("torch", "2.0", requires=["dep"], upload_time=T)
    second.add_wheel("torch", "1.5", upload_time=T)
    second.add_wheel("dep", "1.0", upload_time=T)
    with IndexServer(first) as a, IndexServer(second) as b:
        project = tmp_path / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            f'{HEAD}dependencies = ["torch"]\n\n'
            f'[[tool.uv.index]]\nname = "a"\nurl = "{a.simple_url}"\nexplicit = true\n\n'
            f'[[tool.uv.index]]\nname = "b"\nurl = "{b.simple_url}"\ndefault = true\n\n'
            "[tool.uv.sources]\ntorch = [\n"
            "  { index = \"a\", marker = \"sys_platform == 'linux'\" },\n"
            "  { index = \"b\", marker = \"sys_platform != 'linux'\" },\n]\n",
            encoding="utf-8",
        )
        _compare(project, tmp_path, python311, {"FERRY_PYTHON": str(python311)})
