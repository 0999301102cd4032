"""What ``ferry venv`` imports on its lean path: nothing heavy, nothing it does not use.

Python's start-up is most of a ``ferry venv``: every module imported on the way costs 0.1-5 ms
against uv's ~15 ms for the whole command. The lean path (``ferry.commands.venv_fast``) must
create the environment with ``os``/``sys`` and a handful of ferry's small modules; this test
lists ``sys.modules`` as the process ends and fails when anything else crept in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import ferry_env

# Runs the entry point as `python -m ferry` does; lists the modules at exit (no json: it would
# be counted itself).
_DRIVER = """
import atexit, runpy, sys
out, args = sys.argv[1], sys.argv[2:]

def dump():
    with open(out, "w") as handle:
        handle.write("\\n".join(sorted(sys.modules)))

atexit.register(dump)
sys.argv = ["ferry", *args]
runpy.run_module("ferry", run_name="__main__")
"""

LEAN_FERRY_MODULES = {
    "ferry",
    "ferry._code_bundle",  # serves the rest of ferry's modules
    "ferry.cli",
    "ferry.cli.fast",
    "ferry.commands",
    "ferry.commands.venv_fast",
    # split from venv_fast: the cache-only interpreter lookup and the lines both paths print
    "ferry.commands.venv_interpreter",
    "ferry.commands.venv_messages",
    "ferry.model",
    "ferry.model.builtin_sha256",
    "ferry.model.errors",
    "ferry.python",
    "ferry.python.activation",
    "ferry.python.candidates",
    "ferry.python.interpreter_cache",
    "ferry.python.pyvenv_cfg",
    "ferry.python.venv",
}
# Each costs milliseconds to import (or drags in what does).
HEAVY_STDLIB = {
    "re",
    "json",
    "pathlib",
    "typing",
    "logging",
    "dataclasses",
    "hashlib",
    "shutil",
    "subprocess",
    "tempfile",
    "inspect",
    "enum",
    "shlex",
    "platformdirs",
    "click",
    "packaging",
    "httpx",
}


def run_entry(
    args: list[str], cwd: Path, env: dict[str, str | None]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``python -m ferry args`` in ``cwd``: the finished process and the modules it had loaded."""
    out = cwd.parent / f"{cwd.name}.modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(out), *args],
        cwd=cwd,
        env=ferry_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = set(out.read_text().split())
    out.unlink()
    return done, modules


def loaded(args: list[str], cwd: Path, env: dict[str, str | None]) -> set[str]:
    done, modules = run_entry(args, cwd, env)
    assert done.returncode == 0, done.stderr
    return modules


@pytest.fixture
def warm(tmp_path: Path, isolated_env: Path) -> dict[str, str | None]:
    """The interpreter cache knows the test's interpreter (one full ``ferry venv`` ran)."""
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache")}
    loaded(["venv", "first", "-p", sys.executable], tmp_path, {**env, "FERRY_NO_FAST_PATH": "1"})
    return env


def test_lean_venv_imports_only_what_it_uses(tmp_path: Path, warm: dict[str, str | None]) -> None:
    modules = loaded(["venv", "env", "-p", sys.executable], tmp_path, warm)
    assert (tmp_path / "env" / "pyvenv.cfg").is_file()
    ferry = {m for m in modules if m == "ferry" or m.startswith("ferry.")}
    assert ferry == LEAN_FERRY_MODULES
    heavy = {m for m in modules if m.split(".")[0] in HEAVY_STDLIB}
    assert heavy == set(), sorted(heavy)


def test_lean_venv_with_clear_and_discovery(tmp_path: Path, warm: dict[str, str | None]) -> None:
    """--clear removes the old environment (shutil, and the ``re`` its fnmatch needs, are then
    worth their cost); discovery walks PATH without pathlib or packaging."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {**warm, "PATH": str(bin_dir)}
    loaded(["venv", "env"], tmp_path, {**env, "FERRY_NO_FAST_PATH": "1"})  # discovery, cached
    modules = loaded(["venv", "env", "--clear"], tmp_path, env)
    heavy = {m for m in modules if m.split(".")[0] in HEAVY_STDLIB - {"shutil", "re", "enum"}}
    assert heavy == set(), sorted(heavy)
    assert "ferry.cli.main" not in modules
