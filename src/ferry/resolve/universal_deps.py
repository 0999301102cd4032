"""A package's dependencies as one fork of a universal resolution sees them.

A dependency holds in a fork when its marker meets the fork's environments; what it is apart
from that — the requirement without its marker, the marker as an expression, overrides put in
its place, the resolver's :class:`~ferry.resolve.nodes.Req` values — is the same in every fork,
and is prepared once (metadata is memoised by the source, so every fork sees the same
``Requirement`` objects; they are kept by identity, with the original held so its id cannot be
reused).
"""

from __future__ import annotations

from collections.abc import Sequence

from ferry.model.immutable import mutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.requirement_text import shallow_copy
from ferry.model.value_fields import field
from ferry.resolve.marker_expr import TRUE, MarkerExpr, parse_marker
from ferry.resolve.nodes import Req, reqs_from

__all__ = ["Edge", "applicable", "shared_reqs", "unmarked"]


@mutable
class Edge:
    """A dependency as resolved in one fork, before the graph of all forks is built."""

    requirement: Requirement
    marker: MarkerExpr
    reqs: list[Req] = field(default_factory=list)


def applicable(
    requirements: Sequence[Requirement],
    extra: str | None,
    within: MarkerExpr,
    overrides: dict[NormalizedName, list[Requirement]],
) -> list[Edge]:
    """The requirements that hold somewhere in ``within``, overrides applied, with their
    markers; for an ``extra``, only those the extra adds."""
    if within.is_false():
        return []
    return [Edge(requirement, marker) for requirement, marker
            in _prepared(requirements, extra, overrides)
            if marker is TRUE or not marker.disjoint(within)]


def _prepared(
    requirements: Sequence[Requirement],
    extra: str | None,
    overrides: dict[NormalizedName, list[Requirement]],
) -> tuple[tuple[Requirement, MarkerExpr], ...]:
    """What :func:`applicable` finds before it looks at ``within``: each requirement (or its
    overrides) without its marker, with the marker as an expression. The same for every fork,
    so it is kept by the identity of the (immutable) list of requirements."""
    key = (id(requirements), extra, id(overrides))
    known = _PREPARED.get(key)
    if known is not None and known[0] is requirements and known[1] is overrides:
        return known[2]
    found: list[tuple[Requirement, MarkerExpr]] = []
    for requirement in requirements:
        if extra is None:
            marker = parse_marker(requirement.marker, extra="")
        else:
            if not _mentions_extra(requirement):
                continue
            marker = parse_marker(requirement.marker, extra=extra)
            without = parse_marker(requirement.marker, extra="")
            if not without.is_false():
                marker = marker & ~without
        if marker.is_false():
            continue
        replaced = overrides.get(canonicalize_name(requirement.name))
        if replaced is None:
            found.append((unmarked(requirement), marker))
            continue
        for override in replaced:
            both = marker & parse_marker(override.marker, extra="")
            if not both.is_false():
                found.append((unmarked(override), both))
    result = tuple(found)
    if isinstance(requirements, tuple) and len(_PREPARED) < _MEMO_LIMIT:
        _PREPARED[key] = (requirements, overrides, result)
    return result


# Nothing mutates the copies kept here after they are made.
_MEMO_LIMIT = 50_000
_UNMARKED: dict[int, tuple[Requirement, Requirement]] = {}
_MENTIONS_EXTRA: dict[int, tuple[Requirement, bool]] = {}
_REQS: dict[int, tuple[Requirement, tuple[Req, ...]]] = {}
_PREPARED: dict[tuple[int, str | None, int], tuple[
    Sequence[Requirement], dict[NormalizedName, list[Requirement]],
    tuple[tuple[Requirement, MarkerExpr], ...]]] = {}


def shared_reqs(requirement: Requirement) -> list[Req]:
    """:func:`reqs_from`, the same :class:`Req` values for every fork: a ``Req`` hashes its
    specifier and requirement (which formats it as text) once, on first use, and a lock hashes
    each one in every fork that meets it."""
    known = _REQS.get(id(requirement))
    if known is None or known[0] is not requirement:
        known = (requirement, tuple(reqs_from(requirement)))
        if len(_REQS) < _MEMO_LIMIT:
            _REQS[id(requirement)] = known
    return list(known[1])


def unmarked(requirement: Requirement) -> Requirement:
    """The requirement without its marker (markers are tracked as expressions instead)."""
    if requirement.marker is None:
        return requirement
    known = _UNMARKED.get(id(requirement))
    if known is None or known[0] is not requirement:
        copy = shallow_copy(requirement)
        copy.marker = None
        known = (requirement, copy)
        if len(_UNMARKED) < _MEMO_LIMIT:
            _UNMARKED[id(requirement)] = known
    return known[1]


def _mentions_extra(requirement: Requirement) -> bool:
    known = _MENTIONS_EXTRA.get(id(requirement))
    if known is None or known[0] is not requirement:
        text = str(requirement.marker) if requirement.marker is not None else ""
        known = (requirement, "extra" in text)
        if len(_MENTIONS_EXTRA) < _MEMO_LIMIT:
            _MENTIONS_EXTRA[id(requirement)] = known
    return known[1]
