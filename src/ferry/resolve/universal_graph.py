"""One graph from the resolutions of every fork: nodes, edges with markers, reachability.

Each fork resolved a plain graph for its set of environments. The lock needs one graph where
every edge says *where* it applies: the union, over the forks that have the edge, of (fork ∧ the
requirement's own marker) — uv's construction. A node's *reachability* is where some path from
the project reaches it; the lock writes each edge's marker simplified inside its parent's
reachability (``x → y`` needs no ``sys_platform == 'win32'`` when ``x`` itself is only reached on
Windows), decides a package's ``resolution-markers`` from it, and drops wheels no reaching
environment could install.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ferry.model.dist import FileRef
from ferry.model.immutable import immutable, mutable
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.value_fields import field, replace
from ferry.resolve.diagnostics import unique
from ferry.resolve.marker_expr import FALSE, MarkerExpr
from ferry.resolve.universal_engine import Fork


@immutable
class NodeRef:
    """A package node (``name``, ``version``, optionally one of its extras, and the index or
    URL it comes from), or a root list of the project (``root`` set: ``"base"``, ``"extra"``
    or ``"group"``, with ``group_name``)."""

    name: str
    version: Version | None = None
    extra: str | None = None
    root: str | None = None
    group_name: str | None = None
    source: str | None = None

    @property
    def base(self) -> NodeRef:
        return replace(self, extra=None)

    def with_extra(self, extra: str | None) -> NodeRef:
        return replace(self, extra=extra)

    @staticmethod
    def project(kind: str, name: str | None = None) -> NodeRef:
        return NodeRef("", None, None, kind, name)

    # Ordered by its fields in turn, as ``@dataclass(order=True)`` orders (sorted output).
    def _order(self) -> tuple[Any, ...]:
        return (self.name, self.version, self.extra, self.root, self.group_name, self.source)

    def __lt__(self, other: NodeRef) -> bool:
        return self._order() < other._order()

    def __le__(self, other: NodeRef) -> bool:
        return self._order() <= other._order()

    def __gt__(self, other: NodeRef) -> bool:
        return self._order() > other._order()

    def __ge__(self, other: NodeRef) -> bool:
        return self._order() >= other._order()


@immutable
class Node:
    """A resolved distribution: its file (for the index it came from) or direct URL."""

    name: NormalizedName
    version: Version
    file: FileRef | None = None
    url: str | None = None


@immutable
class GraphEdge:
    parent: NodeRef
    child: NodeRef  # always a base node (no extra)
    extra: str | None
    marker: MarkerExpr


@mutable
class ForkResult:
    """What one fork resolved."""

    fork: Fork
    nodes: dict[NodeRef, Node] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)
    roots: set[NodeRef] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)  # uv's, for the user (resolve.diagnostics)

    def pins(self) -> dict[NormalizedName, Version]:
        return {n.name: n.version for n in self.nodes.values()}


@mutable
class UniversalGraph:
    """The merged graph of all forks, in their resolution order."""

    forks: list[Fork]
    nodes: dict[NodeRef, Node]
    edges: dict[tuple[NodeRef, NodeRef, str | None], MarkerExpr]
    reach: dict[NodeRef, MarkerExpr]
    roots: dict[NodeRef, MarkerExpr]
    warnings: list[str] = field(default_factory=list)  # every fork's, once each
    # edges by parent, built on first use: writing a lock asks for every node's edges, and a
    # scan of all edges per node compared ~9000 NodeRefs for the web workload (the graph is
    # complete once merged; nothing adds edges afterwards)
    _by_parent: dict[NodeRef, list[tuple[NodeRef, str | None, MarkerExpr]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def edges_from(self, parent: NodeRef) -> list[tuple[NodeRef, str | None, MarkerExpr]]:
        if self._by_parent is None:
            by_parent: dict[NodeRef, list[tuple[NodeRef, str | None, MarkerExpr]]] = {}
            for (p, child, extra), marker in self.edges.items():
                by_parent.setdefault(p, []).append((child, extra, marker))
            self._by_parent = by_parent
        return list(self._by_parent.get(parent, ()))

    def parents(self) -> set[NodeRef]:
        return {p for p, _, _ in self.edges}

    def fork_markers_of(self, node: NodeRef) -> list[Fork]:
        """The forks (in order) whose environments meet the node's reachability."""
        reach = self.reach.get(node, FALSE)
        return [f for f in self.forks if not f.universal().disjoint(reach)]


def merge(results: Iterable[ForkResult]) -> UniversalGraph:
    results = list(results)
    nodes: dict[NodeRef, Node] = {}
    edges: dict[tuple[NodeRef, NodeRef, str | None], MarkerExpr] = {}
    roots: dict[NodeRef, MarkerExpr] = {}
    for result in results:
        where = result.fork.universal()
        for ref, node in result.nodes.items():
            nodes.setdefault(ref, node)
        for root in result.roots:
            roots[root] = roots.get(root, FALSE) | where
        for edge in result.edges:
            key = (edge.parent, edge.child, edge.extra)
            edges[key] = edges.get(key, FALSE) | (where & edge.marker)
    reach = reachability(edges, roots)
    warnings = unique(w for result in results for w in result.warnings)
    return UniversalGraph([r.fork for r in results], nodes, edges, reach, roots, warnings)


def reachability(
    edges: dict[tuple[NodeRef, NodeRef, str | None], MarkerExpr],
    roots: dict[NodeRef, MarkerExpr],
) -> dict[NodeRef, MarkerExpr]:
    """Where each node (and each ``node[extra]``) is reached: a fixpoint over the edges."""
    outgoing: dict[NodeRef, list[tuple[NodeRef, MarkerExpr]]] = {}
    for (parent, child, extra), marker in edges.items():
        targets = outgoing.setdefault(parent, [])
        targets.append((child, marker))
        if extra is not None:
            targets.append((child.with_extra(extra), marker))
    reach: dict[NodeRef, MarkerExpr] = dict(roots)
    pending = list(roots)
    rounds = 0
    while pending:
        rounds += 1
        parent = pending.pop()
        here = reach[parent]
        for child, marker in outgoing.get(parent, ()):
            add = here & marker
            if add.is_false():
                continue
            before = reach.get(child, FALSE)
            if add.implies(before):
                continue
            reach[child] = before | add
            if child not in pending:
                pending.append(child)
        if rounds > 200_000:  # pragma: no cover - a safety net for pathological graphs
            break
    return reach
