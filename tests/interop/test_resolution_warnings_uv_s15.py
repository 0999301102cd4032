"""Where the resolution's warnings print, side by side with the real uv 0.13.8 (skipped without
uv): uv prints an extra the package lacks and a yanked version it chose after its ``Resolved``
line (``pip install``/``pip sync``: after the changes), in its own words, once; ``-q`` hides
them. ferry printed them first, and ``pip compile`` twice in an older wording.

Each case runs both tools on the same hermetic index and compares the lines that carry the
order (``Resolved``, ``warning:``, ``Installed``, ``Would install``, ``Checked``), times
stripped. uv orders several warnings by a hash of its graph's nodes, so with more than one the
kinds' sequence is compared exactly and the warnings as a multiset. The ``ferry_alone`` tests
hold ferry to the same lines, written out, where uv is not installed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.uv_kit_s14 import uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

ORDERED = ("Resolved", "warning:", "Installed", "Would install", "Checked")
LACKS = "warning: The package `top==0.3.1` does not have an extra named `nope`"
YANKED = 'warning: `old==2.0.0` is yanked (reason: "broken")'
PYPROJECT = ('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
             'dependencies = ["top[nope]", "old==2.0.0"]\n')


@pytest.fixture
def url(tmp_path: Path) -> str:
    index = LocalIndex(tmp_path / "index")
    index.add_wheel("leaf", "1.0.0")
    index.add_wheel("top", "0.3.1", requires=["leaf>=1.0"])
    index.add_wheel("tool", "2.0.0", extras={"cli": ["leaf"]})
    index.add_wheel("old", "1.0.0")
    index.add_wheel("old", "2.0.0", yanked="broken")
    return (tmp_path / "index" / "simple").as_uri()


def lines(stderr: str) -> list[str]:
    """The lines that carry the order, times stripped."""
    return [re.sub(r" in [0-9.]+m?s$", "", line) for line in stderr.splitlines()
            if line.startswith(ORDERED)]


def assert_same(mine: Result, theirs: Result) -> list[str]:
    assert (mine.code, theirs.code) == (0, 0), mine.stderr + theirs.stderr
    ours, uvs = lines(mine.stderr), lines(theirs.stderr)
    kinds = [[line.split(" ")[0] for line in side] for side in (ours, uvs)]
    assert kinds[0] == kinds[1], (mine.stderr, theirs.stderr)
    warned = [Counter(line for line in side if line.startswith("warning:")) for side in (ours, uvs)]
    assert warned[0] == warned[1], (mine.stderr, theirs.stderr)
    if sum(warned[1].values()) <= 1:
        assert ours == uvs
    return ours


def twins(tmp_path: Path, name: str, write: dict[str, str]) -> tuple[Path, Path]:
    roots = (tmp_path / "ours" / name, tmp_path / "theirs" / name)
    for root in roots:
        root.mkdir(parents=True)
        for file, text in write.items():
            (root / file).write_text(text, encoding="utf-8")
    return roots


def venv(root: Path) -> str:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "v")], check=True)
    return str(root / "v" / "bin" / "python")


# --- pip compile ------------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [(), ("--universal",), ("-q",)])
def test_pip_compile(run: Runner, tmp_path: Path, url: str, flags: tuple[str, ...]) -> None:
    uv_executable()
    ours, theirs = twins(tmp_path, "c", {"req.in": "top[nope]\nold==2.0.0\n"})
    args = ("pip", "compile", "req.in", "--index-url", url, "--python", sys.executable, *flags)
    shown = assert_same(run(*args, cwd=ours), uv_run(theirs, *args))
    assert shown == ([] if "-q" in flags else
                     ["Resolved 3 packages", LACKS, YANKED])  # uv's order here


def test_pip_compile_one_warning_in_its_place(run: Runner, tmp_path: Path, url: str) -> None:
    uv_executable()
    ours, theirs = twins(tmp_path, "c", {"req.in": "top[nope]\n"})
    args = ("pip", "compile", "req.in", "--index-url", url, "--python", sys.executable)
    assert assert_same(run(*args, cwd=ours), uv_run(theirs, *args)) == [
        "Resolved 2 packages", LACKS]


# --- pip install / pip sync -------------------------------------------------------------------


@pytest.mark.parametrize("flags", [(), ("--dry-run",)])
def test_pip_install(run: Runner, tmp_path: Path, url: str, flags: tuple[str, ...]) -> None:
    uv_executable()
    ours, theirs = twins(tmp_path, "i", {"req.txt": "top[nope]\nold==2.0.0\n"})
    args = ("pip", "install", "-r", "req.txt", "--index-url", url, *flags)
    shown = assert_same(run(*args, "-p", venv(ours), cwd=ours),
                        uv_run(theirs, *args, "-p", venv(theirs)))
    assert shown[-2:] == [LACKS, YANKED]  # last: after the changes, as uv


def test_pip_install_keeps_an_installed_yanked_version_quietly(
    run: Runner, tmp_path: Path, url: str
) -> None:
    """uv's resolver keeps the installed ``old==2.0.0``: no file, so no yank to report."""
    uv_executable()
    ours, theirs = twins(tmp_path, "i", {"req.txt": "top[nope]\nold==2.0.0\n"})
    pythons = venv(ours), venv(theirs)
    first = ("pip", "install", "old==2.0.0", "--index-url", url, "-p")
    assert_same(run(*first, pythons[0], cwd=ours), uv_run(theirs, *first, pythons[1]))
    args = ("pip", "install", "-r", "req.txt", "--index-url", url, "-p")
    shown = assert_same(run(*args, pythons[0], cwd=ours), uv_run(theirs, *args, pythons[1]))
    assert shown[-1] == LACKS and YANKED not in shown


