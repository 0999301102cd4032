"""Git sources scoped to an extra or a dependency group (``{ git = …, extra = "x" }``): uv
0.13.8 locks them, and ferry's lock must be the same bytes (each tool calling the other's lock
fresh), with a frozen sync installing each list's own commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git
from tests.interop.test_git_lock import HEAD, T, _compare
from tests.interop.test_uv_lock_interop import UV
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import run_ferry

pytestmark = [needs_git, pytest.mark.skipif(UV is None, reason="uv is not installed")]

TAG = 'git = "REPO", tag = "v1", subdirectory = "sub"'
BRANCH = 'git = "REPO", branch = "main", subdirectory = "sub"'
CASES: dict[str, str] = {
    # name: the rest of pyproject.toml; REPO is replaced by the repository URL.
    "extra": ('dependencies = []\n\n[project.optional-dependencies]\nx = ["gitpkg"]\n\n'
              f"[tool.uv.sources]\ngitpkg = {{ {TAG}, extra = \"x\" }}\n"),
    "group": ('dependencies = []\n\n[dependency-groups]\ng = ["gitpkg>=1"]\n\n'
              f"[tool.uv.sources]\ngitpkg = {{ {BRANCH}, group = \"g\" }}\n"),
    "extra-and-group": (
        'dependencies = ["dep"]\n\n[project.optional-dependencies]\nx = ["gitpkg"]\n\n'
        '[dependency-groups]\ng = ["gitpkg"]\n\n'
        f"[tool.uv.sources]\ngitpkg = [\n  {{ {TAG}, extra = \"x\" }},\n"
        f"  {{ {BRANCH}, group = \"g\" }},\n]\n\n"
        '[tool.uv]\nconflicts = [[{ group = "g" }, { extra = "x" }]]\n'),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scoped_git_sources_lock_like_uv(
    case: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.11")
    index = LocalIndex(tmp_path / "index")
    index.add_wheel("dep", "1.0", upload_time=T)
    repo = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    repo.commit("1.0", requires=["dep"], tag="v1")
    repo.commit("2.0", requires=["dep"])
    env = {"FERRY_PYTHON": str(python)}
    with IndexServer(index) as server:
        project = tmp_path / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            f'{HEAD}{CASES[case]}\n[[tool.uv.index]]\nurl = "{server.simple_url}"\n'
            "default = true\n".replace("REPO", repo.url), encoding="utf-8")
        _compare(project, tmp_path, python, env)
        if case != "extra-and-group":
            return
        for flag, version in (("--extra=x", "1.0"), ("--group=g", "2.0")):
            synced = run_ferry(["sync", "--frozen", flag], cwd=project, env=env)
            assert synced.code == 0, synced.stderr
            assert snapshot_env(project / ".venv")["dists"]["gitpkg"] == version
