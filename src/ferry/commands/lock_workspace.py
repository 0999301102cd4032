"""Locking a workspace: every member's lists as roots of one resolution, one ``[[package]]`` each.

The resolver knows one project; a workspace gives it every member's dependency lists as roots
(the root project's under their usual names, another member's under ``<member>:<list>``), with
the requirements on other members taken out: members are not on any index. What those
requirements mean goes straight into the lock, as uv writes it: an edge
``{ name = "lib-a", extra = ["x"], marker = … }`` to the member's package, whose own
dependencies are reached because every member is a root. Each member becomes a package with
``source = { editable = "<path>" }`` (or ``virtual`` when it is neither built nor depended on),
its extras, groups and ``[package.metadata]``; ``[manifest] members`` lists them all when there
is more than one.
"""

from __future__ import annotations

from ferry.commands.lock import has_dynamic_dependencies
from ferry.commands.lock_build import (
    FilesOf,
    LockBuilder,
    LockInputs,
    conflict_sets,
    marker_text,
)
from ferry.commands.lock_indexes import IndexChoice
from ferry.commands.lock_roots import own_references, root_lists
from ferry.commands.lock_sources import DirectSources
from ferry.model.errors import UserError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import replace
from ferry.project.lock_inputs import expected_default_groups, expected_metadata
from ferry.project.lock_model import (
    ConflictItem,
    DependencyMap,
    Lock,
    LockDependency,
    LockedPackage,
    LockSource,
    PackageId,
)
from ferry.project.toml_read import display_path
from ferry.project.workspace import Member, Workspace, all_requirements
from ferry.resolve.marker_expr import TRUE, flag_key, parse_marker
from ferry.resolve.universal import RootList
from ferry.resolve.universal_engine import ConflictKey
from ferry.resolve.universal_graph import NodeRef, UniversalGraph


def list_name(workspace: Workspace, member: Member, name: str | None) -> str | None:
    """The name of a member's root list: the root project keeps uv's plain names, another
    member's are ``<member>`` (its dependencies) and ``<member>:<extra or group>``."""
    if workspace.root_member is not None and member.name == workspace.root_member.name:
        return name
    return str(member.name) if name is None else f"{member.name}:{name}"


def check_workspace(workspace: Workspace) -> None:
    """Refuse what a workspace lock cannot do yet, and uv's errors about member sources."""
    for member in workspace.members:
        if has_dynamic_dependencies(member.pyproject):
            raise UserError(
                f"Workspace member `{member.name}` declares its dependencies as dynamic, which "
                "`ferry lock` does not support in workspaces yet",
                hint=f"list them in `[project]` of `{display_path(member.root)}/pyproject.toml`",
            )
        workspace.member_requirements(member, _declared(member))


def workspace_conflict_keys(workspace: Workspace) -> tuple[tuple[ConflictKey, ...], ...]:
    """The workspace's conflict sets as the resolver's keys: the root lists they name (a
    member's extra ``cpu`` is its list ``<member>:cpu``, see :func:`list_name`)."""
    sets: list[tuple[ConflictKey, ...]] = []
    # in uv's order of the items (the lock's), which decides the order the forks are solved in
    for declared in conflict_sets(workspace.conflicts(), ""):
        items: list[ConflictKey] = []
        for item in declared:
            member = workspace.require_member(item.package or "")
            kind = "extra" if item.extra is not None else "group"
            items.append((kind, list_name(workspace, member, item.extra or item.group) or ""))
        sets.append(tuple(items))
    return tuple(sets)


def _lists(member: Member) -> list[tuple[str, str | None, tuple[Requirement, ...]]]:
    """A member's declared lists: ``(kind, name, requirements)``."""
    project = member.pyproject.project
    assert project is not None
    return [("base", None, project.dependencies),
            *(("extra", extra, reqs) for extra, reqs in project.optional_dependencies),
            *(("group", group, reqs) for group, reqs in member.pyproject.groups.items())]


def _declared(member: Member) -> tuple[Requirement, ...]:
    return tuple(all_requirements(member.pyproject))


def _is_member_edge(workspace: Workspace, member: Member, requirement: Requirement) -> bool:
    target = workspace.member(requirement.name)
    return target is not None and target.name != member.name and not requirement.url


def workspace_root_lists(
    workspace: Workspace, sources: DirectSources, choice: IndexChoice
) -> tuple[RootList, ...]:
    """Every member's dependency lists, renamed per :func:`list_name`, without the
    requirements on other members."""
    lists: list[RootList] = []
    for member in workspace.members:
        effective = workspace.effective(member)
        is_root = member.root == workspace.root
        # the member's own sources (paths relative to its directory), recorded for the lock
        for found in root_lists(effective, sources.scoped(effective), choice):
            kept = tuple(r for r in found.requirements
                         if not _is_member_edge(workspace, member, r))
            lists.append(RootList(
                found.kind, list_name(workspace, member, found.name), kept,
                found.indexes if is_root else (), found.marked_indexes,
            ))
    if workspace.root_member is None:
        for found in root_lists(workspace.pyproject, sources, choice):
            kept = tuple(r for r in found.requirements if workspace.member(r.name) is None
                         or r.url)
            lists.append(replace(found, requirements=kept))
    return tuple(lists)


