"""A workspace locked by uv 0.13.8 and by ferry: the same bytes, and each syncs from the other's.

The workspace (``tests/e2e/workspace_kit.py``) has a packaged root, members depending on each
other (with an extra and a marker), a member without a build system that nobody depends on
(``virtual``), different ``requires-python`` per member and an excluded directory. Both tools
lock it against the same loopback index with the same ``--exclude-newer``; then uv syncs from
ferry's lock with ``--frozen`` and ferry from uv's, and each installs the same versions.
"""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from tests.e2e.workspace_kit import make_workspace, populate
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Runner

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

CUTOFF = "2025-01-01T00:00:00Z"


def _dists(venv: Path) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in snapshot_env(venv)["dists"].items()}


def test_workspace_lock_is_byte_identical_and_interchangeable(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    index = LocalIndex(tmp_path / "index")
    populate(index)
    with IndexServer(index) as server:
        url = server.simple_url
        env = uv_env(tmp_path, python)
        theirs = make_workspace(tmp_path / "uv-ws")
        mine = make_workspace(tmp_path / "ferry-ws")

        made = uv(["lock", "--exclude-newer", CUTOFF, "--default-index", url], theirs, env)
        assert made.returncode == 0, made.stderr
        ours = run("lock", "--exclude-newer", CUTOFF, "--default-index", url,
                   "--python", str(python), cwd=mine)
        assert ours.code == 0, ours.stderr

        uv_text = (theirs / "uv.lock").read_text(encoding="utf-8")
        ferry_text = (mine / "uv.lock").read_text(encoding="utf-8")
        diff = "\n".join(difflib.unified_diff(uv_text.splitlines(), ferry_text.splitlines(),
                                              "uv", "ferry", lineterm="", n=1))
        assert uv_text == ferry_text, diff

        # uv calls ferry's lock up to date, from the root and from a member.
        for where in (mine, mine / "packages" / "lib-a"):
            checked = uv(["lock", "--locked", "--exclude-newer", CUTOFF, "--default-index", url],
                         where, env)
            assert checked.returncode == 0, checked.stderr

        # ferry keeps uv's lock as it is (fresh, nothing resolved).
        kept = run("-v", "lock", "--locked", "--exclude-newer", CUTOFF, "--default-index", url,
                   cwd=theirs)
        assert kept.code == 0, kept.stderr
        assert "satisfies pyproject.toml" in kept.stderr

        # Each syncs from the other's lock with --frozen, and they install the same.
        synced = uv(["sync", "--frozen", "--all-packages", "--default-index", url], mine, env)
        assert synced.returncode == 0, synced.stderr
        shutil.copy(theirs / "uv.lock", tmp_path / "uv.lock.uv")
        ferry_synced = run("sync", "--frozen", "--all-packages", "--default-index", url,
                           "--python", str(python), cwd=theirs)
        assert ferry_synced.code == 0, ferry_synced.stderr
        assert (theirs / "uv.lock").read_bytes() == (tmp_path / "uv.lock.uv").read_bytes()
        assert _dists(mine / ".venv") == _dists(theirs / ".venv")
        assert set(_dists(theirs / ".venv")) == {"dep", "gamma", "lib", "lib-a", "lib-b",
                                                 "root-app", "tool"}
