"""A git dependency whose branch moves: what ``lock`` and ``sync`` print, as uv 0.13.8 prints it.

The lock summary gives a git package's version with its commit's first eight digits, so a new
commit shows even when the version is the same (``Updated gitpkg v1.0 (30d8d613) -> v1.0
(e3f06541)``); ``sync`` names the removed install by its source, like the new one
(`` - gitpkg==1.0 (from git+file:///…@<old commit>)``). The texts were observed with uv on
the same kind of repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git
from tests.e2e.seedkit import ok
from tests.support.index import IndexServer
from tests.support.runner import Runner
from tests.support.wheels import make_wheel

pytestmark = needs_git


@pytest.fixture
def repo(tmp_path: Path, index_server: IndexServer) -> GitRepo:
    index_server.index.add_wheel("dep", "1.0")
    found = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    found.commit("1.0", requires=["dep"])
    return found


def write_project(project: Path, server: IndexServer, repo: GitRepo, dependencies: str,
                  wheel: Path | None = None) -> Path:
    project.mkdir(exist_ok=True)
    wheel_source = f'urlpkg = {{ path = "{wheel}" }}\n' if wheel else ""
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependencies}]\n\n"
        f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n\n'
        "[tool.uv.sources]\n"
        f'gitpkg = {{ git = "{repo.url}", branch = "main", subdirectory = "sub" }}\n'
        + wheel_source,
        encoding="utf-8",
    )
    return project


def synced(run: Runner, tmp_path: Path, server: IndexServer, repo: GitRepo,
           dependencies: str) -> tuple[str, Path]:
    """The repository's head commit, and a project depending on ``dependencies``, synced."""
    project = write_project(tmp_path / "proj", server, repo, dependencies)
    ok(run("sync", cwd=project))
    return repo.git("rev-parse", "HEAD"), project


def empty_commit(repo: GitRepo) -> str:
    repo.git("commit", "--allow-empty", "--quiet", "-m", "no change to the package")
    return repo.git("rev-parse", "HEAD")


def installed_from(repo: GitRepo, version: str, commit: str) -> str:
    return f"gitpkg=={version} (from git+{repo.url}@{commit}#subdirectory=sub)"


def test_a_moved_branch_is_reported_by_lock_and_sync(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    first, project = synced(run, tmp_path, index_server, repo, '"gitpkg"')

    second = empty_commit(repo)
    relock = ok(run("lock", cwd=project))
    assert "Updated" not in relock.stderr  # the locked commit is kept until an upgrade
    upgrade_then_sync(run, project, ["--upgrade-package", "gitpkg"],
                      f"Updated gitpkg v1.0 ({first[:8]}) -> v1.0 ({second[:8]})",
                      [installed_from(repo, "1.0", first), installed_from(repo, "1.0", second)])

    third = repo.commit("2.0", requires=["dep"])
    upgrade_then_sync(run, project, ["--upgrade"],
                      f"Updated gitpkg v1.0 ({second[:8]}) -> v2.0 ({third[:8]})",
                      [installed_from(repo, "1.0", second), installed_from(repo, "2.0", third)])


def upgrade_then_sync(run: Runner, project: Path, flags: list[str], summary: str,
                      change: list[str]) -> None:
    """``lock <flags>`` must end with ``summary``; the next ``sync`` with ``change`` (the
    removed install, then the new one)."""
    upgraded = ok(run("lock", *flags, cwd=project))
    assert upgraded.stderr.splitlines()[-1] == summary
    sync = ok(run("sync", cwd=project))
    assert sync.stderr.splitlines()[-2:] == [f" - {change[0]}", f" + {change[1]}"]


def test_added_and_removed_git_packages_carry_their_commit(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    commit, project = synced(run, tmp_path, index_server, repo, '"dep"')
    write_project(project, index_server, repo, '"dep", "gitpkg"')
    added = ok(run("lock", cwd=project))
    assert added.stderr.splitlines()[-1] == f"Added gitpkg v1.0 ({commit[:8]})"
    ok(run("sync", cwd=project))

    write_project(project, index_server, repo, '"dep"')
    # An extraneous git install is named by its source too when sync removes it.
    sync = ok(run("sync", cwd=project))
    assert "Removed gitpkg" not in sync.stderr  # as uv: sync does not print lock changes
    assert sync.stderr.splitlines()[-1] == f" - {installed_from(repo, '1.0', commit)}"


def test_a_replaced_file_install_is_named_by_its_old_file(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    old = make_wheel(tmp_path / "old", "urlpkg", "1.0")
    new = make_wheel(tmp_path / "new", "urlpkg", "1.0", files={"urlpkg/x.py": b"x = 2\n"})
    project = write_project(tmp_path / "proj", index_server, repo, '"urlpkg"', wheel=old)
    ok(run("sync", cwd=project))
    write_project(project, index_server, repo, '"urlpkg"', wheel=new)
    sync = ok(run("sync", cwd=project))
    assert sync.stderr.splitlines()[-2:] == [
        f" - urlpkg==1.0 (from {old.as_uri()})",
        f" + urlpkg==1.0 (from {new.as_uri()})",
    ]
