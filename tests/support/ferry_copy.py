"""A private copy of ferry's package with its bytecode, for tests of what ferry writes beside
its own modules (the code bundle, the regex table) without touching the checkout's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import ferry

SOURCE = Path(ferry.__file__).parent


def copy_ferry(root: Path) -> Path:
    """``root/ferry``: sources and current bytecode (modification times kept), no bundle and no
    regex table; returns ``root``, the directory to put on ``PYTHONPATH``."""
    shutil.copytree(SOURCE, root / "ferry", ignore=shutil.ignore_patterns("bundle.*", "regex.*"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "ferry")], check=True,
                   env=copy_env(root))
    return root


def copy_env(root: Path, *, write: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a process that imports ferry from ``root`` (writing bytecode unless
    ``write`` is false)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "FERRY_NO_CODE_BUNDLE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPATH"] = str(root)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env
