"""The index client: which files exist for a project, their metadata, and the files themselves.

``IndexClient`` is what the resolver's provider and the dist layer talk to. It composes the
pieces of this package: :class:`PageFetcher` (project pages, negotiated and cached),
:class:`FindLinks`, :class:`MetadataFetcher` (PEP 658 → range requests → whole wheel) and
:class:`Downloader` (cache first, then a verified download).

Index strategy (RELIABILITY D7): with ``first-index`` (the default, as uv) the first index that
knows a project is the only one consulted for it, so a public index cannot shadow a private
package by publishing a higher version (dependency confusion). ``unsafe-best-match`` merges every
index. ``unsafe-first-match`` (as uv) also lists every index's files, but the resolver tries the
versions index by index (:attr:`IndexConfig.first_match_order`): a later index's versions are
used only when no version of an earlier one fits. A 404/410 means "not on this index" and the
next is tried; 401/403 stops at once with a credentials hint (D6) — falling through on an auth
failure would reopen the confusion hole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ferry.cache.files import CachedFile
from ferry.index.cache_writes import CacheWrites
from ferry.index.default import env_find_links, index_urls
from ferry.index.downloads import Downloader, DownloadStats
from ferry.index.fields import parse_upload_time
from ferry.index.find_links import FindLinks
from ferry.index.http import HttpClient
from ferry.index.keyring import check_provider
from ferry.index.metadata import MetadataFetcher
from ferry.index.pages import PageFetcher
from ferry.index.protocols import CacheLike
from ferry.model.builtin_sha256 import sha256
from ferry.model.choices import INDEX_STRATEGIES, IndexStrategy
from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import UsageError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.refresh import NO_REFRESH, Refresh
from ferry.model.url import redact, strip_credentials

if TYPE_CHECKING:
    from datetime import datetime

logger = get_logger(__name__)

Strategy = IndexStrategy
STRATEGIES = INDEX_STRATEGIES

__all__ = ["DownloadStats", "IndexClient", "IndexConfig", "Strategy"]


@immutable
class IndexConfig:
    """Where to look and how. ``index_urls`` are in priority order: the extra indexes, then the
    default index last (as uv; see ``index.default.index_urls``). ``exclude_newer`` without a
    time zone is read as UTC."""

    index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    strategy: Strategy = "first-index"
    offline: bool = False
    prefer_offline: bool = False
    exclude_newer: datetime | None = None
    no_index: bool = False
    refresh: Refresh = NO_REFRESH
    keyring_provider: str = "disabled"

    def __post_init__(self) -> None:
        check_provider(self.keyring_provider)
        if self.strategy not in STRATEGIES:
            raise UsageError(
                f"Unknown index strategy `{self.strategy}`",
                hint=f"choose one of: {', '.join(STRATEGIES)}",
            )

    @classmethod
    def from_options(
        cls,
        *,
        index_url: str | None = None,
        extra_index_urls: Sequence[str] = (),
        find_links: Sequence[str] = (),
        no_index: bool = False,
        strategy: str = "first-index",
        offline: bool = False,
        prefer_offline: bool = False,
        exclude_newer: datetime | None = None,
        refresh: Refresh = NO_REFRESH,
        keyring_provider: str | None = None,
    ) -> IndexConfig:
        """Command-line values, completed from FERRY_INDEX_URL / FERRY_EXTRA_INDEX_URL /
        FERRY_FIND_LINKS and pip's default index."""
        if strategy not in STRATEGIES:
            raise UsageError(
                f"Unknown index strategy `{strategy}`",
                hint=f"choose one of: {', '.join(STRATEGIES)}",
            )
        return cls(
            index_urls=() if no_index else index_urls(index_url, extra_index_urls),
            find_links=tuple(find_links) or env_find_links(),
            strategy=strategy,  # type: ignore[arg-type]  # checked just above
            offline=offline,
            prefer_offline=prefer_offline,
            exclude_newer=exclude_newer,
            no_index=no_index,
            refresh=refresh,
            keyring_provider=check_provider(keyring_provider),
        )

    @property
    def first_match_order(self) -> tuple[str, ...]:
        """Under ``unsafe-first-match``, the indexes (as files name them) in the order the
        resolver tries their versions; empty for the other strategies, which need no order."""
        if self.strategy != "unsafe-first-match" or self.no_index:
            return ()
        return tuple(strip_credentials(url) for url in self.index_urls)


def project_page_url(index_url: str, name: NormalizedName) -> str:
    return f"{index_url.rstrip('/')}/{name}/"


def page_cache_key(index_url: str, name: NormalizedName) -> str:
    """``<host>-<digest of the index URL>/<project>``: readable, distinct per index, and ending in
    the project name so that ``ferry cache clean <project>`` can find the page."""
    return f"{_index_dir(index_url)}/{name}"


