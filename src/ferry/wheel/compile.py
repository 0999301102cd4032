"""Compile installed ``.py`` files to bytecode with the *target* interpreter.

Bytecode is specific to the interpreter version (and its magic number), so it must be produced by
the environment's own Python, not by the one running ferry. One process compiles every file (the
list goes through stdin), which costs one interpreter start per install instead of one per file.
A file that fails to compile (Python 2 syntax in a test module, say) is not a failed install:
the failures are logged and the interpreter compiles it at import time, or reports it then.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ferry.model.log import get_logger

__all__ = ["compile_bytecode"]

logger = get_logger(__name__)


def compile_bytecode(paths: Sequence[Path], python_executable: Path) -> None:
    """Write ``__pycache__`` files with ``python_executable`` for ``paths``.

    Each path is a ``.py`` file or a directory (compiled recursively; files whose bytecode is
    up to date are skipped by compileall). Passing just the files an install wrote is the fast
    way; passing site-packages recompiles nothing twice but still walks all of it.
    """
    sources = [os.fspath(p) for p in paths if p.suffix == ".py" or p.is_dir()]
    if not sources:
        return
    import subprocess  # here: ~2 ms of start-up that an install without bytecode never needs

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [os.fspath(python_executable), "-m", "compileall", "-q", "-i", "-"]
    logger.debug("Compiling %d files with `%s`", len(sources), python_executable)
    try:
        completed = subprocess.run(
            command,
            input="\n".join(sources) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            check=False,
        )
    except OSError as exc:
        logger.warning("Could not compile bytecode with `%s`: %s", python_executable, exc)
        return
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        logger.warning(
            "Some files could not be compiled to bytecode by `%s` (they still work):\n%s",
            python_executable,
            output,
        )
