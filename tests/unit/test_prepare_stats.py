"""The parts of ``Prepared N packages (B built, C from cache, D downloaded)`` add up to N."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ferry.dist.prepare import PreparedDist, PrepareStats


def _prepared(**kwargs: Any) -> PreparedDist:
    return PreparedDist(pin=None, archive=Path("/x"), **kwargs)  # type: ignore[arg-type]


def test_each_distribution_counts_once() -> None:
    stats = PrepareStats()
    stats.add(_prepared(from_cache=True, downloaded_bytes=0, built=True))  # a local tree built
    stats.add(_prepared(from_cache=False, downloaded_bytes=500, built=True))  # sdist fetched, built
    stats.add(_prepared(from_cache=True, downloaded_bytes=0))  # a cached wheel
    stats.add(_prepared(from_cache=False, downloaded_bytes=1000))  # a wheel downloaded
    assert (stats.built, stats.from_cache, stats.downloaded) == (2, 1, 1)
    assert stats.built + stats.from_cache + stats.downloaded == 4
    assert stats.downloaded_bytes == 1500
