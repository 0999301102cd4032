"""Extras that add nothing, side by side with the real uv 0.13.8 (skipped without uv): ``ferry add
PKG --extra X`` where PKG has no extra X (review finding F19: the lock kept ``extra = ["x"]`` on
the edge, uv drops it and warns), an extra declared empty, and extras naming their own
package's other extras (``tool[all]`` needing ``tool[cli]``), which uv folds into one list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

EMPTY = ('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
         "dependencies = [{}]\n")


def _index(root: Path) -> str:
    index = LocalIndex(root)
    index.add_wheel("leaf", "1.0.0")
    index.add_wheel("top", "0.3.1", requires=["leaf>=1.0"])
    index.add_wheel("tool", "2.0.0", extras={
        "cli": ["leaf"], "empty": [], "all": ["tool[cli]", "tool[empty]"],
        "self": ["tool[empty]"], "loop": ["tool[loop2]"], "loop2": ["tool[loop]"],
    })
    return (root / "simple").as_uri()


def _uv(root: Path, *args: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(root.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
    done = subprocess.run([uv_executable(), *args, "--no-config", "--python", sys.executable],
                          cwd=root, env=env, capture_output=True, text=True, check=False,
                          timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def _twins(tmp_path: Path, dependencies: str) -> tuple[Path, Path]:
    roots = []
    for side in ("ours", "theirs"):
        root = tmp_path / side
        root.mkdir()
        (root / "pyproject.toml").write_text(EMPTY.format(dependencies), encoding="utf-8")
        roots.append(root)
    return roots[0], roots[1]


def test_add_with_an_extra_the_package_lacks(run: Runner, tmp_path: Path) -> None:
    uv_executable()
    url = _index(tmp_path / "index")
    ours, theirs = _twins(tmp_path, "")
    args = ("add", "top", "--extra", "nope", "--index-url", url, "--no-sync")
    mine = run(*args, "--python", sys.executable, cwd=ours)
    done = _uv(theirs, *args)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert (ours / "pyproject.toml").read_text() == (theirs / "pyproject.toml").read_text()
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    lock = (ours / "uv.lock").read_text()
    assert '{ name = "top" },' in lock and 'extras = ["nope"]' in lock
    warning = "warning: The package `top==0.3.1` does not have an extra named `nope`"
    # add resolves twice (then again with the new bound), and both warn each time
    assert mine.stderr.count(warning) == done.stderr.count(warning) == 2, mine.stderr


@pytest.mark.parametrize("dependencies", [
    '"tool[cli,nope]"',
    '"tool[empty]"',
    '"tool[all]"',
    '"tool[self]"',
    '"tool[loop]"',
    '"tool[all]", "tool[cli]; sys_platform == \'linux\'"',
    '"tool", "tool[nope]"',
    '"tool[zzz]; python_version < \'3.13\'", "tool[cli]"',
    '"tool[aaa]; python_version < \'3.13\'", "tool[cli]"',
    '"tool[zzz]", "tool; python_version < \'3.13\'"',
])
def test_the_same_lock_as_uv(run: Runner, tmp_path: Path, dependencies: str) -> None:
    uv_executable()
    url = _index(tmp_path / "index")
    ours, theirs = _twins(tmp_path, dependencies)
    mine = run("lock", "--index-url", url, "--python", sys.executable, cwd=ours)
    done = _uv(theirs, "lock", "--index-url", url)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    checked = run("lock", "--locked", "--offline", "--index-url", url,
                  "--python", sys.executable, cwd=theirs)
    assert checked.code == 0, checked.stderr


def test_a_folded_extra_installs_what_it_names(run: Runner, tmp_path: Path) -> None:
    """``tool[all]`` locked as uv locks it (``all = [leaf]``, no ``cli`` list) still installs
    ``leaf``."""
    url = _index(tmp_path / "index")
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text(EMPTY.format('"tool[all]"'), encoding="utf-8")
    done = run("sync", "--index-url", url, "--python", sys.executable, cwd=root)
    assert done.code == 0, done.stderr
    lock = (root / "uv.lock").read_text()
    assert "all = [\n" in lock and "cli = [" not in lock
    assert list((root / ".venv").glob("lib/python*/site-packages/leaf-1.0.0.dist-info"))
