"""The seam between the resolver and the outside world.

The algorithm never talks to an index, a cache or a build backend: it asks a :class:`PackageSource`
for the files of a project and for the core metadata of one file. ``provider_index.py`` adapts the
real index client (with a thread pool for prefetching); tests pass an in-memory fake. Keeping this
protocol small is what lets the resolver be tested exhaustively without a network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ferry.model.dist import FileRef
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.model.requirement_text import requirement_from_text


class MetadataError(UserError):
    """A distribution's core metadata cannot be read (bad ``Requires-Dist``, missing version…).

    The resolver treats the candidate as unusable and moves on, as pip does, and says why in the
    explanation if nothing else works.
    """


@immutable
class CoreMetadata:
    """The parts of a distribution's ``METADATA`` that resolution needs."""

    name: NormalizedName
    version: Version
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extra: frozenset[str] = frozenset()
    extras_in_order: tuple[str, ...] = ()
    """``provides_extra`` in the order the metadata lists them (what a lock records)."""

    @classmethod
    def from_bytes(cls, data: bytes, *, origin: str = "METADATA") -> CoreMetadata:
        """Parse ``METADATA``/``PKG-INFO`` bytes; raise :class:`MetadataError` naming ``origin``."""
        raw = _header_fields(data)
        if raw is None:
            from packaging.metadata import parse_email  # rarely needed: imports the email package

            raw, _unparsed = parse_email(data)  # type: ignore[assignment]
        assert raw is not None
        name = raw.get("name")
        version = raw.get("version")
        if not name or not version:
            raise MetadataError(f"Metadata of `{origin}` lacks a Name or Version field")
        try:
            parsed_version = Version(version)
        except InvalidVersion as exc:
            raise MetadataError(f"Metadata of `{origin}` has an invalid version: {exc}") from exc
        requires: list[Requirement] = []
        for line in raw.get("requires_dist", []):
            try:
                requires.append(requirement_from_text(line))
            except InvalidRequirement as exc:
                first = str(exc).splitlines()[0]
                raise MetadataError(
                    f"Metadata of `{origin}` has an invalid Requires-Dist `{line}`: {first}"
                ) from exc
        requires_python: SpecifierSet | None = None
        if raw.get("requires_python"):
            try:
                requires_python = SpecifierSet(raw["requires_python"])
            except InvalidSpecifier as exc:
                raise MetadataError(
                    f"Metadata of `{origin}` has an invalid Requires-Python: {exc}"
                ) from exc
        ordered = tuple(dict.fromkeys(canonicalize_name(e) for e in raw.get("provides_extra", [])))
        return cls(
            canonicalize_name(name), parsed_version, tuple(requires), requires_python,
            frozenset(ordered), ordered,
        )


_SINGLE = {"name": "name", "version": "version", "requires-python": "requires_python"}
_MULTIPLE = {"requires-dist": "requires_dist", "provides-extra": "provides_extra"}


def _header_fields(data: bytes) -> dict[str, Any] | None:
    """The fields resolution reads, straight from the header lines; ``None`` when anything is
    unusual (not UTF-8, carriage returns, a folded or repeated field, a line that is not a
    header), and :func:`packaging.metadata.parse_email` then reads it.

    Why: ``parse_email`` runs the whole message, long description included, through the email
    package, about half a millisecond per file; a lock reads dozens to hundreds of them. For the
    plain files every build backend writes, this gives the same values (leading blanks of a
    value dropped, the rest kept as written), which the tests check against ``parse_email``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text.split("\n\n", 1)[0]
    if "\r" in head:
        return None
    fields: dict[str, Any] = {}
    ours = False
    for line in head.split("\n"):
        if not line:
            continue
        if line[0] in " \t":
            if ours:
                return None
            continue
        key, colon, value = line.partition(":")
        if not colon or not key or key != key.strip() or " " in key:
            return None
        lowered = key.lower()
        value = value.lstrip(" \t")
        if lowered in _SINGLE:
            if _SINGLE[lowered] in fields:
                return None
            fields[_SINGLE[lowered]] = value
            ours = True
        elif lowered in _MULTIPLE:
            fields.setdefault(_MULTIPLE[lowered], []).append(value)
            ours = True
        else:
            ours = False
    return fields


@immutable
class DirectDist:
    """What a direct reference (``name @ url``, a local path) turned out to be.

    ``file`` is the archive when the URL names one (``None`` for a source tree or VCS checkout);
    ``url`` is what ``direct_url.json`` will record.
    """

    url: str
    metadata: CoreMetadata
    file: FileRef | None = None


#: Chooses, among a project's files, the one whose metadata the resolver will most likely need.
FilePicker = Callable[[Sequence[FileRef]], "FileRef | None"]


class PackageSource(Protocol):
    """Everything the resolver may learn about the world."""

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        """Every file every configured index offers for ``name``; empty when it is unknown."""
        ...

    def metadata(self, file: FileRef) -> CoreMetadata:
        """The core metadata of one file (built from source by the caller if needed)."""
        ...

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        """Fetch or read a direct reference and return its metadata."""
        ...

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        """A hint that ``name`` will be needed: fetch its files, then ``pick``'s file's metadata.

        Must not block and must not raise: failures surface when the data is really asked for.
        A source without a thread pool may do nothing.
        """
        ...

    def locations(self) -> Sequence[str]:
        """Where the source looks (index URLs redacted, find-links), for "not found" errors."""
        ...
