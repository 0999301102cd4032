"""``requires-python`` in ``uv.lock`` side by side with the real uv (skipped without uv): the
same bytes for the same declaration, uv's lock is fresh for ferry (``lock --locked`` once
refused uv's lock of a ``~=3.12`` project), and members with no common Python are refused by
both with the same exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import Result, Runner

M, N = sys.version_info[:2]
# Declarations the running interpreter satisfies, whatever its version (3.11 or later).
DECLARED = [
    f"~={M}.{N}",
    f"~={M}.{N}.0",
    f"<4,>={M}.{N - 2}",
    f">={M}.{N - 2},>={M}.{N}",
    f"!={M}.{N - 1}.1,>={M}.8",
    f">={M}.8,!={M}.{N - 2}.*,!={M}.{N - 1}.*",
    f">={M}.8,!={M}.{N - 2}.*,!={M}.{N - 1}.0",
    f">={M}.{N},<{M}.{N + 1}",
    "==3.*",
]


def _uv(root: Path, *args: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(root.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
    done = subprocess.run([uv_executable(), *args, "--no-config", "--offline",
                           "--python", sys.executable], cwd=root, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def _project(root: Path, requires: str, name: str = "demo", tail: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = "{requires}"\n'
        f"dependencies = []\n{tail}", encoding="utf-8")
    return root


@pytest.mark.parametrize("declared", DECLARED)
def test_the_same_lock_bytes_as_uv(run: Runner, tmp_path: Path, declared: str) -> None:
    uv_executable()
    ours = _project(tmp_path / "ours", declared)
    theirs = _project(tmp_path / "theirs", declared)
    mine = run("lock", "--offline", "--python", sys.executable, cwd=ours)
    done = _uv(theirs, "lock")
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()


@pytest.mark.parametrize("declared", DECLARED)
def test_uvs_lock_is_fresh_for_ferry(run: Runner, tmp_path: Path, declared: str) -> None:
    root = _project(tmp_path / "p", declared)
    done = _uv(root, "lock")
    assert done.code == 0, done.stderr
    written = (root / "uv.lock").read_bytes()
    checked = run("lock", "--locked", "--offline", "--python", sys.executable, cwd=root)
    assert checked.code == 0, checked.stderr
    assert (root / "uv.lock").read_bytes() == written


def test_members_without_a_common_python_are_refused_by_both(
    run: Runner, tmp_path: Path
) -> None:
    uv_executable()
    tail = '\n[tool.uv.workspace]\nmembers = ["a"]\n'
    roots = []
    for side in ("ours", "theirs"):
        root = _project(tmp_path / side, f">={M}.{N}", name="root", tail=tail)
        _project(root / "a", f"<{M}.{N}", name="a")
        roots.append(root)
    mine = run("lock", "--offline", "--python", sys.executable, cwd=roots[0])
    done = _uv(roots[1], "lock")
    assert (mine.code, done.code) == (2, 2), mine.stderr + done.stderr
    for result in (mine, done):
        assert "Found conflicting Python requirements" in result.stderr
        assert f"a: <{M}.{N}" in result.stderr and f"root: >={M}.{N}" in result.stderr
    assert not any((root / "uv.lock").exists() for root in roots)


def test_a_scripts_lock_keeps_the_blocks_text_as_uv_does(run: Runner, tmp_path: Path) -> None:
    """uv spells a project's ``requires-python`` from its range but copies a PEP 723 block's
    text (and does not warn about it)."""
    uv_executable()
    block = f'# /// script\n# requires-python = "~={M}.{N}"\n# dependencies = []\n# ///\n'
    for side in ("ours", "theirs"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "s.py").write_text(block + "print(1)\n", encoding="utf-8")
    mine = run("lock", "--script", "s.py", "--offline", cwd=tmp_path / "ours")
    done = _uv(tmp_path / "theirs", "lock", "--script", "s.py")
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert "warning" not in mine.stderr
    ours, theirs = (tmp_path / side / "s.py.lock" for side in ("ours", "theirs"))
    assert ours.read_text() == theirs.read_text()
    assert f'requires-python = "~={M}.{N}"' in ours.read_text()
