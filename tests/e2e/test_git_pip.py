"""Git references on the pip side: ``pip install``/``pip compile`` of ``git+`` URLs, end to end.

Hermetic: the repositories are made by the test (``git init`` in tmp), their packages build with
the in-tree test backend, and dependencies come from the loopback index.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git, requirement_url
from tests.support.index import IndexServer
from tests.support.runner import Runner

pytestmark = needs_git


@pytest.fixture
def repo(tmp_path: Path, index_server: IndexServer) -> GitRepo:
    index_server.index.add_wheel("dep", "1.0")
    found = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    found.commit("1.0", requires=["dep"], tag="v1")
    found.commit("2.0", requires=["dep"])
    return found


def _venv(run: Runner, tmp_path: Path) -> tuple[Path, dict[str, str | None]]:
    venv = tmp_path / "venv"
    assert run("venv", str(venv)).code == 0
    return venv, {"VIRTUAL_ENV": str(venv)}


def _installed(venv: Path, name: str) -> tuple[str, dict[str, object]]:
    (info,) = list(venv.glob(f"lib/python*/site-packages/{name}-*.dist-info"))
    record = json.loads((info / "direct_url.json").read_text())
    return info.name.removesuffix(".dist-info").split("-")[1], record


def test_pip_install_a_tag_records_its_commit(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    venv, env = _venv(run, tmp_path)
    v1 = repo.git("rev-parse", "v1")
    spec = f"gitpkg @ {requirement_url(repo, 'v1')}"
    result = run("pip", "install", "--index-url", index_server.simple_url, spec, env=env)
    assert result.code == 0, result.stderr
    assert f"+ gitpkg==1.0 (from git+{repo.url}@{v1}#subdirectory=sub)" in result.stderr
    version, record = _installed(venv, "gitpkg")
    assert version == "1.0"
    assert record == {"url": repo.url, "subdirectory": "sub",
                      "vcs_info": {"vcs": "git", "commit_id": v1, "requested_revision": "v1"}}

    again = run("pip", "install", "--index-url", index_server.simple_url, spec, env=env)
    assert again.code == 0, again.stderr
    assert "Installed" not in again.stderr  # same commit: nothing to do


def test_bare_and_editable_git_urls_in_a_requirements_file(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    venv, env = _venv(run, tmp_path)
    head = repo.git("rev-parse", "HEAD")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{requirement_url(repo, 'main')}\n")
    result = run("pip", "install", "--index-url", index_server.simple_url, "-r",
                 str(requirements), env=env)
    assert result.code == 0, result.stderr
    assert _installed(venv, "gitpkg")[1]["vcs_info"] == {"vcs": "git", "commit_id": head,
                                                         "requested_revision": "main"}

    editable = tmp_path / "editable.txt"
    editable.write_text(f"-e git+{repo.url}@v1#egg=gitpkg&subdirectory=sub\n")
    result = run("pip", "install", "--index-url", index_server.simple_url, "-r", str(editable),
                 env=env)
    assert result.code == 0, result.stderr
    assert "cannot be installed editable" in result.stderr
    version, record = _installed(venv, "gitpkg")
    assert version == "1.0"
    assert "dir_info" not in record
    assert record["vcs_info"] == {"vcs": "git", "commit_id": repo.git("rev-parse", "v1"),
                                  "requested_revision": "v1"}


def test_pip_compile_pins_the_commit(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text(f"gitpkg @ {requirement_url(repo, 'main')}\n")
    result = run("pip", "compile", "--index-url", index_server.simple_url, str(requirements))
    assert result.code == 0, result.stderr
    head = repo.git("rev-parse", "HEAD")
    assert f"gitpkg @ git+{repo.url}@{head}#subdirectory=sub\n" in result.stdout
    assert "dep==1.0\n" in result.stdout


def test_offline_uses_the_cached_database_and_names_what_is_missing(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text(f"gitpkg @ {requirement_url(repo, 'main')}\n")
    first = run("pip", "compile", "--index-url", index_server.simple_url, str(requirements))
    assert first.code == 0, first.stderr
    repo.commit("3.0", requires=["dep"])  # not fetched: offline keeps the cached branch head
    offline = run("pip", "compile", "--offline", "--index-url", index_server.simple_url,
                  str(requirements))
    assert offline.code == 0, offline.stderr
    pinned = f"gitpkg @ git+{repo.url}@{repo.git('rev-parse', 'HEAD~1')}#subdirectory=sub\n"
    assert pinned in first.stdout
    assert pinned in offline.stdout

    other = GitRepo(tmp_path / "other", "otherpkg")
    other.commit("1.0")
    requirements.write_text(f"otherpkg @ git+{other.url}@main\n")
    missing = run("pip", "compile", "--offline", "--index-url", index_server.simple_url,
                  str(requirements))
    assert missing.code != 0
    assert f"`{other.url}` (rev `main`) is not in the cache" in missing.stderr
    assert "--offline" in missing.stderr


def test_fetch_errors_never_show_the_password(run: Runner, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text("x @ git+http://user:s3cret@127.0.0.1:9/repo.git@main\n")
    result = run("pip", "compile", "--no-index", str(requirements))
    assert result.code != 0
    assert "s3cret" not in result.stderr
    assert "Failed to fetch `http://127.0.0.1:9/repo.git` (rev `main`)" in result.stderr


def test_missing_git_is_a_clear_error(run: Runner, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text("x @ git+https://127.0.0.1:9/repo.git@main\n")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = run("pip", "compile", "--no-index", str(requirements),
                 env={"PATH": str(empty) + os.pathsep + "/nonexistent"})
    assert result.code != 0
    assert "need the `git` executable, which is not on PATH" in result.stderr
    assert "hint: install git" in result.stderr
