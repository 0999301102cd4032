"""Re-check an unpacked wheel tree (a cache entry) before it is installed, and list its files.

Separate from ``unpack`` (which reads ZIP archives) because every warm install runs these checks
and none of the unpacker's: importing ``zipfile`` and ``shutil`` cost ~6 ms of each start-up.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferry._regex_cache import compile_pattern
from ferry.fs.errors import os_error
from ferry.model.errors import FilesystemError
from ferry.wheel._contents import check_contents
from ferry.wheel._digests import UnpackedTree, manifest_digest
from ferry.wheel._paths import RESERVED_PREFIX, member_name_problem
from ferry.wheel._problem import ZipProblem
from ferry.wheel.wheel_info import WheelInfo, info_from_contents, parse_wheel_tags, wheel_error

__all__ = ["inspect_unpacked", "is_pycache_member", "listed_tree"]


def is_pycache_member(name: str) -> bool:
    """``…/__pycache__/….pyc``: bytecode compiled for someone else's interpreter (B13)."""
    parts = name.split("/")
    return name.endswith(".pyc") and "__pycache__" in parts[:-1]


def inspect_unpacked(archive_dir: Path) -> tuple[WheelInfo, list[str]]:
    """Re-check an unpacked wheel tree and list its files (``/``-separated, sorted).

    The cache entry was validated when it was unpacked, but it is only as trustworthy as the disk
    under it, and the checks are cheap (names plus three small files), so they run again here.
    A symlink in the tree is refused: unpacking never makes one, so someone else did. Top-level
    names starting with ``.ferry-`` (the cache's manifest) are not part of the wheel and skipped.
    """
    files = _tree_files(archive_dir, str(archive_dir))
    if not files:
        raise FilesystemError(f"Unpacked wheel `{archive_dir}` is missing or empty")
    files.sort()
    return _describe(archive_dir, files), files


def listed_tree(archive_dir: Path, listed: Mapping[str, Any]) -> UnpackedTree | None:
    """The tree of a cache entry described by its manifest's ``files`` (``member -> {"size",
    "sha256"}``), which the cache's lookup has just checked file by file with ``lstat``; or
    ``None`` when the manifest cannot describe a wheel tree by itself (a symlink, a name the
    walk would screen, a malformed digest), and :func:`inspect_unpacked` must walk it.

    This is the warm install's description: walking ~10,000 files and decoding the manifest a
    second time cost a third of the Python time of linking them (``data`` workload). The
    manifest is written by ferry before the entry becomes visible; a file added to the entry
    by hand afterwards is not installed (the walk would have installed it with a warning).
    """
    suspect = _SUSPECT_PATH.search
    digests: dict[str, tuple[str, int]] = {}
    try:
        for member, item in listed.items():
            digest = manifest_digest(item)
            if digest is None or "symlink" in item or suspect(member) is not None:
                return None
            if not is_pycache_member(member):
                digests[member] = digest
    except (AttributeError, TypeError):  # not a mapping, a name that is not a string
        return None
    if not digests:
        return None
    files = sorted(digests)
    return UnpackedTree(_describe(archive_dir, files), files, digests)


def _describe(archive_dir: Path, files: list[str]) -> WheelInfo:
    """The wheel whose unpacked tree holds ``files`` (sorted), its three small files read and
    checked again."""

    def read(member: str) -> bytes | None:
        try:
            return archive_dir.joinpath(*member.split("/")).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    try:
        contents = check_contents(
            files, read, name=None, version=None, origin="`.dist-info` directory name"
        )
    except ZipProblem as problem:
        raise wheel_error(str(archive_dir), problem) from None
    tags = parse_wheel_tags(contents.wheel_tags)
    return info_from_contents(archive_dir.name, contents, tags, tuple(files))


# A member path a manifest may not name for ``listed_tree`` (the walk decides about it): a
# control character, a backslash, a drive letter or colon, a leading or doubled ``/``, or an
# empty, ``.`` or ``..`` part; and a top-level name ferry reserves for itself.
_SUSPECT_PATH = compile_pattern(
    r"[\x00-\x1f\x7f\\:]|(?:^|/)\.{0,2}(?:/|$)|^" + re.escape(RESERVED_PREFIX)
)


# What can make a name scandir returns (never empty, `.`, `..` or holding `/`) unsafe for
# member_name_problem: a control character, a backslash, a leading drive letter.
_SUSPECT_PART = compile_pattern(r"[\x00-\x1f\x7f\\]|^[A-Za-z]:")


def _tree_files(archive_dir: Path, label: str) -> list[str]:
    """The files under ``archive_dir`` (unsorted), refusing symlinks and unsafe names.

    scandir's entries know whether they are symlinks or directories (``d_type``), so the walk
    costs one ``getdents`` per directory and no ``stat`` per file. A missing ``archive_dir`` is
    an empty list; any other error reading the tree is a ``FilesystemError``.
    """
    files: list[str] = []
    # (directory, its member prefix, whether a component of that prefix may be unsafe): each
    # name is screened once, where scandir returns it, rather than the whole path per file
    pending = [(os.fspath(archive_dir), "", False)]
    try:
        while pending:
            directory, prefix, suspect = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    if not prefix and name.startswith(RESERVED_PREFIX):
                        continue  # ferry's bookkeeping (the cache manifest), not the wheel's
                    rel = prefix + name
                    if entry.is_symlink():
                        raise wheel_error(label, ZipProblem("is a symbolic link", rel))
                    bad = suspect or _SUSPECT_PART.search(name) is not None
                    if entry.is_dir():
                        pending.append((entry.path, rel + "/", bad))
                        continue
                    if bad:  # member_name_problem has the rule and the reason
                        problem = member_name_problem(rel)
                        if problem:
                            raise wheel_error(label, ZipProblem(problem, rel))
                    if not is_pycache_member(rel):
                        files.append(rel)
    except (FileNotFoundError, NotADirectoryError) as exc:
        if exc.filename != os.fspath(archive_dir):
            raise os_error("read the unpacked wheel", archive_dir, exc) from exc
    except OSError as exc:
        raise os_error("read the unpacked wheel", archive_dir, exc) from exc
    return files
