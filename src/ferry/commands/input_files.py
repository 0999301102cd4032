"""The files a ``pip`` command line names, checked before anything else is done.

uv 0.13.8 looks for every requirements, constraints and overrides file first and refuses a
missing one as a usage error (exit 2) — before it finds an environment, so ``pip install -r
typo.txt`` outside any environment says what is wrong with the command line, not that no
environment exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ferry.model.errors import UsageError


def require_files(*groups: Iterable[Path]) -> None:
    """Raise uv's ``File not found: P`` (exit 2) for the first missing file, in the order given
    (``-`` is standard input)."""
    for group in groups:
        for path in group:
            if str(path) != "-" and not path.exists():
                raise UsageError(f"File not found: {shown(path)}")


def shown(path: Path) -> str:
    """The path as uv shows it: as typed, except that an absolute path inside the working
    directory is shown relative to it."""
    text = str(path)
    if not path.is_absolute():
        return text
    cwd = str(Path.cwd())
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return text[len(prefix):] if text.startswith(prefix) else text


__all__ = ["require_files", "shown"]
