"""``--no-install-workspace`` and ``--no-install-project`` in a workspace, as uv 0.13.8 reads
them (each expected set below is what uv installs for the same lock and flags):

- ``--no-install-workspace``: no member at all, the root project included; their
  dependencies are installed. With ``--frozen`` the members' directories need not exist (the
  Docker layer built from ``pyproject.toml`` and ``uv.lock`` alone), even for ``--package``.
- ``--no-install-project``: "the current project" only — the member selected (``--package``
  or the member directory), else the root's own project (nothing at a virtual root); the
  members it depends on are still installed.

What either flag leaves out is not removed when already installed (ferry's rule for
``--no-install-*``, see docs/architecture.md "Sync semantics"); uv 0.13.8 removes it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.e2e.test_workspace import ferry, installed
from tests.e2e.workspace_kit import ROOT, make_workspace, populate
from tests.support.index import IndexServer
from tests.support.runner import Runner

DEPENDENCIES = {"dep": "1.0", "gamma": "1.0", "lib": "2.0", "tool": "3.0"}
MEMBERS = {"lib-a": "1.0.0", "lib-b": "0.2.0"}


@pytest.fixture
def workspace(tmp_path: Path, run: Runner, index_server: IndexServer) -> Path:
    populate(index_server.index)
    root = make_workspace(tmp_path / "ws")
    assert ferry(run, index_server, root, "lock").code == 0
    return root


@pytest.mark.parametrize(("flags", "expected"), [
    (("--no-install-workspace",), DEPENDENCIES),
    (("--no-install-workspace", "--all-packages"), DEPENDENCIES),
    (("--no-install-workspace", "--package", "lib-a"), {"dep": "1.0"}),
    (("--no-install-project",), {**DEPENDENCIES, **MEMBERS}),
    (("--no-install-project", "--all-packages"), {**DEPENDENCIES, **MEMBERS}),
    (("--no-install-project", "--package", "lib-a"), {"dep": "1.0", "lib-b": "0.2.0"}),
])
def test_flags_leave_out_what_uv_leaves_out(
    run: Runner, workspace: Path, index_server: IndexServer, flags: tuple[str, ...],
    expected: dict[str, str],
) -> None:
    result = ferry(run, index_server, workspace, "sync", "--frozen", *flags)
    assert result.code == 0, result.stderr
    assert installed(workspace) == expected


def test_no_install_project_from_a_member_directory(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    result = ferry(run, index_server, workspace / "packages" / "lib-a", "sync", "--frozen",
                   "--no-install-project")
    assert result.code == 0, result.stderr
    assert installed(workspace) == {"dep": "1.0", "lib-b": "0.2.0"}


def test_virtual_root_no_install_project_keeps_members(
    run: Runner, workspace: Path, index_server: IndexServer
) -> None:
    # the kit's root without its [project]: the same sources and members
    virtual = '[dependency-groups]\ndev = ["tool"]\n\n' + ROOT[ROOT.index("[tool.uv.sources]"):]
    (workspace / "pyproject.toml").write_text(virtual)
    assert ferry(run, index_server, workspace, "lock").code == 0
    kept = ferry(run, index_server, workspace, "sync", "--no-install-project")
    assert kept.code == 0, kept.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "tool": "3.0", **MEMBERS}
    # Members already installed stay (ferry keeps what these flags leave out; uv removes it).
    kept_again = ferry(run, index_server, workspace, "sync", "--no-install-workspace")
    assert kept_again.code == 0, kept_again.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "tool": "3.0", **MEMBERS}
    shutil.rmtree(workspace / ".venv")
    none = ferry(run, index_server, workspace, "sync", "--no-install-workspace")
    assert none.code == 0, none.stderr
    assert installed(workspace) == {"dep": "1.0", "gamma": "1.0", "tool": "3.0"}


def test_docker_layer_from_the_manifest_and_lock_alone(
    run: Runner, workspace: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(workspace / name, layer / name)
    deps = ferry(run, index_server, layer, "sync", "--frozen", "--no-install-workspace")
    assert deps.code == 0, deps.stderr
    assert installed(layer) == DEPENDENCIES
    one = ferry(run, index_server, layer, "sync", "--frozen", "--no-install-workspace",
                "--package", "lib-a")
    assert one.code == 0, one.stderr
    assert installed(layer) == {"dep": "1.0"}
    # Then the sources arrive, and the next layer installs the members on top.
    shutil.rmtree(layer)
    shutil.copytree(workspace, layer)
    full = ferry(run, index_server, layer, "sync", "--frozen")
    assert full.code == 0, full.stderr
    assert installed(layer) == {**DEPENDENCIES, **MEMBERS, "root-app": "0.1.0"}
