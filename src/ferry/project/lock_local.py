"""Indexes and find-links directories on disk, as ``uv.lock`` names them.

uv writes a local index as a *path registry*, not as the ``file://`` URL it was configured
with, and its files as ``path = …`` rather than ``url = …``; a lock written any other way is one
uv rejects under ``--locked`` (and would rewrite). The spelling depends on how the location was
given (checked against uv 0.13.8):

* a ``file://`` URL: the registry is the URL's path, decoded, trailing slash kept
  (``file:///srv/my%20idx/simple/`` -> ``/srv/my idx/simple/``); files are absolute paths.
* an absolute path: the normalised path (``/srv/idx/simple/`` -> ``/srv/idx/simple``); files
  are absolute paths.
* a relative path (``../idx/simple``; from a pyproject: against its directory, from the command
  line: against the working directory): the normalised path relative to the project root; files
  are relative to the *index's* directory (``../files/x.whl``), so the tree can move as a whole.

A find-links directory follows the same rules; uv lists it without sizes or hashes, so the lock
has none either. ``[package.metadata]`` keeps naming an index by URL: a path becomes the
``file://`` URL of its normalised absolute form. Reading reverses this: a registry path is
relative to the project root, a file's path relative to its registry's directory.

Pure path arithmetic (no file is touched), shared by the writer, the freshness check and the
frozen install.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ferry.model.immutable import immutable


def is_local_location(text: str) -> bool:
    """A ``file://`` URL or a filesystem path (no scheme), as opposed to a remote index."""
    return text[:7].lower() == "file://" or "://" not in text


@immutable
class LocalRegistry:
    """One index or find-links location on disk, and how the lock names it and its files."""

    key: str
    """What ferry fetched it as: the ``FileRef.index_url`` of its files."""
    value: str
    """The lock's ``registry = …``."""
    directory: str
    """Its absolute, normalised directory (POSIX spelling)."""
    relative: bool = False
    """Files are written relative to ``directory`` (it was given as a relative path)."""
    flat: bool = False
    """A find-links directory: uv records no size for its files."""

    def entry(self, url: str, filename: str, size: int | None) -> tuple[str, int | None]:
        """``(path, size)`` of one file for the lock: its path, and no size for a find-links
        directory's (uv lists the directory without reading sizes)."""
        return self.file_path(url, filename), None if self.flat else size

    def file_path(self, url: str, filename: str) -> str:
        """The ``path = …`` of one file of this registry, given the URL ferry read it from."""
        if self.flat:
            # uv lists the directory: the file is the directory's entry, symlinks and all
            target = posixpath.join(self.directory, filename)
        else:
            target = _url_path(url) if url[:7].lower() == "file://" else url
        if self.relative:
            return posixpath.relpath(posixpath.normpath(target), self.directory)
        return target


def local_registry(given: str, *, base: Path, root: Path, key: str | None = None,
                   flat: bool = False) -> LocalRegistry:
    """How the lock names ``given`` (a ``file://`` URL or a path relative to ``base``), for a
    project at ``root``; ``key`` is what ferry fetches it as (default: :func:`fetch_url`)."""
    if given[:7].lower() == "file://":
        path = _url_path(given)
        return LocalRegistry(key or given, path, posixpath.normpath(path), flat=flat)
    absolute = _absolute(given, base)
    if Path(given).expanduser().is_absolute():
        return LocalRegistry(key or fetch_url(given, base), absolute, absolute, flat=flat)
    value = posixpath.relpath(absolute, root.absolute().as_posix())
    return LocalRegistry(key or fetch_url(given, base), value, absolute, relative=True,
                         flat=flat)


def find_local(known: Iterable[LocalRegistry], key: str, root: Path) -> LocalRegistry | None:
    """The registry of ``known`` that ferry fetched as ``key``; a ``file://`` URL not among them
    is named by its absolute path (as uv names a ``file://`` index)."""
    found = next((r for r in known if r.key == key), None)
    if found is None and key[:7].lower() == "file://":
        found = local_registry(key, base=root, root=root)
    return found


def fetch_url(given: str, base: Path) -> str:
    """The ``file://`` URL ferry reads a local index from (a ``file://`` URL is kept as is)."""
    if not given or "://" in given:
        return given
    return PurePosixPath(_absolute(given, base)).as_uri()


def metadata_index_url(given: str, base: Path) -> str:
    """``[package.metadata]``'s ``index = …`` for an index given as ``given``: a URL as written,
    a path as the ``file://`` URL of its normalised absolute form (``base``: what a relative path
    is relative to)."""
    if "://" in given:
        return given
    return PurePosixPath(_absolute(given, base)).as_uri()


def registry_key(value: str) -> str:
    """A registry as uv compares them: a URL as written; a path component by component, so a
    trailing slash or ``./`` does not count (but relative and absolute spellings differ)."""
    return value if "://" in value else posixpath.normpath(value)


def registry_directory(value: str, root: Path) -> Path:
    """The directory a lock's path registry names (relative ones: to the project root),
    normalised."""
    return Path(posixpath.normpath((root / value).as_posix()))


def locked_file(registry: str, path: str, root: Path) -> Path:
    """The file a registry package's ``path = …`` names: absolute as written, else relative to
    the registry's directory."""
    return Path(posixpath.normpath((registry_directory(registry, root) / path).as_posix()))


def _url_path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _absolute(given: str, base: Path) -> str:
    """``given`` made absolute against ``base`` and normalised lexically (symlinks kept, as uv
    keeps them)."""
    return posixpath.normpath((base.absolute() / Path(given).expanduser()).as_posix())
