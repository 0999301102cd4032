"""uv's warnings for requirements without a lower bound, under ``--resolution lowest`` (and, for
the project's own requirements, ``lowest-direct``): the lowest version of an unbounded name is
often an ancient one, which is rarely what was meant.

uv 0.13.8 says it twice over. While resolving, before ``Resolved``, once per name: each
requirement of the project (its dependencies, sorted by name, then each extra's, then each
group's) that is not a URL and has no lower bound. After ``Resolved``, with the other
diagnostics and only for ``lowest``: each package of the resolution — a package with an extra
counting as a package of its own — that none of the packages requiring it (the project with
all its lists, or a package's whole ``Requires-Dist``) nor a constraint bounds from below,
sorted by name. A package whose requirer's metadata is not at hand (a direct reference) counts
as bounded, as uv counts one it lacks metadata for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ferry.model.dist import FileRef
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.diagnostics import (
    has_lower_bound,
    unpinned_direct_warning,
    unpinned_transitive_warning,
)
from ferry.resolve.universal import RootList
from ferry.resolve.universal_graph import NodeRef, UniversalGraph

logger = get_logger(__name__)

MetadataOf = Callable[[FileRef], Sequence[Requirement]]
"""The ``Requires-Dist`` of a chosen file (memoised by the resolver's source)."""


def warn_unbounded_direct(roots: Iterable[RootList]) -> None:
    """Log uv's warning for each of the project's requirements with no lower bound."""
    warned: set[str] = set()
    for root in roots:
        for requirement in sorted(root.requirements, key=lambda r: canonicalize_name(r.name)):
            name = str(canonicalize_name(requirement.name))
            if requirement.url or has_lower_bound(requirement.specifier) or name in warned:
                continue
            warned.add(name)
            logger.warning("%s", unpinned_direct_warning(name))


def unbounded_transitive(
    graph: UniversalGraph,
    roots: Sequence[RootList],
    constraints: Sequence[Requirement],
    metadata_of: MetadataOf,
    *,
    script: bool = False,
) -> list[str]:
    """uv's warnings for the packages of ``graph`` nothing bounds from below, sorted by name.
    A script's requirements are uv's root itself, not a package requiring them: what the
    block requires directly is not reported again here (a project's is)."""
    project = [r for root in roots for r in root.requirements]
    incoming: dict[tuple[str, str | None], set[NodeRef]] = {}
    for parent, child, extra in graph.edges:
        incoming.setdefault((child.name, extra), set()).add(parent)
        if extra is not None:  # a package's extra needs the package itself
            incoming.setdefault((child.name, None), set()).add(parent)
    memo: dict[NodeRef, Sequence[Requirement] | None] = {}

    def requirements_of(parent: NodeRef) -> Sequence[Requirement] | None:
        if parent.root is not None:
            return project
        base = parent.base
        if base not in memo:
            node = graph.nodes.get(base)
            memo[base] = None if node is None or node.file is None else metadata_of(node.file)
        return memo[base]

    def bounded(name: str, parents: set[NodeRef]) -> bool:
        if any(canonicalize_name(c.name) == name and has_lower_bound(c.specifier)
               for c in constraints):
            return True
        for parent in parents:
            if script and parent.root is not None:
                return True
            requirements = requirements_of(parent)
            if requirements is None or canonicalize_name(parent.name or "") == name:
                return True
            for requirement in requirements:
                if canonicalize_name(requirement.name) != name:
                    continue
                if requirement.url or has_lower_bound(requirement.specifier):
                    return True
        return False

    unbounded = [name for (name, _), parents in incoming.items()
                 if not bounded(str(canonicalize_name(name)), parents)]
    return [unpinned_transitive_warning(name) for name in sorted(unbounded)]
