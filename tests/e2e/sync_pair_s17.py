"""What the ``sync --script``/``--resolution`` tests share: one command run by ferry or by the
real uv 0.13.8 on the same loopback index, each with its own cache beside the work folder, and
the index both resolve from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.seedkit import uv_executable
from tests.support.index import IndexServer
from tests.support.runner import ferry_env


def fill(server: IndexServer) -> IndexServer:
    """alpha 1.0/2.0, beta 1.0/1.5 (needing alpha), gamma 1.0 and a pre-release 2.0b1."""
    index = server.index
    index.add_wheel("alpha", "1.0")
    index.add_wheel("alpha", "2.0")
    index.add_wheel("beta", "1.0", requires=["alpha>=1.0"])
    index.add_wheel("beta", "1.5", requires=["alpha>=1.0"])
    index.add_wheel("gamma", "1.0")
    index.add_wheel("gamma", "2.0b1")
    return server


def call(tool: str, folder: Path, *args: str, python: str, index: str,
         extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``tool`` (``uv`` or ``ferry``) with ``args`` in ``folder``, the interpreter and the
    default index given by variables, as a user's shell would."""
    if tool == "uv":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        env.update(UV_CACHE_DIR=str(folder.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                   UV_PYTHON=python, UV_DEFAULT_INDEX=index, UV_NO_PROGRESS="1",
                   **(extra_env or {}))
        argv = [uv_executable(), *args]
    else:
        env = ferry_env({"FERRY_PYTHON": python, "FERRY_INDEX_URL": index,
                         "FERRY_CACHE_DIR": str(folder.parent / "ferry-cache"),
                         **(extra_env or {})})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, check=False,
                          timeout=120)


def write_script(folder: Path, *deps: str, body: str = "") -> Path:
    """``folder/s.py`` with a block needing ``deps`` (Python >= 3.11), then ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "s.py"
    listed = ", ".join(f'"{d}"' for d in deps)
    script.write_text(f'# /// script\n# requires-python = ">=3.11"\n# dependencies = [{listed}]\n'
                      f"# ///\n{body}", encoding="utf-8")
    return script
