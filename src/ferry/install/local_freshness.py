"""Local projects whose build configuration changed since they were installed.

A project installed from a directory (the project itself, editable or not, a path source, a
workspace member) carries metadata built from its ``pyproject.toml``: a dependency added there
is missing from the installed ``Requires-Dist`` until it is built again, and the version alone
cannot tell. uv rebuilds such a project when one of its cache keys (``pyproject.toml``,
``setup.py``, ``setup.cfg``) changed; ferry does the same by comparing those files' modification
times with the installed RECORD's, which ferry, uv and pip all write when they install.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ferry.model.dist import PinnedDist
from ferry.model.log import get_logger

logger = get_logger(__name__)

CONFIG_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar")


def stale_local_builds(pins: Iterable[PinnedDist], installed: Sequence[Any]) -> set[str]:
    """Names of the local directory ``pins`` installed before their configuration last changed."""
    by_name = {dist.name: dist for dist in installed}
    stale: set[str] = set()
    # A file dated in the future cannot say whether it changed since the install (it would
    # look newer after every rebuild): such a date is ignored, as it was not written just now.
    now = time.time_ns()
    for pin in pins:
        directory = _local_directory(pin.direct_url)
        have = by_name.get(pin.name)
        dist_info = getattr(have, "dist_info", None)
        if directory is None or dist_info is None:
            continue
        try:
            installed_at = (Path(dist_info) / "RECORD").stat().st_mtime_ns
        except OSError:
            continue  # not ours to judge: the plan decides on what it can see
        for name in CONFIG_FILES:
            try:
                changed_at = (directory / name).stat().st_mtime_ns
            except OSError:
                continue
            if installed_at < changed_at <= now:
                logger.debug("%s: its %s changed since it was installed; building it again",
                             pin.name, name)
                stale.add(pin.name)
                break
    return stale


def _local_directory(url: str | None) -> Path | None:
    if url is None or not url.startswith("file:") or url.endswith(_ARCHIVES):
        return None
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path))
    return path if path.is_dir() else None


def stale_in(pins: Sequence[PinnedDist], site_dirs: Iterable[Path]) -> set[str]:
    """:func:`stale_local_builds` for a sync that would otherwise skip planning: only the
    local pins' ``.dist-info`` directories are looked up (one listing per site directory)."""
    local = {pin.name for pin in pins if _local_directory(pin.direct_url) is not None}
    if not local:
        return set()
    from ferry.model.names import canonicalize_name

    found: list[_Found] = []
    for site in site_dirs:
        try:
            names = [entry.name for entry in site.iterdir()]
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                name = canonicalize_name(entry[: -len(".dist-info")].rsplit("-", 1)[0])
                if name in local:
                    found.append(_Found(name, site / entry))
    return stale_local_builds(pins, found)


class _Found:
    __slots__ = ("dist_info", "name")

    def __init__(self, name: str, dist_info: Path) -> None:
        self.name = name
        self.dist_info = dist_info
