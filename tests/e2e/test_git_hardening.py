"""Git sources, hardened, end to end: no token in the cache, parallel installs, ``--refresh``.

Hermetic: repositories are made in tmp (``git_repos.py``); the private one is served over git's
"dumb" HTTP protocol behind basic authentication on loopback, ``git_repos.serve_with_auth``.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.e2e.git_repos import TOKEN, GitRepo, needs_git, requirement_url, serve_with_auth
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner
from tests.support.sdists import BACKEND_MODULE

pytestmark = needs_git


def _ok(result: Result) -> Result:
    assert result.code == 0, result.output
    return result


def _bare(source: Path, served: Path) -> None:
    git = shutil.which("git")
    assert git is not None
    subprocess.run([git, "clone", "--quiet", "--bare", str(source), str(served)], check=True)
    subprocess.run([git, "-C", str(served), "update-server-info"], check=True)


@pytest.fixture
def private_repo_with_submodule(tmp_path: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/gitpkg.git`` behind basic auth: gitpkg 1.0 with a submodule
    ``vendored`` whose URL, ``../sub.git``, resolves to the same (authenticated) server."""
    served = tmp_path / "www"
    served.mkdir()
    sub = GitRepo(tmp_path / "sub", "subpkg")
    sub.commit("0.1")
    _bare(sub.path, served / "sub.git")
    repo = GitRepo(tmp_path / "repo", "gitpkg")
    repo.commit("1.0")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "--quiet",
             str(sub.path), "vendored")
    repo.git("config", "-f", ".gitmodules", "submodule.vendored.url", "../sub.git")
    repo.git("add", ".gitmodules")
    repo.git("commit", "--quiet", "-m", "vendored")
    _bare(repo.path, served / "gitpkg.git")
    with serve_with_auth(served) as base:
        yield f"{base}/gitpkg.git"


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                found.append(str(path.relative_to(root)))
    return found


def test_credentials_of_a_repository_with_submodules_stay_out_of_the_cache(
    run: Runner, tmp_path: Path, tmp_cache: Path, private_repo_with_submodule: str,
    index_server: IndexServer,
) -> None:
    """``remote set-url origin <URL with token>`` wrote the token into the cached checkout's
    ``.git/config``, and git copied the resolved submodule URL there and into
    ``.git/modules/*/config``."""
    venv = tmp_path / "venv"
    _ok(run("venv", str(venv)))
    url = private_repo_with_submodule.replace("http://", f"http://user:{TOKEN}@")
    result = _ok(run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                     f"gitpkg @ git+{url}"))
    assert TOKEN not in result.output
    (checkout,) = (tmp_cache / "git-v0" / "checkouts").glob("*/*")
    assert (checkout / "vendored" / "pyproject.toml").is_file(), "submodule not checked out"
    header = base64.b64encode(f"user:{TOKEN}".encode())
    assert _files_containing(tmp_cache, [TOKEN.encode(), header]) == []
    assert _files_containing(venv, [TOKEN.encode(), header]) == []


