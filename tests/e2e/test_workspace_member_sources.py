"""Path and URL sources declared in workspace members (not only the root): locked with paths
relative to the workspace root, kept fresh from any member, installed by a frozen sync."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.workspace_kit import populate
from tests.e2e.workspace_sources_kit import make_sourced_workspace, populate_sources
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer) -> Path:
    populate(index_server.index)
    populate_sources(index_server.index)
    return make_sourced_workspace(tmp_path / "ws", index_server.simple_url)


def ferry(run: Runner, server: IndexServer, cwd: Path, *args: str) -> Result:
    return run(*args, cwd=cwd, env={"FERRY_INDEX_URL": server.simple_url})


def _packages(root: Path) -> dict[str, dict[str, Any]]:
    data = tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p for p in data["package"]}


def test_member_sources_lock_relative_to_the_root(run: Runner, workspace: Path,
                                                  index_server: IndexServer) -> None:
    result = ferry(run, index_server, workspace / "packages" / "lib-a", "lock")
    assert result.code == 0, result.stderr
    packages = _packages(workspace)
    assert packages["helper"]["source"] == {"editable": "libs/helper"}
    assert packages["inner"]["source"] == {"directory": "packages/lib-a/vendored/inner"}
    assert packages["rootdep"]["source"] == {"directory": "libs/rootdep"}
    assert packages["urlpkg"]["source"]["url"].endswith("/files/urlpkg-1.5-py3-none-any.whl")
    requires = packages["lib-a"]["metadata"]["requires-dist"]
    assert {"name": "helper", "editable": "libs/helper"} in requires
    assert {"name": "inner", "directory": "packages/lib-a/vendored/inner"} in requires
    lib_b = packages["lib-b"]["metadata"]["requires-dist"]
    assert {"name": "rootdep", "directory": "libs/rootdep"} in lib_b  # the root's source

    for where in (workspace, workspace / "packages" / "lib-b"):
        again = ferry(run, index_server, where, "-v", "lock", "--locked")
        assert again.code == 0, again.stderr
        assert "satisfies pyproject.toml" in again.stderr

    # The member's source moves: the lock is stale, and says which member changed.
    lib_a = workspace / "packages" / "lib-a"
    (lib_a / "vendored" / "inner").rename(lib_a / "inner")
    member = lib_a / "pyproject.toml"
    member.write_text(member.read_text().replace('"vendored/inner"', '"inner"'))
    stale = ferry(run, index_server, workspace, "lock", "--locked")
    assert stale.code == 1, stale.stdout
    assert "lib-a" in stale.stderr
    relocked = ferry(run, index_server, workspace, "lock")
    assert relocked.code == 0, relocked.stderr
    assert _packages(workspace)["inner"]["source"] == {"directory": "packages/lib-a/inner"}


def test_frozen_sync_installs_member_sources(run: Runner, workspace: Path,
                                             index_server: IndexServer) -> None:
    assert ferry(run, index_server, workspace, "lock").code == 0
    synced = ferry(run, index_server, workspace, "sync", "--frozen", "--package", "lib-a")
    assert synced.code == 0, synced.stderr
    dists = {k.lower(): v for k, v in snapshot_env(workspace / ".venv")["dists"].items()}
    assert {"helper", "inner", "rootdep", "urlpkg", "lib-a", "lib-b", "dep"} <= set(dists)
    assert "root-app" not in dists
    site = next((workspace / ".venv" / "lib").glob("python3*/site-packages"))
    helper = json.loads(next(site.glob("helper-*.dist-info")).joinpath(
        "direct_url.json").read_text())
    assert helper == {"dir_info": {"editable": True},
                      "url": (workspace / "libs" / "helper").resolve().as_uri()}


def test_conflicts_ferry_cannot_lock_are_refused_clearly(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    # Conflicts between members' extras and groups are locked (tests/interop/
    # test_workspace_conflicts.py); a whole package (uv's preview) and a non-member are not.
    root = workspace / "pyproject.toml"
    text = root.read_text()
    root.write_text(text + '\n[tool.uv]\nconflicts = [[{ extra = "r" }, '
                    '{ package = "lib-a" }]]\n')
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 1
    assert "The conflict on the whole package `lib-a`" in result.stderr
    root.write_text(text + '\n[tool.uv]\nconflicts = [[{ extra = "r" }, '
                    '{ package = "elsewhere", extra = "x" }]]\n')
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 1
    assert "names a package that is not a workspace member" in result.stderr
    assert "hint: workspace members:" in result.stderr
    assert not (workspace / "uv.lock").exists()
