"""``file://`` URLs, read straight from disk.

Local indexes and find-links directories are common in tests, air-gapped installs and CI caches;
going through the HTTP client for them would cost start-up time and buy nothing. These helpers
give the same shapes the HTTP client returns, so callers do not care where a page came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ferry.model.errors import FilesystemError

CHUNK_SIZE = 256 * 1024


def is_file_url(url: str) -> bool:
    return url[:7].lower() == "file://"


def file_url_to_path(url: str) -> Path:
    """The local path a ``file://`` URL names (host ``localhost`` or empty)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FilesystemError(f"Cannot read `{url}`: only local file URLs are supported")
    from urllib.request import url2pathname  # loads http.client and email (~7 ms): on use only

    return Path(url2pathname(unquote(parts.path)))


def resolve_page(path: Path) -> Path:
    """A directory stands for its ``index.html``, as pip and uv read local simple indexes."""
    return path / "index.html" if path.is_dir() else path


def content_type(path: Path) -> str:
    if path.suffix in (".html", ".htm"):
        return "text/html"
    if path.suffix == ".json":
        return "application/vnd.pypi.simple.v1+json"
    import mimetypes  # rare: most index files are named by their suffix above

    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, ``None`` if it does not exist (the caller turns that into a 404)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FilesystemError(f"Cannot read `{path}`: {exc.strerror or exc}") from exc


def iter_file(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk
    except OSError as exc:
        raise FilesystemError(f"Cannot read `{path}`: {exc.strerror or exc}") from exc


def read_range(path: Path, start: int, length: int) -> tuple[bytes, int]:
    """``length`` bytes from ``start`` (negative start: from the end) and the file's size."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            offset = max(0, size + start) if start < 0 else min(start, size)
            handle.seek(offset)
            return handle.read(length), size
    except OSError as exc:
        raise FilesystemError(f"Cannot read `{path}`: {exc.strerror or exc}") from exc
