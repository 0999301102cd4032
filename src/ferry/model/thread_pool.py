"""A small thread pool and its futures: the part of ``concurrent.futures`` ferry uses.

Why not ``concurrent.futures``: importing it imports ``logging`` (with traceback, tokenize,
string, weakref…), ~5 ms that every command paid at start-up although most never start a pool.
This module imports only ``threading`` and ``queue``.

The semantics ferry relies on are ``ThreadPoolExecutor``'s: threads start lazily, one per
submission while none is idle, up to ``max_workers``; work raises into ``result()``/
``exception()`` of its future (``BaseException`` included: a worker never dies of it);
``cancel()`` succeeds only before the work starts; ``shutdown(wait=True)`` joins the threads
(interruptible by Ctrl-C on the main thread, and safe to call again), ``cancel_futures=True``
cancels what has not started; work queued before a plain shutdown still runs. Threads are not
daemons, so a process never exits with work half done; at interpreter exit the idle threads of
a pool nobody shut down are released, as ``concurrent.futures`` does.
"""

from __future__ import annotations

import itertools
import os
import threading

# The C queue that ``queue`` re-exports: the module itself also imports heapq (~0.7 ms a command).
from _queue import Empty, SimpleQueue
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar

from ferry.model.log import get_logger

__all__ = ["CancelledError", "Future", "ThreadPool"]

logger = get_logger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

_PENDING, _RUNNING, _CANCELLED, _FINISHED = "pending", "running", "cancelled", "finished"


class CancelledError(Exception):
    """The future was cancelled before its work started."""


class Future(Generic[T]):
    """The outcome of work that may still be running (``concurrent.futures.Future``'s API)."""

    __slots__ = ("_callbacks", "_condition", "_exception", "_result", "_state")

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._state = _PENDING
        self._result: T | None = None
        self._exception: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], object]] = []

    def __repr__(self) -> str:
        return f"<Future {self._state}>"

    def done(self) -> bool:
        return self._state in (_CANCELLED, _FINISHED)

    def cancelled(self) -> bool:
        return self._state == _CANCELLED

    def running(self) -> bool:
        return self._state == _RUNNING

    def cancel(self) -> bool:
        """Cancel work that has not started; ``False`` once it runs or has run."""
        with self._condition:
            if self._state in (_RUNNING, _FINISHED):
                return False
            if self._state == _PENDING:
                self._state = _CANCELLED
                self._condition.notify_all()
        self._call_back()
        return True

    def _wait(self, timeout: float | None) -> None:
        with self._condition:
            if self._state not in (_CANCELLED, _FINISHED):
                self._condition.wait(timeout)
            if self._state == _CANCELLED:
                raise CancelledError
            if self._state != _FINISHED:
                raise TimeoutError

    def result(self, timeout: float | None = None) -> T:
        """The work's value, or its exception raised here; waits up to ``timeout`` seconds."""
        self._wait(timeout)
        if self._exception is not None:
            raise self._exception
        return self._result  # type: ignore[return-value]  # set with _FINISHED

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """What the work raised (``None`` when it returned); waits up to ``timeout`` seconds."""
        self._wait(timeout)
        return self._exception

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        """Call ``fn(self)`` once done: now, in this thread, if it already is; otherwise in the
        thread that finishes (or cancels) it."""
        with self._condition:
            if self._state not in (_CANCELLED, _FINISHED):
                self._callbacks.append(fn)
                return
        self._run_callback(fn)

    def set_running_or_notify_cancel(self) -> bool:
        """For whoever runs the work: ``False`` if it was cancelled (do not run it)."""
        with self._condition:
            if self._state == _CANCELLED:
                return False
            if self._state != _PENDING:
                raise RuntimeError(f"cannot start {self!r}")
            self._state = _RUNNING
            return True

    def set_result(self, result: T) -> None:
        self._finish(result, None)

    def set_exception(self, exception: BaseException) -> None:
        self._finish(None, exception)

    def _finish(self, result: T | None, exception: BaseException | None) -> None:
        with self._condition:
            if self._state in (_CANCELLED, _FINISHED):
                raise RuntimeError(f"{self!r} is already done")
            self._result, self._exception = result, exception
            self._state = _FINISHED
            self._condition.notify_all()
        self._call_back()

    def _call_back(self) -> None:
        with self._condition:
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            self._run_callback(fn)

    def _run_callback(self, fn: Callable[[Future[T]], object]) -> None:
        try:
            fn(self)
        except Exception:  # as concurrent.futures: one callback's failure stops nothing
            logger.error("exception calling callback for %r", self, exc_info=True)


class _Work:
    """A submission: the future and the call that settles it."""

    __slots__ = ("call", "future")

    def __init__(self, future: Future[Any], call: Callable[[], Any]) -> None:
        self.future = future
        self.call = call

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            value = self.call()
        except BaseException as exc:  # reported through the future, as concurrent.futures does
            self.future.set_exception(exc)
        else:
            self.future.set_result(value)