def test_pip_sync_reports_a_yank_once_installed_then_not(
    run: Runner, tmp_path: Path, url: str
) -> None:
    """``pip sync`` reads no extras (no dependencies): only the yank, after the changes; the
    second sync changes nothing and reports nothing."""
    uv_executable()
    ours, theirs = twins(tmp_path, "s", {"req.txt": "top[nope]\nold==2.0.0\n"})
    pythons = venv(ours), venv(theirs)
    args = ("pip", "sync", "req.txt", "--index-url", url, "-p")
    shown = assert_same(run(*args, pythons[0], cwd=ours), uv_run(theirs, *args, pythons[1]))
    assert shown[-1] == YANKED and LACKS not in shown
    again = assert_same(run(*args, pythons[0], cwd=ours), uv_run(theirs, *args, pythons[1]))
    assert not [line for line in again if line.startswith("warning:")]


# --- project commands (they lock) -------------------------------------------------------------


@pytest.mark.parametrize("command", [("lock",), ("lock", "-q"), ("sync",), ("sync", "--dry-run"),
                                     ("add", "tool[zzz]"), ("add", "leaf", "--no-sync"),
                                     ("export",), ("export", "-q"), ("tree",)])
def test_project_commands(run: Runner, tmp_path: Path, url: str, command: tuple[str, ...]) -> None:
    uv_executable()
    ours, theirs = twins(tmp_path, "p", {"pyproject.toml": PYPROJECT})
    args = (*command, "--index-url", url, "--python", sys.executable)
    shown = assert_same(run(*args, cwd=ours), uv_run(theirs, *args))
    if "-q" in command:
        assert shown == []
        return
    at = shown.index(next(line for line in shown if line.startswith("Resolved")))
    after = shown[at + 1:]
    extra = ["warning: The package `tool==2.0.0` does not have an extra named `zzz`"]
    expected = sorted([LACKS, YANKED, *(extra if "tool[zzz]" in command else [])])
    if command[0] == "add":  # uv resolves twice (then again with the new bound): both report
        expected = sorted(expected * 2)
    assert sorted(after[:len(expected)]) == expected, shown


def test_run_reports_a_relock_without_its_resolved_line(
    run: Runner, tmp_path: Path, url: str
) -> None:
    uv_executable()
    ours, theirs = twins(tmp_path, "r", {"pyproject.toml": PYPROJECT})
    sync = ("sync", "--index-url", url, "--python", sys.executable)
    assert_same(run(*sync, cwd=ours), uv_run(theirs, *sync))
    for root in (ours, theirs):
        (root / "uv.lock").unlink()
    args = ("run", "--index-url", url, "--python", sys.executable, "python", "-c", "print(1)")
    mine, done = run(*args, cwd=ours), uv_run(theirs, *args)
    assert mine.stdout == done.stdout == "1\n"
    assert sorted(assert_same(mine, done)) == sorted([LACKS, YANKED])


# --- without uv -------------------------------------------------------------------------------


def test_ferry_alone_pip_compile(run: Runner, tmp_path: Path, url: str) -> None:
    (tmp_path / "req.in").write_text("top[nope]\nold==2.0.0\n", encoding="utf-8")
    done = run("pip", "compile", "req.in", "--index-url", url, "--python", sys.executable)
    assert done.code == 0, done.stderr
    assert lines(done.stderr) == ["Resolved 3 packages", LACKS, YANKED]
    assert "old==2.0.0" in done.stdout and "top==0.3.1" in done.stdout


def test_ferry_alone_lock(run: Runner, tmp_path: Path, url: str) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    done = run("lock", "--index-url", url, "--python", sys.executable)
    assert done.code == 0, done.stderr
    assert lines(done.stderr) == ["Resolved 4 packages", LACKS, YANKED]
    quiet = run("lock", "-q", "--upgrade", "--index-url", url, "--python", sys.executable)
    assert (quiet.code, quiet.stderr) == (0, "")
