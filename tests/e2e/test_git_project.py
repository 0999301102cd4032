"""Git sources in projects: ``[tool.uv.sources]`` git entries through lock, sync and relock.

Hermetic: repositories made by the test, dependencies from the loopback index. The exact bytes
are compared with uv in ``tests/interop/test_git_lock.py``; here ferry alone is held to uv's
documented behaviour.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.git_repos import GitRepo, needs_git
from tests.support.index import IndexServer
from tests.support.runner import Runner

pytestmark = needs_git


@pytest.fixture
def repo(tmp_path: Path, index_server: IndexServer) -> GitRepo:
    index_server.index.add_wheel("dep", "1.0")
    found = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    found.commit("1.0", requires=["dep"], tag="v1")
    return found


def write_project(root: Path, server: IndexServer, source: str,
                  dependencies: str = '"gitpkg"') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependencies}]\n\n"
        f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n\n'
        f"[tool.uv.sources]\ngitpkg = {source}\n",
        encoding="utf-8",
    )
    return root


def locked(project: Path, name: str) -> dict[str, Any]:
    data = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    (found,) = [p for p in data["package"] if p["name"] == name]
    return found


def test_lock_and_frozen_sync_of_a_tag(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    commit = repo.git("rev-parse", "v1")
    project = write_project(tmp_path / "proj", index_server,
                            f'{{ git = "{repo.url}", tag = "v1", subdirectory = "sub" }}')
    result = run("lock", cwd=project)
    assert result.code == 0, result.stderr
    package = locked(project, "gitpkg")
    assert package["source"] == {"git": f"{repo.url}?subdirectory=sub&tag=v1#{commit}"}
    assert package["dependencies"] == [{"name": "dep"}]
    assert "metadata" not in package  # uv records no declared inputs for git packages
    own = locked(project, "proj")
    assert own["metadata"]["requires-dist"] == [
        {"name": "gitpkg", "git": f"{repo.url}?subdirectory=sub&tag=v1"}]

    # Fresh with no network: nothing asked of the index, and the repository may be gone.
    index_server.clear_log()
    repo_moved = repo.path.rename(tmp_path / "gone")
    fresh = run("lock", "--locked", "--offline", cwd=project)
    assert fresh.code == 0, fresh.stderr
    repo_moved.rename(repo.path)
    assert index_server.requests == []

    sync = run("sync", "--frozen", cwd=project)
    assert sync.code == 0, sync.stderr
    (info,) = list(project.glob(".venv/lib/python*/site-packages/gitpkg-1.0.dist-info"))
    record = json.loads((info / "direct_url.json").read_text())
    assert record["vcs_info"]["commit_id"] == commit


def test_relock_keeps_the_locked_commit_of_a_branch_until_upgraded(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    first = repo.git("rev-parse", "HEAD")
    project = write_project(tmp_path / "proj", index_server,
                            f'{{ git = "{repo.url}", branch = "main", subdirectory = "sub" }}')
    assert run("lock", cwd=project).code == 0
    second = repo.commit("2.0", requires=["dep"])
    write_project(project, index_server,
                  f'{{ git = "{repo.url}", branch = "main", subdirectory = "sub" }}',
                  dependencies='"gitpkg", "dep"')
    relock = run("lock", cwd=project)
    assert relock.code == 0, relock.stderr
    assert locked(project, "gitpkg")["source"]["git"].endswith(f"branch=main#{first}")
    assert locked(project, "gitpkg")["version"] == "1.0"

    upgrade = run("lock", "--upgrade-package", "gitpkg", cwd=project)
    assert upgrade.code == 0, upgrade.stderr
    assert locked(project, "gitpkg")["source"]["git"].endswith(f"branch=main#{second}")
    assert locked(project, "gitpkg")["version"] == "2.0"

    # The frozen sync installs the locked commit even though the branch moves on.
    repo.commit("3.0", requires=["dep"])
    sync = run("sync", "--frozen", cwd=project)
    assert sync.code == 0, sync.stderr
    assert list(project.glob(".venv/lib/python*/site-packages/gitpkg-2.0.dist-info"))


def test_frozen_sync_offline_from_the_cache(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    project = write_project(tmp_path / "proj", index_server,
                            f'{{ git = "{repo.url}", rev = "v1", subdirectory = "sub" }}')
    assert run("sync", cwd=project).code == 0
    (project / ".venv").rename(tmp_path / "old-venv")
    index_server.stop()
    repo.path.rename(tmp_path / "gone")
    again = run("sync", "--frozen", "--offline", cwd=project)
    assert again.code == 0, again.stderr
    assert list(project.glob(".venv/lib/python*/site-packages/gitpkg-1.0.dist-info"))


def test_direct_git_url_in_the_dependencies(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    commit = repo.git("rev-parse", "v1")
    project = write_project(tmp_path / "proj", index_server, '{ path = "unused" }',
                            dependencies=f'"gitpkg @ git+{repo.url}@v1#subdirectory=sub"')
    text = (project / "pyproject.toml").read_text().replace('gitpkg = { path = "unused" }', "")
    (project / "pyproject.toml").write_text(text)
    result = run("lock", cwd=project)
    assert result.code == 0, result.stderr
    assert locked(project, "gitpkg")["source"] == {
        "git": f"{repo.url}?subdirectory=sub&rev=v1#{commit}"}


def test_add_git_url_with_a_tag_writes_the_source_as_uv(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = []\n\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\n'
        "default = true\n",
        encoding="utf-8",
    )
    result = run("add", f"git+{repo.url}#subdirectory=sub", "--tag", "v1", cwd=project)
    assert result.code == 0, result.stderr
    text = (project / "pyproject.toml").read_text()
    assert 'dependencies = [\n    "gitpkg",\n]' in text
    assert f'gitpkg = {{ git = "{repo.url}", subdirectory = "sub", tag = "v1" }}' in text
    commit = repo.git("rev-parse", "v1")
    assert locked(project, "gitpkg")["source"]["git"].endswith(f"tag=v1#{commit}")
    assert list(project.glob(".venv/lib/python*/site-packages/gitpkg-1.0.dist-info"))

    both = run("add", f"gitpkg @ git+{repo.url}@v1", "--branch", "main", cwd=project)
    assert both.code == 2
    assert "names a revision in its URL and with `--branch`" in both.stderr
