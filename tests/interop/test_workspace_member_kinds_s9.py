"""How a member another member depends on is locked and installed, against uv 0.13.8.

``{ workspace = true, editable = false }`` on a packaged member: uv locks it ``directory`` and
installs it non-editable (ferry once locked and installed it editable: s9 review W7).
``tool.uv.package = false`` on a member another depends on: uv locks it ``virtual`` and does
not install it (ferry once locked it editable and installed it: W11). Both locks must be the
same bytes, each tool must call the other's lock fresh and sync the same set from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.workspace_kit import make_workspace
from tests.interop.test_uv_lock_interop import UV, uv
from tests.interop.test_uv_workspace_member_sources import assert_same_text
from tests.interop.test_workspace_lock import CUTOFF, _dists
from tests.interop.workspace_interop_kit import served_index
from tests.support.runner import Runner

from ferry.project.pyproject import read_pyproject
from ferry.project.workspace import load_workspace


def _not_editable(root: Path) -> None:
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("lib-b = { workspace = true }",
                                 "lib-b = { workspace = true, editable = false }"),
                    encoding="utf-8")


def _not_a_package(root: Path) -> None:
    path = root / "packages" / "lib-b" / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[tool.uv]\npackage = false\n",
                    encoding="utf-8")


def lock_like_uv(run: Runner, *, uv_env_of: dict[str, str], flags: list[str], python: Path,
                 theirs: Path, mine: Path) -> None:
    """uv locks ``theirs``, ferry ``mine`` (the same project): the same bytes, and each tool
    calls the other's lock up to date."""
    made = uv(["lock", *flags], theirs, uv_env_of)
    assert made.returncode == 0, made.stderr
    ours = run("lock", *flags, "--python", str(python), cwd=mine)
    assert ours.code == 0, ours.stderr
    assert_same_text(theirs / "uv.lock", mine / "uv.lock")
    checked = uv(["lock", "--locked", *flags], mine, uv_env_of)
    assert checked.returncode == 0, checked.stderr
    kept = run("lock", "--locked", *flags, cwd=theirs)
    assert kept.code == 0, kept.stderr


def _direct_url(venv: Path, name: str) -> dict[str, object] | None:
    found = list(venv.glob(f"lib/python*/site-packages/{name}-*.dist-info/direct_url.json"))
    return json.loads(found[0].read_text(encoding="utf-8")) if found else None


@pytest.mark.parametrize(("edit", "kind"), [(_not_editable, "directory"),
                                            (_not_a_package, "virtual")])
def test_member_kind_is_read_as_uv_reads_it(tmp_path: Path,
                                            edit: Callable[[Path], None], kind: str) -> None:
    """Hermetic (no uv): the lock source each setting gives the depended-on member."""
    root = make_workspace(tmp_path / "ws")
    edit(root)
    workspace = load_workspace(read_pyproject(root / "pyproject.toml"))
    lib_b = workspace.require_member("lib-b")
    assert workspace.source_kind(lib_b) == kind
    assert workspace.source_kind(workspace.require_member("lib-a")) == "editable"


@pytest.mark.skipif(UV is None, reason="uv is not installed")
@pytest.mark.parametrize("edit", [_not_editable, _not_a_package])
def test_member_kind_locks_and_installs_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path],
    edit: Callable[[Path], None],
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python) as (server, env):
        flags = ["--exclude-newer", CUTOFF, "--default-index", server.simple_url]
        theirs = make_workspace(tmp_path / "uv-ws")
        mine = make_workspace(tmp_path / "ferry-ws")
        edit(theirs)
        edit(mine)

        lock_like_uv(run, uv_env_of=env, flags=flags, python=python, theirs=theirs, mine=mine)

        synced = uv(["sync", "--frozen", "--all-packages"], mine, env)
        assert synced.returncode == 0, synced.stderr
        ferry_synced = run("sync", "--frozen", "--all-packages", "--python", str(python),
                           cwd=theirs)
        assert ferry_synced.code == 0, ferry_synced.stderr
        assert _dists(mine / ".venv") == _dists(theirs / ".venv")
        record = _direct_url(theirs / ".venv", "lib_b")
        if edit is _not_a_package:
            assert "lib-b" not in _dists(theirs / ".venv")
        else:
            theirs_record = _direct_url(mine / ".venv", "lib_b")
            for one in (record, theirs_record):  # installed non-editable by both
                assert one is not None and "dir_info" in one, one
                assert not one["dir_info"].get("editable"), one  # type: ignore[attr-defined]
