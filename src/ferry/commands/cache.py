"""``ferry cache dir | clean | prune | verify``: the cache as the user sees it.

Each function opens the cache the global options name and returns a result object; ``cli`` turns
it into text. The temporary cache of ``--no-cache`` is removed before returning.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ferry.cache.maintenance import CleanResult, PruneResult, Removed, clean, prune
from ferry.cache.store import Cache, default_cache_root
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
    "missing_root",
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


def missing_root(options: GlobalOptions) -> Path | None:
    """The cache root the options name when it does not exist (``None`` when it does, or for
    ``--no-cache``): ``clean`` and ``prune`` then say so and create nothing, as uv's do."""
    if options.no_cache:
        return None
    root = (
        Path(options.cache_dir).expanduser().absolute()
        if options.cache_dir is not None
        else default_cache_root()
    )
    if root.exists() or root.is_symlink():
        return None
    # Under a file the root could never be made: opening it reports that (RELIABILITY G2).
    existing = next((p for p in root.parents if p.exists()), None)
    return root if existing is not None and existing.is_dir() else None


def cache_clean(options: GlobalOptions, packages: Sequence[str] = ()) -> CleanResult:
    """Remove everything, or only what belongs to ``packages``; waits for running commands."""
    with _opened(options) as cache:
        return clean(cache, packages)


def cache_prune(options: GlobalOptions, *, ci: bool = False) -> PruneResult:
    """Remove abandoned temporary work, damaged entries and stale pointers; with ``ci`` also
    the pre-built wheels, unpacked wheels and environments (:mod:`ferry.cache.prune_ci`)."""
    with _opened(options) as cache:
        return prune(cache, ci=ci)


def cache_verify(options: GlobalOptions, repair: bool = False) -> VerifyResult:
    """Check every entry against its hash or manifest; ``repair`` removes the damaged ones."""
    with _opened(options) as cache:
        return verify(cache, repair=repair)
