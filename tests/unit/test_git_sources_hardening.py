"""Git sources, hardened: the memo's key, credentials kept out of files, the database's lock.

Each test failed before its fix; the end-to-end half is tests/e2e/test_git_hardening.py.
Hermetic: repositories are made in tmp by ``tests/e2e/git_repos.py``.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git

from ferry.cache.store import Cache
from ferry.dist.git import GitRunner, GitSources
from ferry.dist.git_auth import git_auth, with_config
from ferry.fs.locks import lock_exclusive
from ferry.model.errors import SurroundingsError
from ferry.model.git import GitUrl


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    found = GitRepo(tmp_path / "repo", "gitpkg")
    found.commit("1.0")
    return found


@needs_git
def test_a_branch_with_a_locked_commit_resolves_to_that_commit(
    tmp_path: Path, repo: GitRepo
) -> None:
    """The memo was keyed by (repository, kind, reference): once the branch head was known,
    a URL carrying the lock's commit for the same branch got the head instead."""
    first = repo.git("rev-parse", "HEAD")
    second = repo.commit("2.0")
    sources = GitSources(Cache(tmp_path / "cache"))
    branch = GitUrl(repo.url, "branch", "main")
    assert sources.resolve(branch).commit == second
    assert sources.resolve(branch.resolved(first)).commit == first
    assert sources.resolve(branch).commit == second  # and the plain branch keeps its head


@needs_git
def test_a_locked_commit_the_branch_left_is_fetched_by_id(
    tmp_path: Path, repo: GitRepo
) -> None:
    """A branch rewritten after locking: the locked commit is asked for by its id."""
    first = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "--quiet", "--orphan", "other")
    rewritten = repo.commit("3.0")
    repo.git("branch", "--quiet", "-f", "main", rewritten)
    repo.git("config", "uploadpack.allowAnySHA1InWant", "true")
    sources = GitSources(Cache(tmp_path / "cache"))
    url = GitUrl(repo.url, "branch", "main")
    assert sources.resolve(url).commit == rewritten
    assert sources.resolve(url.resolved(first)).commit == first


def test_credentials_travel_in_the_environment_only() -> None:
    auth = git_auth("https://user:p%40ss@git.example.invalid:8443/org/repo.git")
    assert auth.location == "https://git.example.invalid:8443/org/repo.git"
    ((key, value),) = auth.config
    assert key == "http.https://git.example.invalid:8443/.extraHeader"
    assert value == "Authorization: Basic " + base64.b64encode(b"user:p@ss").decode()
    assert git_auth("https://token@host.invalid/r").config[0][1].endswith(
        base64.b64encode(b"token:").decode())
    plain = git_auth("https://host.invalid/r")
    assert (plain.location, plain.config) == ("https://host.invalid/r", ())
    assert git_auth("ssh://git@host.invalid/r").location == "ssh://git@host.invalid/r"
    assert git_auth("ssh://git:pw@host.invalid/r").location == "ssh://host.invalid/r"


def test_config_entries_follow_the_users_own() -> None:
    env = with_config({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "a.b",
                       "GIT_CONFIG_VALUE_0": "c"}, [("http.x.extraHeader", "v")])
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert (env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_KEY_1"]) == ("a.b", "http.x.extraHeader")
    assert with_config({"A": "1"}, []) == {"A": "1"}


@needs_git
def test_git_sees_the_header_and_never_writes_it(tmp_path: Path) -> None:
    runner = GitRunner()
    (tmp_path / "r").mkdir()
    runner.run(["init", "--quiet", str(tmp_path / "r")])
    entry = ("http.https://h.invalid/.extraHeader", "Authorization: Basic c2VjcmV0")
    done = runner.run(["-C", str(tmp_path / "r"), "config", "--get-urlmatch",
                       "http.extraHeader", "https://h.invalid/x"], config=[entry])
    assert done.stdout.strip() == entry[1]
    assert "c2VjcmV0" not in (tmp_path / "r" / ".git" / "config").read_text()


@needs_git
def test_a_clone_waits_for_a_fetch_holding_the_database(
    tmp_path: Path, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clone read the bare database without its lock, while another process could be
    fetching into it (and running ``gc --auto``): it now takes the lock, shared."""
    sources = GitSources(Cache(tmp_path / "cache"))
    url = sources.resolve(GitUrl(repo.url))
    assert url.commit is not None
    db = sources.db_path(url)
    monkeypatch.setenv("FERRY_LOCK_TIMEOUT", "0.3")
    with lock_exclusive(db.with_name(f"{sources.key(url)}.lock")), \
            pytest.raises(SurroundingsError, match="git database"):
        sources.checkout(url)
    assert not sources.checkout_path(url, url.commit).exists()
    checkout = sources.checkout(url)  # once the "fetch" is done, the clone goes ahead
    assert (checkout / "pyproject.toml").is_file()


@needs_git
def test_an_automatic_gc_runs_inside_the_fetch(
    tmp_path: Path, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git detaches ``gc --auto`` by default, so it ran on after the fetch released the lock."""
    seen: list[list[str]] = []
    original = GitRunner.run

    def recording(self: GitRunner, args: list[str], **kwargs: object) -> (
            subprocess.CompletedProcess[str]):
        seen.append(args)
        return original(self, args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GitRunner, "run", recording)
    GitSources(Cache(tmp_path / "cache")).resolve(GitUrl(repo.url, "branch", "main"))
    (fetch,) = [args for args in seen if "fetch" in args]
    before = fetch[: fetch.index("fetch")]
    assert "gc.autoDetach=false" in before and "maintenance.autoDetach=false" in before
