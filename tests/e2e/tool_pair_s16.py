"""Run ``ferry`` or the real uv the same way for side-by-side tests: one local index, a cache of
each tool's own under the working directory, no user configuration (uv skips the test when it is
not installed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env


def run_tool(tool: str, args: list[str], cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    """``tool`` (``"uv"`` or ``"ferry"``) with ``args`` against the index at ``url``."""
    if tool == "uv":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        env.update(UV_CACHE_DIR=str(cwd / "uv-cache"), UV_INDEX_URL=url,
                   UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
        argv = [uv_executable(), *args]
    else:
        env = ferry_env({"VIRTUAL_ENV": None, "FERRY_INDEX_URL": url, "NO_COLOR": "1",
                         "FERRY_CACHE_DIR": str(cwd / "ferry-cache")})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=180)
