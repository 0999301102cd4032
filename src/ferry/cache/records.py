"""Small pointers into the file store: which files of a project it holds, and url → sha256.

``names-v1/<normalized name>/<filename>.json`` lets ``--prefer-offline`` ask "which versions of
this project can I install without the network?" and lets ``ferry cache clean <pkg>`` find what
belongs to a project. ``urls-v1/<sha256 of the url>.json`` remembers the digest of a file whose
index gave no hash, so the next run finds the download without fetching it again. URLs are stored
without credentials, and keyed without them, so a token never reaches the disk (RELIABILITY D10).
"""

from __future__ import annotations

from pathlib import Path

from ferry.cache.files import check_sha256, is_sha256
from ferry.cache.jsonfile import read_json_file, write_json_file
from ferry.fs.paths import safe_filename
from ferry.model.builtin_sha256 import sha256
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.url import strip_credentials

logger = get_logger(__name__)


@immutable
class CachedName:
    """One file of a project that the cache has downloaded."""

    version: str
    filename: str
    sha256: str
    url: str | None


def name_dir(bucket: Path, name: str) -> Path:
    return bucket / canonicalize_name(name)


def record_name(
    bucket: Path, name: str, version: str, filename: str, sha256: str, url: str | None
) -> None:
    value = {
        "name": str(canonicalize_name(name)),
        "version": version,
        "filename": filename,
        "sha256": check_sha256(sha256),
        "url": strip_credentials(url) if url else None,
    }
    write_json_file(name_dir(bucket, name) / f"{safe_filename(filename)}.json", value)


def read_names(bucket: Path, name: str) -> list[CachedName]:
    """Every record for ``name``, whether or not its file is still in the store."""
    directory = name_dir(bucket, name)
    try:
        paths = sorted(directory.glob("*.json"))
    except OSError:
        return []
    found = []
    for path in paths:
        record = _parse(read_json_file(path))
        if record is None:
            logger.debug("ignoring malformed name record `%s`", path)
            continue
        found.append(record)
    return found


def url_key(url: str) -> str:
    """The key of ``url`` in ``urls-v1``: the sha256 of the URL without credentials."""
    return sha256(strip_credentials(url).encode("utf-8")).hexdigest()


def record_url(bucket: Path, url: str, sha256: str) -> None:
    value = {"url": strip_credentials(url), "sha256": check_sha256(sha256)}
    write_json_file(bucket / f"{url_key(url)}.json", value)


def sha_for_url(bucket: Path, url: str) -> str | None:
    value = read_json_file(bucket / f"{url_key(url)}.json")
    sha = value.get("sha256") if isinstance(value, dict) else None
    return sha if is_sha256(sha) else None


def _parse(value: object) -> CachedName | None:
    if not isinstance(value, dict):
        return None
    version, filename, sha256 = value.get("version"), value.get("filename"), value.get("sha256")
    url = value.get("url")
    if not (isinstance(version, str) and isinstance(filename, str) and is_sha256(sha256)):
        return None
    return CachedName(version, filename, sha256, url if isinstance(url, str) else None)
