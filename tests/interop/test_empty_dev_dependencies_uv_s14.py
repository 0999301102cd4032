"""uv records a legacy ``[tool.uv] dev-dependencies`` as the ``dev`` group of
``[package.metadata.requires-dev]`` even when the list is empty (``dev = []``), as it does an
empty ``[dependency-groups] dev``; ferry left the empty legacy list out, so its lock differed
from uv's and ``ferry lock --locked`` refused uv's lock ("`dev` was removed"). Skipped without
uv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.uv_kit_s14 import app_project, uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner


def _uv(root: Path, *args: str) -> Result:
    return uv_run(root, *args, "--python", sys.executable)


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("dep", "1.0")
    return local_index


CASES = {
    "legacy-empty": '[tool.uv]\ndev-dependencies = []\n',
    "legacy": '[tool.uv]\ndev-dependencies = ["dep"]\n',
    "group-empty": '[dependency-groups]\ndev = []\n',
    "both-empty": '[dependency-groups]\ndev = []\n\n[tool.uv]\ndev-dependencies = []\n',
    "other-group": '[dependency-groups]\nfoo = []\n\n[tool.uv]\ndev-dependencies = []\n',
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_requires_dev_as_uv(
    run: Runner, tmp_path: Path, index: LocalIndex, case: str
) -> None:
    uv_executable()
    ours = app_project(tmp_path / "ours", CASES[case])
    theirs = app_project(tmp_path / "theirs", CASES[case])
    mine = run("lock", "--offline", "--index-url", index.file_url, cwd=ours)
    done = _uv(theirs, "lock", "--offline", "--index-url", index.file_url)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert (ours / "uv.lock").read_text() == (theirs / "uv.lock").read_text()
    if case != "legacy":
        assert "[package.metadata.requires-dev]\ndev = []\n" in (ours / "uv.lock").read_text()
    checked = run("lock", "--locked", "--offline", "--index-url", index.file_url, cwd=theirs)
    assert checked.code == 0, checked.stderr
    accepted = _uv(ours, "lock", "--locked", "--offline", "--index-url", index.file_url)
    assert accepted.code == 0, accepted.stderr
