"""Make pinned distributions ready to link: in the cache, hashed, unpacked once.

Every command that installs goes through :class:`Preparer`, so a wheel downloaded by
``pip install`` is the same cache entry ``sync`` finds later (seed report uv#16786): entries are
keyed by the file's sha256, which is always computed while the file streams to disk.
"""

from __future__ import annotations

import heapq
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ferry.cache.archives_placement import spread_children
from ferry.cache.store import Cache, CachedFile
from ferry.fs.atomic import remove_tree
from ferry.model.dist import FileRef, PinnedDist
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.url import redact
from ferry.python.interpreter import Interpreter
from ferry.wheel._digests import UnpackedTree, unpacked_tree
from ferry.wheel.unpack import unpack_wheel

logger = logging.getLogger(__name__)


class Downloader(Protocol):
    def download(self, file: FileRef) -> CachedFile: ...


class WheelBuilder(Protocol):
    """Turns an sdist or a source tree into an unpacked wheel (``dist.build.SourceBuilder``)."""

    def build_wheel(
        self,
        source: Path,
        interpreter: Interpreter,
        *,
        editable: bool = False,
        expected_name: str | None = None,
        expected_version: str | None = None,
        sha256: str | None = None,
    ) -> Path: ...

    def unpacked(self, wheel: Path) -> Path: ...


@immutable
class PreparedDist:
    pin: PinnedDist
    archive: Path
    """The unpacked wheel in ``archives-v1``: what the installer links from."""
    from_cache: bool
    downloaded_bytes: int
    built: bool = False
    tree: UnpackedTree | None = None
    """What unpacking ``archive`` in this process learned, for installing from it at once."""


@dataclass
class PrepareStats:
    from_cache: int = 0
    downloaded: int = 0
    downloaded_bytes: int = 0
    built: int = 0

    def add(self, prepared: PreparedDist) -> None:
        """Each distribution in exactly one bucket (built now, taken from the cache, or
        downloaded), so the parts of ``Prepared N packages (…)`` add up to N; bytes count every
        download, an sdist fetched for a build included."""
        if prepared.built:
            self.built += 1
        elif prepared.from_cache:
            self.from_cache += 1
        else:
            self.downloaded += 1
        if not prepared.from_cache:
            self.downloaded_bytes += prepared.downloaded_bytes


def _check_other_digests(file: FileRef, path: Path) -> None:
    import hashlib

    from ferry.model.errors import HashMismatchError

    for algorithm, expected in file.hashes.items:
        if algorithm == "sha256":
            continue
        try:
            digest = hashlib.new(algorithm)
        except ValueError:
            raise HashMismatchError(
                f"Unsupported hash algorithm `{algorithm}` for `{file.filename}`"
            ) from None
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            raise HashMismatchError(
                f"Hash mismatch for `{file.filename}`",
                causes=[
                    f"Expected: {algorithm}:{expected}",
                    f"Computed: {algorithm}:{digest.hexdigest()}",
                ],
                hint="the hash given with the requirement does not match the file",
            )


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


