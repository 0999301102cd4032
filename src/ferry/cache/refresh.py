"""The full checks ``--refresh`` runs on cache entries before they are used again.

An ordinary lookup trusts what it finds after a cheap plausibility check (size and presence, no
hashing: RELIABILITY G7), because hashing every file of every cached archive on every command
would cost more than the install. ``--refresh`` is the user saying "do not trust the cache for
these packages": a downloaded file is hashed against the sha256 that names it, and an unpacked
archive against the manifest written before it became visible (what ``ferry cache verify``
does, entry by entry). A damaged entry is discarded, so the caller downloads or unpacks it again.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.cache import archives
from ferry.cache.files import is_sha256
from ferry.cache.store import Cache
from ferry.cache.verify import archive_problem, file_problem
from ferry.model.log import get_logger

logger = get_logger(__name__)


def discard_file(path: Path) -> None:
    """Remove a damaged stored file (and its now empty entry directory)."""
    try:
        path.unlink()
        path.parent.rmdir()
    except OSError:
        pass


def revalidate_file(path: Path, sha256: str, why: str) -> bool:
    """Hash the stored file; discard it when damaged. ``True`` when it may be used."""
    problem = file_problem(path, sha256)
    if problem is None:
        logger.debug("`%s` checked against its sha256 (%s): intact", path.name, why)
        return True
    logger.debug("Discarding the cached `%s` (%s): %s", path.name, why, problem)
    discard_file(path)
    return False


def revalidate_archive(cache: Cache, sha256: str, why: str) -> bool:
    """Check the unpacked archive of the wheel ``sha256`` against its manifest, every file
    hashed; a damaged one is discarded so the next lookup misses and it is unpacked (and, if the
    wheel itself is damaged too, downloaded) again. ``True`` when nothing was wrong or absent."""
    if not is_sha256(sha256):
        return True
    entry = cache.bucket("archives") / sha256
    if not entry.exists():
        return True
    problem = archive_problem(entry)
    if problem is None:
        logger.debug("Unpacked archive %s… checked against its manifest (%s)", sha256[:12], why)
        return True
    logger.debug(
        "Discarding the unpacked archive %s… (%s): %s; it is prepared again",
        sha256[:12],
        why,
        problem,
    )
    trash = cache.tmp_root / f"trash-{os.urandom(8).hex()}"
    archives.discard(entry, trash)
    return False
