"""Unpacked wheels, one directory per wheel sha256: ``archives-v1/<sha>/``.

An entry is built in a temporary directory inside the cache, receives its manifest (every file's
relative path, size and sha256) and only then is renamed into place. So a visible entry is always
complete, a ``kill -9`` during extraction leaves only an orphaned temp directory (RELIABILITY F2),
and ``ferry cache verify`` can later tell whether anything inside drifted, for instance a file
edited in a virtual environment through a hardlink (G7, G8).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferry.fs.atomic import remove_tree, rename_dir_into_place
from ferry.fs.errors import os_error
from ferry.model.immutable import immutable
from ferry.model.log import get_logger

logger = get_logger(__name__)

MANIFEST_NAME = ".ferry-manifest.json"
MANIFEST_VERSION = 1


@immutable
class ManifestEntry:
    """One file of an archive: its size and sha256, or for a symlink its target."""

    size: int = 0
    sha256: str = ""
    symlink: str | None = None


def build_manifest(directory: Path) -> dict[str, ManifestEntry]:
    """Every file under ``directory``: relative POSIX path → entry (symlinks are not followed)."""
    manifest: dict[str, ManifestEntry] = {}
    for current, dirnames, filenames in os.walk(directory):
        base = Path(current)
        names = list(filenames) + [d for d in dirnames if (base / d).is_symlink()]
        for name in names:
            path = base / name
            relative = path.relative_to(directory).as_posix()
            if relative == MANIFEST_NAME:
                continue
            manifest[relative] = describe(path)
    return manifest


def describe(path: Path) -> ManifestEntry:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return ManifestEntry(symlink=str(path.readlink()))
    import hashlib  # here, not at the top: OpenSSL costs ~2.5 ms of every start-up

    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return ManifestEntry(size=info.st_size, sha256=digest)


def write_manifest(
    directory: Path, sha256: str, files: Mapping[str, tuple[int, str]] | None = None
) -> None:
    """Write the manifest of ``directory`` into it (before it becomes visible).

    ``files`` (``relative path -> (size, sha256 hex)``) is what the unpacker computed while it
    wrote the tree; without it every file is read back and hashed. One compact line of JSON:
    ``indent`` would send ``json`` to its pure-Python encoder, several times slower.
    """
    if files is None:
        listed = {
            relative: (
                {"symlink": entry.symlink}
                if entry.symlink is not None
                else {"size": entry.size, "sha256": entry.sha256}
            )
            for relative, entry in sorted(build_manifest(directory).items())
        }
    else:
        listed = {
            relative: {"size": size, "sha256": digest}
            for relative, (size, digest) in sorted(files.items())
        }
    document = {"version": MANIFEST_VERSION, "sha256": sha256, "files": listed}
    (directory / MANIFEST_NAME).write_text(
        json.dumps(document, separators=(",", ":")), encoding="utf-8"
    )


def read_manifest(entry: Path) -> dict[str, ManifestEntry] | None:
    """The manifest of an archive entry; ``None`` if it is missing or unreadable."""
    try:
        document = json.loads((entry / MANIFEST_NAME).read_bytes())
        if document.get("version") != MANIFEST_VERSION:
            return None
        return {
            str(relative): ManifestEntry(
                size=int(item.get("size", 0)),
                sha256=str(item.get("sha256", "")),
                symlink=item.get("symlink"),
            )
            for relative, item in document["files"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def persist(
    bucket: Path,
    sha256: str,
    tmp_dir: Path,
    staging: Path,
    files: Mapping[str, tuple[int, str]] | None = None,
) -> Path:
    """Make ``tmp_dir`` the entry for ``sha256``; return the entry's path.

    ``files`` is the tree's manifest as the unpacker computed it (see :func:`write_manifest`).
    ``tmp_dir`` is consumed. If it is not on the cache's filesystem it is first copied into
    ``staging`` (a temp directory inside the cache) so the final step is still one rename.
    If another process persisted the same archive first, its entry is kept and returned.
    """
    final = bucket / sha256
    try:
        write_manifest(tmp_dir, sha256, files)
        if tmp_dir.stat().st_dev != staging.parent.stat().st_dev:
            _move_across_devices(tmp_dir, staging)
            tmp_dir = staging
    except OSError as error:
        remove_tree(tmp_dir)
        raise os_error("prepare cache entry", final, error) from error
    if rename_dir_into_place(tmp_dir, final):
        logger.debug("unpacked archive %s persisted into the cache", sha256)
    else:
        logger.debug("archive %s was persisted by another process first; using it", sha256)
    return final


def find(bucket: Path, sha256: str, trash: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The entry for ``sha256`` and its manifest's files if it is complete; else ``None``.

    Complete means: its manifest is readable and every file it lists is there with its recorded
    size (one ``lstat`` each, no hashing: installing hashes every file anyway, and ``ferry cache
    verify`` compares contents). An entry failing that cannot be linked as it is (a file deleted
    or truncated by hand, a disk error); it is moved to ``trash`` and deleted there, so no
    half-removed directory is ever visible under its name, and the caller unpacks it again
    (RELIABILITY G7).
    """
    entry = bucket / sha256
    listed, problem = _judge(entry)
    if listed is None:
        if not entry.exists():
            logger.debug("cache miss: no unpacked archive for sha256 %s", sha256)
            return None
        # Judge again before calling it damaged: the first read may have found no entry at all
        # and another process renamed its complete one into place just after (E2). Only a
        # manifest missing from an entry that was there all along is damage; deciding on a
        # second ``exists`` alone discarded archives other processes were linking from.
        listed, problem = _judge(entry)
        if listed is None:
            logger.debug("discarding damaged archive `%s` (no manifest)", entry)
            discard(entry, trash)
            return None
    if problem is None:
        return entry, listed
    logger.debug("discarding damaged archive `%s` (%s)", entry, problem)
    discard(entry, trash)
    return None


