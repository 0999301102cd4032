"""The real :class:`PackageSource`: the index client, memoised, with metadata prefetching.

Resolution is dominated by waiting: one index page and one metadata file per package, each a
round trip. The resolver tells this source which projects it will need next (``prefetch``) and
this source fetches their pages, then the metadata of the file the resolver will most likely
pick, on a thread pool, so that by the time the resolver asks, the answer is usually there.
Results (and failures) are memoised per project and per file: every question is asked of the
network once, whichever thread asks first; a failure is not kept, so a prefetch that failed is
simply asked again when the resolver really needs the answer.

Source distributions need a PEP 517 build to reveal their metadata; that is the dist layer's
job, so the integrator passes a ``metadata`` callable that builds when needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, TypeVar

from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import FerryError, OfflineError, UserError
from ferry.model.index_distance import index_is_far
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.thread_pool import Future, ThreadPool
from ferry.model.url import redact
from ferry.resolve.source import CoreMetadata, DirectDist, FilePicker

logger = get_logger(__name__)

T = TypeVar("T")

NEAR_WORKERS = 2
"""Prefetch threads while no connection has shown the index to be far away."""


class IndexLike(Protocol):
    """What this source needs of :class:`ferry.index.client.IndexClient` (thread-safe)."""

    def project_files(self, name: str) -> list[FileRef]: ...

    def fetch_metadata(self, file: FileRef) -> bytes: ...


_UNKNOWN: Any = object()
MetadataFn = Callable[[FileRef], "bytes | CoreMetadata"]
DirectFn = Callable[[NormalizedName, str], DirectDist]


class IndexSource:
    """A thread-safe, memoising :class:`~ferry.resolve.source.PackageSource` over an index.

    ``metadata`` defaults to ``client.fetch_metadata`` (wheels only); ``direct`` reads direct
    references (``name @ url``, local paths) and is required only if there are any.
    ``locations`` are the index URLs and find-links, shown (redacted) in "not found" errors.
    With ``max_workers=0`` and no ``executor``, prefetching is off and everything is sequential.
    """

    def __init__(
        self,
        client: IndexLike,
        *,
        metadata: MetadataFn | None = None,
        direct: DirectFn | None = None,
        locations: Sequence[str] = (),
        executor: ThreadPool | None = None,
        max_workers: int = 8,
    ) -> None:
        self.client = client
        self._metadata_fn: MetadataFn = metadata or client.fetch_metadata
        self._direct_fn = direct
        self._locations = [redact(u) for u in locations]
        self._own_executor = executor is None and max_workers > 0
        # Narrow until a connection shows the index is far (model.index_distance): near or
        # cached, the work is CPU under the GIL and more threads only cost more of it.
        self._executor = executor or (
            ThreadPool(min(max_workers, NEAR_WORKERS), thread_name_prefix="ferry-prefetch")
            if max_workers > 0 else None
        )
        self._max_workers = max_workers
        self._wide = not self._own_executor or max_workers <= NEAR_WORKERS
        self._lock = threading.Lock()
        self._files: dict[Hashable, Future[Sequence[FileRef]]] = {}
        self._meta: dict[Hashable, Future[CoreMetadata]] = {}
        # Answers already computed, read without a lock: the resolver asks the same files and
        # metadata ~1000 times in a lock, and a Future's result() takes two locks each time.
        self._ready: dict[tuple[int, Hashable], Any] = {}
        self._prefetched: set[NormalizedName] = set()
        self._by_version: dict[NormalizedName, dict[Version, list[FileRef]]] = {}
        self._closed = False

    # --- PackageSource ---------------------------------------------------------------------

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        return self._memo(self._files, name, lambda: tuple(self.client.project_files(name)))

    def metadata(self, file: FileRef) -> CoreMetadata:
        return self._memo(self._meta, (file.filename, file.url), lambda: self._load(file))

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        if self._direct_fn is None:
            raise UserError(f"`{name} @ {redact(url)}` is a direct reference, which this "
                            "command cannot read")
        return self._direct_fn(name, url)

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        if self._executor is None or name in self._prefetched or name in self._files:
            return  # asked ~500 times a lock, mostly again: answered before taking the lock
        self._widen_if_far()
        with self._lock:
            if self._closed or name in self._files or name in self._prefetched:
                return
            self._prefetched.add(name)
            try:
                self._executor.submit(self._warm, name, pick)
            except RuntimeError:  # the pool is shutting down: the resolver will ask itself
                logger.debug("prefetch of %s skipped: the pool is closed", name)

    def locations(self) -> Sequence[str]:
        return list(self._locations)

    # --- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop prefetching; work already running finishes, queued work is dropped."""
        with self._lock:
            self._closed = True  # follow-ups still running must not queue more work
        if self._own_executor and self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> IndexSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- internals -------------------------------------------------------------------------

    def _widen_if_far(self) -> None:
        """Up to ``max_workers`` threads once the index shows it is far (asked before each
        prefetch and after each page a prefetch read: the work may all be queued already)."""
        if self._wide or not index_is_far() or self._executor is None:
            return
        self._wide = True
        logger.debug("The index is far away: prefetching on up to %d threads",
                     self._max_workers)
        self._executor.widen(self._max_workers)

    def _warm(self, name: NormalizedName, pick: FilePicker) -> None:
        try:
            files = self.files(name)
            self._widen_if_far()
            file = pick(files)
            if file is not None:
                logger.debug("prefetching metadata of %s", file.filename)
                meta = self.metadata(file)
                # A picker may ask to go on with the file's dependencies (the engine's does).
                follow: Callable[[CoreMetadata], None] | None = getattr(pick, "follow", None)
                if follow is not None and not self._closed:
                    follow(meta)
        except Exception as exc:  # not memoised: asked again if the resolver needs it
            logger.debug("prefetch for %s failed (%s); it will be retried on demand", name, exc)

    def _load(self, file: FileRef) -> CoreMetadata:
        try:
            data = self._metadata_fn(file)
        except OfflineError as missing:
            data = self._from_sibling(file, missing)
        if isinstance(data, CoreMetadata):
            return data
        return CoreMetadata.from_bytes(data, origin=file.filename)

    def _from_sibling(self, file: FileRef, missing: OfflineError) -> bytes | CoreMetadata:
        """Under ``--offline``, the metadata of another file of the same version that the cache
        can answer for; else ``missing`` is raised again.

        Every file of one version carries the same metadata (the universal builder reads an
        sdist-only version's from a wheel for other Pythons on the same ground), but the file
        the resolver chose need not be the one the cache holds: ``pip install`` cached the
        ``cp312`` Linux wheel, a lock asks for the first wheel by name. Only files of the
        project's page already read are tried, wheels first (an sdist may need a build)."""
        parsed = parse_filename(file.filename)
        if parsed is None:
            raise missing
        try:
            siblings = self._versions_of(parsed.name).get(parsed.version, [])
        except FerryError:
            raise missing from None
        for sibling in sorted(siblings, key=lambda f: not f.is_wheel):
            if sibling.filename == file.filename:
                continue
            try:
                data = self._metadata_fn(sibling)
            except OfflineError:
                continue
            logger.debug("Metadata of %s: read from %s, which the cache holds (--offline)",
                         file.filename, sibling.filename)
            return data
        raise missing

    def _versions_of(self, name: NormalizedName) -> dict[Version, list[FileRef]]:
        """``name``'s files by version (built once: big projects list thousands)."""
        known = self._by_version.get(name)
        if known is None:
            known = {}
            for file in self.files(name):
                parsed = parse_filename(file.filename)
                if parsed is not None and parsed.name == name:
                    known.setdefault(parsed.version, []).append(file)
            self._by_version[name] = known  # a race only builds it twice
        return known

    def _memo(
        self, table: dict[Hashable, Future[T]], key: Hashable, compute: Callable[[], T]
    ) -> T:
        ready_key = (id(table), key)
        known = self._ready.get(ready_key, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[no-any-return]
        with self._lock:
            future = table.get(key)
            owner = future is None
            if future is None:
                future = table[key] = Future()
        if owner:
            try:
                value = compute()
            except BaseException as exc:
                # Waiters see this failure; the next question asks again (a prefetch may have
                # failed on a transient error that the resolver's own request survives).
                with self._lock:
                    table.pop(key, None)
                future.set_exception(exc)
            else:  # not in the ``try``: a Ctrl-C after set_result must not set an exception
                self._ready[ready_key] = value
                future.set_result(value)
        return future.result()
