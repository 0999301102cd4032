"""Project pages: content negotiation, parsing by Content-Type, and the ``index-v1`` page cache.

Negotiation: JSON is asked for first, HTML accepted; what comes back is parsed according to the
response's ``Content-Type``, never according to what was asked (the mirror ferry is measured
against answers HTML to a JSON request).

Caching: each page is stored, parsed (compact rows, :mod:`ferry.index.page_rows`), in the cache's
``index-v1`` bucket (project pages under ``<index-id>/<project>`` so that ``ferry cache clean
<project>`` finds them) with its validators (ETag, Last-Modified), the digest of the body it was
parsed from, and fetch time. Within one process a page is fetched at most once (an in-memory
memo, so a resolver thread pool asking for the same project waits for the first fetch). Across
processes a page the server declared fresh (``Cache-Control: max-age``, as the Python Package
Index sends for ten minutes) is used without any request until that time has passed, as uv and pip
do; after that, or without a max-age, the cached page is revalidated with ``If-None-Match`` /
``If-Modified-Since`` (a 304 reuses it and restarts its freshness); a server that sends no
validators gets a plain GET, which refetches — and when the body is byte for byte the one already
parsed, the cached rows are used as they are (no parse, and no rewrite unless there is a new
freshness to record). ``--refresh`` asks the server whatever the max-age said.
``--prefer-offline`` uses a cached page without any request; ``--offline`` too, and a page that
was never cached is then an :class:`OfflineError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from ferry.index.http import HttpClient, Response, status_error
from ferry.index.local import is_file_url
from ferry.index.page_rows import body_digest, files_from_rows, rows_from_files
from ferry.index.parse_json import JSON_CONTENT_TYPE, parse_json
from ferry.index.protocols import JsonStore
from ferry.model.dist import FileRef, Hashes
from ferry.model.errors import OfflineError, ParseError
from ferry.model.log import get_logger
from ferry.model.url import redact, strip_credentials

logger = get_logger(__name__)

INDEX_BUCKET = "index"  # the cache maps it to its versioned directory, index-v1/
ACCEPT = f"{JSON_CONTENT_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
_HTML_TYPES = ("text/html", "application/vnd.pypi.simple.v1+html", "application/xhtml+xml")
_JSON_TYPES = (JSON_CONTENT_TYPE, "application/vnd.pypi.simple.latest+json", "application/json")
_NOT_FOUND = (404, 410)


def parse_page(
    content: bytes, content_type: str | None, page_url: str, index_url: str | None = None
) -> list[FileRef]:
    """Parse ``content`` as the Content-Type says: PEP 691 JSON or PEP 503 HTML."""
    mime, _, params = (content_type or "").partition(";")
    mime = mime.strip().lower()
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    if mime in _JSON_TYPES:
        return parse_json(content, page_url, index_url=index_url)
    if mime in _HTML_TYPES:
        # imported here: html.parser and the entity table cost ~4 ms, and a warm lock
        # revalidates its pages (304) or reads their cached rows without parsing any HTML
        from ferry.index.parse_html import parse_html

        return parse_html(content, page_url, charset=charset, index_url=index_url)
    raise ParseError(
        f"The index page `{redact(page_url)}` has an unexpected Content-Type "
        f"`{content_type or '(none)'}`",
        path=redact(page_url),
        hint="an index must serve PEP 691 JSON or PEP 503 HTML",
    )


def file_to_json(ref: FileRef) -> dict[str, Any]:
    return {
        "filename": ref.filename,
        "url": ref.url,
        "hashes": ref.hashes.as_dict(),
        "requires_python": ref.requires_python,
        "yanked": ref.yanked,
        "upload_time": ref.upload_time,
        "size": ref.size,
        "metadata": None if ref.metadata is None else ref.metadata.as_dict(),
    }


def file_from_json(data: Mapping[str, Any], index_url: str | None) -> FileRef:
    metadata = data.get("metadata")
    return FileRef(
        filename=data["filename"],
        url=data["url"],
        hashes=Hashes.from_mapping(data.get("hashes")),
        requires_python=data.get("requires_python"),
        yanked=data.get("yanked"),
        upload_time=data.get("upload_time"),
        size=data.get("size"),
        metadata=None if metadata is None else Hashes.from_mapping(metadata),
        index_url=index_url,
    )


class PageFetcher:
    """Thread-safe: one fetch per page per process, however many threads ask."""

    def __init__(
        self, http: HttpClient, cache: JsonStore, *, offline: bool, prefer_offline: bool
    ) -> None:
        self.http = http
        self.cache = cache
        self.offline = offline
        self.prefer_offline = prefer_offline
        self._memo: dict[str, list[FileRef] | None] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def fetch(
        self,
        page_url: str,
        index_url: str | None = None,
        cache_key: str | None = None,
        *,
        revalidate: bool = False,
    ) -> list[FileRef] | None:
        """The files of ``page_url``; ``None`` when the index does not know it (404/410).

        ``cache_key`` names the page in ``index-v1`` (default: the URL without credentials).
        ``revalidate`` (``--refresh``) asks the server even under ``--prefer-offline``.
        """
        key = cache_key or strip_credentials(page_url)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._memo:
                return self._memo[key]
            result = self._fetch(page_url, key, index_url, revalidate)
            self._memo[key] = result
            return result

    def _fetch(
        self, page_url: str, key: str, index_url: str | None, revalidate: bool = False
    ) -> list[FileRef] | None:
        if is_file_url(page_url):
            response = self.http.get(page_url, headers={"Accept": ACCEPT})
            return self._interpret(response, page_url, index_url)
        cached, cached_files = self._read_cached(key, page_url, index_url, revalidate)
        if cached is not None and (self.offline or (self.prefer_offline and not revalidate)):
            why = "--offline" if self.offline else "--prefer-offline"
            logger.debug("Using the cached index page %s (%s)", redact(page_url), why)
            return cached_files
        if cached is not None and not revalidate and (left := fresh_for(cached)) > 0:
            logger.debug("Using the cached index page %s: fresh for another %ds (the server's "
                         "Cache-Control max-age)", redact(page_url), left)
            return cached_files
        if self.offline:
            raise OfflineError(
                f"The index page `{redact(page_url)}` is not in the cache",
                hint="run once without `--offline` so the cache holds it",
            )
        headers = {"Accept": ACCEPT}
        if cached is not None and cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached is not None and cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]
        if cached is None:
            logger.debug("Fetching %s: not in the cache", redact(page_url))
        elif len(headers) == 1:
            logger.debug("Fetching %s again: the cached copy has no validators", redact(page_url))
        else:
            why = ": refresh requested" if revalidate else ""
            logger.debug("Revalidating the cached index page %s%s", redact(page_url), why)
        response = self.http.get(page_url, headers=headers)
        if response.status == 304 and cached is not None:
            if cached_files is None and cached["status"] == 200:  # a 304 nobody asked for
                cached_files = self._try_cached(cached, index_url)
            if cached_files is not None or cached["status"] != 200:
                logger.debug("%s is unchanged (304): using the cached copy", redact(page_url))
                self._restart_freshness(key, cached, response)
                return cached_files
        digest = None
        if response.status == 200:
            digest = body_digest(response.url, response.header("content-type"), response.content)
            same = self._same_body(cached, digest, index_url)
            if same is not None and cached is not None:
                logger.debug("%s is unchanged (same bytes): using the cached copy",
                             redact(page_url))
                self._restart_freshness(key, cached, response)
                return same
        files = self._interpret(response, page_url, index_url)
        self._write(
            key,
            {
                "url": response.url,
                "status": 404 if files is None else 200,
                "etag": response.header("etag"),
                "last_modified": response.header("last-modified"),
                "fetched_at": time.time(),
                "max_age": max_age(response),
                "digest": digest,
                "rows": rows_from_files(files or ()),
            },
        )
        return files

    @staticmethod
    def _interpret(
        response: Response, page_url: str, index_url: str | None
    ) -> list[FileRef] | None:
        if response.status in _NOT_FOUND:
            logger.debug("%s: HTTP %d, not on this index", redact(page_url), response.status)
            return None
        if response.status != 200:
            raise status_error(page_url, response.status)
        return parse_page(
            response.content, response.header("content-type"), response.url, index_url
        )

    def _read_cached(
        self, key: str, page_url: str, index_url: str | None, revalidate: bool
    ) -> tuple[dict[str, Any] | None, list[FileRef] | None]:
        """The cached entry and its files (``None`` for a cached 404); a damaged entry counts as
        absent, so it is fetched again and overwritten.

        The files are built only when they can be the answer before the server has sent a body
        (offline, ``--prefer-offline``, or a revalidation that may end in 304); otherwise they
        wait for :meth:`_same_body`."""
        value = self.cache.read_json(INDEX_BUCKET, key)
        if value is None:
            return None, None
        try:
            if value["status"] == 404:
                return value, None
            if value["status"] == 200:
                usable_early = (self.offline or (self.prefer_offline and not revalidate)
                                or value.get("etag") or value.get("last_modified")
                                or (not revalidate and fresh_for(value) > 0))
                return value, (self._cached_files(value, index_url) if usable_early else None)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
        logger.debug("Ignoring a damaged cache entry for %s", redact(page_url))
        return None, None

    @staticmethod
    def _cached_files(value: Mapping[str, Any], index_url: str | None) -> list[FileRef]:
        if "rows" in value:
            return files_from_rows(value["rows"], index_url)
        return [file_from_json(entry, index_url) for entry in value["files"]]  # older entries

    def _same_body(
        self, cached: Mapping[str, Any] | None, digest: str, index_url: str | None
    ) -> list[FileRef] | None:
        """The cached files when ``digest`` is the cached body's (else ``None``)."""
        if cached is None or cached.get("status") != 200 or cached.get("digest") != digest:
            return None
        return self._try_cached(cached, index_url)

    def _try_cached(self, cached: Mapping[str, Any], index_url: str | None) -> list[FileRef] | None:
        try:
            return self._cached_files(cached, index_url)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _restart_freshness(
        self, key: str, cached: Mapping[str, Any], response: Response
    ) -> None:
        """After a 304 or the same bytes again, the entry is rewritten only when the answer
        carries a max-age: its freshness starts anew from now. Without one, rewriting would only
        move a fetch time nobody reads."""
        lifetime = max_age(response)
        if lifetime is None and not cached.get("max_age"):
            return
        renewed = {**cached, "fetched_at": time.time(), "max_age": lifetime}
        for field, header in (("etag", "etag"), ("last_modified", "last-modified")):
            if response.header(header):
                renewed[field] = response.header(header)
        self._write(key, renewed)

    def _write(self, key: str, value: dict[str, Any]) -> None:
        self.cache.write_json(INDEX_BUCKET, key, value)


def max_age(response: Response) -> int | None:
    """How long the server says its answer stays fresh (``Cache-Control: max-age`` less the
    ``Age`` it already had); ``None`` when it says nothing, forbids reuse (``no-cache``,
    ``no-store``) or gives no positive time."""
    directives = [d.strip().lower() for d in (response.header("cache-control") or "").split(",")]
    if "no-cache" in directives or "no-store" in directives:
        return None
    for directive in directives:
        name, _, seconds = directive.partition("=")
        if name.strip() == "max-age":
            try:
                lifetime = int(seconds.strip().strip('"')) - int(response.header("age") or 0)
            except ValueError:
                return None
            return lifetime if lifetime > 0 else None
    return None


def fresh_for(entry: Mapping[str, Any]) -> float:
    """Seconds a cached page stays fresh (≤ 0: ask the server). A fetch time in the future
    (the clock went back) counts as stale."""
    lifetime, fetched_at = entry.get("max_age"), entry.get("fetched_at")
    if not isinstance(lifetime, int) or not isinstance(fetched_at, int | float):
        return 0.0
    age = time.time() - fetched_at
    return lifetime - age if age >= 0 else 0.0
