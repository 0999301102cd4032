"""``ferry venv --seed`` takes the index options ``uv venv`` takes, and its install uses them:
``--index-url``/``--default-index``, ``--extra-index-url``/``--index``, ``--find-links``,
``--no-index``, ``--index-strategy``, ``--exclude-newer`` and ``--link-mode``.

``venv --seed`` command lines are read without click (:mod:`ferry.cli.lean`); each case also
runs with FERRY_NO_FAST_PATH (the click CLI) and must print the same bytes and make the same
environment.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner
from tests.unit.test_import_budget import run_entry

FULL = {"FERRY_NO_FAST_PATH": "1"}
OLD, NEW = "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"
Snapshot = Callable[[Path], dict[str, dict[str, str]]]


@pytest.fixture
def indexes(tmp_path: Path) -> Iterator[tuple[IndexServer, IndexServer]]:
    """``first`` has pip 24.0 only; ``second`` has 24.0 and a newer 25.0 uploaded later."""
    first, second = LocalIndex(tmp_path / "first"), LocalIndex(tmp_path / "second")
    first.add_wheel("pip", "24.0", upload_time=OLD)
    second.add_wheel("pip", "24.0", upload_time=OLD)
    second.add_wheel("pip", "25.0", upload_time=NEW)
    with IndexServer(first) as a, IndexServer(second) as b:
        yield a, b


def _timeless(text: str) -> str:
    return re.sub(r"in \d+(\.\d+)?m?s", "in T", text)


@pytest.fixture
def run312(run: Runner, python_exe: Callable[[str], Path]) -> Callable[..., Result]:
    """``ferry venv`` … with Python 3.12, which seeds pip alone."""
    python = str(python_exe("3.12"))

    def call(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return run(*args, "-p", python, env=env)

    return call


def _seed(run: Callable[..., Result], env_dir: str, *args: str, full: bool = False) -> Result:
    return run("venv", "--seed", "--clear", env_dir, *args, env={**FULL} if full else None)


def _both(
    run: Callable[..., Result], tmp_path: Path, snapshot: Snapshot, *args: str
) -> tuple[Result, dict[str, str]]:
    """The lean and the click CLI on the same command line: same output, same environment
    (after a first run, so that both find the seed packages in the cache)."""
    assert _seed(run, "warm", *args, full=True).code == 0
    lean = _seed(run, "lean", *args)
    full = _seed(run, "full", *args, full=True)
    assert lean.code == full.code == 0, lean.stderr + full.stderr
    assert (lean.stdout, _timeless(lean.stderr).replace("lean", "ENV")) == (
        full.stdout, _timeless(full.stderr).replace("full", "ENV"))
    made, other = snapshot(tmp_path / "lean"), snapshot(tmp_path / "full")
    assert made["dists"] == other["dists"]
    # site-packages alike (the activation scripts name their own directory)
    assert {k: v for k, v in made["files"].items() if k.startswith("lib")} == {
        k: v for k, v in other["files"].items() if k.startswith("lib")}
    return lean, made["dists"]


def _pip(result: Result) -> str:
    found = re.search(r" \+ pip==(\S+)", result.stderr)
    assert found is not None, result.stderr
    return found.group(1)


def test_index_url_and_strategy(
    run312: Callable[..., Result], indexes: tuple[IndexServer, IndexServer], tmp_path: Path,
    env_snapshot: Snapshot,
) -> None:
    first, second = indexes
    both = ("--default-index", second.simple_url, "--index", first.simple_url)
    result, _ = _both(run312, tmp_path, env_snapshot, "--index-url", second.simple_url)
    assert _pip(result) == "25.0"
    # first-index: the extra index has pip, so its only version is taken
    result, _ = _both(run312, tmp_path, env_snapshot, *both)
    assert _pip(result) == "24.0"
    strategy = ("--index-strategy", "unsafe-best-match")
    result, _ = _both(run312, tmp_path, env_snapshot, *both, *strategy)
    assert _pip(result) == "25.0"
    result, _ = _both(run312, tmp_path, env_snapshot, "-i", second.simple_url,
                      "--extra-index-url", first.simple_url,
                      "--index-strategy=unsafe-first-match")
    assert _pip(result) == "24.0"


def test_exclude_newer_find_links_no_index_and_link_mode(
    run312: Callable[..., Result], indexes: tuple[IndexServer, IndexServer], tmp_path: Path,
    env_snapshot: Snapshot,
) -> None:
    _, second = indexes
    result, _ = _both(run312, tmp_path, env_snapshot, "-i", second.simple_url,
                      "--exclude-newer", "2024-03-01T00:00:00Z")
    assert _pip(result) == "24.0"
    links = tmp_path / "links"
    LocalIndex(links).add_wheel("pip", "23.3")
    wheels = list(links.rglob("pip-23.3-*.whl"))
    assert wheels
    result, dists = _both(run312, tmp_path, env_snapshot, "--no-index", "-f", str(wheels[0].parent),
                          "--link-mode", "copy")
    assert dists == {"pip": "23.3"}
    installed = next((tmp_path / "lean").rglob("pip/__init__.py"))
    assert installed.stat().st_nlink == 1  # copied, not linked to the cache


def test_the_seed_line_runs_without_click(
    indexes: tuple[IndexServer, IndexServer], tmp_path: Path, isolated_env: Path,
    python_exe: Callable[[str], Path],
) -> None:
    _, second = indexes
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache")}
    args = ["venv", "--seed", "env", "-p", str(python_exe("3.12")), "-i", second.simple_url]
    done, modules = run_entry(args, tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert "click" not in modules and "ferry.cli.main" not in modules
    assert " + pip==25.0" in done.stderr


@pytest.mark.parametrize("args", [
    ("--index-strategy", "best"),  # not a choice: click says so
    ("--link-mode", "teleport"),
    ("a", "b"),  # one path only
])
def test_what_the_lean_parser_refuses_is_the_full_clis_to_report(
    run312: Callable[..., Result], args: tuple[str, ...]
) -> None:
    lean, full = _seed(run312, "env", *args), _seed(run312, "env", *args, full=True)
    assert lean.code == full.code == 2
    assert (lean.stdout, lean.stderr) == (full.stdout, full.stderr)


def test_without_seed_the_index_options_are_accepted_and_unused(
    run: Runner, tmp_path: Path
) -> None:
    result = run("venv", "env", "-p", sys.executable, "--index-url", "http://127.0.0.1:9/simple/",
                 "--index-strategy", "unsafe-best-match", "--link-mode", "copy")
    assert result.code == 0, result.stderr
    assert (tmp_path / "env" / "pyvenv.cfg").is_file()


@pytest.mark.parametrize("full", [False, True])
def test_a_bad_exclude_newer_is_refused_before_the_environment_is_made(
    run: Runner, tmp_path: Path, full: bool
) -> None:
    """uv refuses the value while reading the command line; ferry used to make the environment
    first and only then fail at seeding, leaving it half made."""
    result = _seed(lambda *a, env=None: run(*a, "-p", sys.executable, env=env), "env",
                   "--no-index", "--exclude-newer", "garbage", full=full)
    assert result.code == 2, result.stderr
    assert "Invalid `--exclude-newer` value: `garbage` could not be parsed" in result.stderr
    assert not (tmp_path / "env").exists()
