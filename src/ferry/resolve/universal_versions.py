"""Which versions of a project a *fork* of a universal resolution can use.

The single-target :class:`~ferry.resolve.candidates.VersionBuilder` asks "does this file install
on this interpreter?". A universal fork stands for many environments at once, so the question
becomes "could some environment of the fork use this version?", following uv:

- files uploaded after ``--exclude-newer`` and yanked files (unless pinned) are gone;
- a file's ``Requires-Python`` must admit some Python of the fork (only lower bounds count);
- a wheel's interpreter tag must fit some Python of the fork (``cp38`` wheels are useless when
  requires-python starts at 3.10); platform tags are not judged, since some platform may use them;
- a version whose files need a Python newer than the fork's lowest is *partial*: the resolver
  splits the fork there (uv's ``requires-python`` fork strategy) instead of using it everywhere.

The file kept for each version is the one whose metadata is cheapest to read: a pure-Python
wheel, then any wheel, then the sdist (which needs a build).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from ferry.model.dist import FileRef, parse_filename
from ferry.model.names import canonicalize_name
from ferry.resolve.candidates import Exclusion, PackageVersions, VersionEntry
from ferry.resolve.marker_sets import VersionSet
from ferry.resolve.wheel_markers import wheel_python_versions


@lru_cache(maxsize=8192)
def requires_python_floor(requires_python: str | None) -> Version | None:
    """The lowest Python a ``Requires-Python`` value admits (``None``: no lower bound or
    unreadable). Upper bounds are ignored, as uv does."""
    if not requires_python:
        return None
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    floor: Version | None = None
    for item in spec:
        if item.operator not in (">=", ">", "~=", "==", "==="):
            continue
        raw = item.version.removesuffix(".*")
        try:
            bound = Version(raw)
        except InvalidVersion:
            continue
        if item.operator == ">":
            bound = Version(f"{bound}.post0") if bound.post is None else bound
        if floor is None or bound > floor:
            floor = bound
    return floor


def _upload_time(file: FileRef) -> datetime | None:
    if not file.upload_time:
        return None
    try:
        when = datetime.fromisoformat(file.upload_time.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class UniversalVersionBuilder:
    """Builds :class:`PackageVersions` for one fork; records each version's Python floor."""

    def __init__(
        self,
        python: VersionSet,
        *,
        exclude_newer: datetime | None = None,
        allow_sdists: bool = True,
    ) -> None:
        self.python = python
        self.floor = python.lower()
        self.exclude_newer = (
            exclude_newer.replace(tzinfo=UTC)
            if exclude_newer is not None and exclude_newer.tzinfo is None
            else exclude_newer
        )
        self.allow_sdists = allow_sdists
        self.floors: dict[tuple[NormalizedName, Version], Version | None] = {}
        self._floor_ok: dict[Version, bool] = {}
        self._tags_ok: dict[str, bool] = {}

    def build(
        self, name: NormalizedName, files: Iterable[FileRef], yank_allowed: Iterable[Version] = ()
    ) -> PackageVersions:
        allowed = set(yank_allowed)
        by_version: dict[Version, list[FileRef]] = {}
        for file in files:
            version = file_version(name, file.filename)
            if version is not None:
                by_version.setdefault(version, []).append(file)
        entries = [
            self._entry(name, version, group, version in allowed)
            for version, group in by_version.items()
        ]
        entries.sort(key=lambda e: e.version, reverse=True)
        return PackageVersions(name, tuple(entries))

    def partial(self, name: NormalizedName, version: Version) -> Version | None:
        """The Python a version needs when that is above the fork's lowest, else ``None``."""
        floor = self.floors.get((name, version))
        if floor is None or self.floor is None or floor <= self.floor:
            return None
        return floor

    def _entry(
        self, name: NormalizedName, version: Version, files: list[FileRef], yank_ok: bool
    ) -> VersionEntry:
        reasons: list[Exclusion] = []
        usable: list[tuple[tuple[int, str], FileRef, Version | None]] = []
        for file in files:
            reason = self._check(file, yank_ok)
            if reason is not None:
                reasons.append(reason)
                continue
            floor = requires_python_floor(file.requires_python)
            if file.is_wheel:
                pure = file.filename.endswith("-none-any.whl")
                usable.append(((0 if pure else 1, file.filename), file, floor))
            else:
                usable.append(((2 if file.filename.endswith(".tar.gz") else 3, file.filename),
                               file, floor))
        if not usable:
            order = {"exclude-newer": 0, "yanked": 1, "requires-python": 2, "platform": 3}
            reasons.sort(key=lambda r: order[r.kind], reverse=True)
            reason = reasons[0] if reasons else Exclusion("platform", "has no usable file")
            return VersionEntry(version, None, reason)
        floors = [f for _, _, f in usable]
        self.floors[(name, version)] = None if None in floors else min(
            f for f in floors if f is not None)
        best = min(usable, key=lambda item: item[0])
        return VersionEntry(version, best[1])

    def _floor_admits(self, floor: Version) -> bool:
        if floor not in self._floor_ok:
            newer = self.python & VersionSet.compare(">=", floor)
            self._floor_ok[floor] = not newer.is_empty()
        return self._floor_ok[floor]

    def _tags_admit(self, filename: str) -> bool:
        tags = "-".join(filename[: -len(".whl")].split("-")[-3:-1])
        if tags not in self._tags_ok:
            supported = wheel_python_versions(filename) & self.python
            self._tags_ok[tags] = not supported.is_empty()
        return self._tags_ok[tags]

    def _check(self, file: FileRef, yank_ok: bool) -> Exclusion | None:
        if self.exclude_newer is not None:
            when = _upload_time(file)
            if when is None:
                return Exclusion("exclude-newer", "has no upload time, which `--exclude-newer` "
                                                  "needs")
            if when > self.exclude_newer:
                return Exclusion("exclude-newer", "was published after the `--exclude-newer` date")
        if file.yanked is not None and not yank_ok:
            detail = f" (reason: {file.yanked})" if file.yanked else ""
            return Exclusion("yanked", f"was yanked{detail}")
        floor = requires_python_floor(file.requires_python)
        if floor is not None and not self._floor_admits(floor):
            return Exclusion("requires-python", f"requires Python {file.requires_python}, "
                                                f"which no supported Python satisfies")
        if file.is_wheel:
            if not self._tags_admit(file.filename):
                return Exclusion("platform", "has no wheel for a supported Python and no "
                                             "source distribution")
            return None
        if not file.is_sdist or not self.allow_sdists:
            return Exclusion("platform", "has no usable file")
        return None


_VERSIONS: dict[str, Version | None] = {}


def file_version(name: NormalizedName, filename: str) -> Version | None:
    """The version in a wheel or sdist filename of project ``name`` (``None`` if the file is
    not one of its distributions). Wheels are split by hand: big projects list thousands."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) not in (5, 6) or canonicalize_name(parts[0]) != name:
            return None
        text = parts[1]
        if text not in _VERSIONS:
            try:
                _VERSIONS[text] = Version(text)
            except InvalidVersion:
                _VERSIONS[text] = None
        return _VERSIONS[text]
    parsed = parse_filename(filename)
    if parsed is None or parsed.name != name:
        return None
    return parsed.version