_STOP = None  # on a pool's queue: the thread taking it puts it back and ends
_pool_numbers = itertools.count()
_exiting = False  # the interpreter is exiting: idle threads end, no new work is accepted
_live: dict[int, SimpleQueue[_Work | None]] = {}  # pools not shut down, by id
_live_lock = threading.Lock()  # never taken in __del__ (it may run while this thread holds it)


def _at_exit() -> None:
    """Before the interpreter joins its threads: release the idle ones of every pool nobody
    shut down (work already queued still runs first)."""
    global _exiting
    with _live_lock:
        _exiting = True
        queues = list(_live.values())
        _live.clear()
    for work in queues:
        work.put(_STOP)


# threading's own hook runs before the non-daemon threads are joined (atexit's would run after).
getattr(threading, "_register_atexit", lambda hook: None)(_at_exit)


class _Workers:
    """What the threads share with their pool (not the pool itself, so that a pool dropped
    without ``shutdown`` is collected and its threads told to end)."""

    __slots__ = ("idle", "lock", "queue", "queued")

    def __init__(self) -> None:
        self.queue: SimpleQueue[_Work | None] = SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0  # threads waiting for work
        self.queued = 0  # work on the queue not yet taken

    def work(self) -> None:
        while True:
            with self.lock:
                self.idle += 1
            item = self.queue.get()
            with self.lock:
                self.idle -= 1
                if item is not None:
                    self.queued -= 1
            if item is None:
                self.queue.put(_STOP)  # for the next thread
                return
            item.run()
            del item  # drop the work's references before waiting for the next


class ThreadPool:
    """Run callables on up to ``max_workers`` threads named ``<thread_name_prefix>_<n>``."""

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "") -> None:
        if max_workers is None:
            max_workers = min(32, (os.cpu_count() or 1) + 4)  # ThreadPoolExecutor's default
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._max_workers = max_workers
        self._prefix = thread_name_prefix or f"ferry-pool-{next(_pool_numbers)}"
        self._workers = _Workers()
        self._threads: list[threading.Thread] = []
        self._shutdown = False
        with _live_lock:
            _live[id(self)] = self._workers.queue

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn(*args, **kwargs)``; a thread is started if none is idle (up to the most)."""
        future: Future[T] = Future()
        workers = self._workers
        with workers.lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            if _exiting:
                raise RuntimeError("cannot schedule new work after interpreter shutdown")
            workers.queued += 1
            workers.queue.put(_Work(future, lambda: fn(*args, **kwargs)))
            if workers.queued > workers.idle and len(self._threads) < self._max_workers:
                self._start_thread()
        return future

    def _start_thread(self) -> None:
        thread = threading.Thread(
            target=self._workers.work, name=f"{self._prefix}_{len(self._threads)}"
        )
        thread.start()
        self._threads.append(thread)

    def widen(self, max_workers: int) -> None:
        """Allow up to ``max_workers`` threads from now on, starting those the queued work
        can use at once (a pool that started narrow, when more threads turn out to help)."""
        workers = self._workers
        with workers.lock:
            self._max_workers = max(self._max_workers, max_workers)
            if self._shutdown:
                return
            wanted = workers.queued - workers.idle
            for _ in range(min(wanted, self._max_workers - len(self._threads))):
                self._start_thread()

    def map(self, fn: Callable[..., T], *iterables: Iterable[Any]) -> Iterator[T]:
        """``fn`` over the iterables, all submitted now; results in order as they are asked
        for (the first failure raises there, and the work not yet started is cancelled)."""
        futures = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]

        def results() -> Iterator[T]:
            try:
                futures.reverse()
                while futures:
                    yield futures.pop().result()
            finally:
                for future in futures:
                    future.cancel()

        return results()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Accept no more work; with ``cancel_futures`` cancel what has not started; with
        ``wait`` join the threads (again after an interrupted call)."""
        workers = self._workers
        dropped: list[_Work] = []
        with workers.lock:
            first = not self._shutdown
            self._shutdown = True
            stop = first
            while cancel_futures:
                try:
                    item = workers.queue.get_nowait()
                except Empty:
                    break
                if item is None:
                    stop = True  # an earlier shutdown's: put back below
                else:
                    workers.queued -= 1
                    dropped.append(item)
            if stop:
                workers.queue.put(_STOP)
        for item in dropped:  # outside the lock: a done-callback may run here
            item.future.cancel()
        if first:
            _live.pop(id(self), None)
        if wait:
            for thread in list(self._threads):
                thread.join()

    def __enter__(self) -> ThreadPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown(wait=True)

    def __del__(self) -> None:
        # Dropped without shutdown: its idle threads end instead of waiting for ever. No lock
        # (the collector may run this while this very thread holds one); put() is thread-safe.
        if not getattr(self, "_shutdown", True):
            self._shutdown = True
            self._workers.queue.put(_STOP)
            _live.pop(id(self), None)
