"""The seams of the index layer: what it needs from the cache.

``ferry.cache.store.Cache`` satisfies :class:`CacheLike`; tests pass an in-memory fake. Keeping
the dependency this narrow documents exactly which cache operations the index layer relies on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from ferry.cache.files import CachedFile
from ferry.model.dist import Hashes


class JsonStore(Protocol):
    """The JSON entries alone: what the page and metadata fetchers use (``CacheLike`` has them,
    and so has ``cache_writes.CacheWrites``, which writes them behind the answers)."""

    def read_json(self, bucket: str, key: str, /) -> Any: ...

    def write_json(self, bucket: str, key: str, value: Any, /) -> None: ...


class CacheLike(Protocol):
    def store_file(
        self,
        filename: str,
        chunks: Iterable[bytes],
        expected: Hashes | None,
        expected_size: int | None,
    ) -> CachedFile:
        """Hash while writing; atomic; raise ``HashMismatchError`` and keep nothing on a hash or
        size mismatch (and keep nothing if ``chunks`` raises)."""
        ...

    def find_file(self, sha256: str, filename: str | None = None, /) -> Path | None: ...

    def read_json(self, bucket: str, key: str, /) -> Any: ...

    def write_json(self, bucket: str, key: str, value: Any, /) -> None: ...

    def record_name(
        self, name: str, version: str, filename: str, sha256: str, url: str, /
    ) -> None: ...

    def record_url(self, url: str, sha256: str, /) -> None: ...

    def sha_for_url(self, url: str, /) -> str | None: ...