def _judge(entry: Path) -> tuple[Mapping[str, Any] | None, str | None]:
    """The manifest's files of ``entry`` (``None`` if missing or unreadable, as
    ``read_manifest`` would say) and why the files disagree with it (``None`` if they agree)."""
    try:
        document = json.loads((entry / MANIFEST_NAME).read_bytes())
        listed = document["files"] if document.get("version") == MANIFEST_VERSION else None
        return listed, None if listed is None else _stat_problem(entry, listed)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, None


def _stat_problem(entry: Path, listed: Mapping[str, Any]) -> str | None:
    """Why the files under ``entry`` cannot be what the manifest's ``listed`` files say, judged
    by ``lstat``. A malformed item raises what ``read_manifest`` catches (the caller treats the
    manifest as unreadable, as ``read_manifest`` would); no ``ManifestEntry`` is built per file
    on this path, which runs for every file of every archive a command links."""
    # str paths and os.lstat: a Path per file cost several times the lstat itself.
    base = os.fspath(entry) + os.sep
    native = os.sep != "/"
    for relative, item in listed.items():
        relative = str(relative)
        size = int(item.get("size", 0))
        symlink = item.get("symlink")
        parts = relative.split("/")
        if relative.startswith("/") or ".." in parts:
            return f"the manifest names an unsafe path `{relative}`"
        try:
            info = os.lstat(base + (relative.replace("/", os.sep) if native else relative))
        except OSError:
            return f"`{relative}` is missing"
        if symlink is not None:
            if not stat.S_ISLNK(info.st_mode):
                return f"`{relative}` is no longer a symlink"
        elif not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return f"`{relative}` changed size"
    return None


def discard(entry: Path, trash: Path) -> None:
    """Remove ``entry``: renamed away first (atomic), then deleted.

    Gone already is fine (another process discarded it). Nothing looks at ``entry`` again
    afterwards: a complete copy another process renames in meanwhile must stay."""
    try:
        trash.parent.mkdir(parents=True, exist_ok=True)
        entry.rename(trash)
    except FileNotFoundError:
        return
    except OSError:
        remove_tree(entry)
        return
    remove_tree(trash)


def _move_across_devices(source: Path, staging: Path) -> None:
    import shutil

    remove_tree(staging)
    shutil.copytree(source, staging, symlinks=True)
    remove_tree(source)
