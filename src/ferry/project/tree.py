"""``ferry tree``: the lock drawn as a tree, line for line as ``uv tree`` draws it.

Why uv's exact drawing: people paste trees into issues and compare them across machines and
tools; the same lock should give the same picture. The rules, from uv:

* the project with its dependencies, then its extras (all of them, ``(extra: x)``), then the
  selected dependency groups (``(group: g)``); children sorted by edge kind (dependency < extra
  < group) and then by package;
* a package shows the extras requested on the edge that reached it (``rich[md]``), and below it
  only the dependencies of those extras — the project itself shows all of its extras;
* a package already drawn with the same extras is drawn again with `` (*)`` and not expanded (a
  footnote explains); a cycle stops the same way;
* ``--invert`` reverses every edge (leaves first); a path is only followed where the markers of
  its edges can hold together, so one package may be expanded once per distinct path marker;
* ``--package`` draws from the named packages, ``--prune`` drops packages, ``--depth`` limits
  the levels, and without ``--universal`` edges whose markers do not hold for the interpreter
  are left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from typing import Literal

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_markers import Marker
from ferry.model.value_fields import field
from ferry.project import export_markers as m
from ferry.project.lock_model import (
    ConflictItem,
    Lock,
    LockDependency,
    LockedPackage,
    LockRequirement,
    PackageId,
)
from ferry.project.lock_select import conflict_extra, conflict_group

_ROOT = "<root>"
Node = PackageId | str
FOOTNOTE = "(*) Package tree already displayed"
FOOTNOTE_CYCLE = "(*) Package tree is a cycle and cannot be shown"


@immutable
class Edge:
    """How a package was reached."""

    kind: Literal[0, 1, 2]
    """0: a dependency, 1: through an extra, 2: through a dependency group (the sort order)."""
    label: str = ""
    """The extra or group name."""
    requested: tuple[str, ...] | None = None
    """Extras requested on the edge; None only on the edges to the project itself."""
    marker: m.Dnf = m.TRUE

    @property
    def extras(self) -> tuple[str, ...]:
        return self.requested or ()


@immutable
class TreeOptions:
    depth: int = 255
    invert: bool = False
    no_dedupe: bool = False
    groups: frozenset[str] = frozenset()
    include_project_deps: bool = True
    packages: frozenset[NormalizedName] = frozenset()
    prune: frozenset[NormalizedName] = frozenset()
    markers: Mapping[str, str] | None = None
    """The interpreter's marker environment; None draws the universal tree."""
    latest: Mapping[PackageId, str] = field(default_factory=dict)
    """Newer versions on the index (``--outdated``), shown as ``(latest: vX)``."""


def _sort_key(node: Node) -> tuple[int, object]:
    return (0, "") if isinstance(node, str) else (1, node.sort_key())


@lru_cache(maxsize=4096)
def _parsed(marker: str) -> Marker:
    return Marker(marker)


def _holds(marker: str | None, env: Mapping[str, str] | None) -> bool:
    """A dependency marker on this interpreter with no extra active (uv's
    ``evaluate_no_extras``: the encoded conflict extras of a universal lock count as off)."""
    if env is None or not marker:
        return True
    return _parsed(marker).evaluate({**env, "extra": ""})


class _Graph:
    def __init__(self) -> None:
        self.out: dict[Node, list[tuple[Node, Edge]]] = {}

    def add_node(self, node: Node) -> None:
        self.out.setdefault(node, [])

    def add(self, source: Node, target: Node, edge: Edge) -> None:
        self.add_node(source)
        self.add_node(target)
        self.out[source].append((target, edge))

    def keep(self, nodes: Collection[Node]) -> None:
        self.out = {
            n: [(t, e) for t, e in edges if t in nodes]
            for n, edges in self.out.items()
            if n in nodes
        }

    def reversed(self) -> _Graph:
        graph = _Graph()
        for node in self.out:
            graph.add_node(node)
        for source, edges in self.out.items():
            for target, edge in edges:
                graph.add(target, source, edge)
        return graph

    def reachable(self, starts: Iterable[Node]) -> set[Node]:
        seen = set(starts)
        queue = deque(seen)
        while queue:
            for target, _ in self.out.get(queue.popleft(), ()):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen


def _lookup(lock: Lock, package_id: PackageId) -> LockedPackage:
    found = lock.get(package_id)
    if found is not None:
        return found
    return lock.find(package_id.name)[0]


def _members(lock: Lock, project: NormalizedName | None) -> list[LockedPackage]:
    names = {canonicalize_name(n) for n in lock.manifest.members}
    if not names and project is not None:
        names = {project}
    return sorted(
        (p for p in lock.packages if p.name in names and p.source.is_local),
        key=lambda p: p.id.sort_key(),
    )


