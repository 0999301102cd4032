"""``ferry export`` in a workspace: the current member, ``--package``, ``--all-packages``."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.workspace_kit import make_workspace, populate
from tests.support.index import IndexServer
from tests.support.runner import Runner


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer) -> Path:
    populate(index_server.index)
    return make_workspace(tmp_path / "ws")


def exported(run: Runner, server: IndexServer, cwd: Path, *args: str) -> set[str]:
    result = run("export", "--no-hashes", "--no-header", "--no-annotate", *args, cwd=cwd,
                 env={"FERRY_INDEX_URL": server.simple_url})
    assert result.code == 0, result.stderr
    names = set()
    for line in result.stdout.splitlines():
        if line and not line.startswith("#"):
            text = line.split(";")[0].strip()
            names.add(text if text.startswith("-e ") else text.split("==")[0])
    return names


def test_export_follows_the_member_selection(run: Runner, workspace: Path,
                                             index_server: IndexServer) -> None:
    member = workspace / "packages" / "lib-b"
    only_b = exported(run, index_server, member)
    assert only_b == {"-e ./packages/lib-b", "dep"}

    named = exported(run, index_server, workspace, "--package", "lib-b")
    assert named == only_b

    everything = exported(run, index_server, workspace, "--all-packages", "--no-dev")
    # The virtual member (no build system) has nothing to install, so it is not listed.
    assert everything == {"-e ./packages/lib-a", "-e ./packages/lib-b", "-e .", "dep", "gamma",
                          "lib"}

    # The default at the root is the root project and what it needs, not every member.
    root = exported(run, index_server, workspace, "--no-dev")
    assert root == everything  # root-app needs lib-a (and through it the rest) on linux


def test_export_package_outside_a_workspace_is_refused(run: Runner, tmp_path: Path) -> None:
    project = tmp_path / "solo"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "solo"\nversion = "1"\nrequires-python = ">=3.8"\ndependencies = []\n')
    result = run("export", "--package", "other", "--frozen", cwd=project)
    assert result.code == 2  # the member is checked before the (missing) lock, as uv does
    assert f"The workspace does not have a member other: {project}" in result.stderr
