"""``ferry venv`` without PATH inside a project, side by side with uv 0.13.8.

uv creates the project environment (``UV_PROJECT_ENVIRONMENT``, relative to the workspace root)
only when started from the project's root or given ``--project``; from a workspace member or
another directory below the root it creates ``.venv`` where it stands, and ``--no-project``
always gives ``.venv``. An active ``VIRTUAL_ENV`` plays no part. ferry reads
``FERRY_PROJECT_ENVIRONMENT`` first, as everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env


def _workspace(root: Path) -> Path:
    (root / "packages" / "m1").mkdir(parents=True)
    (root / "sub").mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "root"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n', encoding="utf-8")
    (root / "packages" / "m1" / "pyproject.toml").write_text(
        '[project]\nname = "m1"\nversion = "0.1"\nrequires-python = ">=3.8"\n', encoding="utf-8")
    return root


def _made(tool: str, base: Path, python: str) -> list[str]:
    """Where ``tool venv`` lands in each case, as paths relative to ``base``."""
    ws = _workspace(base / "ws")
    cases: list[tuple[Path, list[str], dict[str, str]]] = [
        (ws / "packages" / "m1", [], {"UV_PROJECT_ENVIRONMENT": "pe"}),
        (ws, [], {"UV_PROJECT_ENVIRONMENT": "pe", "VIRTUAL_ENV": str(base / "elsewhere")}),
        (ws / "sub", [], {"UV_PROJECT_ENVIRONMENT": "pe"}),
        (ws, [], {"UV_PROJECT_ENVIRONMENT": str(base / "absolute")}),
        (ws, ["--no-project"], {"UV_PROJECT_ENVIRONMENT": "ignored"}),
        (base, ["--project", "ws"], {"UV_PROJECT_ENVIRONMENT": "pe3"}),
        (base / "ws" / "packages", ["--project", "m1"], {"UV_PROJECT_ENVIRONMENT": "pe4"}),
    ]
    for cwd, args, env in cases:
        done = _venv(tool, cwd, [*args, "--python", python], env)
        assert done.returncode == 0, (tool, cwd, args, done.stderr)
    return sorted(p.parent.relative_to(base).as_posix() for p in base.rglob("pyvenv.cfg"))


def _venv(tool: str, cwd: Path, args: list[str], env: dict[str, str], *, quiet: bool = True
          ) -> subprocess.CompletedProcess[str]:
    args = ["-q", *args] if quiet else args
    if tool == "uv":
        merged = {k: v for k, v in os.environ.items()
                  if not k.startswith(("UV_", "VIRTUAL_ENV", "FERRY_"))}
        merged.update(env, UV_CACHE_DIR=str(cwd / ".uv-cache"), UV_PYTHON_DOWNLOADS="never")
        argv = [uv_executable(), "venv", *args]
    else:
        merged = ferry_env(env)
        argv = [sys.executable, "-m", "ferry", "venv", *args]
    return subprocess.run(argv, cwd=cwd, env=merged, capture_output=True, text=True,
                          check=False, timeout=120)


@pytest.mark.usefixtures("isolated_env")
def test_where_venv_goes_in_a_workspace(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    (tmp_path / "ferry").mkdir()
    ferry = _made("ferry", tmp_path / "ferry", python)
    assert ferry == [
        "absolute", "ws/.venv", "ws/packages/.venv", "ws/packages/m1/.venv", "ws/pe",
        "ws/pe3", "ws/sub/.venv",
    ]
    (tmp_path / "uv").mkdir()
    assert _made("uv", tmp_path / "uv", python) == ferry


@pytest.mark.usefixtures("isolated_env")
def test_ferry_variable_first_and_the_fast_path_agrees(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    ws = _workspace(tmp_path / "ws")
    # twice: the first run caches the interpreter's description, the second may take the
    # lean path (ferry.commands.venv_fast), which must land in the same place
    for name in ("first", "second"):
        done = _venv("ferry", ws, ["--python", python],
                     {"FERRY_PROJECT_ENVIRONMENT": f" {name} ", "UV_PROJECT_ENVIRONMENT": "pe"})
        assert done.returncode == 0, done.stderr
        assert (ws / name / "pyvenv.cfg").is_file()
    assert not (ws / "pe").exists() and not (ws / ".venv").exists()
    # without a variable the root's environment is `.venv`, from the lean path as well
    for _ in range(2):
        done = _venv("ferry", ws, ["--python", python, "--clear"], {})
        assert done.returncode == 0, done.stderr
        assert (ws / ".venv" / "pyvenv.cfg").is_file()


@pytest.mark.usefixtures("isolated_env")
def test_an_unreadable_pyproject_is_warned_about(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    for tool in ("ferry", "uv"):
        root = tmp_path / tool
        root.mkdir()
        (root / "pyproject.toml").write_text("[project\nname=", encoding="utf-8")
        done = _venv(tool, root, ["--python", python], {"UV_PROJECT_ENVIRONMENT": "pe"},
                     quiet=False)  # -q silences warnings, in both
        assert done.returncode == 0, done.stderr
        assert "Failed to parse `pyproject.toml` during environment creation" in done.stderr
        assert (root / ".venv" / "pyvenv.cfg").is_file() and not (root / "pe").exists()
