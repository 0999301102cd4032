"""The index side of a lock's resolution: one client per index, names routed to their index.

Built from an :class:`~ferry.commands.lock_indexes.IndexChoice`: names pinned by
``[tool.uv.sources]`` are looked up on their index alone, every other name on the search list
(first-index), and each file's metadata is fetched by the client of the index that listed it, so
credentials and caches stay per index.
"""

from __future__ import annotations

from datetime import datetime

from packaging.utils import canonicalize_name

from ferry.cache.store import Cache
from ferry.commands.lock_indexes import IndexChoice
from ferry.index.client import IndexClient, IndexConfig
from ferry.model.dist import FileRef
from ferry.model.settings import GlobalOptions
from ferry.model.url import strip_credentials


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

        def client(urls: tuple[str, ...], links: tuple[str, ...]) -> IndexClient:
            config = IndexConfig(
                index_urls=urls,
                find_links=links,
                offline=options.offline,
                prefer_offline=options.prefer_offline,
                exclude_newer=exclude_newer,
                no_index=choice.no_index,
            )
            return IndexClient(config, cache)

        self.default = client(choice.urls, choice.find_links)
        self.clients: dict[str, IndexClient] = {}
        for _, url in choice.pinned:
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
        return [*self.choice.urls, *(u for _, u in self.choice.pinned), *self.choice.find_links]

    def close(self) -> None:
        self.default.close()
        for client in self.clients.values():
            client.close()
