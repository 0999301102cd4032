"""Which versions of a project a *fork* of a universal resolution can use.

The single-target :class:`~ferry.resolve.candidates.VersionBuilder` asks "does this file install
on this interpreter?". A universal fork stands for many environments at once, so the question
becomes "could some environment of the fork use this version?", following uv:

- files uploaded after ``--exclude-newer`` and yanked files (unless pinned) are gone;
- a file's ``Requires-Python`` must admit some Python of the fork (only lower bounds count);
- a wheel's Python and ABI tags must fit the *project's* requires-python (uv's
  ``matches_wheel_tag``: ``cp38`` wheels are useless when requires-python starts at 3.10).
  They are not judged against the fork, nor are platform tags: whether a wheel installs is
  decided at install time, and a lock made on a mirror holding only ``cp311`` Linux wheels must
  still resolve its Python 3.14 fork from them, as uv does;
- a version whose files need a Python newer than the fork's lowest is *partial*: the resolver
  splits the fork there (uv's ``requires-python`` fork strategy) instead of using it everywhere.

The file kept for each version is the one whose metadata is cheapest to read: a pure-Python
wheel, then any wheel, then the sdist (which needs a build). When only the sdist is usable but
the version has wheels for other Pythons (``cp310`` wheels, requires-python ``>=3.11``), the
metadata is read from such a wheel instead (uv's "incompatible wheel"): every file of one
version carries the same metadata, and a download beats a build. A version is built for its
metadata only when it has no wheel at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ferry.model.dist import FileRef, parse_filename
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import VersionSet
from ferry.resolve.candidates import Exclusion, PackageVersions, VersionEntry, index_position
from ferry.resolve.diagnostics import yank_detail
from ferry.resolve.nodes import Candidate, Req
from ferry.resolve.wheel_markers import matches_requires_python

if TYPE_CHECKING:
    from datetime import datetime


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
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(file.upload_time.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


#: version -> the lowest Python its usable files need (``None``: some file needs none)
_Floors = dict[Version, "Version | None"]


@immutable
class _Fact:
    """What one file is, independently of any fork."""

    file: FileRef
    late: Exclusion | None  # uploaded after --exclude-newer (or without a date)
    floor: Version | None
    tags: str | None  # the wheel's interpreter-abi tags; ``None`` for an sdist
    rank: tuple[int, str]


class FileFacts:
    """Per-project file facts shared by every fork of one resolution (parsing thousands of
    filenames once, not once per fork)."""

    def __init__(self, exclude_newer: datetime | None = None, allow_sdists: bool = True) -> None:
        if exclude_newer is not None and exclude_newer.tzinfo is None:
            from datetime import UTC

            exclude_newer = exclude_newer.replace(tzinfo=UTC)
        self.exclude_newer = exclude_newer
        self.allow_sdists = allow_sdists
        self._by_name: dict[NormalizedName, tuple[object, dict[Version, list[_Fact]]]] = {}
        self._floors: dict[NormalizedName, tuple[object, tuple[Version, ...]]] = {}
        # (name, Pythons' verdict on each floor, allowed yanks, universe) -> a built table
        self.tables: dict[tuple[object, ...], tuple[object, PackageVersions, _Floors]] = {}
        self.matches: dict[tuple[object, ...], tuple[
            PackageVersions, tuple[Req, ...], tuple[Requirement, ...], list[Candidate]]] = {}
        """Candidate lists one fork's engine computed from a table, for the others (kept by
        :class:`~ferry.resolve.universal_engine.UniversalEngine`)."""

    def floors(self, name: NormalizedName, files: Iterable[FileRef]) -> tuple[Version, ...]:
        """The distinct ``Requires-Python`` floors among ``name``'s files: what a fork's
        Pythons are asked about when its table is built."""
        cached = self._floors.get(name)
        if cached is not None and cached[0] is files:
            return cached[1]
        found = {f.floor for facts in self.of(name, files).values() for f in facts
                 if f.floor is not None}
        result = tuple(sorted(found))
        self._floors[name] = (files, result)
        return result

    def of(self, name: NormalizedName, files: Iterable[FileRef]) -> dict[Version, list[_Fact]]:
        cached = self._by_name.get(name)
        if cached is not None and cached[0] is files:
            return cached[1]
        table: dict[Version, list[_Fact]] = {}
        for file in files:
            version = file_version(name, file.filename)
            if version is None:
                continue
            if file.is_wheel:
                tags = "-".join(file.filename[: -len(".whl")].split("-")[-3:-1]).lower()
                pure = file.filename.endswith("-none-any.whl")
                rank = (0 if pure else 1, file.filename)
            elif file.is_sdist and self.allow_sdists:
                tags = None
                rank = (2 if file.filename.endswith(".tar.gz") else 3, file.filename)
            else:
                continue
            fact = _Fact(file, self._late(file), requires_python_floor(file.requires_python),
                         tags, rank)
            table.setdefault(version, []).append(fact)
        self._by_name[name] = (files, table)
        return table

    def _late(self, file: FileRef) -> Exclusion | None:
        if self.exclude_newer is None:
            return None
        when = _upload_time(file)
        if when is None:
            return Exclusion("exclude-newer", "has no upload time, which `--exclude-newer` needs")
        if when > self.exclude_newer:
            return Exclusion("exclude-newer", "was published after the `--exclude-newer` date")
        return None


class UniversalVersionBuilder:
    """Builds :class:`PackageVersions` for one fork; records each version's Python floor."""

    def __init__(
        self,
        python: VersionSet,
        *,
        universe: VersionSet | None = None,
        exclude_newer: datetime | None = None,
        allow_sdists: bool = True,
        facts: FileFacts | None = None,
        index_order: Sequence[str] = (),
    ) -> None:
        """``python``: the fork's Pythons; ``universe``: the project's (requires-python), which
        wheel tags are judged against (default: the fork's); ``index_order``: under
        ``unsafe-first-match``, a version is the first index's that has a usable file of it."""
        self.python = python
        self._index_of = index_position(index_order)
        self._ordered = bool(index_order)
        self.floor = python.lower()
        self.universe = universe if universe is not None else python
        self.facts = facts or FileFacts(exclude_newer, allow_sdists)
        self.floors: dict[NormalizedName, _Floors] = {}
        self._floor_ok: dict[Version, bool] = {}
        self._tags_ok: dict[str, bool] = {}

    def build(
        self, name: NormalizedName, files: Iterable[FileRef], yank_allowed: Iterable[Version] = ()
    ) -> PackageVersions:
        """The table of ``name``'s versions for this fork. It depends on the fork's Pythons
        only through which files' ``Requires-Python`` floors they reach, so forks that agree
        on those share one table (:attr:`FileFacts.tables`)."""
        allowed = frozenset(yank_allowed)
        verdict = tuple(self._floor_admits(f) for f in self.facts.floors(name, files))
        key = (name, verdict, allowed, self.universe)
        known = self.facts.tables.get(key)
        if known is None or known[0] is not files:
            floors: _Floors = {}
            table = self.facts.of(name, files)
            entries = [
                self._entry(version, facts, version in allowed, floors)
                for version, facts in table.items()
            ]
            entries.sort(key=lambda e: e.version, reverse=True)
            known = self.facts.tables[key] = (files, PackageVersions(name, tuple(entries)), floors)
        self.floors[name] = known[2]
        return known[1]

    def partial(self, name: NormalizedName, version: Version) -> Version | None:
        """The Python a version needs when that is above the fork's lowest, else ``None``."""
        floor = self.floors.get(name, {}).get(version)
        if floor is None or self.floor is None or floor <= self.floor:
            return None
        return floor

    def _entry(
        self, version: Version, facts: list[_Fact], yank_ok: bool, floors: _Floors
    ) -> VersionEntry:
        reasons: list[Exclusion] = []
        usable: list[_Fact] = []
        other_pythons: list[_Fact] = []  # wheels whose tags alone rule them out
        for fact in facts:
            reason = self._check(fact, yank_ok)
            if reason is None:
                usable.append(fact)
            else:
                reasons.append(reason)
                if reason.kind == "platform":
                    other_pythons.append(fact)
        if not usable:
            order = {"exclude-newer": 0, "yanked": 1, "requires-python": 2, "platform": 3}
            reasons.sort(key=lambda r: order[r.kind], reverse=True)
            reason = reasons[0] if reasons else Exclusion("platform", "has no usable file")
            return VersionEntry(version, None, reason)
        if self._ordered:  # unsafe-first-match: only the first index offering it counts
            first = min(self._index_of(f.file) for f in usable)
            usable = [f for f in usable if self._index_of(f.file) == first]
            other_pythons = [f for f in other_pythons if self._index_of(f.file) == first]
        lows = [f.floor for f in usable]
        floors[version] = None if None in lows else min(f for f in lows if f is not None)
        best = min(usable, key=lambda f: f.rank)
        if best.tags is None and other_pythons:
            best = min(other_pythons, key=lambda f: f.rank)
        return VersionEntry(version, best.file)

    def _floor_admits(self, floor: Version) -> bool:
        if floor not in self._floor_ok:
            newer = self.python & VersionSet.compare(">=", floor)
            self._floor_ok[floor] = not newer.is_empty()
        return self._floor_ok[floor]

    def _tags_admit(self, fact: _Fact) -> bool:
        assert fact.tags is not None
        if fact.tags not in self._tags_ok:
            self._tags_ok[fact.tags] = matches_requires_python(fact.file.filename,
                                                               self.universe)
        return self._tags_ok[fact.tags]

    def _check(self, fact: _Fact, yank_ok: bool) -> Exclusion | None:
        if fact.late is not None:
            return fact.late
        file = fact.file
        if file.yanked is not None and not yank_ok:
            return Exclusion("yanked", f"was yanked{yank_detail(file.yanked)}")
        if fact.floor is not None and not self._floor_admits(fact.floor):
            return Exclusion("requires-python", f"requires Python {file.requires_python}, "
                                                f"which no supported Python satisfies")
        if fact.tags is not None and not self._tags_admit(fact):
            return Exclusion("platform", "has no wheel for a Python the project supports "
                                         "(requires-python) and no source distribution")
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
