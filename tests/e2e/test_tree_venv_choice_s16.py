"""Which interpreter ``ferry tree`` evaluates markers for, side by side with uv 0.13.8: the
project environment's (where ``UV_PROJECT_ENVIRONMENT`` puts it) when it meets ``--python``,
``.python-version`` and requires-python, else the interpreter a new project environment would
get; an active ``VIRTUAL_ENV`` that is not the project's plays no part."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import ferry_env

PYPROJECT = """[project]
name = "p"
version = "0.1"
requires-python = ">=3.11"
dependencies = ["old==1.0; python_version < '3.12'", "new; python_version >= '3.12'"]

[[tool.uv.index]]
url = "{url}"
default = true
"""


def _tool(tool: str, cwd: Path, args: list[str], env: dict[str, str]
          ) -> subprocess.CompletedProcess[str]:
    if tool == "uv":
        merged = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        merged.update(env, UV_CACHE_DIR=str(cwd.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
        argv = [uv_executable(), *args]
    else:
        merged = ferry_env({"UV_PROJECT_ENVIRONMENT": None, "VIRTUAL_ENV": None, **env})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=cwd, env=merged, capture_output=True, text=True,
                          check=False, timeout=120)


def _drawn(tool: str, root: Path, pythons: dict[str, str], elsewhere: Path) -> list[str]:
    """The dependency ``tree -q`` draws in each case (the tree's last line)."""

    def tree(*args: str, **env: str) -> str:
        done = _tool(tool, root, ["tree", "-q", *args], env)
        assert done.returncode == 0, (tool, args, env, done.stderr)
        return done.stdout.strip().splitlines()[-1]

    def venv(version: str) -> None:
        done = _tool(tool, root, ["venv", "-q", "--clear", "--python", pythons[version],
                                  ".venv"], {})
        assert done.returncode == 0, done.stderr

    drawn: list[str] = []
    venv("3.11")
    drawn.append(tree(UV_PROJECT_ENVIRONMENT=str(elsewhere)))  # the 3.12 one
    drawn.append(tree(VIRTUAL_ENV=str(elsewhere)))  # not the project's: .venv (3.11)
    drawn.append(tree("--python", pythons["3.12"]))
    venv("3.12")
    (root / ".python-version").write_text("3.11\n", encoding="utf-8")
    drawn.append(tree())  # .venv does not meet .python-version: a 3.11 is found
    (root / ".python-version").unlink()
    drawn.append(tree())  # .venv (3.12)
    venv("3.10")
    drawn.append(tree())  # .venv does not meet requires-python: a fitting one is found
    return drawn


@pytest.mark.usefixtures("isolated_env")
def test_tree_markers_follow_the_project_environment(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    pythons = {v: str(python_exe(v)) for v in ("3.10", "3.11", "3.12")}
    index = LocalIndex(tmp_path / "index")
    index.add_wheel("old", "1.0")
    index.add_wheel("new", "1.0")
    elsewhere = tmp_path / "elsewhere"
    done = subprocess.run([pythons["3.12"], "-m", "venv", "--without-pip", str(elsewhere)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    results = {}
    for tool in ("ferry", "uv"):
        root = tmp_path / tool / "p"
        root.mkdir(parents=True)
        (root / "pyproject.toml").write_text(PYPROJECT.format(url=index.file_url),
                                             encoding="utf-8")
        locked = _tool(tool, root, ["lock", "-q", "--python", pythons["3.11"]], {})
        assert locked.returncode == 0, locked.stderr
        results[tool] = _drawn(tool, root, pythons, elsewhere)
    assert results["ferry"][:5] == [
        "└── new v1.0", "└── old v1.0", "└── new v1.0", "└── old v1.0", "└── new v1.0",
    ]  # the last one depends on what PATH offers first: the same for both tools
    assert results["uv"] == results["ferry"]
