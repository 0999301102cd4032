"""``--find-links``: flat locations of wheels and sdists for any project.

A location is a local directory (its archives are listed, not recursed into), a local HTML file
or a single archive, or the URL of an HTML/JSON page whose links are archives. Each location is
read once per process, on first need, and its files are grouped by project name; HTTP pages go
through the same :class:`PageFetcher` as index pages, so they are cached and honour the offline
modes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ferry.index.local import file_url_to_path, is_file_url
from ferry.index.pages import PageFetcher, parse_page
from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import NetworkError, UserError
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.url import redact

logger = get_logger(__name__)


def files_in_directory(directory: Path, location: str) -> list[FileRef]:
    """Every wheel or sdist directly inside ``directory``, sorted by filename."""
    files = []
    for entry in sorted(directory.iterdir()):
        if not entry.is_file() or parse_filename(entry.name) is None:
            continue
        files.append(
            FileRef(
                filename=entry.name,
                url=entry.resolve().as_uri(),
                size=entry.stat().st_size,
                index_url=location,
            )
        )
    return files


class FindLinks:
    """The files of every ``--find-links`` location, by project. Thread-safe."""

    def __init__(self, locations: Sequence[str], pages: PageFetcher) -> None:
        self.locations = tuple(locations)
        self.pages = pages
        self._by_name: dict[NormalizedName, list[FileRef]] | None = None
        self._lock = threading.Lock()

    def files_for(self, name: NormalizedName) -> list[FileRef]:
        if not self.locations:
            return []
        with self._lock:
            if self._by_name is None:
                self._by_name = self._load()
            return list(self._by_name.get(name, ()))

    def _load(self) -> dict[NormalizedName, list[FileRef]]:
        by_name: dict[NormalizedName, list[FileRef]] = {}
        for location in self.locations:
            for ref in self._read(location):
                parsed = parse_filename(ref.filename)
                if parsed is None:
                    logger.debug("Ignoring %s from find-links: not a wheel or sdist", ref.filename)
                    continue
                by_name.setdefault(parsed.name, []).append(ref)
        return by_name

    def _read(self, location: str) -> list[FileRef]:
        if "://" not in location or is_file_url(location):
            path = file_url_to_path(location) if is_file_url(location) else Path(location)
            return self._read_local(path.expanduser(), location)
        files = self.pages.fetch(location, index_url=location)
        if files is None:
            raise NetworkError(f"The find-links page `{redact(location)}` was not found (404)")
        return files

    def _read_local(self, path: Path, location: str) -> list[FileRef]:
        if path.is_dir():
            return files_in_directory(path, location)
        if not path.is_file():
            raise UserError(
                f"The find-links location `{path}` does not exist",
                hint="pass a directory of wheels/sdists, an HTML page, or an archive",
            )
        if path.suffix in (".html", ".htm"):
            return parse_page(path.read_bytes(), "text/html", path.resolve().as_uri(), location)
        if parse_filename(path.name) is not None:
            return [
                FileRef(
                    filename=path.name,
                    url=path.resolve().as_uri(),
                    size=path.stat().st_size,
                    index_url=location,
                )
            ]
        raise UserError(f"The find-links location `{path}` is neither a directory nor an archive")
