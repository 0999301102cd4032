"""What is installed in an environment: ``*.dist-info`` (and, read-only, ``*.egg-info``).

``iter_installed`` runs before every sync, so it must cost one ``scandir`` per site directory: the
name and version come from the directory name (``foo_bar-1.2.dist-info``), and METADATA is read
only when that name is ambiguous. Everything else (INSTALLER, direct_url.json, requirements) is
read lazily, when a caller asks.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version

if TYPE_CHECKING:
    from email.message import Message

__all__ = ["InstalledDist", "iter_installed"]

logger = get_logger(__name__)


@immutable
class InstalledDist:
    """One installed distribution. ``site_dir`` is the directory that holds ``dist_info``.

    ``dist_info`` may also be an ``.egg-info`` directory or file (setuptools/distutils installs);
    those are listed but not uninstalled by ferry (no RECORD).
    """

    name: NormalizedName
    version: Version
    dist_info: Path
    site_dir: Path

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def kind(self) -> Literal["dist-info", "egg-info"]:
        return "egg-info" if self.dist_info.name.endswith(".egg-info") else "dist-info"

    def _read(self, name: str) -> bytes | None:
        try:
            return (self.dist_info / name).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    @cached_property
    def metadata(self) -> Message:
        """METADATA (or PKG-INFO) headers; an empty message if the file is missing."""
        from ferry.wheel._contents import parse_headers  # email.parser: only when asked

        data = _metadata_bytes(self.dist_info)
        return parse_headers(data or b"")

    @property
    def project_name(self) -> str:
        """The name as the project spells it (``Foo.Bar``), for display."""
        return str(self.metadata.get("Name") or self.name)

    @cached_property
    def installer(self) -> str | None:
        data = self._read("INSTALLER")
        if data is None:
            return None
        return data.decode("utf-8", "replace").strip() or None

    @cached_property
    def direct_url(self) -> dict[str, Any] | None:
        """The PEP 610 ``direct_url.json`` as a dict; ``None`` if absent or not valid JSON."""
        data = self._read("direct_url.json")
        if data is None:
            return None
        try:
            parsed = json.loads(data)
        except ValueError:
            logger.debug("ignoring malformed `direct_url.json` in `%s`", self.dist_info)
            return None
        return parsed if isinstance(parsed, dict) else None

    @property
    def editable(self) -> bool:
        info = (self.direct_url or {}).get("dir_info")
        return isinstance(info, dict) and info.get("editable") is True

    @property
    def requested(self) -> bool:
        return self.kind == "dist-info" and (self.dist_info / "REQUESTED").is_file()

    @cached_property
    def requires(self) -> list[str]:
        """``Requires-Dist`` entries (for egg-info: converted from ``requires.txt``)."""
        declared = self.metadata.get_all("Requires-Dist")
        if declared:
            return [str(r).strip() for r in declared]
        if self.kind == "egg-info":
            data = self._read("requires.txt")
            return _egg_requires(data.decode("utf-8", "replace")) if data else []
        return []


def _metadata_bytes(path: Path) -> bytes | None:
    candidates = (
        [path / "METADATA"]
        if path.name.endswith(".dist-info")
        else [path / "PKG-INFO", path]  # egg-info directory, or a single egg-info file
    )
    for candidate in candidates:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return candidate.read_bytes()
    return None


def _egg_requires(text: str) -> list[str]:
    """``requires.txt`` sections (``[extra]``, ``[:marker]``, ``[extra:marker]``) as PEP 508."""
    result: list[str] = []
    marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, env = line[1:-1].partition(":")
            parts = [f"({env})" if env else "", f'extra == "{extra}"' if extra else ""]
            marker = " and ".join(p for p in parts if p)
            continue
        result.append(f"{line}; {marker}" if marker else line)
    return result


def _from_dir_name(entry: str) -> tuple[NormalizedName, Version] | None:
    """Name and version from ``name-version.dist-info`` when that is unambiguous."""
    stem = entry[: -len(".dist-info")]
    if stem.count("-") != 1:
        return None
    name, version = stem.split("-")
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return None


def _from_metadata(path: Path) -> tuple[NormalizedName, Version] | None:
    data = _metadata_bytes(path)
    if data is None:
        return None
    from ferry.wheel._contents import parse_headers

    message = parse_headers(data)
    name, version = message.get("Name"), message.get("Version")
    if not name or not version:
        return None
    try:
        return canonicalize_name(str(name).strip()), Version(str(version).strip())
    except InvalidVersion:
        return None


def _scan(site_dir: Path) -> list[InstalledDist]:
    found: list[InstalledDist] = []
    try:
        entries = list(os.scandir(site_dir))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.name.startswith("."):
            continue  # ferry's own temporary directories, and hidden files
        path = Path(entry.path)
        if entry.name.endswith(".dist-info") and entry.is_dir():
            identity = _from_dir_name(entry.name) or _from_metadata(path)
        elif entry.name.endswith(".egg-info"):
            identity = _from_metadata(path)
        else:
            continue
        if identity is None:
            logger.warning("Ignoring `%s`: its name or version cannot be read", path)
            continue
        found.append(InstalledDist(identity[0], identity[1], path, site_dir))
    return found


def iter_installed(site_dirs: Sequence[Path]) -> list[InstalledDist]:
    """Every distribution in ``site_dirs`` (duplicates and missing directories are fine).

    Sorted by name, then by the order of ``site_dirs``, which is the import order.
    """
    seen: set[str] = set()
    result: list[InstalledDist] = []
    for site_dir in site_dirs:
        key = os.path.realpath(site_dir)
        if key in seen:
            continue
        seen.add(key)
        result.extend(sorted(_scan(Path(site_dir)), key=lambda d: (d.name, d.dist_info.name)))
    return sorted(result, key=lambda d: d.name)  # stable: keeps the site_dirs order per name
