"""Workspaces end to end: lock, sync, run, add and remove, from the root and from members."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.workspace_kit import make_workspace, populate
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer) -> Path:
    populate(index_server.index)
    return make_workspace(tmp_path / "ws")


def ferry(run: Runner, server: IndexServer, cwd: Path, *args: str) -> Result:
    result = run(*args, cwd=cwd, env={"FERRY_INDEX_URL": server.simple_url})
    return result


def lock_data(root: Path) -> dict[str, Any]:
    return tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))


def installed(root: Path) -> dict[str, str]:
    return dict(snapshot_env(root / ".venv")["dists"])


def test_lock_records_every_member(run: Runner, workspace: Path,
                                   index_server: IndexServer) -> None:
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 0, result.stderr
    data = lock_data(workspace)
    assert data["requires-python"] == ">=3.11"  # the members' intersection
    assert data["manifest"]["members"] == ["lib-a", "lib-b", "root-app", "tool-only"]
    sources = {p["name"]: p["source"] for p in data["package"]}
    assert sources["root-app"] == {"editable": "."}
    assert sources["lib-a"] == {"editable": "packages/lib-a"}
    assert sources["tool-only"] == {"virtual": "packages/tool-only"}
    root = next(p for p in data["package"] if p["name"] == "root-app")
    assert {"name": "lib-a", "extra": ["x"], "marker": "sys_platform == 'linux'"} in (
        root["dependencies"])
    assert {"name": "lib-a", "extras": ["x"], "marker": "sys_platform == 'linux'",
            "editable": "packages/lib-a"} in root["metadata"]["requires-dist"]
    lib_a = next(p for p in data["package"] if p["name"] == "lib-a")
    assert {"name": "lib-b"} in lib_a["dependencies"]
    assert [p["version"] for p in data["package"] if p["name"] == "dep"] == ["1.0"]

    # A second lock, from a member directory, finds the root and keeps the lock as it is.
    before = (workspace / "uv.lock").read_bytes()
    again = ferry(run, index_server, workspace / "packages" / "lib-b", "-v", "lock", "--locked")
    assert again.code == 0, again.stderr
    assert "satisfies pyproject.toml" in again.stderr
    assert (workspace / "uv.lock").read_bytes() == before
    assert not (workspace / "packages" / "lib-b" / "uv.lock").exists()

    # A member's change makes the lock stale, and --locked says which.
    member = workspace / "packages" / "lib-b" / "pyproject.toml"
    member.write_text(member.read_text().replace('"dep<2"', '"dep<2", "gamma"'))
    stale = ferry(run, index_server, workspace, "lock", "--locked")
    assert stale.code == 1
    assert "lib-b" in stale.stderr and "gamma" in stale.stderr


def test_workspace_errors_are_clear(run: Runner, workspace: Path,
                                    index_server: IndexServer) -> None:
    stray = workspace / "packages" / "stray"
    stray.mkdir()
    (stray / "README").write_text("no pyproject here\n")
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 1
    assert "is missing a `pyproject.toml` (matches: `packages/*`)" in result.stderr
    (stray / "README").unlink()  # an empty directory is skipped, as uv skips it

    root = workspace / "pyproject.toml"
    root.write_text(root.read_text().replace("lib-a = { workspace = true }\n", ""))
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 1
    assert ("`lib-a` is included as a workspace member, but is missing an entry in "
            "`tool.uv.sources`") in result.stderr

    root.write_text(root.read_text().replace(
        "[tool.uv.sources]\n", "[tool.uv.sources]\nlib-a = { workspace = true }\n"
        "lib = { workspace = true }\n"))
    result = ferry(run, index_server, workspace, "lock")
    assert result.code == 1
    assert "`lib` references a workspace in `tool.uv.sources`" in result.stderr


def test_sync_installs_the_current_member(run: Runner, workspace: Path,
                                          index_server: IndexServer) -> None:
    result = ferry(run, index_server, workspace, "sync")
    assert result.code == 0, result.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "lib": "2.0", "lib-a": "1.0.0",
                                    "lib-b": "0.2.0", "root-app": "0.1.0", "tool": "3.0"}
    site = next((workspace / ".venv" / "lib").glob("python*/site-packages"))
    assert (site / "_lib_a_editable.pth").read_text().strip() == str(
        workspace / "packages" / "lib-a" / "src")

    # From a member's directory: that member alone (exactly), in the workspace's environment.
    member = ferry(run, index_server, workspace / "packages" / "lib-b", "sync")
    assert member.code == 0, member.stderr
    assert installed(workspace) == {"dep": "1.0", "lib-b": "0.2.0"}
    assert not (workspace / "packages" / "lib-b" / ".venv").exists()

    chosen = ferry(run, index_server, workspace, "sync", "--package", "lib-a", "--extra", "x")
    assert chosen.code == 0, chosen.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "lib-a": "1.0.0",
                                    "lib-b": "0.2.0"}

    everything = ferry(run, index_server, workspace, "sync", "--all-packages", "--no-dev")
    assert everything.code == 0, everything.stderr
    assert set(installed(workspace)) == {"dep", "gamma", "lib", "lib-a", "lib-b", "root-app"}

    unknown = ferry(run, index_server, workspace, "sync", "--package", "nope")
    assert unknown.code == 2  # uv's exit code and words (tests/parity5 compares them)
    assert "The workspace does not have a member nope: " in unknown.stderr

    ran = ferry(run, index_server, workspace, "run", "--package", "lib-b", "python", "-c",
                "import lib_b; print(lib_b.NAME)")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.strip() == "lib-b"


def test_virtual_root_syncs_every_member_and_its_groups(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    (workspace / "pyproject.toml").write_text(
        '[dependency-groups]\ndev = ["tool"]\n\n[tool.uv.sources]\n'
        'lib-a = { workspace = true }\nlib-b = { workspace = true }\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/skip*"]\n')
    result = ferry(run, index_server, workspace, "sync")
    assert result.code == 0, result.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "lib-a": "1.0.0",
                                    "lib-b": "0.2.0", "tool": "3.0"}
    data = lock_data(workspace)
    assert data["manifest"]["dependency-groups"] == {"dev": [{"name": "tool"}]}


def test_add_and_remove_edit_the_member(run: Runner, workspace: Path,
                                        index_server: IndexServer) -> None:
    member = workspace / "packages" / "tool-only"
    result = ferry(run, index_server, member, "add", "lib-b", "--no-sync")
    assert result.code == 0, result.stderr
    text = (member / "pyproject.toml").read_text()
    assert '"lib-b"' in text and "lib-b = { workspace = true }" in text
    assert "lib-b" not in (workspace / "pyproject.toml").read_text().split("[tool.uv.workspace]")[1]
    tool_only = next(p for p in lock_data(workspace)["package"] if p["name"] == "tool-only")
    assert {"name": "lib-b"} in tool_only["dependencies"]

    removed = ferry(run, index_server, workspace, "remove", "--package", "lib-a", "dep",
                    "--no-sync")
    assert removed.code == 0, removed.stderr
    assert '"dep"' not in (workspace / "packages" / "lib-a" / "pyproject.toml").read_text()
    lib_a = next(p for p in lock_data(workspace)["package"] if p["name"] == "lib-a")
    assert {"name": "dep"} not in lib_a["dependencies"]
