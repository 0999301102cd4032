"""Bare ``git+URL`` lines in ``pip compile``/``pip sync`` inputs (named by fetching, as ``pip
install`` does), and PEP 610's ``requested_revision`` written as uv 0.13.8 writes it: the branch,
tag or commit asked for (absent when nothing was), while installs still compare by commit."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e import test_git_pip
from tests.e2e.git_repos import GitRepo, needs_git, requirement_url
from tests.e2e.test_git_project import write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

pytestmark = needs_git

repo = test_git_pip.repo  # the fixture: gitpkg 1.0 at the tag v1, 2.0 at main


def _vcs_info(venv: Path) -> dict[str, object]:
    (info,) = list(venv.glob("lib/python*/site-packages/gitpkg-*.dist-info"))
    record = json.loads((info / "direct_url.json").read_text())
    assert record["url"].startswith("file://") and record["subdirectory"] == "sub"
    vcs_info: dict[str, object] = record["vcs_info"]
    return vcs_info


def test_pip_compile_names_a_bare_git_url(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    requirements = tmp_path / "requirements.in"
    requirements.write_text(f"{requirement_url(repo, 'main')}\n")
    result = run("pip", "compile", "--index-url", index_server.simple_url, str(requirements),
                 cwd=tmp_path)
    assert result.code == 0, result.stderr
    head = repo.git("rev-parse", "HEAD")
    assert (f"gitpkg @ git+{repo.url}@{head}#subdirectory=sub\n"
            "    # via -r requirements.in\n") in result.stdout
    assert "dep==1.0\n" in result.stdout


def test_pip_sync_of_bare_git_urls_records_what_was_asked(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    head, v1 = repo.git("rev-parse", "HEAD"), repo.git("rev-parse", "v1")
    requirements = tmp_path / "requirements.txt"

    def fresh(name: str) -> Path:
        venv = tmp_path / name
        assert run("venv", str(venv)).code == 0
        return venv

    def sync(venv: Path, ref: str | None) -> str:
        requirements.write_text(f"{requirement_url(repo, ref)}\ndep==1.0\n")
        result = run("pip", "sync", "--index-url", index_server.simple_url,
                     str(requirements), env={"VIRTUAL_ENV": str(venv)})
        assert result.code == 0, result.stderr
        return result.stderr

    venv = fresh("venv")
    sync(venv, "v1")
    assert _vcs_info(venv) == {"vcs": "git", "commit_id": v1, "requested_revision": "v1"}
    sync(venv, "main")
    assert _vcs_info(venv) == {"vcs": "git", "commit_id": head, "requested_revision": "main"}
    # The same commit asked for another way: compared by commit, nothing to reinstall (uv too).
    assert "gitpkg" not in sync(venv, head)
    assert _vcs_info(venv)["requested_revision"] == "main"

    by_commit = fresh("by-commit")
    sync(by_commit, head)
    assert _vcs_info(by_commit) == {"vcs": "git", "commit_id": head, "requested_revision": head}
    unnamed = fresh("unnamed")
    sync(unnamed, None)  # no revision asked for: none recorded
    assert _vcs_info(unnamed) == {"vcs": "git", "commit_id": head}


def test_project_sync_records_the_locked_reference(
    run: Runner, tmp_path: Path, repo: GitRepo, index_server: IndexServer
) -> None:
    project = write_project(tmp_path / "proj", index_server,
                            f'{{ git = "{repo.url}", branch = "main", subdirectory = "sub" }}')
    result = run("sync", cwd=project)
    assert result.code == 0, result.stderr
    assert _vcs_info(project / ".venv") == {
        "vcs": "git", "commit_id": repo.git("rev-parse", "HEAD"), "requested_revision": "main"}
