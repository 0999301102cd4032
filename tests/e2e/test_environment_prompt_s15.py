"""The project environment's prompt, as uv 0.13.8 writes it (s9 review R11.3).

uv writes ``prompt = <project name>`` (normalised) into the ``pyvenv.cfg`` of the project
environment it creates for ``sync``/``run``/``add``, so ``source .venv/bin/activate`` shows
``(app)`` rather than ``(.venv)``; a workspace's environment takes the root project's name, and
a root without ``[project]`` (a virtual workspace, a root with only ``[dependency-groups]`` or
``[tool.uv]``) the root directory's name. Compared side by side with the real uv."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.seedkit import ok, uv_executable, write_project
from tests.support.runner import Runner

from ferry.python.pyvenv_cfg import read_pyvenv_cfg

MEMBER = '[project]\nname = "libm"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'


def _project(root: Path, text: str) -> None:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


def _named(root: Path) -> Path:
    write_project(root, "My_App.Thing", [])
    return root


def _virtual_workspace(root: Path) -> Path:
    _project(root, '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    _project(root / "packages" / "libm", MEMBER)
    return root / "packages" / "libm"


def _workspace(root: Path) -> Path:
    write_project(root, "rootproj", [], extra='[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    _project(root / "packages" / "libm", MEMBER)
    return root / "packages" / "libm"


def _groups_only(root: Path) -> Path:
    _project(root, "[dependency-groups]\ndev = []\n")
    return root


LAYOUTS: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    # layout: (build it, returning where to run; the expected prompt, None = the root's name)
    "named": (_named, "my-app-thing"),
    "virtual-workspace": (_virtual_workspace, None),
    "workspace-member": (_workspace, "rootproj"),
    "groups-only": (_groups_only, None),
}


def _uv_sync(cwd: Path, tmp_path: Path, python: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON=str(python),
               UV_PYTHON_DOWNLOADS="never")
    done = subprocess.run([uv_executable(), "sync", "--offline", "-q"], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_prompt_as_uv_writes_it(
    run: Runner, tmp_path: Path, python_exe, layout: str  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    build, expected = LAYOUTS[layout]
    ours = build(tmp_path / "f" / "proj")
    ok(run("sync", "--offline", cwd=ours, env={"FERRY_PYTHON": str(python)}))
    prompt = read_pyvenv_cfg(tmp_path / "f" / "proj" / ".venv")["prompt"]
    assert prompt == (expected or "proj")
    theirs = build(tmp_path / "u" / "proj")
    _uv_sync(theirs, tmp_path, python)
    assert read_pyvenv_cfg(tmp_path / "u" / "proj" / ".venv")["prompt"] == prompt


def test_run_creates_it_with_the_prompt_and_activate_shows_it(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    project = write_project(tmp_path / "app", "app", [])
    ok(run("run", "--offline", "python", "-c", "pass", cwd=project,
           env={"FERRY_PYTHON": str(python_exe("3.12"))}))
    assert "prompt = app\n" in (project / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    shown = subprocess.run(
        [bash, "-c", 'PS1="$ "; source .venv/bin/activate; echo "$VIRTUAL_ENV_PROMPT|$PS1"'],
        cwd=project, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    assert shown.stdout == "app|(app) $ \n"


def test_recreating_keeps_the_prompt(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    project = write_project(tmp_path / "app", "app", [])
    env = {"FERRY_PYTHON": str(python_exe("3.12"))}
    ok(run("sync", "--offline", cwd=project, env=env))
    ok(run("sync", "--offline", "--recreate", cwd=project, env=env))
    assert read_pyvenv_cfg(project / ".venv")["prompt"] == "app"
