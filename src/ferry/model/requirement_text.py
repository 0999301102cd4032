"""PEP 508 requirement strings parsed on a fast path, with packaging's parser as the authority.

Why: a lock reads a few hundred ``Requires-Dist`` lines from cached metadata, and
``packaging.requirements.Requirement`` tokenizes each one character class by character class
(~25 µs a line; most of a warm lock's metadata time). Nearly all of them are the plain
``name[extras] specifiers ; marker`` form, and the same marker text recurs across a dependency
tree (``python_version < "3.11"``, ``extra == "standard"``). So the plain form is split with one
regular expression, its specifier goes to ``SpecifierSet`` (which validates every item) and its
marker to a ``Marker`` parsed once per distinct text and then shared (markers are never mutated).
Anything else — a URL, unusual whitespace, an error of any kind — is handed to ``Requirement``,
so errors keep packaging's exact wording. The tests check both paths give equal results on a
corpus and on generated strings.
"""

from __future__ import annotations

import re

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

__all__ = ["requirement_from_text", "shallow_copy"]

# The plain form only: PEP 508 whitespace is spaces and tabs; no URL (no "@"), no nested
# brackets or parentheses. Anything this does not match goes to packaging's parser.
_PLAIN = re.compile(
    r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"[ \t]*(?:\[(?P<extras>[A-Za-z0-9._, \t-]*)\])?"
    r"[ \t]*(?:\((?P<inner>[^()@;\[\]]*)\)|(?P<bare>[^()@;\[\]]*?))"
    r"[ \t]*(?:;(?P<marker>.*))?",
    re.DOTALL,
)
_EXTRA = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_ITEM = re.compile(r"[ \t]*(?:~=|==|!=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+[ \t]*")
_MARKERS: dict[str, Marker] = {}
_MARKER_LIMIT = 4096  # distinct marker texts kept; a lock meets a few hundred


def requirement_from_text(text: str) -> Requirement:
    """``Requirement(text)``, faster for the plain form; refuses what it refuses, as it does."""
    fast = _plain(text)
    return fast if fast is not None else Requirement(text)


def shallow_copy(requirement: Requirement) -> Requirement:
    """A new ``Requirement`` sharing the parts (callers replace a part, e.g. the marker), without
    formatting and re-parsing it as ``Requirement(str(r))`` would."""
    copy = Requirement.__new__(Requirement)
    copy.name = requirement.name
    copy.url = requirement.url
    copy.extras = set(requirement.extras)
    copy.specifier = requirement.specifier
    copy.marker = requirement.marker
    return copy


def _plain(text: str) -> Requirement | None:
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    extras: set[str] = set()
    if match["extras"] is not None and match["extras"].strip(" \t"):
        for extra in match["extras"].split(","):
            extra = extra.strip(" \t")
            if not _EXTRA.fullmatch(extra):
                return None
            extras.add(extra)
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
    except ValueError:
        return None  # packaging's parser words the error
    requirement = Requirement.__new__(Requirement)
    requirement.name = match["name"]
    requirement.url = None
    requirement.extras = extras
    requirement.specifier = specifier
    requirement.marker = marker
    return requirement


def _marker(text: str) -> Marker | None:
    known = _MARKERS.get(text)
    if known is None:
        try:
            known = Marker(text)
        except ValueError:
            return None
        if len(_MARKERS) < _MARKER_LIMIT:
            _MARKERS[text] = known
    return known
