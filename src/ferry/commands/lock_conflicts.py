"""Which conflict flags a lock may take as settled on an edge — uv's inference, path by path.

A lock made with ``conflicts`` marks edges with flags such as ``extra == 'extra-8-member-a-cpu'``.
uv simplifies them before writing: it walks the graph from the roots *ignoring markers*, noting
for each node the sets of extras and groups activated on the way (a member's extra or group
activates itself; a package reached from both ``member-a[cpu]`` and ``member-b[gpu]`` gets
two sets), infers from each set what is included and — through the declared conflicts — what
is excluded, and on an edge whose marker every set satisfies it takes those inferences as
facts. An edge to a name its parent reaches more than once (two versions, or a package with an
extra, which uv draws as two edges) is left alone.

Deciding it this way rather than from where a node is *reachable* matters for a workspace: a
package shared by two conflicting members' extras makes everything below it keep its flag, as
uv writes it. The edges between members (``member-c`` depending on ``member-a[cpu]``) carry the
activation on, as uv's graph does through the member's own node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ferry.resolve.marker_expr import MarkerExpr, flag_key
from ferry.resolve.universal_engine import conflict_parts
from ferry.resolve.universal_graph import NodeRef, UniversalGraph

Activation = frozenset[str]
"""The flag keys (see :func:`~ferry.resolve.marker_expr.flag_key`) activated on one path."""


class ConflictInference:
    """uv's ``simplify_conflict_markers`` over ferry's merged graph (see the module docs).

    ``conflicts`` are the declared sets as flag keys; ``links`` are extra edges between root
    lists (a member list requiring another member: ``(from, to)``), which uv's graph has and
    ferry's resolver graph does not, since members are not resolved as packages.
    """

    def __init__(
        self,
        graph: UniversalGraph,
        project: str,
        conflicts: Sequence[Sequence[str]],
        links: Sequence[tuple[NodeRef, NodeRef]] = (),
    ) -> None:
        self.graph = graph
        self.conflicts = [list(c) for c in conflicts]
        self.flags = sorted({key for c in self.conflicts for key in c})
        self.project = project
        self.sets = self._propagate(links)

    def _own(self, ref: NodeRef) -> str | None:
        """The flag a root list activates (a project's extra or group), if any."""
        if ref.root not in ("extra", "group") or ref.group_name is None:
            return None
        kind, package, name = conflict_parts(self.project, (ref.root, ref.group_name))
        return flag_key(kind, package, name)

    def _propagate(
        self, links: Sequence[tuple[NodeRef, NodeRef]]
    ) -> dict[NodeRef, list[Activation]]:
        outgoing: dict[NodeRef, list[NodeRef]] = {}
        for parent, child, extra in self.graph.edges:
            targets = outgoing.setdefault(parent, [])
            targets.append(child)
            if extra is not None:
                targets.append(child.with_extra(extra))
        for source, target in links:
            outgoing.setdefault(source, []).append(target)
        sets: dict[NodeRef, list[Activation]] = {}
        queue: list[NodeRef] = []
        for root in self.graph.roots:
            sets[root] = [frozenset()]
            queue.append(root)
        seen: set[NodeRef] = set(queue)
        while queue:
            parent = queue.pop()
            own = self._own(parent)
            mine = [s | {own} for s in sets.get(parent, [frozenset()])] if own else \
                sets.get(parent, [frozenset()])
            sets[parent] = list(dict.fromkeys(mine))
            for child in outgoing.get(parent, ()):
                existing = sets.setdefault(child, [])
                changed = False
                for activation in sets[parent]:
                    if activation not in existing:
                        existing.append(activation)
                        changed = True
                if child not in seen or changed:
                    seen.add(child)
                    queue.append(child)
        return sets

    def _inferences(self, activation: Activation) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for key in sorted(activation):
            for conflict in self.conflicts:
                if key in conflict:
                    for other in conflict:
                        if other != key:
                            found.setdefault(other, False)
            found[key] = True
        return found

    def _assignment(self, activation: Activation) -> dict[str, bool]:
        return {key: key in activation for key in self.flags}

    def settled(
        self, parent: NodeRef, child: NodeRef, marker: MarkerExpr, impossible: MarkerExpr
    ) -> Mapping[str, bool]:
        """The flags the edge ``parent -> child`` (marker ``marker``, widened by the
        combinations the conflicts rule out) may take as known; empty when uv would not
        simplify it."""
        if not self.flags or self.ambiguous(parent, child):
            return {}
        sets = self.sets.get(parent, [frozenset()])
        whole = marker | impossible
        for activation in sets:
            if whole.restrict(self._assignment(activation)).is_false():
                return {}
        known: dict[str, bool] = {}
        for activation in sets:
            for key, value in self._inferences(activation).items():
                known.setdefault(key, value)
        return known

    def ambiguous(self, parent: NodeRef, child: NodeRef) -> bool:
        """Whether ``parent`` reaches ``child``'s name by several edges (versions, sources or
        extras): its markers then cannot drop the conflict flags on their own account."""
        edges = [(c, extra) for c, extra, _ in self.graph.edges_from(parent)
                 if c.name == child.name]
        return len(edges) > 1 or any(extra is not None for _, extra in edges)