class Preparer:
    """Fetches and unpacks distributions, concurrently, reusing whatever the cache holds."""

    def __init__(
        self,
        cache: Cache,
        downloader: Downloader,
        *,
        concurrency: int = 16,
        builder: WheelBuilder | None = None,
        interpreter: Interpreter | None = None,
    ) -> None:
        self.cache = cache
        self.downloader = downloader
        self.builder = builder
        self.interpreter = interpreter
        self.concurrency = max(1, concurrency)

    def _cached_archive(self, file: FileRef) -> Path | None:
        sha = file.sha256 or self.cache.sha_for_url(file.url)
        if sha is None:
            return None
        archive = self.cache.find_archive(sha)
        if archive is not None:
            logger.debug("Found %s in the cache (sha256 %s…)", file.filename, sha[:12])
        return archive

    def _build(
        self, pin: PinnedDist, source: Path, sha256: str | None, downloaded: int = 0
    ) -> PreparedDist:
        if self.builder is None or self.interpreter is None:
            raise UserError(
                f"`{pin}` must be built from source (`{source.name}`), and this command "
                "cannot build",
                hint="pin a version that ships a wheel for this interpreter",
            )
        logger.debug("%s needs a wheel built from %s", pin, source)
        wheel = self.builder.build_wheel(
            source,
            self.interpreter,
            editable=pin.editable,
            expected_name=str(pin.name),
            # A source tree's version is whatever its metadata says now; an archive's must
            # match the version it was resolved as.
            expected_version=str(pin.version) if pin.file is not None else None,
            sha256=sha256,
        )
        archive = self.builder.unpacked(wheel)
        return PreparedDist(pin, archive, not downloaded, downloaded, built=True)

    def _unpack(self, cached: CachedFile) -> tuple[Path, UnpackedTree | None]:
        """Unpack ``cached`` straight into a fresh directory under the cache's ``.tmp`` and
        persist that directory itself: no work directory around it to remove afterwards (an
        ``rmdir`` per wheel, slow on a busy ext4). Returns the entry and, when the entry is the
        tree this call wrote (not another process's copy that arrived first), its description."""
        spread_children(self.cache.tmp_root)  # each wheel's tree in its own place (see there)
        target = self.cache.make_temp_dir("unpack-", private=False)  # the entry's own mode
        digests: dict[str, tuple[int, str]] = {}
        try:
            info = unpack_wheel(cached.path, target, digests=digests)
            made = target.stat().st_ino
            archive = self.cache.persist_archive(cached.sha256, target, digests)  # renames it
        except BaseException:
            remove_tree(target)  # whatever is left of it; absent is fine
            raise
        try:
            ours = archive.stat().st_ino == made
        except OSError:
            ours = False
        return archive, unpacked_tree(info, digests) if ours else None

    def prepare_one(self, pin: PinnedDist) -> PreparedDist:
        """``pin`` made ready on this thread: fetched, then unpacked if that is still needed."""
        fetched = self._fetch(pin)
        return fetched if isinstance(fetched, PreparedDist) else self._finish(fetched)

    def _fetch(self, pin: PinnedDist) -> PreparedDist | _ToUnpack:
        """Everything up to unpacking: a cache hit, a build, or a wheel in ``files-v1`` that
        still has to be unpacked (which :meth:`_finish` does, on an unpacking thread)."""
        file = pin.file
        if file is None:
            if pin.direct_url is not None and pin.direct_url.startswith("git+"):
                from ferry.dist.git_build import prepare_git

                return prepare_git(self, pin)
            if pin.direct_url is None or not pin.direct_url.startswith("file:"):
                raise UserError(f"No file to install for `{pin}`")
            return self._build(pin, Path(unquote(urlsplit(pin.direct_url).path)), None)
        if not file.is_wheel:
            had = file.sha256 is not None and self.cache.find_file(file.sha256) is not None
            cached = self.downloader.download(file)
            return self._build(pin, cached.path, cached.sha256, 0 if had else cached.size)
        if any(name != "sha256" for name, _ in file.hashes.items):
            # The cache is keyed by sha256 only; other digests the user gave must be checked
            # against the stored file itself, cached or not (RELIABILITY C3).
            cached = self.downloader.download(file)
            _check_other_digests(file, cached.path)
        archive = self._cached_archive(file)
        if archive is not None:
            return PreparedDist(pin, archive, True, 0)
        had_file = file.sha256 is not None and self.cache.find_file(file.sha256) is not None
        if not had_file:
            logger.debug("Downloading %s: not in the cache (%s)", file.filename, redact(file.url))
        return _ToUnpack(pin, self.downloader.download(file), had_file)

    def _finish(self, job: _ToUnpack) -> PreparedDist:
        cached = job.cached
        archive = self.cache.find_archive(cached.sha256)  # another process may have been first
        tree = None
        if archive is None:
            archive, tree = self._unpack(cached)
        if job.had_file:
            return PreparedDist(job.pin, archive, True, 0, tree=tree)
        return PreparedDist(job.pin, archive, False, cached.size, tree=tree)

    def _already_unpacked(self, pin: PinnedDist) -> PreparedDist | None:
        """``pin`` answered from the cache alone, or None when it needs the full path (a
        download, a build, a digest other than sha256 to check against the stored file)."""
        file = pin.file
        if file is None or not file.is_wheel:
            return None
        if any(name != "sha256" for name, _ in file.hashes.items):
            return None
        archive = self._cached_archive(file)
        return None if archive is None else PreparedDist(pin, archive, True, 0)

    def prepare(
        self,
        pins: Sequence[PinnedDist],
        on_done: Callable[[PreparedDist], None] | None = None,
    ) -> tuple[list[PreparedDist], PrepareStats]:
        """Prepare every pin; results in pin order.

        ``on_done`` is called on this thread with each distribution as soon as it is ready (in
        the order they become ready), so a caller can install one while others still download.
        After the first failure (of a pin, or raised by ``on_done``) nothing new is started, the
        work in progress is let finish (it only ever publishes complete cache entries) and the
        failure is raised; an interrupt (``KeyboardInterrupt``) is raised at once, without
        waiting for downloads that may be stalled.

        Wheels already unpacked in the cache are answered first, on this thread (a manifest read
        and an lstat per file); only the rest go to the thread pools, which a warm install then
        never starts: 16 threads to look up 62 cache entries cost more in GIL hand-offs than the
        lookups themselves (web workload: ~60 ms of wall time for ~40 ms of CPU).
        """
        stats = PrepareStats()
        done: dict[int, PreparedDist] = {}
        hits: list[PreparedDist] = []
        pending: list[tuple[int, PinnedDist]] = []
        for index, pin in enumerate(pins):
            try:
                hit = self._already_unpacked(pin)
            except Exception:  # the full path below meets the same problem and reports it
                logger.debug("cache lookup of %s failed; taking the full path", pin, exc_info=True)
                hit = None
            if hit is None:
                pending.append((index, pin))
                continue
            done[index] = hit
            stats.add(hit)
            hits.append(hit)
        if not pending:
            for hit in hits:
                if on_done is not None:
                    on_done(hit)
        else:
            # the downloads start first; the hits are handed over while they run
            _Run(self, pending, done, stats, on_done).run(hits)
        return [done[index] for index in sorted(done)], stats


@immutable
class _ToUnpack:
    """A wheel in ``files-v1`` whose archive is still to be made."""

    pin: PinnedDist
    cached: CachedFile
    had_file: bool  # it was in the cache before this command: counted as from the cache


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


class _Run:
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
        downloads = ThreadPoolExecutor(
            max_workers=min(self.preparer.concurrency, count), thread_name_prefix="ferry-prepare"
        )
        unpacking = ThreadPoolExecutor(max_workers=unpackers, thread_name_prefix="ferry-unpack")
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