class _Builder:
    """The lock's graph from the members down, as uv builds it for its tree."""

    def __init__(self, lock: Lock, options: TreeOptions) -> None:
        self.lock = lock
        self.options = options
        self.graph = _Graph()
        self.graph.add_node(_ROOT)
        self.queue: deque[tuple[LockedPackage, str | None]] = deque()
        self.seen: set[tuple[PackageId, str | None]] = set()

    def push(self, package: LockedPackage, extra: str | None) -> None:
        if (package.id, extra) not in self.seen:
            self.seen.add((package.id, extra))
            self.queue.append((package, extra))

    def follow(self, source: Node, dep: LockDependency, kind: Literal[0, 1, 2], label: str) -> None:
        if dep.name in self.options.prune or not _holds(dep.marker, self.options.markers):
            return
        target = _lookup(self.lock, dep.package)
        edge = Edge(kind, label, tuple(sorted(dep.extras)), m.parse(dep.marker))
        self.graph.add(source, target.id, edge)
        self.push(target, None)
        for extra in dep.extras:
            self.push(target, extra)

    def add_member(self, member: LockedPackage) -> None:
        self.graph.add(_ROOT, member.id, Edge(0))
        if self.options.include_project_deps:
            self.push(member, None)
            for extra, _ in member.optional_dependencies:
                self.push(member, extra)
        for group, deps in member.dev_dependencies:
            if group in self.options.groups:
                for dep in deps:
                    self.follow(member.id, dep, 2, group)

    def add_manifest_roots(self) -> None:
        """Requirements of a workspace root without ``[project]`` hang off the synthetic root."""
        manifest = self.lock.manifest
        wanted: list[tuple[str | None, LockRequirement]] = [
            (None, r) for r in manifest.requirements
        ]
        wanted += [
            (g, r)
            for g, reqs in manifest.dependency_groups
            if g in self.options.groups
            for r in reqs
        ]
        for group, requirement in wanted:
            for package in self.lock.find(requirement.name):
                marker = m.within_forks(m.parse(requirement.marker), package.resolution_markers)
                if not marker or not _holds(m.render(marker), self.options.markers):
                    continue
                extras = tuple(sorted(requirement.extras))
                edge = Edge(2, group, extras, marker) if group else Edge(0, "", extras, marker)
                self.graph.add(_ROOT, package.id, edge)
                self.push(package, None)
                for extra in requirement.extras:
                    self.push(package, extra)

    def expand(self) -> None:
        while self.queue:
            package, extra = self.queue.popleft()
            deps = package.optional(extra) if extra is not None else package.dependencies
            for dep in deps:
                if extra is None:
                    self.follow(package.id, dep, 0, "")
                else:
                    self.follow(package.id, dep, 1, extra)


def _build(lock: Lock, project: NormalizedName | None, options: TreeOptions) -> _Graph:
    builder = _Builder(lock, options)
    members = _members(lock, project)
    for member in members:
        if member.name not in options.prune:
            builder.add_member(member)
    builder.add_manifest_roots()
    builder.expand()
    graph = builder.graph
    member_ids: set[Node] = {p.id for p in members}
    graph.keep(graph.reachable({_ROOT, *member_ids}))
    return graph


def _roots(graph: _Graph, options: TreeOptions) -> list[Node]:
    if options.packages:
        named = [n for n in graph.out if isinstance(n, PackageId) and n.name in options.packages]
        return sorted(named, key=_sort_key)
    if not options.invert:
        return [_ROOT] if _ROOT in graph.out else []
    incoming: dict[Node, int] = dict.fromkeys(graph.out, 0)
    for edges in graph.out.values():
        for target, _ in edges:
            incoming[target] += 1
    roots = [n for n, count in incoming.items() if count == 0]
    if not roots:  # only cycles: start each at its first package, in display order
        covered: set[Node] = set()
        for node in sorted(graph.out, key=_sort_key):
            if node not in covered and isinstance(node, PackageId):
                roots.append(node)
                covered |= graph.reachable([node])
    return sorted(roots, key=_sort_key)


Visited = tuple[PackageId, frozenset[str], m.Dnf | None]