def test_parallel_installs_of_one_git_url_share_a_fresh_cache(
    run: Runner, tmp_path: Path, tmp_cache: Path, index_server: IndexServer
) -> None:
    """Several processes fetch into and clone from one database at once (with git told to gc
    at every chance, which a detached ``gc --auto`` did while others cloned)."""
    repo = GitRepo(tmp_path / "repo", "gitpkg")
    repo.commit("1.0")
    data = repo.path / "data"
    data.mkdir()
    for i in range(1000):  # objects enough for `gc --auto` to find loose ones to pack
        (data / f"{i}.txt").write_text(f"{i}\n", encoding="utf-8")
    repo.git("add", "data")
    repo.git("commit", "--quiet", "-m", "data")
    head = repo.commit("1.2")
    config = tmp_path / "gitconfig"
    config.write_text("[gc]\n\tauto = 1\n[transfer]\n\tunpackLimit = 100000\n",
                      encoding="utf-8")
    venvs = [tmp_path / f"venv{i}" for i in range(4)]
    for venv in venvs:
        _ok(run("venv", str(venv)))
    spec = f"gitpkg @ {requirement_url(repo, 'main')}"

    def install(venv: Path) -> Result:
        return run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                   spec, env={"GIT_CONFIG_GLOBAL": str(config)})

    with ThreadPoolExecutor(len(venvs)) as pool:
        results = list(pool.map(install, venvs))
    for result in results:
        _ok(result)
    for venv in venvs:
        assert list(venv.glob("lib/python*/site-packages/gitpkg-1.2.dist-info"))
    (checkout,) = (tmp_cache / "git-v0" / "checkouts").glob("*/*")
    assert checkout.name == head
    git = shutil.which("git")
    assert git is not None
    status = subprocess.run([git, "-C", str(checkout), "status", "--porcelain"],
                            capture_output=True, text=True, check=True)
    # every file of the commit is there, unchanged; the in-tree backend's bytecode aside (the
    # build imports it from the checkout, and writes it unless PYTHONDONTWRITEBYTECODE is set)
    changed = [line for line in status.stdout.splitlines()
               if not (line.startswith("?? ") and line.endswith("__pycache__/"))]
    assert changed == []
    assert not list((tmp_cache / ".tmp").glob("git-*"))


@pytest.fixture
def logged_repo(tmp_path: Path) -> tuple[GitRepo, Path]:
    """gitpkg 1.0 (tag v1) whose backend appends a line to the returned log at each build."""
    log = tmp_path / "builds.log"
    repo = GitRepo(tmp_path / "repo", "gitpkg")
    repo.commit("1.0")
    backend = repo.path / "_backend" / f"{BACKEND_MODULE}.py"
    backend.write_text(
        backend.read_text(encoding="utf-8")
        + "\n_plain_build_wheel = build_wheel\n\n\n"
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        f"    with open({str(log)!r}, 'a') as f:\n"
        "        f.write('built\\n')\n"
        "    return _plain_build_wheel(wheel_directory, config_settings, metadata_directory)\n",
        encoding="utf-8",
    )
    repo.git("commit", "--quiet", "-am", "log builds")
    repo.git("tag", "v1")
    return repo, log


def _builds(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_refresh_rebuilds_the_wheel_of_a_git_commit(
    run: Runner, tmp_path: Path, logged_repo: tuple[GitRepo, Path], index_server: IndexServer
) -> None:
    """The wheel recorded for a commit was reused even under ``--refresh``."""
    repo, log = logged_repo
    spec = f"gitpkg @ {requirement_url(repo, 'v1')}"

    def install(name: str, *flags: str) -> None:
        venv = tmp_path / name
        _ok(run("venv", str(venv)))
        _ok(run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                spec, *flags))
        assert list(venv.glob("lib/python*/site-packages/gitpkg-1.0.dist-info"))

    install("one")
    assert _builds(log) == 1
    install("two")
    assert _builds(log) == 1, "the wheel of a commit is reused"
    install("three", "--refresh-package", "gitpkg")
    assert _builds(log) == 2
    install("four", "--refresh-package", "other")
    assert _builds(log) == 2, "a refresh of another package keeps it"
    install("five", "--refresh")
    assert _builds(log) == 3


def test_refresh_fetches_a_branch_but_not_a_commit_the_cache_holds(
    run: Runner, tmp_path: Path, logged_repo: tuple[GitRepo, Path], index_server: IndexServer
) -> None:
    repo, log = logged_repo
    commit = repo.git("rev-parse", "v1")
    venv = tmp_path / "venv"
    _ok(run("venv", str(venv)))
    args = ("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url)
    _ok(run(*args, f"gitpkg @ {requirement_url(repo, 'main')}"))
    repo.path.rename(tmp_path / "gone")
    pinned = _ok(run(*args, "--reinstall", "--refresh",
                     f"gitpkg @ {requirement_url(repo, commit)}"))
    assert "gitpkg==1.0" in pinned.stderr and _builds(log) == 2  # rebuilt, nothing fetched
    branch = run(*args, "--refresh", f"gitpkg @ {requirement_url(repo, 'main')}")
    assert branch.code != 0 and "Failed to fetch" in branch.stderr
