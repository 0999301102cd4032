"""``--prefer-offline`` (seed report uv#8860): prefer the versions the cache already holds.

The resolver takes preferences as a mapping it consults name by name; this one answers from the
cache's name index lazily, so only the packages a resolution actually meets are looked up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.cache.store import Cache

logger = get_logger(__name__)


class CachedPreferences(Mapping[NormalizedName, Version]):
    """Preferences for ``--prefer-offline`` (seed report uv#8860): the highest version of each
    package the cache already holds, consulted lazily as the resolver meets each name.

    ``base`` (installed or locked versions) wins where it has an entry.
    """

    def __init__(self, cache: Cache, base: Mapping[NormalizedName, Version]) -> None:
        self.cache = cache
        self.base = dict(base)
        self._memo: dict[str, Version | None] = {}

    def _cached(self, name: str) -> Version | None:
        if name not in self._memo:
            found: Version | None = None
            for raw in reversed(self.cache.cached_versions(name)):
                try:
                    found = Version(raw)
                except InvalidVersion:
                    continue
                break
            if found is not None:
                logger.debug(
                    "Preferring %s==%s: already in the cache (--prefer-offline)", name, found
                )
            self._memo[name] = found
        return self._memo[name]

    def __getitem__(self, name: NormalizedName) -> Version:
        if name in self.base:
            return self.base[name]
        found = self._cached(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[NormalizedName]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def preferences_for(
    cache: Cache, options: GlobalOptions, base: Mapping[NormalizedName, Version]
) -> Mapping[NormalizedName, Version]:
    if options.prefer_offline or options.offline:
        return CachedPreferences(cache, base)
    return base
