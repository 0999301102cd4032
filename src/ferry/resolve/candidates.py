"""Which versions of a project the target can use, and the file each would be installed from.

Everything here is static for one resolution: it depends on the files offered, the target and the
options, never on other requirements. That is what keeps the resolver's view consistent while it
backtracks. Each version that cannot be used keeps the reason (:class:`Exclusion`) so errors can
say "b==2.0 requires Python >=3.13, but the target is 3.12" instead of "no matching version".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from ferry.model.dist import FileRef, parse_filename
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.resolve.diagnostics import yank_detail
from ferry.resolve.options import TargetEnvironment

if TYPE_CHECKING:
    from datetime import datetime

logger = get_logger(__name__)

ExclusionKind = Literal["exclude-newer", "yanked", "requires-python", "platform"]
# How far a file got through the checks; the version's reason is taken from its "closest" file.
_STAGE: dict[ExclusionKind, int] = {
    "exclude-newer": 0,
    "yanked": 1,
    "requires-python": 2,
    "platform": 3,
}


#: What the engine says of a candidate whose metadata ``--offline`` cannot reach (uv: such a
#: version is *unavailable* and the resolver moves on to the next, instead of failing).
OFFLINE_UNAVAILABLE = "is not available offline"
#: The hint of a failure in which such candidates took part.
OFFLINE_HINT = ("Packages were unavailable because the network is disabled (`--offline`), so "
                "only what the cache holds can be used; run once without `--offline` to fill it.")


def offline_reason(candidate: object, why: str) -> str:
    """"tool==2.0 is not available offline (the metadata of `tool-2.0-….whl` is not in the
    cache)": the sentence an unavailable candidate carries, which :func:`is_offline_reason`
    (and so the explanation of a failure) recognises."""
    return f"{candidate} {OFFLINE_UNAVAILABLE} ({why[:1].lower()}{why[1:]})"


def is_offline_reason(reason: str | None) -> bool:
    return reason is not None and f" {OFFLINE_UNAVAILABLE} (" in reason


@immutable
class Exclusion:
    """Why a version is unusable for the target; ``detail`` completes "<name>==<version> …"."""

    kind: ExclusionKind
    detail: str


@immutable
class VersionEntry:
    """One version of a project: its best file for the target, or why there is none."""

    version: Version
    file: FileRef | None
    exclusion: Exclusion | None = None

    @property
    def usable(self) -> bool:
        return self.file is not None


@immutable
class PackageVersions:
    """All versions of one project as the target sees them, highest first."""

    name: NormalizedName
    entries: tuple[VersionEntry, ...]

    def usable(self) -> list[VersionEntry]:
        return [e for e in self.entries if e.usable]

    def entry(self, version: Version) -> VersionEntry | None:
        for e in self.entries:
            if e.version == version:
                return e
        return None


def index_position(order: Sequence[str]) -> Callable[[FileRef | None], int]:
    """The position in ``order`` of the index offering a file; files from anywhere else
    (find-links) come after all of them. Without an order every file is at 0."""
    if not order:
        return lambda file: 0
    ranks: dict[str | None, int] = {url: i for i, url in enumerate(order)}
    last = len(ranks)
    return lambda file: last if file is None else ranks.get(file.index_url, last)


def index_rank(order: Sequence[str]) -> Callable[[VersionEntry], int]:
    """The sort key of index strategy ``unsafe-first-match``: the position of the index that
    offers the version's file. Sorting candidates by it, stably, after sorting them by version
    gives uv's order: every fitting version of the first index that has one, best first, before
    any of the next. A version offered by two indexes counts as the first one's, since the
    builders choose its file there (uv reads each index's versions on their own)."""
    position = index_position(order)
    return lambda entry: position(entry.file)


def python_compatible(requires_python: SpecifierSet, target: Version) -> bool:
    """Whether ``target`` meets the LOWER bounds of ``requires_python``.

    Upper bounds (``<``, ``<=``, ``!=``) are ignored, as uv does: they are routinely wrong
    (``<4``, ``<3.13`` written before 3.13 existed) and would make old pins uninstallable on new
    Pythons. A bare target such as ``3.12`` counts as ``3.12.0``.
    """
    for spec in requires_python:
        op, raw = spec.operator, spec.version
        if op in ("<", "<=", "!="):
            continue
        if raw.endswith(".*"):
            raw = raw[:-2]
        try:
            bound = Version(raw)
        except InvalidVersion:
            continue
        if op == ">" and not target > bound:
            return False
        if op in (">=", "~=", "==", "===") and not target >= bound:
            return False
    return True


def wheel_tag_text(filename: str) -> str:
    """The compressed tag triple of a wheel filename, as people read it (``cp312-cp312-…``)."""
    return "-".join(filename[: -len(".whl")].split("-")[-3:])


def _upload_time(file: FileRef) -> datetime | None:
    if not file.upload_time:
        return None
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(file.upload_time)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@immutable
class _Parsed:
    file: FileRef
    version: Version
    tags: tuple[str, ...] | None  # expanded wheel tags; None for an sdist
    build: int


@immutable
class _Checked:
    file: FileRef
    exclusion: Exclusion | None
    rank: tuple[int, int, str]  # lower is better: (kind/tag priority, -build, filename)


class VersionBuilder:
    """Turns a project's file list into :class:`PackageVersions` for one target and policy."""

    def __init__(
        self,
        target: TargetEnvironment,
        *,
        exclude_newer: datetime | None = None,
        index_order: Sequence[str] = (),
    ) -> None:
        """``index_order``: under ``unsafe-first-match``, a version's file is chosen on the
        first index that has a usable one, however much better another index's file is."""
        self.target = target
        self._index_of = index_position(index_order)
        if exclude_newer is not None and exclude_newer.tzinfo is None:
            from datetime import UTC

            exclude_newer = exclude_newer.replace(tzinfo=UTC)
        self.exclude_newer = exclude_newer
        self._tag_rank = {tag: i for i, tag in enumerate(target.tags)}
        self._sdist_rank = len(self._tag_rank) + 1
        # Big projects list thousands of files: parse each distinct string once. (Plain dicts:
        # a race between threads only computes a value twice.)
        self._version_of: dict[str, Version | None] = {}
        self._python_ok: dict[str, SpecifierSet | None] = {}

    def build(
        self,
        name: NormalizedName,
        files: Iterable[FileRef],
        yank_allowed: Iterable[Version] = (),
    ) -> PackageVersions:
        """Group ``files`` by version and pick each version's best file for the target."""
        allowed = set(yank_allowed)
        by_version: dict[Version, list[_Parsed]] = {}
        seen: set[str] = set()
        for file in files:
            if file.filename in seen:
                continue
            parsed = self._parse(name, file)
            if parsed is None:
                logger.debug("ignoring %s: not a wheel or sdist of %s", file.filename, name)
                continue
            seen.add(file.filename)
            by_version.setdefault(parsed.version, []).append(parsed)
        entries = [
            self._entry(name, version, group, version in allowed)
            for version, group in by_version.items()
        ]
        entries.sort(key=lambda e: e.version, reverse=True)
        return PackageVersions(name, tuple(entries))

    def _parse(self, name: NormalizedName, file: FileRef) -> _Parsed | None:
        """Version, expanded tags and build number of a file of ``name``; ``None`` if it is not
        one. Wheels are split by hand: ``packaging``'s parser is too slow for 10 000 files."""
        filename = file.filename
        if not filename.endswith(".whl"):
            parsed = parse_filename(filename)
            if parsed is None or parsed.name != name:
                return None
            return _Parsed(file, parsed.version, None, 0)
        parts = filename[:-4].split("-")
        if len(parts) not in (5, 6) or canonicalize_name(parts[0]) != name:
            return None
        if parts[1] not in self._version_of:
            try:
                self._version_of[parts[1]] = Version(parts[1])
            except InvalidVersion:
                self._version_of[parts[1]] = None
        version = self._version_of[parts[1]]
        if version is None:
            return None
        build = 0
        if len(parts) == 6:
            digits = re.match(r"\d+", parts[2])
            build = int(digits.group()) if digits else 0
        interpreters, abis, platforms = (p.lower().split(".") for p in parts[-3:])
        tags = tuple(f"{i}-{a}-{p}" for i in interpreters for a in abis for p in platforms)
        return _Parsed(file, version, tags, build)

    def _entry(
        self, name: NormalizedName, version: Version, parsed: Sequence[_Parsed], yank_ok: bool
    ) -> VersionEntry:
        files = [p.file for p in parsed]
        checked = [self._check(name, p, yank_ok) for p in parsed]
        usable = [c for c in checked if c.exclusion is None]
        if usable:
            # A yanked file is only taken when nothing unyanked works (PEP 592).
            best = min(usable, key=lambda c: (
                self._index_of(c.file), c.file.yanked is not None, c.rank))
            return VersionEntry(version, best.file)
        closest = max(_STAGE[c.exclusion.kind] for c in checked if c.exclusion is not None)
        if closest == _STAGE["platform"]:
            return VersionEntry(version, None, self._platform_reason(name, files))
        reasons = [c.exclusion for c in checked
                   if c.exclusion and _STAGE[c.exclusion.kind] == closest]
        return VersionEntry(version, None, reasons[0])

    def _check(self, name: NormalizedName, parsed: _Parsed, yank_ok: bool) -> _Checked:
        file = parsed.file
        rank = self._rank(name, parsed)
        if self.exclude_newer is not None:
            when = _upload_time(file)
            if when is None:
                return _Checked(file, Exclusion("exclude-newer", "has no upload time, which "
                                                "`--exclude-newer` needs"), rank)
            if when > self.exclude_newer:
                return _Checked(file, Exclusion("exclude-newer", "was published after the "
                                                "`--exclude-newer` date"), rank)
        if file.yanked is not None and not yank_ok:
            return _Checked(file, Exclusion("yanked", f"was yanked{yank_detail(file.yanked)}"),
                            rank)
        if file.requires_python:
            spec = self._incompatible_python(file.requires_python)
            if spec is not None:
                return _Checked(file, Exclusion(
                    "requires-python",
                    f"requires Python {spec} but the target is {self.target.python_version}",
                ), rank)
        if rank[0] < 0:
            return _Checked(file, Exclusion("platform", "has no file for the target"), rank)
        return _Checked(file, None, rank)

    def _incompatible_python(self, requires_python: str) -> SpecifierSet | None:
        """The parsed specifier when the target fails it, else ``None`` (invalid ones pass)."""
        if requires_python not in self._python_ok:
            try:
                spec = SpecifierSet(requires_python)
            except InvalidSpecifier:
                logger.debug("ignoring invalid requires-python %r", requires_python)
                spec = None
            bad = spec is not None and not python_compatible(spec, self.target.python_version)
            self._python_ok[requires_python] = spec if bad else None
        return self._python_ok[requires_python]

    def _rank(self, name: NormalizedName, parsed: _Parsed) -> tuple[int, int, str]:
        """Lower is better; a negative first item means the file is unusable for the target."""
        file = parsed.file
        if parsed.tags is not None:
            if not self.target.allows_wheels(name):
                return (-1, 0, file.filename)
            ranks = [self._tag_rank[t] for t in parsed.tags if t in self._tag_rank]
            if not ranks:
                return (-1, 0, file.filename)
            return (min(ranks), -parsed.build, file.filename)
        if file.is_sdist and self.target.allows_sdists(name):
            preferred = 0 if file.filename.endswith(".tar.gz") else 1
            return (self._sdist_rank + preferred, 0, file.filename)
        return (-1, 0, file.filename)

    def _platform_reason(self, name: NormalizedName, files: Sequence[FileRef]) -> Exclusion:
        wheels = sorted({wheel_tag_text(f.filename) for f in files if f.is_wheel})
        has_sdist = any(f.is_sdist for f in files)
        if wheels and not self.target.allows_wheels(name):
            text = "has only wheels, and binaries are disabled for it (`--no-binary`)"
            if has_sdist:
                text = ("cannot be used: binaries are disabled (`--no-binary`) and building "
                        "from source is disabled (`--only-binary`/`--no-build`)")
            return Exclusion("platform", text)
        offered = ", ".join(wheels[:8]) + (", …" if len(wheels) > 8 else "")
        if has_sdist:
            tail = "and building from source is disabled for it (`--only-binary`/`--no-build`)"
        else:
            tail = "and no source distribution"
        if wheels:
            return Exclusion("platform", f"has no wheel compatible with the target "
                                         f"(wheels offered for: {offered}) {tail}")
        return Exclusion("platform", f"has no wheel {tail}")

