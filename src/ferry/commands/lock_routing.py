"""The index side of a lock's resolution: one client per index, names routed to their index.

Built from an :class:`~ferry.commands.lock_indexes.IndexChoice`: names pinned by
``[tool.uv.sources]`` are looked up on their index alone, every other name on the search list
(first-index, unless the project's ``index-strategy`` says otherwise), and each
file's metadata is fetched by the client of the index that listed it, so credentials and caches
stay per index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ferry.cache.store import Cache
from ferry.commands.lock_indexes import IndexChoice
from ferry.index.client import STRATEGIES, IndexClient, IndexConfig, Strategy
from ferry.index.keyring import check_provider
from ferry.model.dist import FileRef
from ferry.model.errors import UserError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.url import strip_credentials
from ferry.resolve.provider_index import DirectFn, IndexSource, MetadataFn
from ferry.resolve.source import CoreMetadata, DirectDist, FilePicker, PackageSource

if TYPE_CHECKING:
    from datetime import datetime


class RoutedIndex:
    """The :class:`~ferry.resolve.provider_index.IndexLike` of a project: each name is looked
    up on its pinned index or on the search list, and each file's metadata is fetched by the
    client of the index that listed it."""

    def __init__(
        self,
        choice: IndexChoice,
        cache: Cache,
        options: GlobalOptions,
        exclude_newer: datetime | None,
    ) -> None:
        self.choice = choice
        strategy = _strategy(choice.strategy)

        def client(urls: tuple[str, ...], links: tuple[str, ...]) -> IndexClient:
            config = IndexConfig(
                index_urls=urls,
                find_links=links,
                strategy=strategy,
                offline=options.offline,
                prefer_offline=options.prefer_offline,
                exclude_newer=exclude_newer,
                no_index=choice.no_index,
                refresh=options.refresh,
                keyring_provider=check_provider(
                    options.keyring_provider or choice.keyring_provider
                ),
            )
            return IndexClient(config, cache)

        self.default = client(choice.urls, choice.find_links)
        self.clients: dict[str, IndexClient] = {}
        for url in choice.explicit_indexes():
            if url not in self.clients:
                self.clients[url] = client((url,), ())
        self.pins = dict(choice.pinned)

    def client_for(self, name: str) -> IndexClient:
        url = self.pins.get(canonicalize_name(name))
        return self.clients[url] if url is not None else self.default

    def client_of(self, file: FileRef) -> IndexClient:
        for url, client in self.clients.items():
            if file.index_url == strip_credentials(url):
                return client
        return self.default

    def project_files(self, name: str) -> list[FileRef]:
        return self.client_for(name).project_files(name)

    def fetch_metadata(self, file: FileRef) -> bytes:
        return self.client_of(file).fetch_metadata(file)

    def locations(self) -> list[str]:
        return [*self.choice.urls, *self.choice.explicit_indexes(), *self.choice.find_links]

    def close(self) -> None:
        self.default.close()
        for client in self.clients.values():
            client.close()


def _strategy(name: str) -> Strategy:
    """The project's ``index-strategy`` as the client takes it (``tool_settings`` has checked
    it already; this narrows the type and guards callers that did not)."""
    for known in STRATEGIES:
        if name == known:
            return known
    raise UserError(
        f"The index strategy `{name}` is not supported by ferry",
        hint=f"use one of: {', '.join(STRATEGIES)}",
    )


class ClientFiles:
    """One index client as an :class:`~ferry.resolve.provider_index.IndexLike`."""

    def __init__(self, client: IndexClient) -> None:
        self.client = client

    def project_files(self, name: str) -> list[FileRef]:
        return self.client.project_files(name)

    def fetch_metadata(self, file: FileRef) -> bytes:
        return self.client.fetch_metadata(file)


class RoutedSource:
    """The project's :class:`~ferry.resolve.source.PackageSource`: the routed index, and for
    forks that pin names to an index (sources with ``extra``/``group``), the same memoised
    lookups on that index alone."""

    def __init__(
        self,
        routed: RoutedIndex,
        metadata: MetadataFn,
        direct: DirectFn,
    ) -> None:
        self.routed = routed
        self.default = IndexSource(routed, metadata=metadata, direct=direct,
                                   locations=routed.locations())
        self.by_index = {
            url: IndexSource(ClientFiles(client), metadata=metadata, direct=direct,
                             locations=[url], max_workers=2)
            for url, client in routed.clients.items()
        }

    def source_for(self, name: NormalizedName, pins: Mapping[NormalizedName, str]) -> IndexSource:
        url = pins.get(name) or self.routed.pins.get(name)
        return self.by_index[url] if url is not None else self.default

    def files_on(self, name: NormalizedName, index_url: str | None) -> Sequence[FileRef]:
        """Files of ``name`` on the index the lock names (credentials stripped)."""
        for url, source in self.by_index.items():
            if index_url == strip_credentials(url):
                return source.files(name)
        return self.default.files(name)

    # -- PackageSource --------------------------------------------------------------------------

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        return self.source_for(name, {}).files(name)

    def metadata(self, file: FileRef) -> CoreMetadata:
        return self.default.metadata(file)

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        return self.default.direct(name, url)

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        self.source_for(name, {}).prefetch(name, pick)

    def locations(self) -> Sequence[str]:
        return self.default.locations()

    def pinned(self, pins: Mapping[NormalizedName, str]) -> PackageSource:
        return _Pinned(self, dict(pins))

    def close(self) -> None:
        self.default.close()
        for source in self.by_index.values():
            source.close()


class _Pinned:
    def __init__(self, routed: RoutedSource, pins: dict[NormalizedName, str]) -> None:
        self.routed = routed
        self.pins = pins

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        return self.routed.source_for(name, self.pins).files(name)

    def metadata(self, file: FileRef) -> CoreMetadata:
        return self.routed.metadata(file)

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        return self.routed.direct(name, url)

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        self.routed.source_for(name, self.pins).prefetch(name, pick)

    def locations(self) -> Sequence[str]:
        return self.routed.locations()
