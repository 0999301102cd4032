"""Path and URL sources declared by workspace members: uv 0.13.8 and ferry lock the workspace
byte for byte, each calls the other's lock fresh, and each syncs ``--frozen`` from the other's
(see ``tests/e2e/workspace_sources_kit.py`` for the sources)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.git_repos import GitRepo, needs_git
from tests.e2e.workspace_kit import make_workspace
from tests.e2e.workspace_sources_kit import make_sourced_workspace, populate_sources
from tests.interop.test_uv_lock_interop import UV, uv
from tests.interop.test_workspace_lock import CUTOFF, _dists
from tests.interop.workspace_interop_kit import served_index
from tests.support.runner import Runner

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")


def assert_same_text(uv_path: Path, ferry_path: Path) -> None:
    """The two files hold the same bytes (a readable diff otherwise)."""
    theirs = uv_path.read_text(encoding="utf-8")
    ours = ferry_path.read_text(encoding="utf-8")
    diff = difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "uv", "ferry",
                                lineterm="", n=1)
    assert theirs == ours, "\n".join(diff)


def test_member_sources_lock_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python, populate_sources) as (server, env):
        url = server.simple_url
        theirs = make_sourced_workspace(tmp_path / "uv-ws", url)
        mine = make_sourced_workspace(tmp_path / "ferry-ws", url)
        flags = ["--exclude-newer", CUTOFF, "--default-index", url]

        made = uv(["lock", *flags], theirs, env)
        assert made.returncode == 0, made.stderr
        ours = run("lock", *flags, "--python", str(python), cwd=mine / "packages" / "lib-b")
        assert ours.code == 0, ours.stderr

        assert_same_text(theirs / "uv.lock", mine / "uv.lock")

        checked = uv(["lock", "--locked", *flags], mine / "packages" / "lib-a", env)
        assert checked.returncode == 0, checked.stderr
        kept = run("-v", "lock", "--locked", *flags, cwd=theirs)
        assert kept.code == 0, kept.stderr
        assert "satisfies pyproject.toml" in kept.stderr

        synced = uv(["sync", "--frozen", "--all-packages"], mine, env)
        assert synced.returncode == 0, synced.stderr
        ferry_synced = run("sync", "--frozen", "--all-packages", "--python", str(python),
                           cwd=theirs)
        assert ferry_synced.code == 0, ferry_synced.stderr
        assert _dists(mine / ".venv") == _dists(theirs / ".venv")
        assert {"helper", "inner", "rootdep", "urlpkg"} <= set(_dists(theirs / ".venv"))


@needs_git
def test_member_git_source_locks_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    """A member's own git source is read (it was once ignored: only the root's were)."""
    python = python_exe("3.12")
    repo = GitRepo(tmp_path / "repo", "gitpkg", subdirectory="sub")
    repo.commit("1.0", requires=["dep"], tag="v1")
    with served_index(tmp_path, python) as (server, env):
        flags = ["--exclude-newer", CUTOFF, "--default-index", server.simple_url]
        roots = []
        for name in ("uv-ws", "ferry-ws"):
            root = make_workspace(tmp_path / name)
            member = root / "packages" / "lib-b" / "pyproject.toml"
            member.write_text(member.read_text().replace('"dep<2"', '"dep<2", "gitpkg"')
                              + f'\n[tool.uv.sources]\ngitpkg = {{ git = "{repo.url}", '
                              'tag = "v1", subdirectory = "sub" }\n')
            roots.append(root)
        made = uv(["lock", *flags], roots[0], env)
        assert made.returncode == 0, made.stderr
        ours = run("lock", *flags, "--python", str(python), cwd=roots[1])
        assert ours.code == 0, ours.stderr
        assert_same_text(roots[0] / "uv.lock", roots[1] / "uv.lock")
