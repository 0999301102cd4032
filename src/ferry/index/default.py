"""Where packages come from when nobody says: pip's default index, and the FERRY_* variables.

The default index URL is asked from pip at run time (``pip._internal.models.index.PyPI``) rather
than written down here, so ferry follows whatever pip considers the default. pip is imported only
when the default is actually needed: it is slow to import.
"""

from __future__ import annotations

import os
from collections.abc import Sequence


def default_index_url() -> str:
    """pip's default simple index URL."""
    from pip._internal.models.index import PyPI

    url = PyPI.simple_url
    if not isinstance(url, str):  # pip's internals are untyped; be sure of what we got
        raise TypeError("pip's PyPI.simple_url is not a string")
    return url


def env_index_url() -> str | None:
    """FERRY_INDEX_URL, if set: replaces the default index."""
    value = os.environ.get("FERRY_INDEX_URL", "").strip()
    return value or None


def env_extra_index_urls() -> tuple[str, ...]:
    """FERRY_EXTRA_INDEX_URL: space-separated indexes searched before the default one."""
    return tuple(os.environ.get("FERRY_EXTRA_INDEX_URL", "").split())


def env_find_links() -> tuple[str, ...]:
    """FERRY_FIND_LINKS: space-separated find-links locations."""
    return tuple(os.environ.get("FERRY_FIND_LINKS", "").split())


def index_urls(
    index_url: str | None = None, extra_index_urls: Sequence[str] = ()
) -> tuple[str, ...]:
    """The indexes to search, in priority order: the extra indexes first, the default last.

    As uv (and unlike pip, which merges them), so that with the default first-index strategy a
    private package on an ``--extra-index-url`` cannot be shadowed by a higher version that
    someone publishes under the same name on the public default index (dependency confusion,
    RELIABILITY D7). The command line wins over FERRY_INDEX_URL and FERRY_EXTRA_INDEX_URL, which
    win over pip's default. Duplicates are dropped, order kept.
    """
    default = index_url or env_index_url() or default_index_url()
    extras = tuple(extra_index_urls) or env_extra_index_urls()
    return tuple(dict.fromkeys((*extras, default)))
