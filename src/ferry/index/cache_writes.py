"""The index client's JSON cache entries, written by a thread of their own.

Why: a cold lock writes two cache entries per package (its project page, its wheel's metadata),
and each is a new file — 0.1 to 0.6 ms of kernel time on ext4, more under load — written on the
prefetch thread whose answer the resolver is waiting for. Here ``write_json`` only records the
value and returns; a writer thread stores it. The answer reaches the resolver at once, and the
kernel's part of the write (which does not hold the GIL) runs beside the resolver's Python.

What stays the same: every entry is still written through the cache's own atomic write (a
visible entry is complete); this client's readers see a pending value at once (``read_json``
looks here first), so nothing is fetched twice; and :meth:`CacheWrites.flush` — called by
``IndexClient.close`` (through :meth:`CacheWrites.close`), while the command still holds the
cache's shared lock — waits for every write and raises the first failure (``ENOSPC`` names
its path as before), later than before but not lost. A process that never closes its client
still writes everything: the writer is not a daemon thread, so the interpreter waits for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from typing import Any

from ferry.index.protocols import JsonStore
from ferry.model.log import get_logger

logger = get_logger(__name__)

__all__ = ["CacheWrites"]

_IDLE_SECONDS = 0.02  # how long the writer waits for more work before its thread ends
_ATTRIBUTE = "_ferry_json_writes"
_SHARED_LOCK = threading.Lock()


class CacheWrites:
    """The :class:`JsonStore` of ``cache``, whose ``write_json`` returns before the write.

    Thread-safe. Only JSON entries go through here; files, names and URL records go to the
    cache directly (a download's caller relies on the file being there).
    """

    @classmethod
    def of(cls, cache: JsonStore) -> CacheWrites:
        """The one instance for ``cache`` in this process: every client of a cache sees the
        entries any of them has pending (a lock's clients per index, or a client made after
        another was used)."""
        with _SHARED_LOCK:
            found = getattr(cache, _ATTRIBUTE, None)
            if isinstance(found, CacheWrites):
                return found
            found = cls(cache)
            # kept on the cache itself (a cycle the collector frees with the cache); a cache
            # that takes no attributes gets one per client
            with contextlib.suppress(AttributeError):
                setattr(cache, _ATTRIBUTE, found)
            return found

    def __init__(self, cache: JsonStore) -> None:
        self.cache = cache
        self._pending: dict[tuple[str, str], Any] = {}
        self._queue: deque[tuple[str, str]] = deque()
        self._cond = threading.Condition()
        self._writer: threading.Thread | None = None
        self._writing = False
        self._flushing = 0
        self._linger = True  # False once closed: the writer then ends as soon as it is idle
        self._error: BaseException | None = None

    # -- deferred JSON entries ------------------------------------------------------------

    def read_json(self, bucket: str, key: str, /) -> Any:
        with self._cond:
            if (bucket, key) in self._pending:
                return self._pending[(bucket, key)]
        return self.cache.read_json(bucket, key)

    def write_json(self, bucket: str, key: str, value: Any, /) -> None:
        with self._cond:
            self._pending[(bucket, key)] = value
            self._queue.append((bucket, key))
            self._linger = True
            if self._writer is None:
                self._writer = threading.Thread(target=self._drain, name="ferry-cache-writer")
                self._writer.start()
            else:
                self._cond.notify_all()

    def flush(self) -> None:
        """Wait until every entry handed over so far is written; raise the first failure."""
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._queue or self._writing:
                    self._cond.wait()
            finally:
                self._flushing -= 1
            error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """:meth:`flush`, and let the writer thread end now rather than idle (a process waits
        for it at exit). Entries written after this still work, without idling."""
        with self._cond:
            self._linger = False
            writer = self._writer
        try:
            self.flush()
        finally:
            if writer is not None and writer is not threading.current_thread():
                writer.join()

    def _drain(self) -> None:
        while True:
            with self._cond:
                if not self._queue and not self._flushing and self._linger:
                    self._cond.wait(_IDLE_SECONDS)
                if not self._queue:
                    self._writer = None
                    self._cond.notify_all()
                    return
                item = self._queue.popleft()
                if item not in self._pending:
                    continue  # queued twice; its latest value is already written
                value = self._pending[item]
                self._writing = True
            try:
                self.cache.write_json(item[0], item[1], value)
            except Exception as exc:  # kept for flush(): the writer must go on with the rest
                logger.debug("writing the cache entry %s/%s failed: %s", item[0], item[1], exc)
                with self._cond:
                    if self._error is None:
                        self._error = exc
            with self._cond:
                self._writing = False
                if self._pending.get(item) is value:  # not replaced meanwhile
                    del self._pending[item]
                self._cond.notify_all()
