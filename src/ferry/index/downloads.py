"""Downloads into the cache, with cache hits first and counters for the summary line.

A file is looked up in the cache before any request: by the sha256 the index declared, else by
its URL (``urls-v1``, for indexes that publish no hashes; never for ``file://`` URLs, whose file
may be rebuilt under the same name, so a local file without a hash is always read again). A miss
streams the file through the cache's ``store_file``, which hashes while writing and keeps nothing
when the declared hash or size is wrong (RELIABILITY C1, C5, C6); only then are the name and URL
recorded. ``-v`` says which way each file went and why.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from ferry.cache.files import CachedFile
from ferry.index.http import HttpClient, StreamedResponse
from ferry.index.local import is_file_url
from ferry.index.protocols import CacheLike
from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import HashMismatchError, OfflineError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.refresh import NO_REFRESH, Refresh
from ferry.model.url import redact, strip_credentials

logger = get_logger(__name__)


@immutable
class DownloadStats:
    """What :meth:`Downloader.download` did so far: for "Prepared N (K from cache, M downloaded,
    X MiB)"."""

    from_cache: int = 0
    downloaded: int = 0
    bytes_downloaded: int = 0


class Downloader:
    """Thread-safe; the counters are updated under a lock."""

    def __init__(
        self,
        http: HttpClient,
        cache: CacheLike,
        *,
        offline: bool = False,
        refresh: Refresh = NO_REFRESH,
    ) -> None:
        self.http = http
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self._checked: set[str] = set()  # sha256 or URL refreshed by this command already
        self._lock = threading.Lock()
        self._from_cache = 0
        self._downloaded = 0
        self._bytes = 0

    @property
    def stats(self) -> DownloadStats:
        with self._lock:
            return DownloadStats(self._from_cache, self._downloaded, self._bytes)

    def find_cached(self, file: FileRef) -> CachedFile | None:
        """The cached copy of ``file``, without any request: by declared sha256, else by URL."""
        sha256 = file.sha256
        how = "sha256"
        refreshing = self._refreshing(file)
        if sha256 is None and not is_file_url(file.url):
            if refreshing and strip_credentials(file.url) not in self._checked:
                # no hash to check the cached copy against: what the URL serves now counts
                logger.debug(
                    "Not using the cached copy of %s: %s, and the index gives no hash",
                    file.filename,
                    self.refresh.reason(),
                )
                return None
            sha256 = self.cache.sha_for_url(strip_credentials(file.url))
            how = "url"
        if sha256 is None:
            return None
        path = self.cache.find_file(sha256, file.filename)
        if path is None:
            return None
        if refreshing and not self._revalidated(path, sha256):
            return None
        logger.debug("cache hit: %s (by %s)", file.filename, how)
        return CachedFile(path, sha256, _size(path))

    def download(self, file: FileRef) -> CachedFile:
        """``file`` in the cache: found there, or downloaded, verified and stored."""
        cached = self.find_cached(file)
        if cached is not None:
            with self._lock:
                self._from_cache += 1
            return cached
        why = (
            "no hash from the index, not seen at this URL"
            if file.sha256 is None
            else (f"sha256 {file.sha256[:12]}… not in cache")
        )
        if self.offline and not is_file_url(file.url):
            raise OfflineError(
                f"`{file.filename}` is not in the cache ({redact(file.url)})",
                hint="run again without `--offline` to download it",
            )
        logger.debug("Downloading %s from %s: %s", file.filename, redact(file.url), why)
        received = [0]

        def consume(response: StreamedResponse) -> CachedFile:
            received[0] = 0

            def counted() -> Iterator[bytes]:
                for chunk in response.chunks:
                    received[0] += len(chunk)
                    yield chunk

            return self.cache.store_file(
                file.filename,
                counted(),
                expected=file.hashes or None,
                expected_size=file.size,
            )

        try:
            stored = self.http.stream(file.url, consume)
        except HashMismatchError as error:
            if error.hint is None:
                error.hint = _mismatch_hint(file)
            raise
        with self._lock:
            self._downloaded += 1
            self._bytes += received[0]
            self._checked.update((stored.sha256, strip_credentials(file.url)))
        self._record(file, stored)
        return stored

    def _refreshing(self, file: FileRef) -> bool:
        if not self.refresh:
            return False
        parsed = parse_filename(file.filename)
        return self.refresh.covers(None if parsed is None else str(parsed.name))

    def _revalidated(self, path: Path, sha256: str) -> bool:
        """Under ``--refresh``: hash the stored file once per command; a damaged one is removed
        so that it is downloaded again."""
        with self._lock:
            if sha256 in self._checked:
                return True
        from ferry.cache.refresh import revalidate_file

        intact = revalidate_file(path, sha256, self.refresh.reason())
        if intact:
            with self._lock:
                self._checked.add(sha256)
        return intact

    def _record(self, file: FileRef, stored: CachedFile) -> None:
        url = strip_credentials(file.url)
        if is_file_url(url):
            # A local file can be rebuilt under the same name: never trust url → sha for it.
            return
        parsed = parse_filename(file.filename)
        if parsed is not None:
            self.cache.record_name(
                str(parsed.name), str(parsed.version), file.filename, stored.sha256, url
            )
        self.cache.record_url(url, stored.sha256)


def _mismatch_hint(file: FileRef) -> str:
    """Where the expected digest came from, and what to do (RELIABILITY C1: a derivation hint)."""
    if file.from_lock:
        origin = "the lockfile that pins it (recorded when it was locked)"
    elif file.index_url:
        origin = f"the index page that lists it ({redact(file.index_url)})"
    else:
        origin = "the lockfile or requirements file that pins it"
    return (
        f"the expected hash and size come from {origin}; the bytes served by "
        f"{redact(file.url)} differ: the file was changed, or corrupted in transit. Nothing was "
        "cached or installed; if the new file is legitimate, update the pinned hash"
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
