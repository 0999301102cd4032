"""An index given as ``file:///…/simple/`` — with its trailing slash — in ``[[tool.uv.index]]``
or on the command line: uv keeps the slash in the registry source and in ``[package.metadata]``
``index = …``, and so does ferry (the locks are byte-identical; without the slash neither adds
one). Each tool's ``lock --locked`` and ``sync --frozen`` accept the other's lock. Skipped
without uv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.uv_kit_s14 import app_project, uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Runner


def _case(case: str, url: str) -> tuple[str, list[str]]:
    """The pyproject's tail and the command line's index options of one case."""
    named = f'[[tool.uv.index]]\nname = "here"\nurl = "{url}"\n'
    return {
        "pinned": (named + '\n[tool.uv.sources]\nlib = { index = "here" }\n', []),
        "default": (named + "default = true\n", []),
        "unnamed": (f'[[tool.uv.index]]\nurl = "{url}"\n', []),
        "index-url": ("", ["--index-url", url]),
        "default-index": ("", ["--default-index", url]),
    }[case]


@pytest.mark.parametrize("slash", [True, False], ids=["slash", "no-slash"])
@pytest.mark.parametrize("case", ["pinned", "default", "unnamed", "index-url", "default-index"])
def test_the_same_lock_as_uv(
    run: Runner, tmp_path: Path, local_index: LocalIndex, case: str, slash: bool
) -> None:
    uv_executable()
    local_index.add_wheel("lib", "1.0")
    url = local_index.file_url if slash else local_index.file_url.rstrip("/")
    assert url.endswith("/simple/") == slash
    tail, options = _case(case, url)
    ours, theirs = app_project(tmp_path / "ours", tail), app_project(tmp_path / "theirs", tail)
    python = ["--python", sys.executable]
    mine = run("lock", "--offline", *options, *python, cwd=ours)
    done = uv_run(theirs, "lock", "--offline", *options, *python)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    lock = (ours / "uv.lock").read_text()
    assert lock == (theirs / "uv.lock").read_text()
    path = url.removeprefix("file://")
    assert f'source = {{ registry = "{path}" }}' in lock
    if case == "pinned":
        assert f'index = "{url}"' in lock
    for checked in (run("lock", "--locked", "--offline", *options, *python, cwd=theirs),
                    run("sync", "--frozen", "--offline", *options, *python, cwd=theirs),
                    uv_run(ours, "lock", "--locked", "--offline", *options, *python),
                    uv_run(ours, "sync", "--frozen", "--offline", *options, *python)):
        assert checked.code == 0, checked.stderr
    for root in (ours, theirs):  # each installed from the other's lock
        assert list((root / ".venv").glob("lib/python*/site-packages/lib-1.0.dist-info"))