class WorkspaceLockBuilder(LockBuilder):
    """:class:`LockBuilder` for a workspace: one package per member (see the module docs)."""

    def __init__(
        self,
        workspace: Workspace,
        graph: UniversalGraph,
        inputs: LockInputs,
        files_of: FilesOf,
        sources: DirectSources | None = None,
    ) -> None:
        self.workspace = workspace
        super().__init__(graph, inputs, files_of, sources)
        self.directories = workspace.directories()
        self.member_ids: dict[NormalizedName, PackageId] = {}
        for member in workspace.members:
            project = member.pyproject.project
            assert project is not None
            source = LockSource(workspace.source_kind(member), workspace.relative(member.root))
            self.member_ids[member.name] = PackageId(member.name, project.version, source)

    def declared_conflicts(self) -> tuple[tuple[ConflictItem, ...], ...]:
        return conflict_sets(self.workspace.conflicts(), "")

    def project_package(self) -> LockedPackage | None:
        root = self.workspace.root_member
        return self.member_package(root) if root is not None else None

    def _ref(self, member: Member, kind: str, name: str | None) -> NodeRef:
        return NodeRef.project(kind, list_name(self.workspace, member, name))

    def _member_edges(
        self, member: Member, requirements: tuple[Requirement, ...]
    ) -> tuple[LockDependency, ...]:
        """A member's requirements on other members, as lock edges."""
        edges: list[LockDependency] = []
        for requirement in requirements:
            if _is_member_edge(self.workspace, member, requirement):
                edges += self._edges_to(canonicalize_name(requirement.name), requirement)
        return tuple(edges)

    def _own_edges(self, member: Member, group: str) -> tuple[LockDependency, ...]:
        """A group's references to its own member's extras (``{ name = "m", extra = […] }``)."""
        return tuple(edge for requirement in own_references(member.pyproject, group)
                     for edge in self._edges_to(member.name, requirement))

    def _edges_to(
        self, target: NormalizedName, requirement: Requirement
    ) -> list[LockDependency]:
        """The edges for one requirement on a member: ``{ name, extra, marker }``. An extra
        that is part of a declared conflict gets an edge of its own, under its conflict flag
        (``extra == 'extra-8-member-a-cpu'``), next to a plain edge to the member — uv's
        spelling, which selection reads by activating the extra through the edge."""
        marker = parse_marker(requirement.marker) & self.space
        extras = sorted({canonicalize_name(e) for e in requirement.extras})
        flagged = [e for e in extras if flag_key("extra", target, e) in self.flags]
        plain = tuple(e for e in extras if e not in flagged)
        edges = [LockDependency(self.member_ids[target], plain, marker_text(marker, self.python))]
        ruled_out = self._impossible({})
        for extra in flagged:
            where = (marker & self.flags[flag_key("extra", target, extra)]) | ruled_out
            edges.append(LockDependency(self.member_ids[target], (extra,),
                                        marker_text(where.simplify_given(TRUE), self.python)))
        return edges

    def conflict_links(self) -> list[tuple[NodeRef, NodeRef]]:
        """uv's graph also joins a member list requiring another member to that member and to
        the extras it names (ferry resolves members as roots, without those edges)."""
        links = super().conflict_links()
        for member in self.workspace.members:
            for kind, name, requirements in _lists(member):
                source = self._ref(member, kind, name)
                for requirement in requirements:
                    if _is_member_edge(self.workspace, member, requirement) or (
                            kind == "group" and requirement in own_references(
                                member.pyproject, name or "")):
                        target = self.workspace.require_member(requirement.name)
                        links.append((source, self._ref(target, "base", None)))
                        links += [(source, self._ref(target, "extra", canonicalize_name(e)))
                                  for e in requirement.extras]
        return links

    def member_package(self, member: Member) -> LockedPackage:
        project = member.pyproject.project
        assert project is not None
        extras: DependencyMap = tuple(
            (extra, deps) for extra, reqs in sorted(project.optional_dependencies)
            if (deps := (*self.dependencies(self._ref(member, "extra", extra)),
                         *self._member_edges(member, reqs)))
        )
        groups: DependencyMap = tuple(
            (group, deps) for group, reqs in sorted(member.pyproject.groups.items())
            if (deps := (*self.dependencies(self._ref(member, "group", group)),
                         *self._own_edges(member, group),
                         *self._member_edges(member, reqs)))
        )
        return LockedPackage(
            id=self.member_ids[member.name],
            default_groups=expected_default_groups(member.pyproject),  # type: ignore[arg-type]
            dependencies=(*self.dependencies(self._ref(member, "base", None)),
                          *self._member_edges(member, project.dependencies)),
            optional_dependencies=extras,
            dev_dependencies=groups,
            metadata=expected_metadata(self.workspace.effective(member), self.directories,
                                       self.workspace.root),
        )

    def build(self) -> Lock:
        lock = super().build()
        root = self.workspace.root_member
        others = [self.member_package(m) for m in self.workspace.members
                  if root is None or m.name != root.name]
        packages = sorted((*lock.packages, *others), key=lambda p: p.id.sort_key())
        names = self.workspace.names
        groups = lock.manifest.dependency_groups
        if self.workspace.pyproject.project is None:
            groups = expected_metadata(self.workspace.pyproject, self.directories).requires_dev
        manifest = replace(lock.manifest, members=names if len(names) > 1 else (),
                           dependency_groups=groups)
        return replace(lock, packages=tuple(packages), manifest=manifest)
