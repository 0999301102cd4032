"""Workspace ``exclude``: ``members = ["packages/*"]`` with ``exclude = ["packages/skip"]``.

Observed with uv 0.13.8 on the same tree, and held here: a member that becomes excluded leaves
the lock (``Removed skip v2.0``, and its dependencies) and the next ``sync`` uninstalls it; an
excluded directory that a member still names as a path source is locked as a path dependency
(``source = { directory = … }``, not in ``[manifest] members``), installed by ``sync`` and not
selectable with ``--package``; made editable, it is reinstalled in place (`` ~ skip==2.0``).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.seedkit import ok
from tests.e2e.workspace_kit import _member
from tests.support.index import IndexServer
from tests.support.runner import Runner

A_PLAIN = '[project]\nname = "a"\nversion = "1.0"\ndependencies = ["dep"]\n'
A_USING_SKIP = (
    '[project]\nname = "a"\nversion = "1.0"\ndependencies = ["dep", "skip"]\n\n'
    '[tool.uv.sources]\nskip = {{ path = "../skip"{editable} }}\n'
)


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer) -> Path:
    index_server.index.add_wheel("dep", "1.0")
    index_server.index.add_wheel("extdep", "1.0")
    root = tmp_path / "ws"
    write_root(root, index_server, exclude=False)
    _member(root / "packages" / "a", A_PLAIN, packaged=True, name="a", version="1.0",
            requires=("dep",))
    _member(root / "packages" / "skip",
            '[project]\nname = "skip"\nversion = "2.0"\ndependencies = ["extdep"]\n',
            packaged=True, name="skip", version="2.0", requires=("extdep",))
    return root


def write_root(root: Path, server: IndexServer, *, exclude: bool) -> None:
    _member(root,
            '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["a"]\n\n[tool.uv.sources]\na = { workspace = true }\n\n'
            f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n\n'
            '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
            + ('exclude = ["packages/skip"]\n' if exclude else ""),
            packaged=True, name="root", version="0.1.0", requires=("a",))


def use_skip(root: Path, *, editable: bool) -> None:
    text = A_USING_SKIP.format(editable=", editable = true" if editable else "")
    _member(root / "packages" / "a", text, packaged=True, name="a", version="1.0",
            requires=("dep", "skip"))


def lock_of(root: Path) -> dict[str, Any]:
    return tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))


def sources(root: Path) -> dict[str, dict[str, str]]:
    return {p["name"]: p["source"] for p in lock_of(root)["package"]}


def installed(root: Path) -> set[str]:
    (site,) = root.glob(".venv/lib/python*/site-packages")
    return {p.name.partition("-")[0] for p in site.glob("*.dist-info")}


def test_a_member_that_becomes_excluded_leaves_the_lock_and_the_environment(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    ok(run("sync", "--all-packages", "-p", sys.executable, cwd=workspace))
    assert lock_of(workspace)["manifest"]["members"] == ["a", "root", "skip"]
    assert installed(workspace) == {"a", "dep", "extdep", "root", "skip"}

    write_root(workspace, index_server, exclude=True)
    relock = ok(run("lock", cwd=workspace))
    assert relock.stderr.splitlines()[-2:] == ["Removed extdep v1.0", "Removed skip v2.0"]
    assert lock_of(workspace)["manifest"]["members"] == ["a", "root"]
    assert set(sources(workspace)) == {"a", "dep", "root"}

    sync = ok(run("sync", "--all-packages", cwd=workspace))
    changes = [line for line in sync.stderr.splitlines() if line.startswith((" - ", " ~ "))]
    assert changes == [  # the root's pyproject.toml changed: rebuilt, as uv does
        " - extdep==1.0",
        f" ~ root==0.1.0 (from {workspace.as_uri()})",
        f" - skip==2.0 (from {(workspace / 'packages' / 'skip').as_uri()})",
    ]
    assert installed(workspace) == {"a", "dep", "root"}


def test_an_excluded_directory_used_as_a_path_source_is_a_path_dependency(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    write_root(workspace, index_server, exclude=True)
    use_skip(workspace, editable=False)
    ok(run("sync", "--all-packages", "-p", sys.executable, cwd=workspace))
    assert lock_of(workspace)["manifest"]["members"] == ["a", "root"]
    assert sources(workspace)["skip"] == {"directory": "packages/skip"}
    assert installed(workspace) == {"a", "dep", "extdep", "root", "skip"}
    refused = run("sync", "--package", "skip", cwd=workspace)
    assert refused.code != 0 and "skip" in refused.stderr  # not a member

    use_skip(workspace, editable=True)
    relock = ok(run("lock", cwd=workspace))
    assert relock.stderr.splitlines()[-1].startswith("Resolved 5 packages")  # same versions
    assert sources(workspace)["skip"] == {"editable": "packages/skip"}
    sync = ok(run("sync", cwd=workspace))
    skip_url = (workspace / "packages" / "skip").as_uri()
    assert sync.stderr.splitlines()[-1] == f" ~ skip==2.0 (from {skip_url})"
