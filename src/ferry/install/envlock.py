"""One lock per environment, so parallel ferry processes never write into it at the same time.

Two ``sync``s (or ``pip install``s) into one ``.venv`` would otherwise link files over each
other, stash each other's files, and each write a RECORD describing a state that no longer exists
(uv #12751). The lock is an ``flock`` on a file in the environment's root (``.ferry.lock``
beside ``pyvenv.cfg``; the site directory for an environment that is not a venv), so a killed
holder never blocks the next process (RELIABILITY E1, E4, E7).

It is re-entrant within one process: a command may hold it around planning *and* execution
while ``execute_plan`` takes it again, without waiting for itself (``flock`` locks belong to an
open file description, so a second ``open`` + ``flock`` of the same file in one process would
block). Commands that hold it should use :func:`environment_lock` too, never ``lock_exclusive``
on the same file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ferry.fs.locks import lock_exclusive
from ferry.model.scheme import Scheme

__all__ = ["LOCK_NAME", "environment_lock", "lock_path_for"]

LOCK_NAME = ".ferry.lock"

_held: dict[str, int] = {}
_state = threading.Lock()
# Threads of one process take turns at an environment, like processes do — per environment:
# an install holding its target's lock may build an sdist, whose build environment is
# installed (and locked) from another thread meanwhile.
_owners: dict[str, threading.RLock] = {}


def lock_path_for(scheme: Scheme) -> Path:
    """Where the lock of the environment described by ``scheme`` lives."""
    prefix = Path(scheme.data)
    if (prefix / "pyvenv.cfg").is_file():
        return prefix / LOCK_NAME
    return Path(scheme.purelib) / LOCK_NAME


@contextmanager
def environment_lock(scheme: Scheme) -> Iterator[Path]:
    """Hold the environment's exclusive lock for the ``with`` block; yields the lock file."""
    path = lock_path_for(scheme)
    key = os.path.normcase(str(path.absolute()))
    with _state:
        owner = _owners.setdefault(key, threading.RLock())
    with owner, ExitStack() as stack:
        with _state:
            first = _held.get(key, 0) == 0
            _held[key] = _held.get(key, 0) + 1
        try:
            if first:
                stack.enter_context(lock_exclusive(path, what=f"environment {path.parent}"))
            yield path
        finally:
            with _state:
                _held[key] -= 1
                if not _held[key]:
                    del _held[key]
