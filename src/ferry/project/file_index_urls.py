"""The spellings of an index on disk, as uv 0.13.8 reads a ``file:`` URL.

Apart from :mod:`ferry.project.edit_index` (which edits pyproject.toml with tomlkit, ~10 ms to
import) because a lock's freshness check reads the command line's ``--index file:…`` too, on
the path of every no-op ``sync`` and ``run`` given such an index.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urlsplit


def searched_index_url(url: str) -> str:
    """``--index URL`` as the lock of the same ``add`` searches it: uv searches the command
    line's index as given (before the file's entry for the same directory), so a ``file:`` URL
    keeps its trailing slash in the lock's ``registry``; normalised as uv's URL parser would
    (``..``, ``//``, ``localhost``). Anything else as given (a path is taken from the working
    directory, as on the command line of ``lock``)."""
    local = local_path(url)
    return url if local is None else "file://" + quote(local)


def local_path(url: str) -> str | None:
    """The absolute path a ``file:`` URL names (as uv writes it), or None for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    normal = posixpath.normpath(path) if path else "/"
    return normal + "/" if path.endswith("/") and normal != "/" else normal
