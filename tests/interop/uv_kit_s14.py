"""Running the real uv 0.13.8 beside ferry in the session-14 interop tests: a hermetic
environment (its own cache next to the project, no downloads, no user configuration, no
inherited ``UV_*`` or virtual environment), so both tools see the same inputs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.seedkit import uv_executable
from tests.support.runner import Result


def uv_run(root: Path, *args: str) -> Result:
    """``uv ARGS`` in ``root`` (skips the test when uv is absent)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(root.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
               HOME=str(root.parent / "home"), XDG_CONFIG_HOME=str(root.parent / "xdg"))
    done = subprocess.run([uv_executable(), *args], cwd=root, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def app_project(root: Path, tail: str = "") -> Path:
    """A project ``app`` needing ``lib``, with ``tail`` (more pyproject tables) after it."""
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        f'dependencies = ["lib"]\n\n{tail}', encoding="utf-8")
    return root
