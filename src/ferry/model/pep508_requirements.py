"""PEP 508 requirement strings with packaging 26.3's meaning, without importing packaging's module.

Why: ``packaging.requirements`` costs ~25 ms to import (its tokenizer, specifiers, markers,
utils and tags), and its parser tokenizes a line piece by piece (~25 µs a line; a warm lock
reads a few hundred ``Requires-Dist`` lines). Nearly every line is of the plain form
``name[extras] specifiers ; marker`` or ``name[extras] @ url ; marker``: those are split here by
one regular expression, their specifiers go to :class:`SpecifierSet` (which checks every item)
and their marker to a :class:`Marker` shared by every requirement with the same marker text
(nothing changes a marker). Anything else — odd whitespace, a refused item, any error — goes to
``packaging.requirements.Requirement`` (imported then): its error, with its ``^`` under the
place, is raised as ours, and what it accepts is converted. So this parser may be strict, never
more permissive than packaging and never less (``tests/unit/test_pep508_differential_s10.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ferry._regex_cache import compile_pattern
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep508_markers import InvalidMarker, Marker, _convert

__all__ = ["InvalidRequirement", "Requirement", "parse_plain"]

_NAME = r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
_EXTRAS = r"[ \t]*(?:\[(?P<extras>[A-Za-z0-9._, \t-]*)\])?"
# No URL, no nested brackets or parentheses: the rest is packaging's to read.
_PLAIN = compile_pattern(
    _NAME + _EXTRAS
    + r"[ \t]*(?:\((?P<inner>[^()@;\[\]]*)\)|(?P<bare>[^()@;\[\]]*?))[ \t]*(?:;(?P<marker>.*))?",
    re.DOTALL,
)
_URL = compile_pattern(
    _NAME + _EXTRAS + r"[ \t]*@[ \t]*(?P<url>[^ \t]+)(?:[ \t]+(?:;(?P<marker>.*))?)?",
    re.DOTALL,
)
_EXTRA = compile_pattern(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_ITEM = compile_pattern(r"[ \t]*(?:~=|==|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*")
_MARKERS: dict[str, Marker] = {}
_MARKER_LIMIT = 4096  # distinct marker texts kept; a lock meets a few hundred


class InvalidRequirement(ValueError):
    """A requirement PEP 508 does not allow (packaging's message)."""


class Requirement:
    """A parsed requirement (``packaging.requirements.Requirement``): ``name`` as written,
    ``extras`` as written, ``specifier``, ``url`` and ``marker``."""

    __slots__ = ("_order", "extras", "marker", "name", "specifier", "url")

    name: str
    url: str | None
    extras: set[str]
    _order: tuple[str, ...] | None
    specifier: SpecifierSet
    marker: Marker | None

    def __init__(self, requirement_string: str) -> None:
        parsed = parse_plain(requirement_string)
        if parsed is None:
            parsed = _parse_slowly(requirement_string)
        self.name = parsed.name
        self.url = parsed.url
        self.extras = parsed.extras
        self._order = parsed._order
        self.specifier = parsed.specifier
        self.marker = parsed.marker

    @property
    def extras_as_written(self) -> tuple[str, ...]:
        """The extras in the order the text gave them, repeats kept (uv.lock's
        ``[package.metadata]`` records them so); sorted when that order is unknown (read by
        packaging) or ``extras`` was changed since."""
        order: tuple[str, ...] | None = getattr(self, "_order", None)
        if order is None or set(order) != self.extras:
            return tuple(sorted(self.extras))
        return order

    def _iter_parts(self, name: str) -> Iterator[str]:
        yield name
        if self.extras:
            yield f"[{','.join(sorted(self.extras))}]"
        if self.specifier:
            yield str(self.specifier)
        if self.url:
            yield f" @ {self.url}"
            if self.marker:
                yield " "
        if self.marker:
            yield f"; {self.marker}"

    def __getstate__(self) -> tuple[str, bool | None]:
        return (str(self), self.specifier._prereleases)

    def __setstate__(self, state: tuple[str, bool | None]) -> None:
        text, prereleases = state
        parsed = Requirement(text)
        self.name, self.url, self.extras = parsed.name, parsed.url, parsed.extras
        self._order = parsed._order
        self.specifier, self.marker = parsed.specifier, parsed.marker
        self.specifier._prereleases = prereleases

    def __str__(self) -> str:
        return "".join(self._iter_parts(self.name))

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}({str(self)!r})>"

    def __hash__(self) -> int:
        return hash((canonicalize_name(self.name),
                     frozenset(canonicalize_name(e) for e in self.extras),
                     self.specifier, self.url, self.marker))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Requirement) and not (
                type(other).__name__ == "Requirement"
                and type(other).__module__ == "packaging.requirements"):
            return NotImplemented
        theirs: Any = other
        return (canonicalize_name(self.name) == canonicalize_name(theirs.name)
                and {canonicalize_name(e) for e in self.extras}
                == {canonicalize_name(e) for e in theirs.extras}
                and self.specifier == theirs.specifier
                and self.url == theirs.url
                and self.marker == theirs.marker)


