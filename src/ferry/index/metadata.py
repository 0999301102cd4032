"""Core metadata (``METADATA``) of a distribution, by the cheapest route that works.

In order: the ``metadata-v1`` cache (keyed by the file's sha256, else its URL); a wheel already in
the cache (read locally); a local ``file://`` wheel (opened in place); the PEP 658 ``.metadata``
file when the index offers one (its hash checked); HTTP range requests into the remote wheel;
and only then the whole wheel. Source distributions raise :class:`NeedsBuild`: their metadata
is the dist layer's to produce with a build.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ferry.cache.files import CachedFile
from ferry.index.errors import NeedsBuild
from ferry.index.fields import HASH_LENGTHS
from ferry.index.http import HttpClient, status_error
from ferry.index.local import file_url_to_path, is_file_url
from ferry.index.protocols import JsonStore
from ferry.index.ranges import RangedFile, RangesUnsupported
from ferry.index.wheel_zip import read_metadata
from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import HashMismatchError, InvalidWheelError, OfflineError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.refresh import NO_REFRESH, Refresh
from ferry.model.url import redact, strip_credentials

logger = get_logger(__name__)

METADATA_BUCKET = "metadata"  # the cache maps it to metadata-v1/
TAIL_BYTES = 64 * 1024
MAX_METADATA_BYTES = 16 * 1024 * 1024


def metadata_from_wheel(
    source: Path | IO[bytes] | io.RawIOBase, filename: str, where: str
) -> bytes:
    """The ``<name>-<version>.dist-info/METADATA`` member of a wheel.

    ``where`` names the wheel in errors (a path or a redacted URL). The dist-info directory is
    chosen by project name, as pip does, so a wheel that vendors another ``.dist-info`` works.
    A plain archive is read from its central directory directly (``wheel_zip``); any other is
    left to ``zipfile``, which also words every error.
    """
    parsed = parse_filename(filename)
    project = None if parsed is None else str(parsed.name)
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = read_metadata(handle, size, project, MAX_METADATA_BYTES)
            return data if data is not None else _with_zipfile(handle, filename, where)
    size = source.seek(0, io.SEEK_END)
    data = read_metadata(source, size, project, MAX_METADATA_BYTES)
    return data if data is not None else _with_zipfile(source, filename, where)


def _with_zipfile(source: IO[bytes] | io.RawIOBase, filename: str, where: str) -> bytes:
    import zipfile  # here: ~5 ms that plain wheels (read by wheel_zip) never need

    parsed = parse_filename(filename)
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            candidates = [
                name
                for name in archive.namelist()
                if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
            ]
            wanted = [
                name
                for name in candidates
                if parsed is None
                or canonicalize_name(name.split("/", 1)[0][: -len(".dist-info")].rpartition("-")[0])
                == parsed.name
            ]
            if len(wanted) != 1:
                found = ", ".join(sorted(candidates)) or "none"
                raise InvalidWheelError(
                    f"Wheel `{filename}` ({where}) has no single matching "
                    f"`.dist-info/METADATA` (found: {found})"
                )
            info = archive.getinfo(wanted[0])
            if info.file_size > MAX_METADATA_BYTES:
                raise InvalidWheelError(
                    f"Wheel `{filename}` ({where}): METADATA is {info.file_size} bytes, more "
                    f"than the {MAX_METADATA_BYTES} allowed"
                )
            return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise InvalidWheelError(f"Wheel `{filename}` ({where}) is not a valid zip: {exc}") from exc


def _encode(data: bytes) -> dict[str, str]:
    try:
        return {"encoding": "utf-8", "data": data.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        return {"encoding": "base64", "data": base64.b64encode(data).decode("ascii")}


def _decode(value: Any) -> bytes | None:
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        return None
    if value.get("encoding") == "utf-8":
        return str(value["data"]).encode("utf-8")
    if value.get("encoding") == "base64":
        import base64

        try:
            return base64.b64decode(value["data"], validate=True)
        except ValueError:
            return None
    return None


class MetadataFetcher:
    """Thread-safe as long as the cache is; holds no mutable state of its own."""

    def __init__(
        self,
        http: HttpClient,
        cache: JsonStore,
        download: Callable[[FileRef], CachedFile],
        find_cached: Callable[[FileRef], CachedFile | None],
        *,
        offline: bool = False,
        refresh: Refresh = NO_REFRESH,
    ) -> None:
        self.http = http
        self.cache = cache
        self.download = download
        self.find_cached = find_cached
        self.offline = offline
        self.refresh = refresh

    def fetch(self, file: FileRef) -> bytes:
        if not file.is_wheel:
            raise NeedsBuild(file.filename, file.url)
        if is_file_url(file.url):
            path = file_url_to_path(file.url)
            return metadata_from_wheel(path, file.filename, str(path))
        key = file.sha256 or strip_credentials(file.url)
        parsed = parse_filename(file.filename)
        if self.refresh and self.refresh.covers(None if parsed is None else str(parsed.name)):
            logger.debug(
                "Fetching the metadata of %s again: %s", file.filename, self.refresh.reason()
            )
        else:
            data = _decode(self.cache.read_json(METADATA_BUCKET, key))
            if data is not None:
                logger.debug("Metadata of %s: from the cache", file.filename)
                return data
        data = self._from_network_or_wheel(file)
        self.cache.write_json(METADATA_BUCKET, key, _encode(data))
        return data

    def _from_network_or_wheel(self, file: FileRef) -> bytes:
        cached = self.find_cached(file)
        if cached is not None:
            logger.debug("Metadata of %s: read from the cached wheel", file.filename)
            return metadata_from_wheel(cached.path, file.filename, str(cached.path))
        if self.offline:
            raise OfflineError(
                f"The metadata of `{file.filename}` is not in the cache",
                hint="run once without `--offline` so the cache holds it",
            )
        if file.metadata is not None:
            data = self._pep658(file)
            if data is not None:
                return data
        data = self._by_ranges(file)
        if data is not None:
            return data
        logger.debug("Metadata of %s: downloading the whole wheel", file.filename)
        stored = self.download(file)
        return metadata_from_wheel(stored.path, file.filename, redact(file.url))

    def _pep658(self, file: FileRef) -> bytes | None:
        url = file.url + ".metadata"
        response = self.http.get(url)
        if response.status in (404, 410):
            logger.debug("%s: HTTP %d, trying another route", redact(url), response.status)
            return None
        if response.status != 200:
            raise status_error(url, response.status)
        assert file.metadata is not None
        for algorithm, expected in file.metadata.items:
            if algorithm not in HASH_LENGTHS:
                continue
            import hashlib  # here: OpenSSL, ~2.5 ms of start-up, for a fetched metadata file

            computed = hashlib.new(algorithm, response.content).hexdigest()
            if computed != expected:
                raise HashMismatchError(
                    f"Hash mismatch for the metadata of `{file.filename}` ({redact(url)})",
                    causes=[
                        f"Expected {algorithm}: {expected}",
                        f"Computed {algorithm}: {computed}",
                    ],
                    hint="the index serves a `.metadata` file that does not match its listing",
                )
        logger.debug("Metadata of %s: from the PEP 658 file", file.filename)
        return response.content

    def _by_ranges(self, file: FileRef) -> bytes | None:
        tail = self.http.get_range(file.url, -TAIL_BYTES, TAIL_BYTES)
        if tail is None:
            return None
        if file.size is not None and tail.total is not None and tail.total != file.size:
            logger.debug(
                "%s is %d bytes, the index says %d: not trusting range reads",
                redact(file.url),
                tail.total,
                file.size,
            )
            return None
        try:
            remote = RangedFile(self.http, file.url, tail)
            data = metadata_from_wheel(remote, file.filename, redact(file.url))
        except (RangesUnsupported, InvalidWheelError) as exc:
            # The full download verifies the hash and reports a broken wheel properly.
            logger.debug("Range reads of %s failed (%s)", redact(file.url), exc)
            return None
        logger.debug(
            "Metadata of %s: %d range request(s), %d of %d bytes",
            file.filename,
            remote.requests,
            remote.bytes_fetched,
            remote.size,
        )
        return data
