"""A sync into a missing environment, made again from the cache's description of the last one.

The replay must be invisible but for the time: the same tree (file for file, mode for mode,
link for link), the same lines, the same exit; anything that could change the answer sends to
the full path, and a replay that cannot finish leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Result, ferry_env

# Runs ferry's entry point and lists the modules it loaded (ferry leaves through os._exit).
_DRIVER = """
import json, os, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
real_exit = os._exit

def dump(status=0):
    with open(out, "w") as handle:
        json.dump(sorted(sys.modules), handle)
    real_exit(status)

os._exit = dump
sys.argv = ["ferry", *args]
try:
    runpy.run_module("ferry", run_name="__main__")
except SystemExit as exit:
    dump(exit.code if isinstance(exit.code, int) else 1)
dump()
"""


def traced(args: list[str], cwd: Path, env: dict[str, str | None]) -> tuple[Result, set[str]]:
    out = cwd.parent / "modules.json"
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(out), *args], cwd=cwd,
                          env=ferry_env(env), capture_output=True, text=True, timeout=120)
    modules = set(json.loads(out.read_text()))
    out.unlink()
    return Result(done.returncode, done.stdout, done.stderr), modules


def replayed(modules: set[str]) -> bool:
    """The sync was answered by the replay: the full command was never loaded."""
    return "ferry.commands.sync_replay" in modules and "ferry.commands.sync" not in modules


def tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry: its kind, permission bits and content (bytes digest or link target)."""
    import hashlib

    found: dict[str, tuple[str, int, str]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        name = path.relative_to(root).as_posix()
        if name.startswith("ferry-fast-"):
            continue  # the no-op record is named after the command line
        if stat.S_ISLNK(info.st_mode):
            found[name] = ("link", 0, os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            found[name] = ("dir", stat.S_IMODE(info.st_mode), "")
        else:
            found[name] = ("file", stat.S_IMODE(info.st_mode),
                           hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def timeless(text: str) -> str:
    return re.sub(r" in \d+(\.\d+)?m?s", " in T", text)


@pytest.fixture
def project(
    tmp_path: Path, local_index: LocalIndex, run: Callable[..., Result]
) -> tuple[Path, dict[str, str | None]]:
    local_index.add_wheel("alpha", "1.0", requires=["beta"],
                          entry_points={"console_scripts": {"alpha-cli": "alpha:main"}})
    local_index.add_wheel("beta", "2.0")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    env: dict[str, str | None] = {
        "FERRY_INDEX_URL": local_index.file_url,
        "FERRY_PYTHON": sys.executable,
        "FERRY_CACHE_DIR": str(tmp_path / "cache"),
    }
    for command in ("lock", "sync"):  # the first sync creates the environment: remembered
        result = run(command, cwd=root, env=env)
        assert result.code == 0, result.output
    return root, env


def test_a_fresh_sync_is_replayed_with_the_same_tree_and_lines(
    project: tuple[Path, dict[str, str | None]], run: Callable[..., Result]
) -> None:
    root, env = project
    venv = root / ".venv"
    shutil.rmtree(venv)
    full = run("sync", cwd=root, env={**env, "FERRY_NO_FAST_PATH": "1"})
    assert full.code == 0, full.output
    made = tree(venv)
    shutil.rmtree(venv)
    again, modules = traced(["sync"], root, env)
    assert again.code == 0, again.stderr
    assert replayed(modules)
    assert tree(venv) == made
    assert timeless(again.stderr) == timeless(full.stderr)
    assert " + alpha==1.0" in again.stderr and " + beta==2.0" in again.stderr
    # the environment works, and the next sync finds nothing to do
    script = venv / "bin" / "alpha-cli"
    assert script.read_text().startswith(f"#!{venv / 'bin' / 'python'}")
    check = subprocess.run([str(venv / "bin" / "python"), "-c", "import alpha, beta"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    noop = run("sync", cwd=root, env=env)
    assert noop.code == 0 and "Checked 2 packages" in noop.stderr


def test_quiet_replay_prints_nothing(
    project: tuple[Path, dict[str, str | None]], run: Callable[..., Result]
) -> None:
    root, env = project
    shutil.rmtree(root / ".venv")
    assert run("sync", "-q", cwd=root, env=env).code == 0  # creates it: remembers `sync -q`
    shutil.rmtree(root / ".venv")
    done, modules = traced(["sync", "-q"], root, env)
    assert (done.code, done.stdout, done.stderr) == (0, "", "")
    assert replayed(modules)


@pytest.mark.parametrize("change", ["pyproject", "lock", "python-version", "variable"])
def test_a_changed_input_takes_the_full_path(
    change: str, project: tuple[Path, dict[str, str | None]]
) -> None:
    root, env = project
    shutil.rmtree(root / ".venv")
    if change == "pyproject":
        path = root / "pyproject.toml"
        path.write_text(path.read_text() + "\n# edited\n")
    elif change == "lock":
        path = root / "uv.lock"
        path.write_text(path.read_text() + "\n")
    elif change == "python-version":
        (root / ".python-version").write_text(f"{sys.version_info[0]}.{sys.version_info[1]}\n")
    else:
        env = {**env, "FERRY_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    done, modules = traced(["sync"], root, env)
    assert done.code == 0, done.stderr
    assert "ferry.commands.sync" in modules
    assert (root / ".venv" / "bin" / "alpha-cli").is_file()


def test_verbose_and_dry_run_are_never_replayed(
    project: tuple[Path, dict[str, str | None]]
) -> None:
    root, env = project
    shutil.rmtree(root / ".venv")
    done, modules = traced(["sync", "-v"], root, env)
    assert done.code == 0 and "ferry.commands.sync" in modules
    shutil.rmtree(root / ".venv")
    done, modules = traced(["sync", "--dry-run"], root, env)
    assert done.code == 0 and "ferry.commands.sync" in modules
    assert not (root / ".venv" / "bin" / "alpha-cli").exists()


def test_an_existing_environment_is_never_replaced(
    project: tuple[Path, dict[str, str | None]]
) -> None:
    root, env = project
    site = next((root / ".venv").glob("lib/python*/site-packages"))
    shutil.rmtree(next(site.glob("beta-*.dist-info")))
    done, modules = traced(["sync"], root, env)
    assert done.code == 0 and "ferry.commands.sync" in modules
    assert " + beta==2.0" in done.stderr


def test_a_cached_file_gone_leaves_nothing_behind_and_the_full_path_runs(
    project: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    root, env = project
    shutil.rmtree(root / ".venv")
    archives = tmp_path / "cache" / "archives-v1"
    victim = next(p for p in archives.rglob("beta/__init__.py"))
    victim.unlink()  # the description links it: the restore stops there
    done, modules = traced(["sync"], root, env)
    assert done.code == 0, done.stderr
    assert "ferry.commands.sync" in modules  # the full path made it, from what it found
    assert not [p for p in root.iterdir() if ".replay-" in p.name]
    check = subprocess.run([str(root / ".venv" / "bin" / "python"), "-c", "import alpha, beta"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_a_held_creation_lock_sends_to_the_full_path(
    project: tuple[Path, dict[str, str | None]]
) -> None:
    """Another process creating the environment: the replay does not wait, the full path
    does (and says so), here until its timeout."""
    import fcntl

    root, env = project
    shutil.rmtree(root / ".venv")
    fd = os.open(root / ".ferry" / "environment.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done, modules = traced(["sync"], root, {**env, "FERRY_LOCK_TIMEOUT": "0.3"})
    finally:
        os.close(fd)
    assert "ferry.commands.sync_replay" in modules and "ferry.commands.sync" in modules
    assert done.code != 0 and "Timed out" in done.stderr
    assert not (root / ".venv").exists()


def test_a_fresh_checkout_without_state_directory_is_replayed(
    project: tuple[Path, dict[str, str | None]]
) -> None:
    """A Docker build's new layer: the project copied in again, no `.ferry/` yet."""
    root, env = project
    shutil.rmtree(root / ".venv")
    shutil.rmtree(root / ".ferry")
    done, modules = traced(["sync"], root, env)
    assert done.code == 0 and replayed(modules)
    assert (root / ".ferry" / ".gitignore").read_text() == "*\n"
    assert (root / ".ferry" / "environment.lock").is_file()


def test_copy_mode_is_replayed_as_copies(
    project: tuple[Path, dict[str, str | None]], run: Callable[..., Result]
) -> None:
    root, env = project
    env = {**env, "FERRY_LINK_MODE": "copy"}
    shutil.rmtree(root / ".venv")
    assert run("sync", cwd=root, env=env).code == 0  # remembered in copy mode
    made = tree(root / ".venv")
    shutil.rmtree(root / ".venv")
    done, modules = traced(["sync"], root, env)
    assert done.code == 0 and replayed(modules)
    assert tree(root / ".venv") == made
    module = next((root / ".venv").rglob("beta/__init__.py"))
    assert module.stat().st_nlink == 1  # a copy, not a link into the cache


def test_a_packaged_projects_dependencies_are_remembered(
    tmp_path: Path, local_index: LocalIndex, run: Callable[..., Result]
) -> None:
    local_index.add_wheel("beta", "2.0")
    root = tmp_path / "pkg"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0.1.0"\ndependencies = ["beta"]\n'
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    env: dict[str, str | None] = {"FERRY_INDEX_URL": local_index.file_url,
                                  "FERRY_PYTHON": sys.executable,
                                  "FERRY_CACHE_DIR": str(tmp_path / "cache")}
    first = run("sync", "--no-install-project", cwd=root, env=env)  # makes the cache too
    assert first.code == 0, first.output
    assert list((tmp_path / "cache" / "replay-v1").rglob("*.bin"))  # the deps alone: remembered
    shutil.rmtree(root / ".venv")
    done, modules = traced(["sync", "--no-install-project"], root, env)
    assert done.code == 0 and replayed(modules)


def test_prune_removes_descriptions_whose_files_are_gone(
    project: tuple[Path, dict[str, str | None]], run: Callable[..., Result], tmp_path: Path
) -> None:
    root, env = project
    bucket = tmp_path / "cache" / "replay-v1"
    assert len(list(bucket.rglob("*.bin"))) == 1
    pruned = run("cache", "prune", cwd=root, env=env)
    assert pruned.code == 0 and len(list(bucket.rglob("*.bin"))) == 1  # still usable: kept
    next((tmp_path / "cache" / "archives-v1").rglob("beta/__init__.py")).unlink()
    assert run("cache", "prune", cwd=root, env=env).code == 0
    assert list(bucket.rglob("*.bin")) == []


def test_prune_ci_removes_every_description(
    project: tuple[Path, dict[str, str | None]], run: Callable[..., Result], tmp_path: Path
) -> None:
    root, env = project
    assert run("cache", "prune", "--ci", cwd=root, env=env).code == 0
    assert list((tmp_path / "cache" / "replay-v1").rglob("*.bin")) == []
    shutil.rmtree(root / ".venv")
    done = run("sync", cwd=root, env={**env, "FERRY_OFFLINE": None})
    assert done.code == 0, done.output
