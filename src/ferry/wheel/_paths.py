"""Path rules for names that come from untrusted archives and RECORD files.

A wheel's member names and an installed RECORD are written by whoever built the wheel, so every
name is checked before it becomes a path: the rules are those of uv's ``enclosed_name`` (no
absolute paths, no drive or UNC prefixes, no ``..``), made fatal, plus a refusal of backslashes
and control characters so that no two tools can disagree about which file a name means.
(``ferry.fs.paths.safe_join`` covers joining in general; these checks are wheel-specific and
give the precise reason a name is refused, which the error message needs.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ferry._regex_cache import compile_pattern

_DRIVE = compile_pattern(r"^[A-Za-z]:")
# NUL, the other C0 controls and DEL; one regex search instead of an ord() per character
# (names are checked twice per member of every wheel unpacked or installed).
_CONTROL = compile_pattern(r"[\x00-\x1f\x7f]")

# Top-level names an unpacked archive may hold for ferry's own bookkeeping (the cache's
# ``.ferry-manifest.json``). A wheel may not use them, so the two can never be confused.
RESERVED_PREFIX = ".ferry-"


def member_name_problem(name: str) -> str | None:
    """Why ``name`` (a ZIP member name, ``/``-separated) is unsafe, or ``None`` if it is fine.

    A trailing ``/`` marks a directory entry and is allowed.
    """
    if not name:
        return "has an empty name"
    if _CONTROL.search(name):
        return "contains a NUL or control character"
    if "\\" in name:
        return "contains a backslash (a Windows separator that could escape the target)"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if parts[0].startswith(RESERVED_PREFIX):
        return f"uses the prefix `{RESERVED_PREFIX}` that ferry reserves for its own files"
    for part in parts:
        if part == "..":
            return "contains a `..` component that escapes the target directory"
        if part in ("", "."):
            return "contains an empty or `.` path component"
        if _DRIVE.match(part):
            return "contains a drive-letter component"
    return None


def entry_point_name_problem(name: str) -> str | None:
    """Why a console/GUI script name cannot become a file in the scripts directory."""
    if name in ("", ".", ".."):
        return "is empty, `.` or `..`"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if _CONTROL.search(name):
        return "contains a NUL or control character"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    return None


def lexical_join(base: str, relative: str) -> str:
    """``base/relative`` with ``..`` and ``.`` folded away without touching the filesystem.

    RECORD paths legitimately climb out of site-packages (``../../../bin/tool``), so they cannot
    be refused outright; instead the folded result is checked against the scheme directories.
    Strings, not ``Path``: uninstall calls this once per RECORD row.
    """
    return os.path.normpath(os.path.join(base, relative.replace("\\", "/")))  # noqa: PTH118


def _inside(path: str, root: str) -> bool:
    return path.startswith(root if root.endswith(os.sep) else root + os.sep)


class Enclosure:
    """The directories a RECORD entry may point into (a scheme's), and the test for it.

    A path must lie strictly inside one of them lexically *and* once its parent directory is
    resolved, so an entry cannot reach outside through a symlinked directory either. Resolved
    parents are cached: a RECORD has thousands of rows but few distinct directories.
    """

    def __init__(self, roots: Iterable[Path | str]) -> None:
        self.roots = [os.path.normpath(os.fspath(r)) for r in roots]
        self._real_roots = [os.path.realpath(r) for r in self.roots]
        self._parents: dict[str, bool] = {}

    def contains(self, path: str) -> bool:
        if not any(_inside(path, root) for root in self.roots):
            return False
        parent = os.path.dirname(path)  # noqa: PTH120 - strings on the hot path
        verdict = self._parents.get(parent)
        if verdict is None:
            real = os.path.realpath(parent)
            verdict = any(real == r or _inside(real, r) for r in self._real_roots)
            self._parents[parent] = verdict
        return verdict
