"""The lock flattened for an export: which packages, under which marker, needed by whom.

An export (``requirements.txt``, ``pylock.toml``) is universal like the lock: it lists every
package some platform needs for the chosen extras and groups, each with the marker under which
it is needed. That marker is the "or", over every path from the project, of the "and" of the
dependency markers along the path (uv's *reachability*), computed here to a fixed point over the
lock's graph (which may have cycles) with :mod:`ferry.project.export_markers`.

As in uv: dependency groups hang off a synthetic root rather than the project (they can be
installed without it, so their packages are not annotated "via" the project); the lock's
``supported-markers`` (``environments``) restrict every dependency edge; and the markers uv uses
to encode conflicting extras and groups (``extra == 'extra-3-pkg-x'``) are decided by the
selection, so no conflict marker reaches the output.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from ferry.model.immutable import immutable, mutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.value_fields import field
from ferry.project import export_markers as m
from ferry.project.lock_model import Lock, LockDependency, LockedPackage, PackageId
from ferry.project.lock_select import conflict_extra, conflict_group

_ROOT = "<root>"
Node = PackageId | str


@immutable
class ExportSelection:
    """What to export: the extras and groups of the root packages, as resolved by the caller
    (defaults applied, ``--only-group`` as ``include_project_deps=False``)."""

    extras: frozenset[str] = frozenset()
    all_extras: bool = False
    no_extras: frozenset[str] = frozenset()
    """``--no-extra``: taken out of ``all_extras``' (each root's own) extras."""
    groups: frozenset[str] = frozenset()
    include_project_deps: bool = True
    no_emit_project: bool = False
    """Leave out the project itself; workspace members stay."""
    no_emit_workspace: bool = False
    """Leave out every workspace member, the root project included."""
    no_emit_local: bool = False
    """Leave out every package on disk (members, path and directory dependencies)."""
    no_emit_packages: frozenset[NormalizedName] = frozenset()
    """Left out of the output only: what they need is still exported (uv's
    ``--no-emit-package``)."""
    prune: frozenset[NormalizedName] = frozenset()
    """Cut out of the graph: left out with whatever only they need (uv's ``--prune``)."""


@immutable
class ExportNode:
    package: LockedPackage
    marker: str | None
    """uv's canonical marker under which the package is needed; None: always."""
    dependents: tuple[NormalizedName, ...] = ()


@mutable
class _Graph:
    edges: dict[Node, list[tuple[Node, m.Dnf]]] = field(default_factory=dict)

    def add(self, source: Node, target: Node, marker: m.Dnf) -> None:
        self.edges.setdefault(source, []).append((target, marker))
        self.edges.setdefault(target, [])


def _lookup(lock: Lock, package_id: PackageId) -> LockedPackage:
    found = lock.get(package_id)
    if found is None:
        candidates = lock.find(package_id.name)
        if len(candidates) != 1:
            raise KeyError(str(package_id))
        found = candidates[0]
    return found


class _Builder:
    def __init__(self, lock: Lock, selection: ExportSelection) -> None:
        self.lock = lock
        self.selection = selection
        self.graph = _Graph()
        self.queue: deque[tuple[LockedPackage, str | None]] = deque()
        self.seen: set[tuple[PackageId, str | None]] = set()
        self.active: set[str] = set()
        environments = m.FALSE
        for marker in lock.supported_markers:
            environments = m.disj(environments, m.parse(marker))
        self.environments = environments if lock.supported_markers else m.TRUE

    def edge_marker(self, dep: LockDependency) -> m.Dnf:
        return m.conj(m.parse(dep.marker), self.environments)

    def push(self, package: LockedPackage, extra: str | None) -> None:
        if (package.id, extra) not in self.seen:
            self.seen.add((package.id, extra))
            self.queue.append((package, extra))

    def add_roots(self, roots: Iterable[NormalizedName]) -> None:
        names = {canonicalize_name(r) for r in roots}
        sel = self.selection
        for package in self.lock.packages:
            if (
                package.name not in names
                or not package.source.is_local
                or package.name in sel.prune
            ):
                continue
            if sel.include_project_deps:
                self.graph.add(_ROOT, package.id, m.TRUE)
                self.push(package, None)
                extras = (
                    [e for e, _ in package.optional_dependencies if e not in sel.no_extras]
                    if sel.all_extras
                    else sorted(sel.extras)
                )
                for extra in extras:
                    self.active |= {conflict_extra(package.name, extra), extra}
                    self.push(package, extra)
            for group, deps in package.dev_dependencies:
                if group not in sel.groups:
                    continue
                self.active |= {conflict_group(package.name, group), group}
                for dep in deps:
                    if dep.name in sel.prune:
                        continue
                    target = _lookup(self.lock, dep.package)
                    self.graph.add(_ROOT, target.id, self.edge_marker(dep))
                    self.push(target, None)
                    for extra in dep.extras:
                        self.push(target, extra)
        self._manifest_roots()

    def _manifest_roots(self) -> None:
        """Requirements of a root without ``[project]`` (``[manifest]``)."""
        manifest = self.lock.manifest
        wanted = list(manifest.requirements)
        for group, requirements in manifest.dependency_groups:
            if group in self.selection.groups:
                wanted.extend(requirements)
        for requirement in wanted:
            if canonicalize_name(requirement.name) in self.selection.prune:
                continue
            for package in self.lock.find(requirement.name):
                marker = m.within_forks(m.parse(requirement.marker), package.resolution_markers)
                if not marker:
                    continue
                self.graph.add(_ROOT, package.id, marker)
                self.push(package, None)
                for extra in requirement.extras:
                    self.push(package, extra)

    def expand(self) -> None:
        while self.queue:
            package, extra = self.queue.popleft()
            deps = package.optional(extra) if extra is not None else package.dependencies
            for dep in deps:
                if dep.name in self.selection.prune:
                    continue
                target = _lookup(self.lock, dep.package)
                self.graph.add(package.id, target.id, self.edge_marker(dep))
                self.push(target, None)
                for dep_extra in dep.extras:
                    self.active.add(conflict_extra(target.name, dep_extra))
                    self.push(target, dep_extra)

    def decide(self, atom: m.Atom) -> bool | None:
        """Conflict-encoding atoms are settled by the selection."""
        var, op, value = atom
        if var not in ("extra", "group"):
            return None
        if op == "==":
            return value in self.active
        if op == "!=":
            return value not in self.active
        return None


def _reachability(graph: _Graph, decide: Callable[[m.Atom], bool | None]) -> dict[Node, m.Dnf]:
    reach: dict[Node, m.Dnf] = {_ROOT: m.TRUE}
    pending: deque[Node] = deque([_ROOT])
    budget = 200 * (len(graph.edges) + 1)
    while pending and budget:
        budget -= 1
        node = pending.popleft()
        for target, marker in graph.edges.get(node, ()):
            contribution = m.substitute(m.conj(reach[node], marker), decide)
            before = reach.get(target, m.FALSE)
            after = m.disj(before, contribution)
            if after != before:
                reach[target] = after
                if target not in pending:
                    pending.append(target)
    return reach


def export_nodes(
    lock: Lock,
    roots: Iterable[NormalizedName],
    selection: ExportSelection,
    *,
    project: NormalizedName | None = None,
) -> list[ExportNode]:
    """Every package the export lists, in lock order, with its marker and its dependents;
    ``project`` is the package ``no_emit_project`` leaves out."""
    builder = _Builder(lock, selection)
    roots = list(roots)
    members = {canonicalize_name(name) for name in lock.manifest.members} | set(roots)
    if project is not None:
        members.add(project)
    builder.add_roots(roots)
    builder.expand()
    reach = _reachability(builder.graph, builder.decide)
    dependents: dict[Node, set[NormalizedName]] = {}
    for source, targets in builder.graph.edges.items():
        if isinstance(source, PackageId):
            for target, _ in targets:
                dependents.setdefault(target, set()).add(source.name)
    nodes = []
    for package in lock.packages:
        marker = reach.get(package.id)
        if marker is None or not marker:
            continue
        if _left_out(package, selection, project, members):
            continue
        nodes.append(
            ExportNode(
                package=package,
                marker=m.render(marker),
                dependents=tuple(sorted(dependents.get(package.id, ()))),
            )
        )
    return nodes


def _left_out(
    package: LockedPackage,
    selection: ExportSelection,
    project: NormalizedName | None,
    members: set[NormalizedName],
) -> bool:
    """Whether an ``--no-emit-*`` option leaves ``package`` out of the output (its place in the
    graph, and so the ``# via`` lines of what it needs, stays)."""
    if package.name in selection.no_emit_packages:
        return True
    if not package.source.is_local:
        return False
    if selection.no_emit_local:
        return True
    if selection.no_emit_workspace and package.name in members:
        return True
    return selection.no_emit_project and package.name == project
