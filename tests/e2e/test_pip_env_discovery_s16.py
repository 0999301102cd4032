"""Which environment ``ferry pip …`` acts on when none is named, side by side with uv 0.13.8:
from inside an environment directory (walking up, each directory itself before its ``.venv``),
from below a parent's ``.venv``, and with a broken ``.venv`` (no ``pyvenv.cfg``) on the way up —
an error for a command that would change it, no environment for a read-only one. Every
environment but the working directory's own ``.venv`` is named on stderr, as uv names it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.e2e.tool_pair_s16 import run_tool
from tests.support.server import IndexServer

TOOLS = ("uv", "ferry")


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def _notices(result: subprocess.CompletedProcess[str], root: Path) -> list[str]:
    """The ``Using Python …`` lines, with the tool's own folder spelled ``ROOT``."""
    return [line.replace(str(root), "ROOT") for line in result.stderr.splitlines()
            if line.startswith("Using Python")]


@pytest.mark.usefixtures("isolated_env")
def test_a_command_run_inside_an_environment_uses_it(
    tmp_path: Path, index_server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python, url = _setup(index_server, python_exe)
    seen: dict[str, list[object]] = {}
    for tool in TOOLS:
        root = tmp_path / tool
        root.mkdir()
        env = root / "env"
        _ok(run_tool(tool, ["venv", "-q", "--python", python, str(env)], root, url))
        (env / ".venv").mkdir()  # the directory itself is looked at before its `.venv`
        inside = env / "lib"
        installed = _ok(run_tool(tool, ["pip", "install", "alpha"], inside, url))
        listed = _ok(run_tool(tool, ["pip", "freeze"], env, url))
        seen[tool] = [_notices(installed, root), _notices(listed, root), listed.stdout]
    assert seen["ferry"] == seen["uv"]
    version = seen["uv"][0]
    assert version == [f"Using Python {_version(python)} environment at: ROOT/env"]
    assert seen["uv"][1:] == [[f"Using Python {_version(python)} environment at: ."],
                              "alpha==1.0\n"]


@pytest.mark.usefixtures("isolated_env")
def test_a_parent_dot_venv_is_used_and_named(
    tmp_path: Path, index_server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python, url = _setup(index_server, python_exe)
    seen: dict[str, list[object]] = {}
    for tool in TOOLS:
        root = tmp_path / tool
        (root / "sub").mkdir(parents=True)
        _ok(run_tool(tool, ["venv", "-q", "--python", python], root, url))
        installed = _ok(run_tool(tool, ["pip", "install", "alpha"], root / "sub", url))
        listed = _ok(run_tool(tool, ["pip", "list", "--format", "freeze"], root / "sub", url))
        checked = _ok(run_tool(tool, ["pip", "check"], root / "sub", url))
        here = _ok(run_tool(tool, ["pip", "freeze"], root, url))  # ./.venv is never named
        seen[tool] = [_notices(r, root) for r in (installed, listed, checked, here)]
        seen[tool].append(listed.stdout)
    assert seen["ferry"] == seen["uv"]
    assert seen["uv"][1] == [f"Using Python {_version(python)} environment at: ROOT/.venv"]


@pytest.mark.usefixtures("isolated_env")
def test_a_broken_dot_venv_stops_the_walk(
    tmp_path: Path, index_server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python, url = _setup(index_server, python_exe)
    for tool in TOOLS:
        root = tmp_path / tool
        _ok(run_tool(tool, ["venv", "-q", "--python", python, str(root)], tmp_path, url))
        (root / "project" / ".venv").mkdir(parents=True)  # no pyvenv.cfg
        cwd = root / "project" / "sub"
        cwd.mkdir()
        for command in (["install", "alpha"], ["uninstall", "alpha"]):
            refused = run_tool(tool, ["pip", *command], cwd, url)
            assert refused.returncode == 2, (tool, refused.stderr)
            assert refused.stderr.splitlines()[0] == (
                f"error: Broken virtual environment `{root}/project/.venv`: missing `pyvenv.cfg`"
            ), tool
        # read-only: no environment here, so the interpreter discovery finds stands in — never
        # the environment above the broken one
        listed = _ok(run_tool(tool, ["pip", "list"], cwd, url))
        assert listed.stderr.startswith("Using Python"), (tool, listed.stderr)
        assert str(root) not in listed.stderr, tool


def _setup(index_server: IndexServer, python_exe) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A Python 3.12 (or a skip) and the index's URL, which serves ``alpha 1.0``."""
    index_server.index.add_wheel("alpha", "1.0")
    return str(python_exe("3.12")), index_server.simple_url


def _version(python: str) -> str:
    out = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()
