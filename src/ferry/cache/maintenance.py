"""``clean`` and ``prune``: removing entries without hurting a running command.

Both take the cache's lock exclusively, so they wait for every command that is using the cache
(each holds it shared) and no entry is removed while someone links from it (RELIABILITY E3). The
lock file itself is never removed: a process waiting on it holds that very inode, and replacing it
would let two processes believe they both own the cache.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ferry.cache import archives, files, git_bucket, package_owners, records
from ferry.cache.jsonfile import is_valid_json_file, read_json_file
from ferry.cache.overlays import orphaned_overlays
from ferry.cache.store import BUCKETS, CACHEDIR_TAG_NAME, LOCK_NAME, Cache
from ferry.fs import toml_memo
from ferry.fs.atomic import remove_tree
from ferry.fs.errors import os_error
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name

logger = get_logger(__name__)

# Kept by a full clean: not entries, and the lock must stay the same inode (see above).
CONTROL_FILES = frozenset({LOCK_NAME, CACHEDIR_TAG_NAME, ".gitignore"})
ORPHAN_AGE = 3600.0  # seconds after which a temporary entry is surely abandoned
# Buckets of JSON entries, whose damaged (unparseable) files prune removes.
JSON_BUCKETS = ("index", "metadata", "names", "urls", "interpreters", "built", "environments")


@immutable
class Removed:
    """What a removal freed."""

    files: int = 0
    bytes: int = 0

    def __add__(self, other: Removed) -> Removed:
        return Removed(self.files + other.files, self.bytes + other.bytes)


@immutable
class CleanResult:
    root: Path
    removed: Removed
    not_found: tuple[str, ...] = ()  # packages asked for that had no entry


@immutable
class PruneResult:
    root: Path
    removed: Removed


def clean(cache: Cache, packages: Sequence[str] = ()) -> CleanResult:
    """Remove the whole cache, or only what belongs to ``packages``."""
    with cache.exclusive():
        if not packages:
            removed = Removed()
            for child in children(cache.root):
                if child.name not in CONTROL_FILES:
                    removed += remove_entry(child)
            cache.forget_layout()
            return CleanResult(cache.root, removed)
        removed = Removed()
        not_found = []
        for name in packages:
            targets = [path for path in dict.fromkeys(_package_entries(cache, name))
                       if _exists(path)]
            if not targets:
                not_found.append(name)
            for path in targets:
                removed += remove_entry(path)
        return CleanResult(cache.root, removed, tuple(not_found))


def prune(cache: Cache, *, ci: bool = False) -> PruneResult:
    """Remove what nothing can use: abandoned temporary work, damaged entries, stale pointers.

    Sound by construction: a complete entry whose content is still present is never removed.
    ``ci`` also removes what a CI cache should not carry (:mod:`ferry.cache.prune_ci`).
    """
    now = time.time()
    with cache.exclusive():
        removed = Removed()
        if ci:
            from ferry.cache.prune_ci import prune_for_ci

            removed += prune_for_ci(cache.root, BUCKETS)
        removed += _prune_temps(cache.tmp_root, now)
        removed += _prune_files(_bucket(cache, "files"), now)
        removed += _prune_archives(_bucket(cache, "archives"))
        removed += _prune_pointers(cache)
        removed += _prune_git(_bucket(cache, "git"))
        for name in JSON_BUCKETS:
            removed += _prune_json(_bucket(cache, name), now)
        removed += _prune_parsed_toml(_bucket(cache, "toml"))
        removed += _prune_replays(_bucket(cache, "replay"))
        for overlay in orphaned_overlays(_bucket(cache, "environments")):  # their base is gone
            removed += remove_entry(overlay)
        cache.forget_layout()
    return PruneResult(cache.root, removed)


def is_temp_name(name: str) -> bool:
    """A temporary sibling left by an atomic write (``.<name>.<random>.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


# -- clean ---------------------------------------------------------------------------------------


def _package_entries(cache: Cache, name: str) -> Iterator[Path]:
    """Every path that holds something of project ``name``."""
    canonical = canonicalize_name(name)
    names = _bucket(cache, "names")
    shas = {record.sha256 for record in records.read_names(names, canonical)}
    yield records.name_dir(names, canonical)
    # Metadata fetched alone and wheels built from a local tree have no name record.
    yield from package_owners.metadata_entries(_bucket(cache, "metadata"), canonical)
    yield from package_owners.built_entries(_bucket(cache, "built"), canonical)
    for sha in shas:
        yield files.entry_dir(_bucket(cache, "files"), sha)
        yield _bucket(cache, "archives") / sha
        for bucket in ("metadata", "built"):
            yield _bucket(cache, bucket) / sha
            yield _bucket(cache, bucket) / f"{sha}.json"
    for path in _json_files(_bucket(cache, "urls")):
        value = read_json_file(path)
        if isinstance(value, dict) and value.get("sha256") in shas:
            yield path
    # Index pages are keyed ending with the normalized project name (see Cache.json_path).
    yield from walk_files(_bucket(cache, "index"), lambda p: p.name == f"{canonical}.json")
    yield from git_bucket.package_entries(_bucket(cache, "git"), _bucket(cache, "built"),
                                          _bucket(cache, "archives"), canonical)


# -- prune ---------------------------------------------------------------------------------------


def _prune_temps(tmp_root: Path, now: float) -> Removed:
    removed = Removed()
    for child in children(tmp_root):
        if _age(child, now) > ORPHAN_AGE:
            logger.debug("removing abandoned temporary entry `%s`", child)
            removed += remove_entry(child)
    return removed


def _prune_files(bucket: Path, now: float) -> Removed:
    removed = Removed()
    for prefix in children(bucket):
        for entry in children(prefix):
            for path in children(entry):
                stale_temp = is_temp_name(path.name) and _age(path, now) > ORPHAN_AGE
                if stale_temp or (
                    files.is_sha256(entry.name) and _is_damaged_file(path, entry.name)
                ):
                    removed += remove_entry(path)
            rmdir_if_empty(entry)
        rmdir_if_empty(prefix)
    return removed


def _prune_archives(bucket: Path) -> Removed:
    removed = Removed()
    for entry in children(bucket):
        if files.is_sha256(entry.name) and archives.read_manifest(entry) is None:
            logger.debug("removing incomplete archive `%s`", entry)
            removed += remove_entry(entry)
    return removed


def _prune_pointers(cache: Cache) -> Removed:
    """Name and URL records whose file is gone from both the file and the archive buckets."""
    files_bucket, archive_bucket = _bucket(cache, "files"), _bucket(cache, "archives")

    def held(sha: object) -> bool:
        if not files.is_sha256(sha):
            return False
        return files.entry_dir(files_bucket, sha).is_dir() or (archive_bucket / sha).is_dir()

    removed = Removed()
    names = _bucket(cache, "names")
    for directory in children(names):
        for path in _json_files(directory):
            value = read_json_file(path)
            if isinstance(value, dict) and not held(value.get("sha256")):
                removed += remove_entry(path)
        rmdir_if_empty(directory)
    for path in _json_files(_bucket(cache, "urls")):
        value = read_json_file(path)
        if isinstance(value, dict) and not held(value.get("sha256")):
            removed += remove_entry(path)
    return removed


def _prune_git(bucket: Path) -> Removed:
    """What no command can use in ``git-v0`` (:mod:`ferry.cache.git_bucket` says why the rest
    is kept)."""
    removed = Removed()
    for path, reason in git_bucket.prunable(bucket):
        logger.debug("removing `%s`: %s", path, reason)
        removed += remove_entry(path)
    for directory in git_bucket.containers(bucket):
        rmdir_if_empty(directory)
    return removed


def _prune_json(bucket: Path, now: float) -> Removed:
    removed = Removed()
    for path in walk_files(bucket, lambda p: p.suffix in (".json", ".tmp")):
        if is_temp_name(path.name):
            if _age(path, now) > ORPHAN_AGE:
                removed += remove_entry(path)
        elif not is_valid_json_file(path):
            logger.debug("removing damaged JSON entry `%s`", path)
            removed += remove_entry(path)
    return removed


def _prune_parsed_toml(bucket: Path) -> Removed:
    """Parsed files whose file changed or is gone answer for nothing any more; an entry that
    cannot be read is stale too (the memo writes through the cache's ``.tmp``, so the bucket
    holds no temporary files)."""
    removed = Removed()
    for path in walk_files(bucket, lambda p: p.suffix == ".json"):
        if toml_memo.is_stale(path):
            logger.debug("removing parsed TOML whose file changed, is gone or is damaged: `%s`",
                         path)
            removed += remove_entry(path)
    return removed


def _prune_replays(bucket: Path) -> Removed:
    """Descriptions of fresh environments (``commands.sync_replay``) that link a cached file
    no longer there, or that this version cannot read, would never be replayed again."""
    import marshal

    from ferry.fs.tree_snapshot import sources

    removed = Removed()
    for path in walk_files(bucket, lambda p: True):
        try:
            record = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            record = None
        linked = sources(record[-1]) if isinstance(record, tuple) and record else None
        if linked is None or not all(os.path.isfile(source) for source in linked):  # noqa: PTH113
            logger.debug("removing the description of an environment whose files are gone: "
                         "`%s`", path)
            removed += remove_entry(path)
    return removed


def _is_damaged_file(path: Path, sha256: str) -> bool:
    try:
        return not files.plausible(path.lstat(), sha256)
    except OSError:
        return False


# -- helpers -------------------------------------------------------------------------------------


def _bucket(cache: Cache, name: str) -> Path:
    """A bucket's path without creating it (maintenance must not create what it removes)."""
    return cache.root / BUCKETS[name]


def children(directory: Path) -> list[Path]:
    """The entries of ``directory``, sorted; none if it does not exist."""
    try:
        return sorted(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        raise os_error("list cache directory", directory, error) from error


def _json_files(directory: Path) -> list[Path]:
    return [p for p in children(directory) if p.suffix == ".json" and p.is_file()]


def walk_files(root: Path, keep: Callable[[Path], bool]) -> Iterator[Path]:
    """Files under ``root`` (recursively) for which ``keep`` is true."""
    for current, _dirs, names in os.walk(root):
        for name in names:
            path = Path(current) / name
            if keep(path):
                yield path


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _age(path: Path, now: float) -> float:
    try:
        return now - path.lstat().st_mtime
    except OSError:
        return 0.0


def rmdir_if_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):
        directory.rmdir()


def measure(path: Path) -> Removed:
    """How many files, and bytes, ``path`` holds (a file counts as one)."""
    try:
        info = path.lstat()
    except OSError:
        return Removed()
    if not path.is_dir() or path.is_symlink():
        return Removed(1, info.st_size)
    total = Removed()
    for current, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += Removed(1, (Path(current) / name).lstat().st_size)
            except OSError:
                continue
    return total


def remove_entry(path: Path) -> Removed:
    freed = measure(path)
    try:
        remove_tree(path)
    except OSError as error:
        raise os_error("remove cache entry", path, error) from error
    return freed
