"""Extras in ``[package.metadata]`` as uv writes them: normalised, in the order the project
wrote them, repeats kept — ferry sorted them, so its lock differed from uv's and ``ferry lock
--locked`` refused uv's lock of any ``pkg[b,a]``. Both tools compare them as a set, so a lock
with the extras sorted (what ferry wrote before) stays fresh too. Skipped without uv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

from ferry.model.pep508_requirements import Requirement


def _uv(root: Path, *args: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(root.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
    done = subprocess.run([uv_executable(), *args, "--python", sys.executable], cwd=root,
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    local_index.add_wheel("lib", "1.0", extras={"zz": ["dep"], "aa": ["dep"]})
    local_index.add_wheel("dep", "1.0")
    return local_index


def _project(root: Path, requirement: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        f'dependencies = ["{requirement}"]\n\n[project.optional-dependencies]\n'
        f'more = ["{requirement}"]\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("requirement", ["lib[zz,aa]", "lib[ZZ, aa]", "lib[zz,aa,zz]",
                                         "lib[aa]", "lib"])
def test_the_same_metadata_extras_as_uv(
    run: Runner, tmp_path: Path, index: LocalIndex, requirement: str
) -> None:
    uv_executable()
    ours = _project(tmp_path / "ours", requirement)
    theirs = _project(tmp_path / "theirs", requirement)
    mine = run("lock", "--offline", "--index-url", index.file_url, cwd=ours)
    done = _uv(theirs, "lock", "--offline", "--index-url", index.file_url)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    checked = run("lock", "--locked", "--offline", "--index-url", index.file_url, cwd=theirs)
    assert checked.code == 0, checked.stderr


def test_a_lock_with_the_extras_sorted_stays_fresh(
    run: Runner, tmp_path: Path, index: LocalIndex
) -> None:
    uv_executable()
    root = _project(tmp_path / "p", "lib[zz,aa]")
    assert run("lock", "--offline", "--index-url", index.file_url, cwd=root).code == 0
    lock = root / "uv.lock"
    assert 'extras = ["zz", "aa"]' in lock.read_text()
    lock.write_text(lock.read_text().replace('extras = ["zz", "aa"]', 'extras = ["aa", "zz"]'))
    for result in (run("lock", "--locked", "--offline", "--index-url", index.file_url, cwd=root),
                   _uv(root, "lock", "--locked", "--offline", "--index-url", index.file_url)):
        assert result.code == 0, result.stderr


def test_extras_as_written() -> None:
    assert Requirement("lib[zz, aa,zz]").extras_as_written == ("zz", "aa", "zz")
    assert Requirement("lib").extras_as_written == ()
    changed = Requirement("lib[zz,aa]")
    changed.extras = {"aa"}
    assert changed.extras_as_written == ("aa",)  # changed since: sorted, as before
