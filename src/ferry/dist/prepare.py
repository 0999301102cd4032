"""Make pinned distributions ready to link: in the cache, hashed, unpacked once.

Every command that installs goes through :class:`Preparer`, so a wheel downloaded by
``pip install`` is the same cache entry ``sync`` finds later (seed report uv#16786): entries are
keyed by the file's sha256, which is always computed while the file streams to disk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from ferry.cache.archives_placement import spread_children
from ferry.cache.store import Cache, CachedFile
from ferry.fs.atomic import remove_tree
from ferry.model.dist import FileRef, PinnedDist
from ferry.model.errors import UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.url import redact
from ferry.python.interpreter import Interpreter
from ferry.wheel._digests import UnpackedTree, unpacked_tree

logger = get_logger(__name__)


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
    listing: Mapping[str, Any] | None = None
    """The archive's manifest files as the cache's lookup checked them (a warm hit): the
    installer describes the tree from them instead of walking it."""
    reread: bool = False
    """Its file was read by this command a second time (see :func:`read_again`)."""


@mutable
class PrepareStats:
    """The counts of ``Prepared N packages in T (B built, K from cache, M downloaded, +F other
    files downloaded, X MiB; cache: DIR)``.

    Each of the N distributions is in exactly one bucket: a wheel built by this command, a
    wheel the cache held (downloaded or built by an earlier command), or a wheel downloaded now.
    ``other_files`` are the rest of what this command downloaded: sdists it fetched (to build
    them or read their metadata) and the build requirements of isolated build environments.
    ``downloaded_bytes`` is everything this command downloaded. Seed uv#13727: a cache mount
    that does not work must show in this line, for sdist-only packages and for a project's own
    build requirements too (:func:`settle_downloads`).
    """

    from_cache: int = 0
    downloaded: int = 0
    downloaded_bytes: int = 0
    built: int = 0
    other_files: int = 0
    rereads: int = 0
    """Files the client read twice (:func:`read_again`); its counters hold both reads."""
    reread_bytes: int = 0

    def add(self, prepared: PreparedDist) -> None:
        """Each distribution in exactly one bucket, so the buckets add up to N."""
        if prepared.built:
            self.built += 1
        elif prepared.from_cache:
            self.from_cache += 1
        else:
            self.downloaded += 1
        self.downloaded_bytes += prepared.downloaded_bytes
        if prepared.reread:
            self.rereads += 1
            self.reread_bytes += prepared.downloaded_bytes


def read_again(pin: PinnedDist) -> bool:
    """Whether preparing ``pin`` reads a file this command has read already: a direct
    reference to a local archive with no hash. Resolution read it whole for its metadata, and
    the client reads a hashless local file again every time (it may have been rebuilt under the
    same name), so the client's counters hold it twice; the ``Prepared`` line counts it once."""
    file = pin.file
    return (
        file is not None
        and file.sha256 is None
        and file.url.startswith("file:")
        and pin.direct_url is not None
        and pin.direct_url.startswith("file:")
    )


def command_downloads(downloader: object, builder: object) -> tuple[int, int] | None:
    """Files and bytes this command downloaded so far: through ``downloader`` (an index
    client, whose ``stats`` count every file it fetched, sdists read for their metadata
    included) and into ``builder``'s isolated build environments (its
    ``command_downloads()``); ``None`` when neither keeps count (test doubles)."""
    files = size = 0
    counted = False
    # Looked up on the classes: a lazy builder answers unknown names by making the real one.
    if hasattr(type(downloader), "stats"):
        stats = getattr(downloader, "stats")  # noqa: B009 (a property, found on the class)
        counted = True
        if stats is not None:  # None: a deferred client never made, so nothing fetched
            files += int(stats.downloaded)
            size += int(stats.bytes_downloaded)
    if hasattr(type(builder), "command_downloads"):
        more_files, more_bytes = getattr(builder, "command_downloads")()  # noqa: B009
        counted = True
        files += more_files
        size += more_bytes
    return (files, size) if counted else None


