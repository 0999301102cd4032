"""Advisory file locks shared between ferry processes.

``flock`` locks belong to an open file description, so the operating system drops them the moment
the holder exits, however it exits: a ``kill -9`` never leaves a stale lock behind (RELIABILITY E4).
A lock that is busy is first tried without blocking, so the common uncontended case costs one
system call; when it is busy the user is told once what ferry waits for, and the wait is bounded by
``FERRY_LOCK_TIMEOUT`` so a stuck process elsewhere turns into an error instead of a hang (E3).
Threads of one process take turns in memory first (``thread_locks``), so that warning only ever
concerns another process, and two threads of one ``sync`` never make it.

On Windows ``msvcrt.locking`` has no shared mode, so shared locks are exclusive there: correct,
only less concurrent.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ferry.fs.errors import os_error
from ferry.fs.thread_locks import thread_turn
from ferry.model.errors import FilesystemError, SurroundingsError, UserError
from ferry.model.log import get_logger

logger = get_logger(__name__)

DEFAULT_LOCK_TIMEOUT = 300.0

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int, exclusive: bool) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        operation = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_timeout() -> float:
    """Seconds to wait for a busy lock: ``FERRY_LOCK_TIMEOUT``, else 300."""
    raw = os.environ.get("FERRY_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0 or value != value:  # negative or NaN
        raise UserError(
            f"Invalid `FERRY_LOCK_TIMEOUT` value `{raw}`",
            hint="give a number of seconds, e.g. `FERRY_LOCK_TIMEOUT=600`",
        )
    return value


@contextmanager
def lock_exclusive(
    path: Path, what: str | None = None, *, timeout: float | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the ``with`` block.

    ``what`` names the locked thing in messages (``cache``, ``.venv``); it defaults to the path.
    ``timeout`` overrides ``FERRY_LOCK_TIMEOUT``.
    """
    with _locked(Path(path), what, exclusive=True, timeout=timeout):
        yield


@contextmanager
def lock_shared(
    path: Path, what: str | None = None, *, timeout: float | None = None
) -> Iterator[None]:
    """Hold a shared lock: any number of shared holders, but none while an exclusive one holds."""
    with _locked(Path(path), what, exclusive=False, timeout=timeout):
        yield


@contextmanager
def _locked(
    path: Path, what: str | None, *, exclusive: bool, timeout: float | None
) -> Iterator[None]:
    wait = lock_timeout() if timeout is None else timeout
    label = what or str(path)
    started = time.monotonic()
    # Threads of this process take turns first, so flock only ever waits for other processes.
    # Windows has no shared mode, so there shared turns are exclusive too.
    with thread_turn(path, label, exclusive=exclusive or sys.platform == "win32", timeout=wait):
        fd = _open_lock_file(path)
        try:
            _acquire(fd, path, label, exclusive, wait, started)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


def _open_lock_file(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise os_error("create the directory for lock file", path, error) from error
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError as error:
        # flock works on a read-only descriptor too, so a lock file we may read but not write
        # (another user's, mode 0644) still serves.
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            pass
        raise FilesystemError(
            f"Cannot open lock file `{path}`: permission denied",
            hint="it probably belongs to another user: fix its owner or permissions, "
            "or use a cache of your own with `--cache-dir`",
        ) from error
    except OSError as error:
        raise os_error("open lock file", path, error) from error


def _attempt(fd: int, path: Path, exclusive: bool) -> bool:
    try:
        return _try_lock(fd, exclusive)
    except OSError as error:  # e.g. ENOLCK on a network filesystem without lock support
        raise os_error("lock", path, error) from error


def _acquire(
    fd: int, path: Path, what: str, exclusive: bool, timeout: float, started: float
) -> None:
    """Take the flock, waiting at most until ``timeout`` seconds after ``started`` (which
    includes any wait for this process's own threads)."""
    if _attempt(fd, path, exclusive):
        return
    logger.warning("waiting for lock on `%s` (%s)… is another ferry process running?", what, path)
    delay = 0.005
    while True:
        waited = time.monotonic() - started
        if waited >= timeout:
            raise SurroundingsError(
                f"Timed out after {timeout:g}s waiting for lock on `{what}` ({path})",
                hint="another ferry process holds it: let it finish, or set `FERRY_LOCK_TIMEOUT` "
                "(seconds) to wait longer",
            )
        time.sleep(min(delay, timeout - waited))
        delay = min(delay * 2, 0.1)
        if _attempt(fd, path, exclusive):
            logger.debug("acquired lock on `%s` after %.2fs", what, time.monotonic() - started)
            return
