"""``--locked`` finding that the lock would change: uv 0.13.8 resolves first, prints that
resolution's ``Resolved N packages`` line and its warnings (an extra a package lacks, a yanked
version), then the error; ``run`` prints the warnings without the ``Resolved`` line, ``-q``
neither. ferry printed only the error.

Each case runs both tools on twins of one project (or script) whose lock is stale and compares
the lines that carry the order (``Resolved``, ``warning:``, ``error:``), times stripped; uv
orders several warnings by a hash of its graph's nodes, so they are compared as a multiset."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from tests.interop.test_resolution_warnings_uv_s15 import LACKS, PYPROJECT, YANKED, twins
from tests.interop.test_resolution_warnings_uv_s15 import url as url  # the index fixture
from tests.interop.test_script_lock_warnings_uv_s16 import SCRIPT
from tests.interop.uv_kit_s14 import uv_run
from tests.support.runner import Result, Runner

ERROR = "error: The lockfile at `{}` needs to be updated, but `--locked` was provided."


def shown(result: Result) -> list[str]:
    return [re.sub(r" in [0-9.]+m?s$", "", line) for line in result.stderr.splitlines()
            if line.startswith(("Resolved", "warning: The package", "warning: `", "error:"))]


def same(mine: Result, theirs: Result) -> list[str]:
    assert (mine.code, theirs.code) == (1, 1), mine.stderr + theirs.stderr
    ours, uvs = shown(mine), shown(theirs)
    assert [line.split(" ")[0] for line in ours] == [line.split(" ")[0] for line in uvs], (
        mine.stderr, theirs.stderr)
    assert Counter(ours[:-1]) == Counter(uvs[:-1]), (mine.stderr, theirs.stderr)
    return ours


def stale_twins(run: Runner, tmp_path: Path, url: str) -> list[Path]:
    roots = list(twins(tmp_path, "p", {"pyproject.toml": PYPROJECT}))
    args = ("lock", "--index-url", url, "--python", sys.executable)
    assert run(*args, cwd=roots[0]).code == 0
    assert uv_run(roots[1], *args).code == 0
    for root in roots:  # a new requirement: the lock no longer satisfies the project
        path = root / "pyproject.toml"
        path.write_text(path.read_text().replace('"old==2.0.0"', '"old==2.0.0", "leaf"'))
    return roots


@pytest.mark.parametrize("command", [("lock",), ("sync",), ("export",), ("tree",),
                                     ("run", "python", "-c", "pass"), ("lock", "-q")])
def test_project(run: Runner, tmp_path: Path, url: str, command: tuple[str, ...]) -> None:
    ours, theirs = stale_twins(run, tmp_path, url)
    verb, *rest = command
    args = (verb, "--locked", "--index-url", url, "--python", sys.executable, *rest)
    lines = same(run(*args, cwd=ours), uv_run(theirs, *args))
    if "-q" in command:
        assert lines == [ERROR.format("uv.lock")]
        return
    resolved = [] if verb == "run" else ["Resolved 4 packages"]
    assert lines[:len(resolved)] == resolved
    assert sorted(lines[len(resolved):-1]) == sorted([LACKS, YANKED])
    assert lines[-1] == ERROR.format("uv.lock")


def test_script(run: Runner, tmp_path: Path, url: str) -> None:
    """uv names `uv.lock` in the error of a script's lock (ferry names `s.py.lock`): only
    what comes before it is compared."""
    roots = list(twins(tmp_path, "s", {"s.py": SCRIPT.replace('"old==2.0.0"',
                                                             '"old==2.0.0", "leaf"')}))
    args = ("lock", "--script", "s.py", "--index-url", url, "--python", sys.executable)
    assert run(*args, cwd=roots[0]).code == 0
    assert uv_run(roots[1], *args).code == 0
    for root in roots:
        (root / "s.py").write_text(SCRIPT, encoding="utf-8")
    lines = same(run(*args, "--locked", cwd=roots[0]), uv_run(roots[1], *args, "--locked"))
    assert lines[0] == "Resolved 3 packages"
    assert sorted(lines[1:-1]) == sorted([LACKS, YANKED])
    assert lines[-1] == ERROR.format("s.py.lock")


def test_ferry_alone(run: Runner, tmp_path: Path, url: str) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    args = ("lock", "--index-url", url, "--python", sys.executable)
    assert run(*args).code == 0
    path = tmp_path / "pyproject.toml"
    path.write_text(path.read_text().replace('"old==2.0.0"', '"old==2.0.0", "leaf"'))
    done = run(*args, "--locked")
    assert done.code == 1
    assert shown(done) == ["Resolved 4 packages", LACKS, YANKED, ERROR.format("uv.lock")]
