"""``ferry cache verify``: prove that every visible entry is complete and unchanged.

Files are re-hashed against the sha256 that names them; unpacked archives are checked against
the manifest written before they became visible (size and sha256 of every file, no file missing,
none added); JSON entries must parse. Orphaned temporary work under ``.tmp`` is counted, not
reported as damage: it is invisible to readers and ``prune`` removes it (RELIABILITY invariant 6).
With ``repair`` the damaged entries are removed, so the next command fetches them again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ferry.cache import archives, files
from ferry.cache.jsonfile import is_valid_json_file
from ferry.cache.maintenance import JSON_BUCKETS, children, is_temp_name, walk_files
from ferry.cache.store import BUCKETS, Cache
from ferry.fs.atomic import remove_tree
from ferry.fs.paths import safe_join
from ferry.model.errors import InvalidWheelError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.thread_pool import ThreadPool

logger = get_logger(__name__)


@immutable
class Damage:
    path: Path
    reason: str


@immutable
class VerifyResult:
    root: Path
    checked: int
    damaged: tuple[Damage, ...]
    repaired: bool
    orphans: int

    @property
    def remaining(self) -> int:
        """Damaged entries still in the cache (zero after a repair)."""
        return 0 if self.repaired else len(self.damaged)


def verify(cache: Cache, repair: bool = False) -> VerifyResult:
    """Check every entry; with ``repair``, remove the damaged ones (under the exclusive lock)."""
    with cache.exclusive() if repair else cache.shared():
        checks = _file_checks(cache) + _archive_checks(cache) + _json_checks(cache)
        workers = min(8, (os.cpu_count() or 2))
        with ThreadPool(workers, thread_name_prefix="ferry-verify") as pool:
            outcomes = list(pool.map(lambda check: (check[0], check[1]()), checks))
        damaged = tuple(Damage(path, reason) for path, reason in outcomes if reason is not None)
        for damage in damaged:
            logger.debug("damaged cache entry `%s`: %s", damage.path, damage.reason)
            if repair:
                remove_tree(damage.path)
        orphans = len(children(cache.tmp_root))
    return VerifyResult(cache.root, len(checks), damaged, repair, orphans)


Check = tuple[Path, Callable[[], str | None]]


def _file_checks(cache: Cache) -> list[Check]:
    bucket = cache.root / BUCKETS["files"]
    checks: list[Check] = []
    for prefix in children(bucket):
        for entry in children(prefix):
            if not files.is_sha256(entry.name):
                continue
            for path in children(entry):
                if not is_temp_name(path.name):
                    checks.append((path, partial(_check_file, path, entry.name)))
    return checks


def _archive_checks(cache: Cache) -> list[Check]:
    bucket = cache.root / BUCKETS["archives"]
    return [
        (entry, partial(_check_archive, entry))
        for entry in children(bucket)
        if files.is_sha256(entry.name)
    ]


def _json_checks(cache: Cache) -> list[Check]:
    return [
        (path, partial(_check_json, path))
        for name in JSON_BUCKETS
        for path in walk_files(
            cache.root / BUCKETS[name],
            lambda p: p.suffix == ".json" and not is_temp_name(p.name),
        )
    ]


def _check_file(path: Path, sha256: str) -> str | None:
    if path.is_symlink() or not path.is_file():
        return "not a regular file"
    try:
        with open(path, "rb") as handle:
            computed = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    if computed != sha256:
        return f"content does not match its sha256 (computed {computed})"
    return None


def file_problem(path: Path, sha256: str) -> str | None:
    """Why the stored file ``path`` is not the file with digest ``sha256``, or ``None``."""
    return _check_file(path, sha256)


def archive_problem(entry: Path) -> str | None:
    """Why the unpacked archive ``entry`` differs from its manifest (every file hashed), or
    ``None``; ``--refresh`` runs the same check on the archives it is about to use."""
    return _check_archive(entry)


def _check_archive(entry: Path) -> str | None:
    manifest = archives.read_manifest(entry)
    if manifest is None:
        return "missing or unreadable manifest (incomplete entry)"
    problems = []
    for relative, expected in manifest.items():
        try:
            actual = archives.describe(safe_join(entry, relative))
        except InvalidWheelError:
            problems.append(f"manifest names an unsafe path {relative!r}")
            continue
        except OSError:
            problems.append(f"missing `{relative}`")
            continue
        if actual != expected:
            problems.append(f"`{relative}` changed")
    present = {
        (Path(current) / name).relative_to(entry).as_posix()
        for current, _dirs, names in os.walk(entry)
        for name in names
    }
    extra = sorted(present - set(manifest) - {archives.MANIFEST_NAME})
    problems.extend(f"unexpected `{relative}`" for relative in extra)
    if not problems:
        return None
    shown = "; ".join(problems[:3])
    return shown if len(problems) <= 3 else f"{shown}; and {len(problems) - 3} more"


def _check_json(path: Path) -> str | None:
    return None if is_valid_json_file(path) else "not valid JSON (truncated or garbled)"
