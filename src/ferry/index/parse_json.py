"""PEP 691 JSON project pages (``application/vnd.pypi.simple.v1+json``) → :class:`FileRef` list.

Every field is type-checked: a value of the wrong type is a :class:`ParseError` that names the
page and the field path (``files[3].hashes``), never a ``KeyError`` traceback (RELIABILITY D5).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from ferry.index.fields import (
    InvalidRequiresPython,
    check_digest,
    check_upload_time,
    hashes_from_fragment,
    lenient_requires_python,
    page_error,
    without_fragment,
)
from ferry.model.dist import FileRef, Hashes
from ferry.model.log import get_logger
from ferry.model.url import redact

logger = get_logger(__name__)

JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"


def parse_json(content: bytes, page_url: str, *, index_url: str | None = None) -> list[FileRef]:
    """Every file of a PEP 691 project page, in page order."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise page_error(page_url, "body", f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise page_error(page_url, "body", "expected a JSON object")
    _check_api_version(data, page_url)
    entries = data.get("files")
    if not isinstance(entries, list):
        raise page_error(page_url, "files", f"expected a list, got {_kind(entries)}")
    files: list[FileRef] = []
    for number, entry in enumerate(entries):
        ref = _file_ref(entry, f"files[{number}]", page_url, index_url)
        if ref is not None:
            files.append(ref)
    return files


def _check_api_version(data: dict[str, Any], page_url: str) -> None:
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        raise page_error(page_url, "meta", f"expected an object, got {_kind(meta)}")
    version = meta.get("api-version", "1.0")
    if not isinstance(version, str):
        raise page_error(page_url, "meta.api-version", f"expected a string, got {_kind(version)}")
    if version.split(".", 1)[0] != "1":
        raise page_error(
            page_url, "meta.api-version", f"version `{version}` is not supported (only 1.x)"
        )


def _file_ref(entry: object, where: str, page_url: str, index_url: str | None) -> FileRef | None:
    if not isinstance(entry, dict):
        raise page_error(page_url, where, f"expected an object, got {_kind(entry)}")
    filename = _required(entry, "filename", where, page_url)
    raw_url = _required(entry, "url", where, page_url)
    url = urljoin(page_url, raw_url)
    digests = hashes_from_fragment(url, page_url).as_dict()
    digests.update(_hashes(entry.get("hashes", {}), f"{where}.hashes", page_url).as_dict())

    requires_python = _field(entry, "requires-python", where, page_url)
    if requires_python is not None and requires_python.strip():
        try:
            requires_python = lenient_requires_python(requires_python)
        except InvalidRequiresPython as exc:
            logger.warning(
                "Skipping %s from %s: invalid requires-python `%s`",
                filename,
                redact(page_url),
                exc,
            )
            return None
    else:
        requires_python = None

    yanked_value = entry.get("yanked", False)
    yanked: str | bool | None
    if isinstance(yanked_value, bool):
        yanked = True if yanked_value else None
    elif isinstance(yanked_value, str):
        yanked = yanked_value
    else:
        raise page_error(
            page_url, f"{where}.yanked", f"expected a boolean or string, got {_kind(yanked_value)}"
        )

    key = "core-metadata" if "core-metadata" in entry else "dist-info-metadata"
    metadata = _metadata(entry.get(key, False), f"{where}.{key}", page_url)

    upload_time = _field(entry, "upload-time", where, page_url)
    if upload_time is not None:
        upload_time = check_upload_time(page_url, f"{where}.upload-time", upload_time)

    size = entry.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise page_error(
            page_url, f"{where}.size", f"expected a non-negative integer, got {_kind(size)}"
        )

    return FileRef(
        filename=filename,
        url=without_fragment(url),
        hashes=Hashes.of(**digests),
        requires_python=requires_python,
        yanked=yanked,
        upload_time=upload_time,
        size=size,
        metadata=metadata,
        index_url=index_url,
    )


def _field(entry: dict[str, Any], key: str, where: str, page_url: str) -> str | None:
    """An optional string field."""
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise page_error(page_url, f"{where}.{key}", f"expected a string, got {_kind(value)}")
    return value


def _required(entry: dict[str, Any], key: str, where: str, page_url: str) -> str:
    value = _field(entry, key, where, page_url)
    if not value:
        raise page_error(page_url, f"{where}.{key}", "missing")
    return value


def _hashes(value: object, where: str, page_url: str) -> Hashes:
    if not isinstance(value, dict):
        raise page_error(page_url, where, f"expected an object, got {_kind(value)}")
    digests: dict[str, str] = {}
    for algorithm, digest in value.items():
        if not isinstance(digest, str):
            raise page_error(
                page_url, f"{where}.{algorithm}", f"expected a string, got {_kind(digest)}"
            )
        checked = check_digest(page_url, f"{where}.{algorithm}", algorithm, digest)
        if checked is not None:
            digests[algorithm.lower()] = checked
    return Hashes.of(**digests)


def _metadata(value: object, where: str, page_url: str) -> Hashes | None:
    if isinstance(value, bool):
        return Hashes() if value else None
    if isinstance(value, dict):
        return _hashes(value, where, page_url)
    raise page_error(page_url, where, f"expected a boolean or object, got {_kind(value)}")


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