def _assemble(name: str, url: str | None, extras: set[str], specifier: SpecifierSet,
              marker: Marker | None, order: tuple[str, ...] | None = None) -> Requirement:
    requirement = Requirement.__new__(Requirement)
    requirement.name = name
    requirement.url = url
    requirement.extras = extras
    requirement._order = order
    requirement.specifier = specifier
    requirement.marker = marker
    return requirement


def parse_plain(text: str) -> Requirement | None:
    """The requirement, when ``text`` has the plain form; ``None`` leaves it to packaging."""
    match = _PLAIN.fullmatch(text)
    url = None
    if match is None:
        match = _URL.fullmatch(text)
        if match is None:
            return None
        url = match["url"]
    extras: set[str] = set()
    order: list[str] = []
    if match["extras"] is not None and match["extras"].strip(" \t"):
        for extra in match["extras"].split(","):
            extra = extra.strip(" \t")
            if not _EXTRA.fullmatch(extra):
                return None
            extras.add(extra)
            order.append(extra)
    spec = ""
    if url is None:
        spec = match["inner"] if match["inner"] is not None else match["bare"]
        if spec.strip(" \t") and not all(_ITEM.fullmatch(item) for item in spec.split(",")):
            return None
    marker: Marker | None = None
    if match["marker"] is not None:
        marker = _marker(match["marker"].strip(" \t"))
        if marker is None:
            return None
    try:
        specifier = SpecifierSet(spec)
    except InvalidSpecifier:
        return None  # packaging's parser words the error
    return _assemble(match["name"], url, extras, specifier, marker, tuple(order))


def _marker(text: str) -> Marker | None:
    known = _MARKERS.get(text)
    if known is None:
        try:
            known = Marker(text)
        except InvalidMarker:
            return None
        if len(_MARKERS) < _MARKER_LIMIT:
            _MARKERS[text] = known
    return known


def _parse_slowly(text: str) -> Requirement:
    """packaging's parse of what the plain form does not cover, or its error."""
    from packaging.requirements import InvalidRequirement as PackagingInvalid
    from packaging.requirements import Requirement as PackagingRequirement

    try:
        parsed = PackagingRequirement(text)
    except PackagingInvalid as exc:
        raise InvalidRequirement(str(exc)) from None
    return from_packaging(parsed)


def from_packaging(parsed: Any) -> Requirement:
    """Ours, from a ``packaging.requirements.Requirement`` (what other libraries hand over)."""
    marker = None
    if parsed.marker is not None:
        marker = Marker._from_markers(_convert(parsed.marker._markers))
    specifier = SpecifierSet(",".join(str(s) for s in parsed.specifier),
                             prereleases=parsed.specifier._prereleases)
    return _assemble(parsed.name, parsed.url, set(parsed.extras), specifier, marker)