def settle_downloads(stats: PrepareStats, downloader: object, builder: object) -> PrepareStats:
    """Make ``stats`` tell everything this command downloaded (see :func:`command_downloads`).

    The buckets stay per distribution; what was fetched besides the wheels counted as
    ``downloaded`` (sdists, build requirements, a wheel read whole for its metadata) becomes
    ``other_files``, and the bytes become the command's total; a local file read twice counts
    once. Idempotent."""
    totals = command_downloads(downloader, builder)
    if totals is not None:
        files, size = totals
        stats.other_files = max(0, files - stats.rereads - stats.downloaded)
        stats.downloaded_bytes = max(stats.downloaded_bytes, size - stats.reread_bytes)
    return stats


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

    def _cached_archive(self, file: FileRef) -> tuple[Path, Mapping[str, Any]] | None:
        """The unpacked archive of ``file`` in the cache, with its manifest's files."""
        sha = file.sha256 or self.cache.sha_for_url(file.url)
        if sha is None:
            return None
        found = self.cache.find_archive_listed(sha)
        if found is not None:
            logger.debug("Found %s in the cache (sha256 %s…)", file.filename, sha[:12])
        return found

    def _build(
        self,
        pin: PinnedDist,
        source: Path,
        sha256: str | None,
        downloaded: int = 0,
        *,
        reread: bool = False,
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
        # A wheel an earlier command built (``built-v1``) is a cache hit, not a build (s8 F11);
        # a builder that cannot tell is taken at its word that it built.
        built_now = getattr(self.builder, "built_now", None)
        fresh = True if built_now is None else bool(built_now(wheel))
        if not fresh:
            logger.debug("%s: the wheel built by an earlier command is reused", pin)
        return PreparedDist(pin, archive, not fresh, downloaded, built=fresh, reread=reread)

    def _has_file(self, file: FileRef) -> bool:
        """Whether the cache holds ``file`` already (found by its declared sha256)."""
        return file.sha256 is not None and self.cache.find_file(file.sha256) is not None

    def _unpack(self, cached: CachedFile) -> tuple[Path, UnpackedTree | None]:
        """Unpack ``cached`` straight into a fresh directory under the cache's ``.tmp`` and
        persist that directory itself: no work directory around it to remove afterwards (an
        ``rmdir`` per wheel, slow on a busy ext4). Returns the entry and, when the entry is the
        tree this call wrote (not another process's copy that arrived first), its description."""
        from ferry.wheel.unpack import unpack_wheel  # here: zipfile and shutil, for a cold unpack

        spread_children(self.cache.tmp_root)  # each wheel's tree in its own place (see there)
        target = self.cache.make_temp_dir("unpack-", private=False)  # the entry's own mode
        digests: dict[str, tuple[int, str]] = {}
        try:
            # spread: the tree's directories placed apart (see ``unpack_wheel``)
            info = unpack_wheel(cached.path, target, digests=digests, spread=True)
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
            had = self._has_file(file)
            cached = self.downloader.download(file)
            return self._build(pin, cached.path, cached.sha256, 0 if had else cached.size,
                               reread=read_again(pin))
        had_file: bool | None = None
        if any(name != "sha256" for name, _ in file.hashes.items):
            # The cache is keyed by sha256 only; other digests the user gave must be checked
            # against the stored file itself, cached or not (RELIABILITY C3).
            had_file = self._has_file(file)  # before the download below puts it there
            cached = self.downloader.download(file)
            _check_other_digests(file, cached.path)
        found = self._cached_archive(file)
        if found is not None:
            return PreparedDist(pin, found[0], True, 0, listing=found[1])
        if had_file is None:
            had_file = self._has_file(file)
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
        return PreparedDist(job.pin, archive, False, cached.size, tree=tree,
                            reread=read_again(job.pin))

    def _already_unpacked(self, pin: PinnedDist) -> PreparedDist | None:
        """``pin`` answered from the cache alone, or None when it needs the full path (a
        download, a build, a digest other than sha256 to check against the stored file)."""
        file = pin.file
        if file is None or not file.is_wheel:
            return None
        if any(name != "sha256" for name, _ in file.hashes.items):
            return None
        found = self._cached_archive(file)
        return None if found is None else PreparedDist(pin, found[0], True, 0, listing=found[1])

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
            from ferry.dist.prepare_pool import PendingRun

            PendingRun(self, pending, done, stats, on_done).run(hits)
        settle_downloads(stats, self.downloader, self.builder)
        return [done[index] for index in sorted(done)], stats


@immutable
class _ToUnpack:
    """A wheel in ``files-v1`` whose archive is still to be made."""

    pin: PinnedDist
    cached: CachedFile
    had_file: bool  # it was in the cache before this command: counted as from the cache
