"""How the threads of one ferry process take turns at a lock file, before ``flock`` is asked.

``flock`` locks belong to an open file description, so two threads of one process that each open
and lock the same file conflict exactly as two processes would: the second one waited, and told
the user to look for "another ferry process" — its own (a ``sync`` building two sdists whose
build environments share a key). Keeping a per-file reader/writer count in the process first
means a thread only reaches ``flock`` when no other thread of this process holds a conflicting
lock on that file; ``flock`` then waits only for other processes, and its warning is true.
Threads of one process wait here silently (a DEBUG line says so), bounded by the same timeout.

A thread asking again for a lock it holds in a conflicting way (exclusive after exclusive, or
any mix of shared and exclusive) could never get it: that is a cycle, reported at once instead
of after ``FERRY_LOCK_TIMEOUT``. Shared after shared is fine and nests.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ferry.model.errors import SurroundingsError
from ferry.model.log import get_logger

logger = get_logger(__name__)

_changed = threading.Condition()
# lock file key → the thread holding it exclusively
_exclusive: dict[str, int] = {}
# lock file key → shared holders by thread
_shared: dict[str, Counter[int]] = {}


@contextmanager
def thread_turn(path: Path, what: str, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold this process's in-memory turn at ``path`` for the ``with`` block.

    Waiting longer than ``timeout`` seconds raises the timeout error a busy ``flock`` raises,
    worded for a holder inside this process.
    """
    key = os.path.normcase(os.path.abspath(path))  # noqa: PTH100 (keep symlinks)
    me = threading.get_ident()
    with _changed:
        _refuse_cycle(key, me, path, what, exclusive)
        if _conflicts(key, exclusive):
            logger.debug(
                "waiting for lock on `%s` (%s): another thread of this process holds it",
                what, path,
            )
            deadline = time.monotonic() + timeout
            while _conflicts(key, exclusive):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SurroundingsError(
                        f"Timed out after {timeout:g}s waiting for lock "
                        f"on `{what}` ({path}), held by another task of this ferry process",
                        hint="set `FERRY_LOCK_TIMEOUT` (seconds) to wait longer",
                    )
                # TIMEOUT_MAX: FERRY_LOCK_TIMEOUT may be `inf` (wait as long as it takes)
                _changed.wait(min(left, threading.TIMEOUT_MAX))
        if exclusive:
            _exclusive[key] = me
        else:
            _shared.setdefault(key, Counter())[me] += 1
    try:
        yield
    finally:
        with _changed:
            if exclusive:
                del _exclusive[key]
            else:
                holders = _shared[key]
                holders[me] -= 1
                if holders[me] <= 0:
                    del holders[me]
                if not holders:
                    del _shared[key]
            _changed.notify_all()


def _conflicts(key: str, exclusive: bool) -> bool:
    if key in _exclusive:
        return True
    return exclusive and bool(_shared.get(key))


def _refuse_cycle(key: str, me: int, path: Path, what: str, exclusive: bool) -> None:
    holds_exclusive = _exclusive.get(key) == me
    holds_shared = me in _shared.get(key, ())
    if holds_exclusive or (exclusive and holds_shared):
        raise SurroundingsError(
            f"Cannot lock `{what}` ({path}): this thread already holds it, so waiting for it "
            "would never end",
            hint="something needs this while it is being prepared (a cycle, such as a cyclic "
            "build dependency); please report it if the inputs have no such cycle",
        )
