"""``ferry tree`` of a workspace draws what ``uv tree`` 0.13.8 draws, line for line: the members
in uv's order, each member's own groups (``--group``, ``--all-groups`` and default groups
declared by any member, not only the root), from the root and from a member directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.workspace_kit import make_workspace
from tests.interop.test_uv_lock_interop import UV, uv
from tests.interop.test_workspace_lock import CUTOFF
from tests.interop.workspace_interop_kit import served_index
from tests.support.runner import Runner

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

FLAGS: tuple[tuple[str, ...], ...] = (
    (), ("--all-groups",), ("--group", "test"), ("--no-dev",), ("--only-group", "test"),
    ("--universal",), ("--invert",), ("--package", "lib-a"), ("--no-default-groups",),
)


def test_workspace_tree_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python) as (server, env):
        root = make_workspace(tmp_path / "ws")
        lib_a = root / "packages" / "lib-a" / "pyproject.toml"
        lib_a.write_text(lib_a.read_text().replace('test = ["tool>=1"]',
                                                   'test = ["tool>=1"]\ndev = ["lib"]'))
        made = uv(["lock", "--exclude-newer", CUTOFF, "--default-index", server.simple_url],
                  root, env)
        assert made.returncode == 0, made.stderr
    for where in (root, root / "packages" / "lib-b"):
        for flags in FLAGS:
            theirs = uv(["tree", "--frozen", *flags], where, env)
            assert theirs.returncode == 0, theirs.stderr
            ours = run("tree", "--frozen", "--python", str(python), *flags, cwd=where)
            assert ours.code == 0, ours.stderr
            assert ours.stdout == theirs.stdout, (where, flags)
