"""Where packages come from when nobody says: pip's default index, and the FERRY_* variables.

The default index URL is asked from pip at run time (``pip._internal.models.index.PyPI``) rather
than written down here, so ferry follows whatever pip considers the default. Importing pip costs
~10 ms (its ``_internal`` package loads logging, typing and more), so the URL is first read from
the source of that module, where pip defines it as ``PyPI = PackageIndex("<url>", …)`` with
``simple_url = urljoin(url, "simple")``; only when the source is not in that shape is pip
imported. Either way the answer is kept for the rest of the process.
"""

from __future__ import annotations

# ruff: noqa: PTH118
import os
from collections.abc import Sequence

_DEFINITION = "PyPI = PackageIndex("
# The lines that make simple_url = urljoin(url, "simple"); without them the source is not trusted.
_SHAPE = ('self.simple_url = self._url_for_path("simple")', "urllib.parse.urljoin(self.url, path)")
_known: list[str] = []


def default_index_url() -> str:
    """pip's default simple index URL."""
    if not _known:
        _known.append(_from_pip_source() or _from_pip_import())
    return _known[0]


def _from_pip_import() -> str:
    from pip._internal.models.index import PyPI

    url = PyPI.simple_url
    if not isinstance(url, str):  # pip's internals are untyped; be sure of what we got
        raise TypeError("pip's PyPI.simple_url is not a string")
    return url


def _from_pip_source() -> str | None:
    """``PyPI.simple_url`` as pip's source defines it, or None when the source is unexpected."""
    import importlib.util
    from urllib.parse import urljoin

    try:
        spec = importlib.util.find_spec("pip")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        try:
            with open(
                os.path.join(folder, "_internal", "models", "index.py"), encoding="utf-8"
            ) as f:
                text = f.read()
        except (OSError, UnicodeDecodeError):
            continue
        start = text.find(_DEFINITION)
        if start < 0 or not all(line in text for line in _SHAPE):
            return None
        rest = text[start + len(_DEFINITION) :].lstrip()
        quote = rest[:1]
        end = rest.find(quote, 1) if quote in ("'", '"') else -1
        url = rest[1:end] if end > 1 else ""
        if not url.startswith(("https://", "http://")) or "\\" in url or "\n" in url:
            return None
        return urljoin(url, "simple")
    return None


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
