"""Where a Ctrl-C may land: the few stretches of work that must finish or roll back first.

Almost everything ferry does can be abandoned at any instant without harm: downloads and
unpacking write temporary files and publish them by one rename, lockfiles and ``pyproject.toml``
are replaced atomically. Changing an environment cannot: a half-linked package has to be rolled
back. Those stretches run inside :func:`critical_section`; the CLI's interrupt handler lets them
unwind (rollback included) and only force-exits a process that is still busy elsewhere, such as
a worker thread blocked on a stalled download (RELIABILITY F1, F3).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["critical_section", "in_critical_section"]

_depth = 0
_guard = threading.Lock()


@contextmanager
def critical_section() -> Iterator[None]:
    """Mark work (in any thread) that an interrupt must let finish or roll back. Re-entrant."""
    global _depth
    with _guard:
        _depth += 1
    try:
        yield
    finally:
        with _guard:
            _depth -= 1


def in_critical_section() -> bool:
    with _guard:
        return _depth > 0
