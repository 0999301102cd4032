"""Where a project's packages come from: the indexes of the command line, the environment and
``[[tool.uv.index]]`` / ``[[tool.ferry.index]]``, and sources pinning a package to one of them.

Order and precedence follow uv, so both tools pick the same index for a name (first-index
strategy): ``--extra-index-url`` indexes first, then the project's non-explicit indexes in
order, then the default index — ``--index-url``, else FERRY_INDEX_URL, else a project index with
``default = true``, else pip's default. An ``explicit`` index is consulted only for packages a
``[tool.uv.sources]`` entry pins to it. Every index gets its own client, so a pinned package is
looked up on its index alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from packaging.utils import NormalizedName, canonicalize_name

from ferry.cache.store import Cache
from ferry.index.client import IndexClient, IndexConfig
from ferry.index.default import env_extra_index_urls, env_find_links, env_index_url
from ferry.model.dist import FileRef
from ferry.model.errors import UserError
from ferry.model.settings import GlobalOptions
from ferry.model.url import strip_credentials
from ferry.project.pyproject import PyProject

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """The indexes in force for one lock: search order, pins and find-links."""

    urls: tuple[str, ...]
    pinned: tuple[tuple[NormalizedName, str], ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False

    def configured(self) -> set[str]:
        """Every index URL a lock may name as a registry (credentials stripped)."""
        return {strip_credentials(u) for u in self.urls} | {
            strip_credentials(u) for _, u in self.pinned
        }


def choose_indexes(
    pyproject: PyProject,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
    default: Callable[[], str] | None = None,
) -> IndexChoice:
    """The indexes for this project and command line (see the module docstring)."""
    tool = pyproject.tool
    extras = list(extra_index_urls) or list(env_extra_index_urls())
    own = [i.url for i in tool.indexes if not i.explicit and not i.default]
    default_index = index_url or env_index_url()
    if default_index is None:
        declared = [i.url for i in tool.indexes if i.default and not i.explicit]
        default_index = declared[0] if declared else None
    if default_index is None:
        from ferry.index.default import default_index_url

        default_index = (default or default_index_url)()
    urls = tuple(dict.fromkeys([*extras, *own, default_index]))
    pinned: list[tuple[NormalizedName, str]] = []
    for name, specs in tool.sources:
        index_specs = [s for s in specs if s.kind == "index"]
        if not index_specs:
            continue
        if len(specs) != 1 or specs[0].extra or specs[0].group or specs[0].marker:
            raise UserError(
                f"The index source for `{name}` depends on an extra, group or marker, "
                "which `ferry lock` does not support yet",
                hint="pin the package to one index for every environment, or lock with uv",
            )
        chosen = tool.index_named(index_specs[0].index or "")
        if chosen is None:
            raise UserError(
                f"`{name}` is pinned to the index `{index_specs[0].index}`, which is not "
                "declared in `[[tool.uv.index]]`",
                hint="add an index with that `name`",
            )
        pinned.append((canonicalize_name(name), chosen.url))
    return IndexChoice(
        urls=() if no_index else urls,
        pinned=tuple(pinned),
        find_links=tuple(find_links) or env_find_links(),
        no_index=no_index,
    )


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
        self._lock = threading.Lock()

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
