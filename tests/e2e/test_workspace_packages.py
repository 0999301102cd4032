"""Several ``--package`` values: ``sync`` and ``export`` take them all (as uv 0.13.8 does), ``run``
refuses a second one (exit 2, as uv) rather than silently using the last.

What uv does with the same flags on the same workspace (``workspace_kit``) was observed with
``uv sync``/``uv export`` 0.13.8; the expected sets below are those results.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.workspace_kit import make_workspace, populate
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer, run: Runner) -> Path:
    populate(index_server.index)
    root = make_workspace(tmp_path / "ws")
    assert ferry(run, index_server, root, "lock").code == 0
    return root


def ferry(run: Runner, server: IndexServer, cwd: Path, *args: str) -> Result:
    return run(*args, cwd=cwd, env={"FERRY_INDEX_URL": server.simple_url})


def installed(root: Path) -> set[str]:
    return set(snapshot_env(root / ".venv")["dists"])


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--package", "lib-a", "--package", "lib-b"), {"dep", "lib-a", "lib-b"}),
        (("--package", "lib-b", "--package", "tool-only"), {"dep", "gamma", "lib-b"}),
        # several members chosen: uv's --no-install-project leaves none of them out
        (("--package", "lib-a", "--package", "root-app", "--no-install-project"),
         {"dep", "gamma", "lib", "lib-a", "lib-b", "root-app", "tool"}),
        (("--package", "lib-a", "--package", "lib-b", "--group", "test"),
         {"dep", "lib-a", "lib-b", "tool"}),
        (("--package", "lib-a", "--package", "lib-b", "--no-install-workspace"), {"dep"}),
        (("--package", "lib-a", "--no-install-project"), {"dep", "lib-b"}),
    ],
)
def test_sync_installs_every_package_named(
    run: Runner, workspace: Path, index_server: IndexServer, flags: tuple[str, ...],
    expected: set[str],
) -> None:
    result = ferry(run, index_server, workspace, "sync", *flags)
    assert result.code == 0, result.stderr
    assert installed(workspace) == expected


def test_sync_frozen_selects_several_members_from_the_lock_alone(
    run: Runner, workspace: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    """A Docker dependencies layer: pyproject.toml and uv.lock only, member directories absent."""
    layer = tmp_path / "layer"
    layer.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        (layer / name).write_bytes((workspace / name).read_bytes())
    result = ferry(run, index_server, layer, "sync", "--frozen", "--no-install-workspace",
                   "--package", "lib-a", "--package", "tool-only")
    assert result.code == 0, result.stderr
    assert installed(layer) == {"dep", "gamma"}


def test_export_lists_every_package_named(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    result = ferry(run, index_server, workspace, "export", "--no-hashes", "--no-header",
                   "--package", "lib-b", "--package", "tool-only")
    assert result.code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert lines == ["-e ./packages/lib-b", "dep==1.0", "gamma==1.0"]
    kept = ferry(run, index_server, workspace, "export", "--no-hashes", "--no-header",
                 "--no-emit-project", "--package", "lib-a", "--package", "lib-b")
    assert kept.code == 0, kept.stderr
    assert "-e ./packages/lib-a" in kept.stdout and "-e ./packages/lib-b" in kept.stdout
    one = ferry(run, index_server, workspace, "export", "--no-hashes", "--no-header",
                "--no-emit-project", "--package", "lib-a")
    assert one.code == 0, one.stderr
    assert "-e ./packages/lib-a" not in one.stdout and "-e ./packages/lib-b" in one.stdout


def test_run_refuses_a_second_package(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    result = ferry(run, index_server, workspace, "run", "--package", "lib-a", "--package",
                   "lib-b", "python", "-c", "0")
    assert result.code == 2, result.stderr
    assert "`--package` cannot be used multiple times" in result.stderr
    assert not (workspace / ".venv").exists()
