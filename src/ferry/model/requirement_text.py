"""PEP 508 requirement strings: the entry point ferry's readers of ``Requires-Dist`` use.

Why: a lock reads a few hundred ``Requires-Dist`` lines from cached metadata. The parsing itself
(one regular expression for the plain form, shared markers, packaging's parser as the authority
for everything else) is :mod:`ferry.model.pep508_requirements`; this module keeps the names its
callers use and the one helper they need besides.
"""

from __future__ import annotations

from ferry.model.pep508_requirements import Requirement, parse_plain

__all__ = ["requirement_from_text", "shallow_copy"]

_plain = parse_plain  # the fast path alone (tests check what takes it)


def requirement_from_text(text: str) -> Requirement:
    """``Requirement(text)``: the plain form fast, anything else as packaging reads it."""
    return Requirement(text)


def shallow_copy(requirement: Requirement) -> Requirement:
    """A new ``Requirement`` sharing the parts (callers replace a part, e.g. the marker), without
    formatting and re-parsing it as ``Requirement(str(r))`` would."""
    copy = Requirement.__new__(Requirement)
    copy.name = requirement.name
    copy.url = requirement.url
    copy.extras = set(requirement.extras)
    copy._order = getattr(requirement, "_order", None)
    copy.specifier = requirement.specifier
    copy.marker = requirement.marker
    return copy
