"""Value types for distributions, shared by every layer.

A :class:`FileRef` is one file an index (or find-links page, or lock) offers. A
:class:`PinnedDist` is a resolved ``name==version`` with the file chosen to install it.
They are frozen so they can be keys, cached, and passed between threads freely.
"""

from __future__ import annotations

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.value_fields import field
from ferry.model.wheel_name import parse_wheel_filename

SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar")


@immutable
class Hashes:
    """Digests of one file, algorithm → lowercase hex. Usually just ``sha256``."""

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, **digests: str) -> Hashes:
        return cls(tuple(sorted((k.lower(), v.lower()) for k, v in digests.items() if v)))

    @classmethod
    def from_mapping(cls, mapping: dict[str, str] | None) -> Hashes:
        return cls.of(**(mapping or {}))

    def get(self, algorithm: str) -> str | None:
        for name, value in self.items:
            if name == algorithm:
                return value
        return None

    @property
    def sha256(self) -> str | None:
        return self.get("sha256")

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


@immutable
class FileRef:
    """One downloadable file: a wheel or an sdist, as an index describes it.

    ``url`` may carry credentials; print it only through :func:`ferry.model.url.redact`.
    ``yanked`` is ``None`` when not yanked, ``True`` when yanked with no reason given (PEP 691
    ``"yanked": true``, a bare ``data-yanked``), else the reason as given — possibly empty
    (``"yanked": ""``, ``data-yanked=""``), which uv 0.13.8 shows as ``(reason: "")``.
    ``metadata`` is the PEP 658/714 ``core-metadata`` value: ``None`` when not offered,
    otherwise the hashes of the ``.metadata`` file (possibly empty).
    """

    filename: str
    url: str
    hashes: Hashes = field(default_factory=Hashes)
    requires_python: str | None = None
    yanked: str | bool | None = None
    upload_time: str | None = None
    size: int | None = None
    metadata: Hashes | None = None
    index_url: str | None = None
    from_lock: bool = False
    """The hashes and size were recorded by a lockfile, not read from the index page now (an
    error about them names where they came from)."""

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")

    @property
    def is_sdist(self) -> bool:
        return self.filename.endswith(SDIST_SUFFIXES)

    @property
    def sha256(self) -> str | None:
        return self.hashes.sha256


@immutable
class ParsedFilename:
    name: NormalizedName
    version: Version
    tags: frozenset[str] | None  # ``py3-none-any``…, lowercase; None for sdists
    build: tuple[()] | tuple[int, str] = ()


def parse_filename(filename: str) -> ParsedFilename | None:
    """Name, version and tags of a wheel or sdist filename; ``None`` if it is neither.

    Both are split as packaging splits them (:mod:`ferry.model.wheel_name` for wheels; an
    sdist's name at its last dash), without importing ``packaging.utils``."""
    if filename.endswith(".whl"):
        try:
            name, version, build, tags = parse_wheel_filename(filename)
        except ValueError:
            return None
        return ParsedFilename(name, version, tags, build)
    for suffix in SDIST_SUFFIXES:
        if filename.endswith(suffix):
            raw_name, dash, raw_version = filename[: -len(suffix)].rpartition("-")
            if not raw_name or not dash:
                return None
            try:
                return ParsedFilename(canonicalize_name(raw_name), Version(raw_version), None)
            except InvalidVersion:
                return None
    return None


@immutable
class PinnedDist:
    """A resolved distribution and the file chosen to install it.

    ``file`` is ``None`` only for distributions that need no file (already installed and kept).
    ``direct_url`` is set for PEP 508 direct references and local paths; it is what
    ``direct_url.json`` records.
    """

    name: NormalizedName
    version: Version
    file: FileRef | None = None
    direct_url: str | None = None
    editable: bool = False
    requested: bool = False
    requested_revision: str | None = None
    """For a git pin: the branch, tag or commit the user asked for (``direct_url`` holds the
    commit it resolved to; installs compare by that commit). PEP 610's ``requested_revision``."""

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"
