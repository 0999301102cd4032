"""PEP 735 dependency groups: ``{include-group = …}`` expansion with cycle detection.

Why separate: expansion is a graph walk with its own failure modes (unknown group, cycle) that
must name the groups involved, and both the pyproject model (to fail early, at parse time) and
callers selecting groups for a sync use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import Requirement


@immutable
class IncludeGroup:
    """A ``{include-group = "name"}`` entry of a dependency group."""

    group: str


GroupEntry = Requirement | IncludeGroup


class GroupError(Exception):
    """Raised by :func:`expand_groups`; the caller turns it into a ParseError with a key path."""

    def __init__(self, group: str, message: str) -> None:
        super().__init__(message)
        self.group = group
        self.message = message


def expand_groups(
    declared: Mapping[str, Sequence[GroupEntry]],
) -> dict[str, tuple[Requirement, ...]]:
    """Every group with its includes replaced by the included requirements, in order.

    Group names are compared normalised (PEP 735 says ``Test`` and ``test`` are one group).
    A requirement reached twice through includes is kept once (first occurrence).
    """
    by_name: dict[str, Sequence[GroupEntry]] = {
        canonicalize_name(name): entries for name, entries in declared.items()
    }
    expanded: dict[str, tuple[Requirement, ...]] = {}

    def visit(name: str, stack: list[str]) -> tuple[Requirement, ...]:
        if name in expanded:
            return expanded[name]
        if name in stack:
            cycle = " -> ".join(f"`{g}`" for g in [*stack[stack.index(name) :], name])
            raise GroupError(stack[0], f"Detected a cycle in `dependency-groups`: {cycle}")
        result: list[Requirement] = []
        seen: set[str] = set()
        for entry in by_name[name]:
            if isinstance(entry, IncludeGroup):
                included = canonicalize_name(entry.group)
                if included not in by_name:
                    raise GroupError(
                        name,
                        f"Group `{name}` includes group `{entry.group}`, which is not defined",
                    )
                requirements = visit(included, [*stack, name])
            else:
                requirements = (entry,)
            for requirement in requirements:
                if str(requirement) not in seen:
                    seen.add(str(requirement))
                    result.append(requirement)
        expanded[name] = tuple(result)
        return expanded[name]

    for name in by_name:
        visit(name, [])
    return expanded
