"""Which entries keyed by a digest belong to a project, for ``ferry cache clean <pkg>``.

The name records (``names-v1``) exist only for files the cache downloaded. Metadata fetched alone
(PEP 658 ``.metadata`` files, range requests into a remote wheel, as ``pip compile`` and ``lock``
do) is keyed by the wheel's sha256 or URL with no record naming its project, and so is a wheel
built from a local source tree. Both say whose they are in their content, which is what this reads
(uv's ``cache clean`` likewise reads a built wheel's metadata to match it to a package).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from pathlib import Path

from ferry.cache.git_bucket import readable_children
from ferry.cache.jsonfile import read_json_file
from ferry.model.names import canonicalize_name

__all__ = ["built_entries", "metadata_entries", "metadata_name"]


def metadata_name(value: object) -> str | None:
    """The normalized ``Name`` of a stored core-metadata entry (``{"encoding", "data"}``, or a
    built wheel's ``{"metadata": text}``); ``None`` when it has none or cannot be read."""
    if not isinstance(value, dict):
        return None
    text = value.get("data", value.get("metadata"))
    if not isinstance(text, str):
        return None
    if value.get("encoding") == "base64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            return None
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line; the description follows
        key, sep, rest = line.partition(":")
        if sep and key.strip().lower() == "name" and rest.strip():
            return str(canonicalize_name(rest.strip()))
    return None


def metadata_entries(bucket: Path, name: str) -> Iterator[Path]:
    """The ``metadata-v1`` entries whose metadata names project ``name``."""
    canonical = str(canonicalize_name(name))
    for path in _json_files(bucket):
        if metadata_name(read_json_file(path)) == canonical:
            yield path


def built_entries(bucket: Path, name: str) -> Iterator[Path]:
    """The ``built-v1/<source key>`` folders holding a wheel of ``name`` or its prepared
    metadata (one source builds one project, so the whole folder is that project's)."""
    canonical = str(canonicalize_name(name))
    for source in readable_children(bucket):
        if source.is_dir() and any(_names(entry) == canonical
                                   for entry in readable_children(source)):
            yield source


def _names(entry: Path) -> str | None:
    """The project an entry of a ``built-v1/<source key>`` folder belongs to."""
    if entry.name.endswith(".metadata.json"):
        return metadata_name(read_json_file(entry))
    if entry.is_dir():
        for wheel in readable_children(entry):
            if wheel.name.endswith(".whl"):
                return str(canonicalize_name(wheel.name.partition("-")[0]))
    return None


def _json_files(directory: Path) -> Iterator[Path]:
    for path in readable_children(directory):
        if path.suffix == ".json" and not path.name.startswith("."):
            yield path
