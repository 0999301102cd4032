"""``ferry cache clean <pkg>`` and ``ferry cache prune`` with a real git package in the cache:
prune keeps what an offline reinstall needs, clean takes the package's git entries (and the
database it alone used), and the next install fetches again."""

from __future__ import annotations

from pathlib import Path

from tests.e2e import test_git_pip
from tests.e2e.git_repos import GitRepo, needs_git, requirement_url
from tests.support.index import IndexServer
from tests.support.runner import Runner

pytestmark = needs_git

repo = test_git_pip.repo  # the fixture: gitpkg 1.0 at the tag v1, 2.0 at main


def test_prune_keeps_and_clean_takes_a_git_package(
    run: Runner, tmp_path: Path, tmp_cache: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    spec = f"gitpkg @ {requirement_url(repo, 'v1')}"

    def install(name: str, *flags: str) -> str:
        venv = tmp_path / name
        assert run("venv", str(venv)).code == 0
        result = run("pip", "install", *flags, "--index-url", index_server.simple_url, spec,
                     env={"VIRTUAL_ENV": str(venv)})
        assert result.code == 0, result.stderr
        return result.stderr

    install("first")
    bucket = tmp_cache / "git-v0"
    assert list(bucket.glob("db/*/HEAD")) and list(bucket.glob("built/*/*/*/*.json"))

    pruned = run("cache", "prune")
    assert pruned.code == 0, pruned.stderr
    assert list(bucket.glob("db/*/HEAD")) and list(bucket.glob("built/*/*/*/*.json"))
    install("offline", "--offline")  # the commit's wheel is still there: no fetch, no build

    cleaned = run("cache", "clean", "gitpkg")
    assert cleaned.code == 0, cleaned.stderr
    assert not list(bucket.glob("built/*/*/*/*.json"))
    assert not list(bucket.glob("checkouts/*/*")) and not list(bucket.glob("db/*"))
    assert not (tmp_cache / "archives-v1").exists() or not any(
        (tmp_cache / "archives-v1").glob("*/gitpkg-1.0.dist-info"))
    again = install("again")
    assert "+ gitpkg==1.0" in again
