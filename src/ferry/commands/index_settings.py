"""Where a command's packages come from: its index settings and the index client made of them.

Every installing or resolving command (``pip install``/``sync``/``compile``, ``sync``, ``tree``,
scripts) turns the user's index options into one :class:`IndexClient` the same way; the
construction lives here so they agree. Like :mod:`ferry.commands.pipeline`, this module is
imported by commands that may have nothing to download, so the index layer is imported inside
the functions that use it, never at module level.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ferry.model.immutable import immutable
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from datetime import datetime

    from ferry.cache.files import CachedFile
    from ferry.cache.store import Cache
    from ferry.index.client import IndexClient
    from ferry.index.downloads import DownloadStats
    from ferry.model.dist import FileRef


@immutable
class IndexSettings:
    """Where packages come from, as the user configured it for this command."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    strategy: str = "first-index"
    exclude_newer: datetime | None = None


def with_keyring_setting(options: GlobalOptions, setting: str | None) -> GlobalOptions:
    """``options`` with the project's ``keyring-provider`` setting, unless ``--keyring-provider``
    or FERRY_/UV_KEYRING_PROVIDER chose already (they win, as in uv)."""
    if options.keyring_provider is not None or setting is None:
        return options
    from ferry.model.value_fields import replace

    return replace(options, keyring_provider=setting)


def index_client(
    cache: Cache,
    options: GlobalOptions,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
    strategy: str,
    exclude_newer: datetime | None,
) -> IndexClient:
    from ferry.commands.index_names import plain_url
    from ferry.index.client import IndexClient, IndexConfig

    config = IndexConfig.from_options(  # an index's name (`--index NAME=URL`) is not fetched
        index_url=plain_url(index_url) if index_url else index_url,
        extra_index_urls=[plain_url(url) for url in extra_index_urls],
        find_links=find_links,
        no_index=no_index,
        strategy=strategy,
        offline=options.offline,
        prefer_offline=options.prefer_offline,
        exclude_newer=exclude_newer,
        refresh=options.refresh,
        keyring_provider=options.keyring_provider,
    )
    return IndexClient(config, cache)


class DeferredIndexClient:
    """The index client of a command that may need none, made at the first download.

    A sync whose files are all in the cache downloads nothing; making the client would still
    import the whole index layer and, without a configured index, ask pip for its default URL.
    Thread-safe (the preparer downloads from a pool); closes the client if one was made.
    """

    def __init__(self, make: Callable[[], IndexClient]) -> None:
        self._make = make
        self._client: IndexClient | None = None
        self._lock = threading.Lock()

    @property
    def real(self) -> IndexClient:
        with self._lock:
            if self._client is None:
                self._client = self._make()
            return self._client

    def download(self, file: FileRef) -> CachedFile:
        return self.real.download(file)

    @property
    def stats(self) -> DownloadStats | None:
        """What the client downloaded so far; ``None`` when none was made (nothing was)."""
        with self._lock:
            client = self._client
        return None if client is None else client.stats

    def __enter__(self) -> DeferredIndexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
