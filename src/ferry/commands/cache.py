"""``ferry cache dir | clean | prune | verify``: the cache as the user sees it.

Each function opens the cache the global options name and returns a result object; ``cli`` turns
it into text. The temporary cache of ``--no-cache`` is removed before returning.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ferry.cache.maintenance import CleanResult, PruneResult, Removed, clean, prune
from ferry.cache.store import Cache
from ferry.cache.verify import Damage, VerifyResult, verify
from ferry.model.settings import GlobalOptions

__all__ = [
    "CleanResult",
    "Damage",
    "PruneResult",
    "Removed",
    "VerifyResult",
    "cache_clean",
    "cache_dir",
    "cache_prune",
    "cache_verify",
]


@contextmanager
def _opened(options: GlobalOptions) -> Iterator[Cache]:
    cache = Cache.from_options(options.cache_dir, options.no_cache)
    try:
        yield cache
    finally:
        cache.close()


def cache_dir(options: GlobalOptions) -> Path:
    """The cache root the other commands would use (created if missing, as they would)."""
    with _opened(options) as cache:
        return cache.root


def cache_clean(options: GlobalOptions, packages: Sequence[str] = ()) -> CleanResult:
    """Remove everything, or only what belongs to ``packages``; waits for running commands."""
    with _opened(options) as cache:
        return clean(cache, packages)


def cache_prune(options: GlobalOptions) -> PruneResult:
    """Remove abandoned temporary work, damaged entries and stale pointers."""
    with _opened(options) as cache:
        return prune(cache)


def cache_verify(options: GlobalOptions, repair: bool = False) -> VerifyResult:
    """Check every entry against its hash or manifest; ``repair`` removes the damaged ones."""
    with _opened(options) as cache:
        return verify(cache, repair=repair)