class _Renderer:
    def __init__(self, lock: Lock, graph: _Graph, options: TreeOptions) -> None:
        self.lock = lock
        self.graph = graph
        self.options = options
        self.visited: dict[Visited, list[Node]] = {}
        self.path: list[Visited] = []
        self.conflicts = [{_encoded(item) for item in conflict} for conflict in lock.conflicts]

    def _possible(self, marker: m.Dnf) -> m.Dnf:
        """``marker`` without the clauses that need two members of one conflict set."""
        kept = [
            clause
            for clause in marker
            if not any(
                len({a[2] for a in clause if a[1] == "==" and a[2] in conflict}) > 1
                for conflict in self.conflicts
            )
        ]
        return frozenset(kept)

    def line(self, package: PackageId, edge: Edge | None) -> str:
        text = str(package.name)
        if edge is not None and edge.extras:
            text += "[" + ", ".join(edge.extras) + "]"
        if package.version is not None:
            text += f" v{package.version}"
        if edge is not None and edge.kind == 1:
            text += f" (extra: {edge.label})"
        elif edge is not None and edge.kind == 2 and edge.label:
            text += f" (group: {edge.label})"
        return text

    def expanded_extras(self, package: PackageId, edge: Edge | None) -> frozenset[str]:
        if self.options.invert:
            return frozenset({edge.label}) if edge is not None and edge.kind == 1 else frozenset()
        declared = {e for e, _ in _lookup(self.lock, package).optional_dependencies}
        if edge is None or edge.requested is None:
            return frozenset(declared)
        return frozenset(e for e in edge.requested if e in declared)

    def children(
        self, node: PackageId, edge: Edge | None, marker: m.Dnf, expanded: frozenset[str]
    ) -> list[tuple[PackageId, Edge, m.Dnf]]:
        if self.options.invert and edge is not None and edge.kind == 2:
            return []  # a member's group is not part of it when it is someone's dependency
        found = []
        for target, child_edge in self.graph.out.get(node, ()):
            if not isinstance(target, PackageId):
                continue
            child_marker = m.TRUE
            if self.options.invert:
                if expanded and not expanded <= set(child_edge.extras):
                    continue
                child_marker = self._possible(m.conj(marker, child_edge.marker))
                if not child_marker:
                    continue
            elif child_edge.kind == 1 and child_edge.label not in expanded:
                continue
            found.append((target, child_edge, child_marker))
        found.sort(key=lambda c: ((c[1].kind, c[1].label), _sort_key(c[0])))
        return found

    def visit(self, node: Node, edge: Edge | None, marker: m.Dnf) -> list[str]:
        if len(self.path) > self.options.depth or not isinstance(node, PackageId):
            return []
        expanded = self.expanded_extras(node, edge)
        key: Visited = (node, expanded, marker if self.options.invert else None)
        line = self.line(node, edge)
        if key in self.path:
            return [f"{line} (*)"]
        if not self.options.no_dedupe and key in self.visited:
            return [f"{line} (*)"] if self.visited[key] else [line]
        latest = self.options.latest.get(node)
        if latest is not None:
            line += f" (latest: v{latest})"
        children = self.children(node, edge, marker, expanded)
        if len(self.path) < self.options.depth:
            self.visited[key] = [t for t, _, _ in children]
        self.path.append(key)
        lines = [line]
        for index, (child, child_edge, child_marker) in enumerate(children):
            last = index == len(children) - 1
            first_prefix, rest_prefix = ("└── ", "    ") if last else ("├── ", "│   ")
            for i, sub in enumerate(self.visit(child, child_edge, child_marker)):
                lines.append((first_prefix if i == 0 else rest_prefix) + sub)
        self.path.pop()
        return lines

    def render(self, roots: list[Node]) -> list[str]:
        lines: list[str] = []
        for root in roots:
            self.path.clear()
            if isinstance(root, str):
                # petgraph walks a node's outgoing edges newest first; uv draws them so.
                for target, edge in reversed(self.graph.out.get(root, [])):
                    self.path.clear()
                    lines.extend(self.visit(target, edge, m.TRUE))
            else:
                lines.extend(self.visit(root, None, m.TRUE))
        return lines


def _encoded(item: ConflictItem) -> str:
    if item.extra is not None:
        return conflict_extra(item.package, item.extra)
    return conflict_group(item.package, item.group or "")


def render_tree(lock: Lock, project: NormalizedName | None, options: TreeOptions) -> str:
    """The tree as text, one line per package, with the footnote when something was elided."""
    graph = _build(lock, project, options)
    if options.invert:
        graph = graph.reversed()
    if options.packages:
        starts = [n for n in graph.out if isinstance(n, PackageId) and n.name in options.packages]
        graph.keep(graph.reachable(starts))
    lines = _Renderer(lock, graph, options).render(_roots(graph, options))
    if any("*" in line for line in lines):
        lines.append(FOOTNOTE_CYCLE if options.no_dedupe else FOOTNOTE)
    return "".join(f"{line}\n" for line in lines)
