"""The sha256 and size of every file of an unpacked wheel, without reading the files.

Installing writes a RECORD row (sha256 and size) for every file it links and compares the
wheel's own RECORD with the files (B7/B8). Hashing every file at every install made a warm
install read the whole wheel once more each time. The cache already hashed every file once, when
it persisted the unpacked tree: it wrote ``.ferry-manifest.json`` (``cache/archives.py``: format
version 1, ``{"version": 1, "files": {"<member>": {"size": n, "sha256": "<hex>"}}}``) inside the
tree before the tree became visible. When that manifest is there and names every file, the
install takes the digests from it; otherwise (a tree unpacked outside the cache, a manifest of
another format version, a damaged one) the files are hashed as before.

Here the manifest is read, never trusted to name files: the list comes from walking the tree
(``inspect_unpacked``), and a manifest that disagrees with it is ignored as a whole. A warm
install instead takes the list from the manifest the cache's lookup has just checked file by
file with ``lstat`` (``unpack.listed_tree``), and walks only when that listing cannot vouch for
the tree by itself.
A file edited in place after the cache persisted it (through a hardlink, G8) keeps its old digest
here; finding such drift is ``ferry cache verify``'s job (G7), as it is uv's.
"""


# No ``from __future__ import annotations`` here: under it, typing compile()s each string
# field of a ``NamedTuple``, and a process's first compile() costs ~1 ms (every ``_ast``
# node class is built); a test holds warm commands to no compile() at all.

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from ferry._regex_cache import compile_pattern
from ferry.model.log import get_logger
from ferry.wheel.record import urlsafe_digest
from ferry.wheel.wheel_info import WheelInfo

logger = get_logger(__name__)

# Written by ferry.cache.archives; the wheel layer reads it without importing the cache layer.
MANIFEST_NAME = ".ferry-manifest.json"
MANIFEST_VERSION = 1
_HEX64 = compile_pattern("[0-9a-f]{64}")


class UnpackedTree(NamedTuple):
    """What unpacking a wheel learned about the tree it just wrote, for installing from it at
    once: the validated wheel, its files (sorted, as ``inspect_unpacked`` lists them) and their
    digests (as :func:`recorded_digests` gives them). A cold install then neither walks the tree
    nor reads back its metadata files and manifest moments after writing them."""

    info: WheelInfo
    files: list[str]
    digests: dict[str, tuple[str, int]]


def record_encoding(sha256: str) -> str:
    """A sha256 hex digest in RECORD's encoding: 32 bytes are 43 urlsafe base64 characters and
    one "=" of padding, which RECORD leaves out."""
    return urlsafe_digest(bytes.fromhex(sha256))


def manifest_digest(item: object) -> tuple[str, int] | None:
    """A manifest item's ``(sha256 in RECORD encoding, size)``, or ``None`` when it is not one
    the cache writes (``{"size": n, "sha256": "<64 lowercase hex>"}``)."""
    if not isinstance(item, dict):
        return None
    sha256, size = item.get("sha256"), item.get("size")
    if (
        type(size) is not int  # not a bool either
        or size < 0
        or not isinstance(sha256, str)
        or _HEX64.fullmatch(sha256) is None
    ):
        return None
    return record_encoding(sha256), size


def unpacked_tree(info: WheelInfo, written: Mapping[str, tuple[int, str]]) -> UnpackedTree:
    """The tree ``unpack_wheel`` described in ``written`` (``member -> (size, sha256 hex)``)."""
    digests = {
        member: (record_encoding(sha256), size) for member, (size, sha256) in written.items()
    }
    return UnpackedTree(info, sorted(digests), digests)


def recorded_digests(
    archive_dir: Path, files: Collection[str]
) -> dict[str, tuple[str, int]] | None:
    """``member -> (sha256 in RECORD encoding, size)`` for every one of ``files``, or ``None``."""
    try:
        document = json.loads((archive_dir / MANIFEST_NAME).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.debug("ignoring the manifest of `%s`: %s", archive_dir, error)
        return None
    if not isinstance(document, dict):
        document = {}
    listed = document.get("files")
    if document.get("version") != MANIFEST_VERSION or not isinstance(listed, dict):
        logger.debug("ignoring the manifest of `%s`: not format %d", archive_dir, MANIFEST_VERSION)
        return None
    digests: dict[str, tuple[str, int]] = {}
    for member in files:
        digest = manifest_digest(listed.get(member))
        if digest is None:
            _unusable(archive_dir, member)
            return None
        digests[member] = digest
    return digests


def _unusable(archive_dir: Path, member: str) -> None:
    logger.debug("ignoring the manifest of `%s`: no usable entry for `%s`", archive_dir, member)
