"""The pins the cache could not answer, prepared on thread pools (``Preparer.prepare``).

Downloads run on a pool of ``concurrency`` threads, started longest work first; each wheel
downloaded goes to a separate, smaller set of unpacking threads (one per CPU), which take the
largest wheel ready first; every outcome comes back to the calling thread through one queue, so
the caller can install each distribution as soon as it is ready (``install/stream.py``).
"""

from __future__ import annotations

import heapq
import os
import queue
import threading
from collections.abc import Callable, Sequence

from ferry.dist.prepare import PreparedDist, Preparer, PrepareStats, _ToUnpack
from ferry.model.dist import PinnedDist
from ferry.model.thread_pool import ThreadPool

__all__ = ["PendingRun"]


def _unpack_slots() -> int:
    """How many wheels are unpacked at once: one per CPU.

    Unpacking is a stream of short system calls (create, write, close per member), each of which
    hands the GIL over; with a dozen download threads unpacking at once the process spent more
    time passing the GIL around (futex storms: 176k futex calls for the 62-wheel `web` workload
    at 16 threads, 19k at 2) than creating files. Downloads keep their own, higher concurrency.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS or Windows
        cpus = os.cpu_count() or 1
    return max(1, cpus)



class _Largest:
    """Unpacking jobs, largest wheel first, for a fixed set of unpacking threads.

    Downloads finish in whatever order the network allows; unpacking the largest wheel ready
    first keeps one huge wheel (numpy: a quarter of the web workload's files) from starting last
    and finishing alone while the other threads idle.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, tuple[int, _ToUnpack]]] = []
        self._ready = threading.Condition()
        self._closed = False
        self._dropped = False
        self._count = 0

    def put(self, index: int, job: _ToUnpack) -> None:
        with self._ready:
            if self._dropped:
                return  # the run failed: what is downloaded stays in files-v1, not unpacked
            self._count += 1
            heapq.heappush(self._heap, (-job.cached.size, self._count, (index, job)))
            self._ready.notify()

    def close(self, *, drop: bool = False) -> None:
        """No more jobs will come; with ``drop`` queued (and later) jobs are abandoned."""
        with self._ready:
            self._closed = True
            if drop:
                self._dropped = True
                self._heap.clear()
            self._ready.notify_all()

    def get(self) -> tuple[int, _ToUnpack] | None:
        """The next job, or ``None`` once closed and empty."""
        with self._ready:
            while not self._heap and not self._closed:
                self._ready.wait()
            return heapq.heappop(self._heap)[2] if self._heap else None


def _longest_first(item: tuple[int, PinnedDist]) -> tuple[int, int, int]:
    """Start order for the pending pins: the work likely to take longest first, so it is not
    what the run ends waiting for (web workload: numpy, a quarter of all the files, was 28th in
    name order and finished unpacking last). Builds first, then wheels by declared size, then
    binary wheels before pure-Python ones (bigger as a rule); else in pin order."""
    index, pin = item
    file = pin.file
    if file is None or not file.is_wheel:
        return (0, 0, index)
    if file.size:
        return (1, -file.size, index)
    return (2 if not file.filename.endswith("-none-any.whl") else 3, 0, index)


class PendingRun:
    """One :meth:`Preparer.prepare` of the pins the cache could not answer.

    Downloads run on a pool of ``concurrency`` threads; each wheel downloaded goes to a
    separate, smaller set of unpacking threads (:func:`_unpack_slots`), so a download thread is
    free again the moment its bytes are stored instead of waiting for a turn to unpack (which
    held later downloads back until the first ones were unpacked). Every outcome comes back to
    the calling thread through one queue.
    """

    def __init__(
        self,
        preparer: Preparer,
        pending: Sequence[tuple[int, PinnedDist]],
        done: dict[int, PreparedDist],
        stats: PrepareStats,
        on_done: Callable[[PreparedDist], None] | None,
    ) -> None:
        self.preparer = preparer
        self.pending = pending
        self.done = done
        self.stats = stats
        self.on_done = on_done
        self.outcomes: queue.SimpleQueue[tuple[int, PreparedDist | BaseException]] = (
            queue.SimpleQueue()
        )
        self.jobs = _Largest()

    def _fetch(self, index: int, pin: PinnedDist) -> None:
        try:
            fetched = self.preparer._fetch(pin)
        except BaseException as exc:  # reported on the calling thread
            self.outcomes.put((index, exc))
            return
        if isinstance(fetched, PreparedDist):
            self.outcomes.put((index, fetched))
        else:
            self.jobs.put(index, fetched)

    def _unpack_loop(self) -> None:
        while (item := self.jobs.get()) is not None:
            index, job = item
            try:
                outcome: PreparedDist | BaseException = self.preparer._finish(job)
            except BaseException as exc:
                outcome = exc
            self.outcomes.put((index, outcome))

    def run(self, hits: Sequence[PreparedDist]) -> None:
        count = len(self.pending)
        unpackers = min(_unpack_slots(), count)
        downloads = ThreadPool(
            max_workers=min(self.preparer.concurrency, count), thread_name_prefix="ferry-prepare"
        )
        unpacking = ThreadPool(max_workers=unpackers, thread_name_prefix="ferry-unpack")
        futures = [
            downloads.submit(self._fetch, index, pin)
            for index, pin in sorted(self.pending, key=_longest_first)
        ]
        for _ in range(unpackers):
            unpacking.submit(self._unpack_loop)
        try:
            error = self._hand_over(hits, count)
        except BaseException:  # an interrupt: never wait for a download that may be stalled
            for future in futures:
                future.cancel()
            self.jobs.close(drop=True)
            downloads.shutdown(wait=False, cancel_futures=True)
            unpacking.shutdown(wait=False)
            raise
        if error is not None:  # start nothing new; let what runs finish (it writes temp files)
            for future in futures:
                future.cancel()
            self.jobs.close(drop=True)  # first: the unpacking threads end even if this waits
            downloads.shutdown(wait=True)
        else:
            self.jobs.close()  # every outcome arrived: the unpacking threads may go
            downloads.shutdown(wait=True)
        unpacking.shutdown(wait=True)
        if error is not None:
            raise error

    def _hand_over(self, hits: Sequence[PreparedDist], count: int) -> Exception | None:
        """Give ``on_done`` the hits, then each outcome as it arrives; the first failure (of a
        pin or of ``on_done``) ends the wait and is returned."""
        on_done = self.on_done
        try:
            if on_done is not None:
                for hit in hits:
                    on_done(hit)
            for _ in range(count):
                index, outcome = self.outcomes.get()
                if isinstance(outcome, Exception):
                    return outcome
                if isinstance(outcome, BaseException):
                    raise outcome
                self.stats.add(outcome)
                self.done[index] = outcome
                if on_done is not None:
                    on_done(outcome)
        except Exception as exc:
            return exc
        return None
