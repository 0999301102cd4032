"""The data model of ``uv.lock``: frozen values, one per table of the file.

Why a model of its own rather than the TOML dict: the reader validates once and every consumer
(sync, export, tree, the freshness check) then works with typed values; the writer turns the same
values back into uv's exact bytes. Field names follow the file's keys. Mappings are kept as tuples
of ``(key, value)`` pairs so every value is hashable and immutable; accessor methods give the
dict-like views callers want.

Dependencies always carry the full :class:`PackageId` of their target, even when the file wrote
only ``{ name = "idna" }`` (uv omits version and source when the name alone is unambiguous); the
reader fills it in and the writer decides again what to omit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.value_fields import field

#: The lockfile schema version ferry reads and writes (uv bumps it only for breaking changes).
LOCK_VERSION = 1
#: The revision ferry writes: what uv 0.13 writes (adds ``default-groups`` on packages).
LOCK_REVISION = 5

SourceKind = Literal["registry", "git", "url", "path", "directory", "editable", "virtual"]
SOURCE_KINDS: tuple[SourceKind, ...] = (
    "registry",
    "git",
    "url",
    "path",
    "directory",
    "editable",
    "virtual",
)


@immutable
class LockSource:
    """Where a locked package comes from: ``{ registry = … }``, ``{ editable = "." }``, …

    ``value`` is the index URL, the git URL (``…?tag=v1#<commit>``), the archive URL, or a
    portable (forward-slash, usually relative) path. ``subdirectory`` only accompanies ``url``.
    """

    kind: SourceKind
    value: str
    subdirectory: str | None = None

    @property
    def is_local(self) -> bool:
        """A source tree or file on disk: its declared metadata is in ``[package.metadata]``."""
        return self.kind in ("path", "directory", "editable", "virtual")

    def sort_key(self) -> tuple[int, int, str, str]:
        # uv orders sources by variant (registry < git < url < path < directory < editable <
        # virtual); within registry, URL indexes sort before path indexes.
        rank = SOURCE_KINDS.index(self.kind)
        path_registry = int(self.kind == "registry" and "://" not in self.value)
        return (rank, path_registry, self.value, self.subdirectory or "")


def version_key(version: str | None) -> tuple[int, Version | str]:
    """Sort key for an optional version: no version first, then PEP 440 order."""
    if version is None:
        return (0, "")
    try:
        return (1, Version(version))
    except InvalidVersion:  # pragma: no cover - the reader validates versions
        return (2, version)


@immutable
class PackageId:
    """The identity of one ``[[package]]`` entry: name, version (absent if dynamic) and source."""

    name: NormalizedName
    version: str | None
    source: LockSource

    def sort_key(self) -> tuple[str, tuple[int, Version | str], tuple[int, int, str, str]]:
        return (self.name, version_key(self.version), self.source.sort_key())

    def __str__(self) -> str:
        return f"{self.name}=={self.version}" if self.version else self.name


@immutable
class LockDependency:
    """One edge ``{ name, version?, source?, extra?, marker? }`` to another locked package."""

    package: PackageId
    extras: tuple[str, ...] = ()
    marker: str | None = None
    # the extras the edge asked for, where some that add nothing are not written (uv orders
    # the edges by these, before it drops them); None: ``extras``
    asked: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> NormalizedName:
        return self.package.name

    def sort_key(self) -> tuple[object, ...]:
        return (self.package.sort_key(), self.extras if self.asked is None else self.asked)


@immutable
class SourceDist:
    """The ``sdist = { url|path, hash, size, upload-time }`` of a package."""

    url: str | None = None
    path: str | None = None
    hash: str | None = None
    size: int | None = None
    upload_time: str | None = None


@immutable
class LockWheel:
    """One entry of ``wheels = [...]``: exactly one of url, path or filename is set."""

    url: str | None = None
    path: str | None = None
    filename: str | None = None
    hash: str | None = None
    size: int | None = None
    upload_time: str | None = None
    zstd_hash: str | None = None
    zstd_size: int | None = None
    has_zstd: bool = False

    @property
    def name(self) -> str:
        """The wheel's filename, whichever form the lock used."""
        location = self.filename or self.path or self.url or ""
        return location.rsplit("/", 1)[-1].split("#", 1)[0].split("?", 1)[0]


@immutable
class ConflictItem:
    """One member of a conflict set: a package, or one of its extras or groups."""

    package: str
    extra: str | None = None
    group: str | None = None


@immutable
class LockRequirement:
    """A declared requirement as ``[package.metadata]`` and ``[manifest]`` record it.

    Exactly one source family is set: ``specifier``/``index``/``conflict`` (registry, all may be
    empty), ``git``, ``url`` (+``subdirectory``), ``path``, ``directory``, ``editable`` or
    ``virtual``. Markers are uv's canonical marker strings.
    """

    name: NormalizedName
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    marker: str | None = None
    specifier: str | None = None
    index: str | None = None
    conflict: ConflictItem | None = None
    git: str | None = None
    url: str | None = None
    subdirectory: str | None = None
    path: str | None = None
    directory: str | None = None
    editable: str | None = None
    virtual: str | None = None


GroupMap = tuple[tuple[str, tuple[LockRequirement, ...]], ...]
DependencyMap = tuple[tuple[str, tuple[LockDependency, ...]], ...]


@immutable
class PackageMetadata:
    """``[package.metadata]``: the declared inputs of a local package (for freshness checks)."""

    requires_dist: tuple[LockRequirement, ...] = ()
    provides_extras: tuple[str, ...] = ()
    requires_dev: GroupMap = ()

    def __bool__(self) -> bool:
        return bool(self.requires_dist or self.provides_extras or self.requires_dev)

    def requires_dev_map(self) -> dict[str, tuple[LockRequirement, ...]]:
        return dict(self.requires_dev)


@immutable
class LockedPackage:
    """One ``[[package]]`` entry."""

    id: PackageId
    resolution_markers: tuple[str, ...] = ()
    default_groups: tuple[str, ...] | Literal["all"] | None = None
    dependencies: tuple[LockDependency, ...] = ()
    sdist: SourceDist | None = None
    wheels: tuple[LockWheel, ...] = ()
    optional_dependencies: DependencyMap = ()
    dev_dependencies: DependencyMap = ()
    metadata: PackageMetadata = field(default_factory=PackageMetadata)

    @property
    def name(self) -> NormalizedName:
        return self.id.name

    @property
    def version(self) -> str | None:
        return self.id.version

    @property
    def source(self) -> LockSource:
        return self.id.source

    def optional(self, extra: str) -> tuple[LockDependency, ...]:
        return dict(self.optional_dependencies).get(extra, ())

    def group(self, group: str) -> tuple[LockDependency, ...]:
        return dict(self.dev_dependencies).get(group, ())


@immutable
class ExcludeNewerOverride:
    """A value of ``[options.exclude-newer-package]``: a timestamp, a span, or ``false``."""

    timestamp: str | None = None
    span: str | None = None
    disabled: bool = False


@immutable
class LockOptions:
    """``[options]``: resolver settings that invalidate the lock when they change."""

    resolution_mode: str | None = None
    prerelease_mode: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    exclude_newer_span: str | None = None
    prerelease_package: tuple[tuple[str, str], ...] = ()
    exclude_newer_package: tuple[tuple[str, ExcludeNewerOverride], ...] = ()

    def __bool__(self) -> bool:
        return any(
            (
                self.resolution_mode,
                self.prerelease_mode,
                self.fork_strategy,
                self.exclude_newer,
                self.exclude_newer_span,
                self.prerelease_package,
                self.exclude_newer_package,
            )
        )


@immutable
class DependencyMetadata:
    """One ``[[manifest.dependency-metadata]]`` entry (static metadata supplied by the user)."""

    name: str
    version: str | None = None
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extras: tuple[str, ...] = ()


@immutable
class LockManifest:
    """``[manifest]``: workspace members and global requirements (constraints, overrides…)."""

    members: tuple[str, ...] = ()
    requirements: tuple[LockRequirement, ...] = ()
    constraints: tuple[LockRequirement, ...] = ()
    overrides: tuple[LockRequirement, ...] = ()
    excludes: tuple[str, ...] = ()
    build_constraints: tuple[LockRequirement, ...] = ()
    dependency_groups: GroupMap = ()
    dependency_metadata: tuple[DependencyMetadata, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.members
            or self.requirements
            or self.constraints
            or self.overrides
            or self.excludes
            or self.build_constraints
            or any(reqs for _, reqs in self.dependency_groups)
            or self.dependency_metadata
        )


@immutable
class Lock:
    """A whole ``uv.lock``."""

    requires_python: str
    packages: tuple[LockedPackage, ...] = ()
    version: int = LOCK_VERSION
    revision: int = LOCK_REVISION
    resolution_markers: tuple[str, ...] = ()
    supported_markers: tuple[str, ...] = ()
    required_markers: tuple[str, ...] = ()
    conflicts: tuple[tuple[ConflictItem, ...], ...] = ()
    options: LockOptions = field(default_factory=LockOptions)
    manifest: LockManifest = field(default_factory=LockManifest)

    def __iter__(self) -> Iterator[LockedPackage]:
        return iter(self.packages)

    def find(self, name: str) -> list[LockedPackage]:
        """Every locked entry of ``name`` (several when the resolution forked)."""
        wanted = canonicalize_name(name)
        return [p for p in self.packages if p.name == wanted]

    def get(self, package_id: PackageId) -> LockedPackage | None:
        for package in self.packages:
            if package.id == package_id:
                return package
        return None

    def local_packages(self) -> list[LockedPackage]:
        """Packages built from a source tree on disk (the project itself, path dependencies)."""
        return [p for p in self.packages if p.source.is_local]