@cache
def _index_dir(index_url: str) -> str:
    """The index's directory of the page cache (a lock asks it once per page: memoized)."""
    clean = strip_credentials(index_url).rstrip("/")
    host = re.sub(r"[^A-Za-z0-9._+=-]", "-", urlsplit(clean).hostname or "local").strip("-.")
    digest = sha256(clean.encode("utf-8")).hexdigest()[:16]
    return f"{host[:100] or 'index'}-{digest}"


class IndexClient:
    """Thread-safe: the resolver and the preparer call it from thread pools."""

    def __init__(
        self, config: IndexConfig, cache: CacheLike, http: HttpClient | None = None
    ) -> None:
        self.config = config
        self.cache = cache
        self.http = (
            http
            if http is not None
            else HttpClient(offline=config.offline, keyring_provider=config.keyring_provider)
        )
        for url in (*config.index_urls, *config.find_links):
            self.http.remember_credentials(url)
        # page and metadata entries are written behind the answers (cache_writes.py)
        self.writes = CacheWrites.of(cache)
        self.pages = PageFetcher(
            self.http, self.writes, offline=config.offline, prefer_offline=config.prefer_offline
        )
        self.find_links = FindLinks(config.find_links, self.pages)
        self.downloader = Downloader(
            self.http, cache, offline=config.offline, refresh=config.refresh
        )
        self.metadata = MetadataFetcher(
            self.http,
            self.writes,
            self.downloader.download,
            self.downloader.find_cached,
            offline=config.offline,
            refresh=config.refresh,
        )

    # -- public API ---------------------------------------------------------------------------

    def project_files(self, name: str) -> list[FileRef]:
        """Every file offered for ``name``: from the indexes (per the strategy), then
        find-links; files uploaded at or after ``exclude_newer`` are left out."""
        project = canonicalize_name(name)
        files: list[FileRef] = []
        if not self.config.no_index:
            for index_url in self.config.index_urls:
                found = self.pages.fetch(
                    project_page_url(index_url, project),
                    strip_credentials(index_url),
                    page_cache_key(index_url, project),
                    revalidate=self.config.refresh.revalidates_page(project),
                )
                if found is None:
                    continue
                files.extend(self._of_project(found, project))
                if self.config.strategy == "first-index":
                    logger.debug(
                        "%s found on %s; later indexes are not consulted (first-index)",
                        project,
                        redact(index_url),
                    )
                    break
        files.extend(self.find_links.files_for(project))
        if not files:
            logger.debug("No files for %s on any index or find-links location", project)
        if self.config.exclude_newer is not None:
            files = self._not_newer(files, project, self.config.exclude_newer)
        return files

    def fetch_metadata(self, file: FileRef) -> bytes:
        """The core metadata (``METADATA``) of a wheel. Raises :class:`NeedsBuild` for sdists."""
        return self.metadata.fetch(file)

    def download(self, file: FileRef) -> CachedFile:
        """``file`` in the cache, verified against the index's hashes and size."""
        return self.downloader.download(file)

    @property
    def stats(self) -> DownloadStats:
        return self.downloader.stats

    def close(self) -> None:
        """Finish the cache writes (raising the first that failed) and close the connections."""
        try:
            self.writes.close()
        finally:
            self.http.close()

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # already failing: a cache write's failure must not hide that error
            self.close()
        except Exception as exc:
            logger.debug("closing the index client after an error: %s", exc)

    # -- internals ----------------------------------------------------------------------------

    @staticmethod
    def _of_project(files: list[FileRef], project: NormalizedName) -> list[FileRef]:
        kept = []
        for ref in files:
            parsed = parse_filename(ref.filename)
            if parsed is None or parsed.name != project:
                logger.debug("Ignoring %s on the page of %s", ref.filename, project)
                continue
            kept.append(ref)
        return kept

    def _not_newer(
        self, files: list[FileRef], project: NormalizedName, cutoff: datetime
    ) -> list[FileRef]:
        if cutoff.tzinfo is None:
            from datetime import UTC

            cutoff = cutoff.replace(tzinfo=UTC)
        kept = []
        undated = 0
        index_keys = {strip_credentials(url) for url in self.config.index_urls}
        for ref in files:
            if ref.upload_time is None:
                undated += ref.index_url in index_keys
                kept.append(ref)
            elif parse_upload_time(ref.upload_time) >= cutoff:
                logger.debug(
                    "Excluding %s: uploaded %s, not before --exclude-newer %s",
                    ref.filename,
                    ref.upload_time,
                    cutoff.isoformat(),
                )
            else:
                kept.append(ref)
        if undated:
            # As uv: keep them, but say so, since --exclude-newer cannot hold for them.
            logger.warning(
                "%d file(s) of %s have no upload time; --exclude-newer cannot apply to them",
                undated,
                project,
            )
        return kept
