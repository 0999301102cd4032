"""Shared by the ``add -r`` and ``--script`` tests: the little index they resolve against, and
uv 0.13.8 (the interop peer) run on a twin of the input for byte-for-byte comparisons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import ferry_env


def fill_index(index: LocalIndex) -> LocalIndex:
    """leaf 1.0.0 and 1.4.2, top 0.3.1 (needs leaf), tool 2.0.0 (extra `cli` needs leaf)."""
    index.add_wheel("leaf", "1.0.0")
    index.add_wheel("leaf", "1.4.2")
    index.add_wheel("top", "0.3.1", requires=["leaf>=1.0"])
    index.add_wheel("tool", "2.0.0", extras={"cli": ["leaf"]})
    return index


def uv_binary() -> str | None:
    return find_uv()


def run_uv(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """uv offline, with its own cache, never downloading a Python (the test's one if asked)."""
    env = {
        **ferry_env(),
        "UV_CACHE_DIR": str(cache),
        "UV_OFFLINE": "1",
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(uv_binary()), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
