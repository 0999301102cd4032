"""Writing ``ferry add --index [NAME=]URL`` / ``--default-index URL`` into ``[[tool.uv.index]]``.

uv's rules (measured with uv 0.13.8), because the order of the tables *is* the priority of the
indexes: an index named on the command line goes first, so the package just added resolves from
it, not from an index the file already listed. An entry the request matches — same ``name``,
same URL (up to a trailing slash and the case of scheme and host), or, for ``--default-index``,
the current ``default = true`` entry — is updated in place of a new one (renamed, re-pointed,
made the default; its comments kept) and moved first; every other entry it matches is dropped,
so a name or URL is never declared twice. Several indexes keep the order they were given in,
the default one last, all before the indexes the file already had. Tables are separated by the
blank line uv writes.

A local index is written as uv writes it (:func:`written_index_url`): a ``file://`` URL as its
absolute path, a path as the normalised path — relative to the edited file's directory when it
was given relative — so a file URL and a path naming one directory are one index (matched by
:func:`same_index_url`, and read back alike by the lock).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import AoT, Table, Whitespace

from ferry.project.file_index_urls import local_path, searched_index_url

__all__ = [
    "IndexRequest", "add_indexes", "same_index_url", "searched_index_url", "update_entry",
    "written_index_url",
]

IndexRequest = tuple[str | None, str, bool]
"""``(name, url, default)`` of one ``--index``/``--default-index``."""


def written_index_url(url: str, base: Path, cwd: Path | None = None) -> str:
    """``--index URL`` as uv 0.13.8 writes it into the file in directory ``base``: a ``file:``
    URL (no host, or ``localhost``) becomes its absolute path, decoded and normalised (``..``
    and ``//`` resolved) with its trailing slash kept; a path is normalised without one, an
    absolute path staying absolute and a relative one — taken from ``cwd`` — written relative
    to ``base``. Any other URL is written as given."""
    local = local_path(url)
    if local is not None:
        return local
    if "://" in url:
        return url
    if posixpath.isabs(url):
        return posixpath.normpath(url)
    absolute = posixpath.normpath(posixpath.join(str(cwd or Path.cwd()), url))
    return posixpath.relpath(absolute, str(base))


def same_index_url(a: Any, b: str, base: Path | None = None) -> bool:
    """Whether the two index URLs name the same index (uv compares canonical URLs): a path
    (relative ones taken from ``base``, the edited file's directory) and the ``file:`` URL of
    the same directory are the same index."""
    if not isinstance(a, str):
        return False
    return _canonical(a, base) == _canonical(b, base)


def _canonical(url: str, base: Path | None) -> str:
    local = local_path(url)
    if local is None and "://" not in url:  # a path
        local = posixpath.normpath(posixpath.join(str(base), url) if base else url)
    if local is not None:
        return "file://" + local.rstrip("/")
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}?{parts.query}"


def _matches(table: Table, name: str | None, url: str, default: bool, base: Path | None) -> bool:
    if name is not None and table.get("name") == name:
        return True
    if default and table.get("default") is True:
        return True
    return same_index_url(table.get("url"), url, base)


def update_entry(table: Table, name: str | None, url: str, default: bool) -> None:
    """uv's changes to the entry a request matched: its name, URL and ``default`` set where
    they differ (a key the entry lacks goes last). The URL is rewritten whenever its text
    differs, as uv rewrites it (``./idx/`` becomes ``idx``, a ``file:`` URL the path)."""
    if name is not None and table.get("name") != name:
        table["name"] = name
    if table.get("url") != url:
        table["url"] = url
    if default and table.get("default") is not True:
        table["default"] = True


def _tail(table: Table) -> list[Any]:
    """Take the trailing blank lines off ``table`` (the separation from what follows)."""
    body = table.value.body
    tail: list[Any] = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        tail.insert(0, body.pop()[1])
    return tail


def _front(indexes: AoT, name: str | None, url: str, default: bool, base: Path | None) -> None:
    """Put the index first in ``indexes``, updating the entry it matches (see module doc)."""
    tables = list(indexes)
    found = next((t for t in tables if _matches(t, name, url, default, base)), None)
    rest = [t for t in tables if not _matches(t, name, url, default, base)]
    table = found if found is not None else tomlkit.table()
    update_entry(table, name, url, default)
    ordered = [table, *rest]
    end = _tail(tables[-1]) if tables else []
    for item in ordered:
        _tail(item)
    for item in ordered[:-1]:
        item.add(tomlkit.nl())
    for whitespace in end:
        ordered[-1].value.body.append((None, whitespace))
    while len(indexes):
        del indexes[0]
    for item in ordered:
        indent = item.trivia.indent
        indexes.append(item)
        item.trivia.indent = indent  # tomlkit adds a newline of its own to a new array's tables


def add_indexes(uv: Any, requests: list[IndexRequest], base: Path | None = None) -> None:
    """Write ``requests`` (in command-line order, the default index last) to ``tool.uv``'s
    ``index`` array, creating it after the table's other entries when it does not exist;
    ``base``: the edited file's directory, which relative paths are taken from."""
    for name, url, default in reversed(requests):
        indexes = uv.get("index")
        if not isinstance(indexes, AoT):
            last = list(uv.values())[-1] if len(uv) else None
            if isinstance(last, Table) and not last.as_string().endswith("\n\n"):
                last.add(tomlkit.nl())  # a blank line between `[tool.uv.sources]` and the index
            indexes = tomlkit.aot()
            uv["index"] = indexes
        _front(indexes, name, url, default, base)
