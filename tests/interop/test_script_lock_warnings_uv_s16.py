"""A PEP 723 script's lock prints the resolution's warnings (an extra the package lacks, a
yanked version it chose) after its ``Resolved`` line, as uv 0.13.8 does and as ferry already
did for a project's lock; ferry printed them first, while resolving (``lock --script``,
``export --script``, ``tree --script``, ``add``/``remove --script``).

Each case runs both tools on twins of one script and one hermetic index and compares the
lines that carry the order (the helpers of the session-15 project cases). uv orders several
warnings by a hash of its graph's nodes, so the kinds' sequence is compared exactly and the
warnings as a multiset. ``add --script`` adding a bound resolves a second time in uv (the
block changed), whose warnings it prints again: ferry reports both resolutions' too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.interop.test_resolution_warnings_uv_s15 import LACKS, YANKED, assert_same, lines, twins
from tests.interop.test_resolution_warnings_uv_s15 import url as url  # the index fixture
from tests.interop.uv_kit_s14 import uv_run
from tests.support.runner import Runner

SCRIPT = ('# /// script\n# requires-python = ">=3.11"\n'
          '# dependencies = ["top[nope]", "old==2.0.0"]\n# ///\nprint("hi")\n')
ZZZ = "warning: The package `tool==2.0.0` does not have an extra named `zzz`"


def both(run: Runner, tmp_path: Path, *commands: tuple[str, ...]) -> list[list[str]]:
    """Run ``commands`` in turn with each tool on its twin; the last one's lines per command."""
    ours, theirs = twins(tmp_path, "s", {"s.py": SCRIPT})
    shown = []
    for command in commands:
        shown.append(assert_same(run(*command, cwd=ours), uv_run(theirs, *command)))
    return shown


def flags(url: str) -> tuple[str, ...]:
    return ("--index-url", url, "--python", sys.executable)


def after_resolved(shown: list[str]) -> list[str]:
    at = shown.index(next(line for line in shown if line.startswith("Resolved")))
    return shown[at + 1:]


@pytest.mark.parametrize("command", [("lock", "--script", "s.py"),
                                     ("lock", "--script", "s.py", "--dry-run"),
                                     ("export", "--script", "s.py"),
                                     ("tree", "--script", "s.py")])
def test_first_lock(run: Runner, tmp_path: Path, url: str, command: tuple[str, ...]) -> None:
    (shown,) = both(run, tmp_path, (*command, *flags(url)))
    assert shown[0].startswith("Resolved 3 packages"), shown
    assert sorted(after_resolved(shown)) == sorted([LACKS, YANKED])


def test_export_and_tree_of_a_script_with_a_lock(run: Runner, tmp_path: Path, url: str) -> None:
    """The lock is fresh: nothing is resolved, nothing is reported again."""
    _, exported, drawn = both(run, tmp_path, ("lock", "--script", "s.py", *flags(url)),
                              ("export", "--script", "s.py", *flags(url)),
                              ("tree", "--script", "s.py", *flags(url)))
    assert exported == drawn == ["Resolved 3 packages"]


@pytest.mark.parametrize(("added", "times"), [("tool[zzz]", 2), ("tool[zzz]==2.0.0", 1)])
def test_add_to_a_locked_script(
    run: Runner, tmp_path: Path, url: str, added: str, times: int
) -> None:
    _, shown, removed = both(run, tmp_path, ("lock", "--script", "s.py", *flags(url)),
                             ("add", "--script", "s.py", added, *flags(url)),
                             ("remove", "--script", "s.py", "tool", *flags(url)))
    assert [line for line in shown if line.startswith("Resolved")] == ["Resolved 4 packages"]
    assert sorted(after_resolved(shown)) == sorted([LACKS, YANKED, ZZZ] * times)
    assert removed[0] == "Resolved 3 packages", removed
    assert sorted(after_resolved(removed)) == sorted([LACKS, YANKED])


def test_ferry_alone(run: Runner, tmp_path: Path, url: str) -> None:
    (tmp_path / "s.py").write_text(SCRIPT, encoding="utf-8")
    done = run("lock", "--script", "s.py", *flags(url))
    assert done.code == 0, done.stderr
    assert lines(done.stderr) == ["Resolved 3 packages", LACKS, YANKED]
    added = run("add", "--script", "s.py", "tool[zzz]", *flags(url))
    assert added.code == 0, added.stderr
    shown = lines(added.stderr)
    assert shown[1] == "Resolved 4 packages", shown  # after the `--index-url` warning
    assert sorted(shown[2:]) == sorted([LACKS, YANKED, ZZZ] * 2)
