"""``<project>/.ferry/``: ferry's own files inside a project, and the locks kept there.

Why there: a lock that serialises work on a project must exist before the project has an
environment (so not in ``.venv``, which ``sync`` must find empty or a real environment, and which
sync may delete and create again), it must not change inode when ``pyproject.toml`` is replaced
(so not that file), and it should not show up in ``git status`` — ``.ferry/`` carries its own
``.gitignore`` (``*``), the way ``.venv`` and tool caches do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ferry.fs.atomic import atomic_write_text
from ferry.fs.locks import lock_exclusive

STATE_DIR = ".ferry"


@contextmanager
def state_lock(project_root: Path, name: str, what: str) -> Iterator[Path]:
    """Hold the exclusive lock ``<project_root>/.ferry/<name>``; yields the lock file."""
    state = project_root / STATE_DIR
    ignore = state / ".gitignore"
    if not ignore.is_file():
        atomic_write_text(ignore, "*\n", durable=False)
    path = state / name
    with lock_exclusive(path, what=what):
        yield path
