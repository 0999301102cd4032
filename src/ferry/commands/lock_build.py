"""The ``uv.lock`` model of a universal resolution, laid out as uv lays it out.

Given the merged graph (:mod:`ferry.resolve.universal_graph`) this decides everything the file
says: one ``[[package]]`` per resolved distribution with its registry, files (every sdist and
every wheel some reaching environment could install, with hash, size and upload time), its
dependencies per extra with markers simplified inside the parent's reachability, its
``resolution-markers`` when the name is locked at several versions; the project itself with its
declared inputs (``[package.metadata]``) and ``default-groups``; the top-level forks, conflicts,
environments, ``[options]`` and ``[manifest]``. Marker spelling is finished by
``project/markers.canonical_marker`` so ferry writes what uv writes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

from ferry.commands.lock_conflicts import ConflictInference
from ferry.commands.lock_roots import own_references
from ferry.commands.lock_sources import DirectSources, metadata_of
from ferry.model.dist import FileRef
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.url import strip_credentials
from ferry.model.version_sets import VersionSet
from ferry.project.lock_inputs import (
    expected_default_groups,
    expected_manifest_requirements,
    expected_metadata,
)
from ferry.project.lock_local import LocalRegistry, find_local
from ferry.project.lock_model import (
    ConflictItem,
    Lock,
    LockDependency,
    LockedPackage,
    LockManifest,
    LockOptions,
    LockSource,
    LockWheel,
    PackageId,
    PackageMetadata,
    SourceDist,
    SourceKind,
)
from ferry.project.lock_write import lock_upload_time, sort_wheels
from ferry.project.markers import canonical_marker
from ferry.project.pyproject import PyProject
from ferry.project.tool_settings import ConflictSpec
from ferry.resolve.marker_expr import FALSE, TRUE, MarkerExpr, flag_key, parse_marker, render
from ferry.resolve.marker_restrict import restrict
from ferry.resolve.marker_sets import ValueSet
from ferry.resolve.source import CoreMetadata
from ferry.resolve.universal_graph import Node, NodeRef, UniversalGraph
from ferry.resolve.universal_versions import file_version
from ferry.resolve.wheel_markers import wheel_reachable

#: The files of a project on one index (``None``: the default lookup).
FilesOf = Callable[[NormalizedName, str | None], Sequence[FileRef]]


@immutable
class LockInputs:
    """What the lock records besides the graph."""

    pyproject: PyProject
    requires_python: str
    python: VersionSet
    options: LockOptions
    built: CoreMetadata | None = None
    """The project's metadata from a build, when its dependencies are dynamic."""
    local: tuple[LocalRegistry, ...] = ()
    """How the lock names each index and find-links directory on disk (from
    :class:`~ferry.commands.lock_indexes.IndexChoice`); a ``file://`` index missing here is
    named by its absolute path."""


@lru_cache(maxsize=4096)
def marker_text(expr: MarkerExpr, python: VersionSet) -> str | None:
    """``expr`` as uv spells it in a lock (``None`` when always true); remembered, because the
    same few markers label most edges and spelling one parses it back with packaging."""
    text = render(expr, python)
    return canonical_marker(text) if text is not None else None


class LockBuilder:
    def __init__(
        self,
        graph: UniversalGraph,
        inputs: LockInputs,
        files_of: FilesOf,
        sources: DirectSources | None = None,
    ) -> None:
        self.graph = graph
        self.sources = sources
        self.inputs = inputs
        self.files_of = files_of
        self.python = inputs.python
        self.space = MarkerExpr.python(inputs.python)
        self._contexts: dict[NodeRef, MarkerExpr] = {}
        self._locals: dict[str, LocalRegistry | None] = {}
        self.ids: dict[NodeRef, PackageId] = {
            ref: self._package_id(node) for ref, node in graph.nodes.items()
        }
        names = [ref.name for ref in graph.nodes]
        self.duplicated = {n for n in names if names.count(n) > 1}
        self.conflict_keys = [
            [flag_key(kind, package, name) for kind, package, name in _items(declared)]
            for declared in self.declared_conflicts()
        ]
        self.flags = {
            key: MarkerExpr.atom(key, ValueSet(True, frozenset({"1"})))
            for keys in self.conflict_keys for key in keys
        }
        self.inference = ConflictInference(graph, inputs.pyproject.name or "",
                                           self.conflict_keys, self.conflict_links())
        # the extras some other package (or the project) asks for: one asked for only by its
        # own package's extras is folded into them (see _edges), as uv flattens them
        self.extras: dict[NodeRef, set[str]] = {}
        self._flattened: dict[NodeRef, list[tuple[NodeRef, str | None, MarkerExpr]]] = {}
        for parent, child, extra in graph.edges:
            if extra is not None and not (parent.root is None and parent.base == child):
                self.extras.setdefault(child, set()).add(extra)

    def declared_conflicts(self) -> tuple[tuple[ConflictItem, ...], ...]:
        """The conflict sets the lock records (a workspace collects its members' too)."""
        return conflicts_of(self.inputs.pyproject)

    # -- identities ---------------------------------------------------------------------------

    def _package_id(self, node: Node) -> PackageId:
        if node.url is not None:
            source = (self.sources.get(node.url).source if self.sources is not None
                      else LockSource("url", _clean_url(node.url)))
            return PackageId(node.name, str(node.version), source)
        index = node.file.index_url if node.file is not None else None
        local = self._local(index)
        value = local.value if local is not None else index
        return PackageId(node.name, str(node.version), LockSource("registry", value or ""))

    def _local(self, index: str | None) -> LocalRegistry | None:
        """The registry on disk ``index`` (a file's ``index_url``) is, if it is one."""
        if index is not None and index not in self._locals:
            root = self.inputs.pyproject.root
            self._locals[index] = find_local(self.inputs.local, index, root)
        return self._locals.get(index) if index is not None else None

    # -- dependencies -------------------------------------------------------------------------

    def conflict_links(self) -> list[tuple[NodeRef, NodeRef]]:
        """Edges uv's graph has between the project's lists: each extra to the project."""
        return [(root, NodeRef.project("base")) for root in self.graph.roots
                if root.root == "extra"]

    def _context(self, ref: NodeRef) -> MarkerExpr:
        """Where ``ref`` is reached, as a PEP 508 marker within requires-python (asked for its
        dependencies and its wheels alike)."""
        if ref not in self._contexts:
            reach = self.graph.reach.get(ref, self.space)
            self._contexts[ref] = reach.pep508() & self.space
        return self._contexts[ref]

    def dependencies(self, parent: NodeRef) -> tuple[LockDependency, ...]:
        context = self._context(parent)
        ruled_out = self._impossible({})
        grouped: dict[tuple[PackageId, str | None], set[str]] = {}
        asked: dict[tuple[PackageId, str | None], set[str]] = {}
        for child, extra, marker in self._edges(parent):
            if child not in self.ids:
                continue
            known = self.inference.settled(parent, child, marker, ruled_out)
            impossible = self._impossible(known)
            # uv restricts the edge, as the forks built it, by where its parent is reached (the
            # project's reach being its forks: `environments` within requires-python), in the
            # shape its decision diagram gives (resolve/marker_restrict.py)
            simplified = restrict(marker.restrict(known), context)
            if simplified.is_false():
                continue
            if not impossible.is_false():
                plain = simplified.pep508()
                if self.inference.ambiguous(parent, child) and (plain | impossible).equivalent(
                    simplified | impossible
                ):
                    # Two edges to one name whose flags change nothing outside the combinations
                    # the conflicts rule out: uv writes the platform/Python marker alone.
                    simplified = plain
                else:
                    simplified = (simplified | impossible).simplify_given(TRUE)
            key = (self.ids[child], marker_text(simplified, self.python))
            extras = grouped.setdefault(key, set())
            if extra is not None:
                asked.setdefault(key, set()).add(extra)
                if any(c in self.ids for c, _, _ in self._edges(child.with_extra(extra))):
                    extras.add(extra)  # uv names an extra only when it adds a package
        result = []
        for (package_id, text), extras in grouped.items():
            order = asked.get((package_id, text))
            result.append(LockDependency(package_id, tuple(sorted(extras)), text,
                                         None if order is None else tuple(sorted(order))))
        return tuple(result)

    def _edges(self, parent: NodeRef) -> list[tuple[NodeRef, str | None, MarkerExpr]]:
        """The graph's edges from ``parent``; a ``package[extra]`` naming other extras of its
        own package (``tool[all]`` needing ``tool[cli]``) gets theirs in their place, each
        where both markers hold, as uv flattens such extras. An extra the package lacks
        (``top[nope]``, uv's warning), or one declared empty, so has no edges, and the edges
        naming it lose the extra (``{ name = "top" }``)."""
        if parent.extra is None or parent.root is not None:
            return self.graph.edges_from(parent)
        known = self._flattened.get(parent)
        if known is None:  # asked once for the package[extra] and again by each edge naming it
            known = self._flattened[parent] = self._flatten(parent)
        return known

    def _flatten(self, parent: NodeRef) -> list[tuple[NodeRef, str | None, MarkerExpr]]:
        merged: dict[tuple[NodeRef, str | None], MarkerExpr] = {}
        reached = {parent: TRUE}
        pending = [parent]
        while pending:
            ref = pending.pop()
            for child, extra, marker in self.graph.edges_from(ref):
                where = reached[ref] & marker
                if child != parent.base:
                    merged[child, extra] = merged.get((child, extra), FALSE) | where
                elif extra is not None:
                    own = child.with_extra(extra)
                    if not where.implies(before := reached.get(own, FALSE)):
                        reached[own] = before | where
                        pending.append(own)
        return [(child, extra, marker) for (child, extra), marker in merged.items()]

    # -- conflict markers, as uv writes them -----------------------------------------------------
    #
    # uv settles the extras and groups every path to an edge's parent decides (see
    # commands/lock_conflicts.py: a package only reached through extra `b` has `b` selected and
    # `a` excluded), then widens each marker with the combinations `conflicts` rule out
    # (`M or (x and y)`), which changes nothing a valid selection can see but is what uv writes.

    def _impossible(self, known: Mapping[str, bool]) -> MarkerExpr:
        result = FALSE
        for conflict in self.conflict_keys:
            for first, second in itertools.combinations(conflict, 2):
                both = self.flags[first] & self.flags[second]
                result = result | both.restrict(known)
        return result

    def _by_extra(
        self, ref: NodeRef, extras: Iterable[str]
    ) -> tuple[tuple[str, tuple[LockDependency, ...]], ...]:
        result = []
        for extra in sorted(set(extras)):
            deps = self.dependencies(ref.with_extra(extra))
            if deps:
                result.append((extra, deps))
        return tuple(result)

    # -- packages -----------------------------------------------------------------------------

    def package(self, ref: NodeRef, node: Node) -> LockedPackage:
        extras = self.extras.get(ref, set())
        sdist, wheels = self._files(ref, node)
        metadata = PackageMetadata()
        if node.url is not None and self.sources is not None:
            metadata = self.sources.package_metadata(node.url)
        return LockedPackage(
            id=self.ids[ref],
            resolution_markers=self._resolution_markers(ref),
            dependencies=self.dependencies(ref),
            sdist=sdist,
            wheels=wheels,
            optional_dependencies=self._by_extra(ref, extras),
            metadata=metadata,
        )

    def _resolution_markers(self, ref: NodeRef) -> tuple[str, ...]:
        if ref.name not in self.duplicated:
            return ()
        texts = [marker_text(f.marker, self.python) for f in self.graph.fork_markers_of(ref)]
        return tuple(dict.fromkeys(t for t in texts if t is not None))

    def _files(self, ref: NodeRef, node: Node) -> tuple[SourceDist | None, tuple[LockWheel, ...]]:
        if node.url is not None:
            return self._direct_files(ref, node)
        index = node.file.index_url if node.file is not None else None
        mine = [f for f in self.files_of(node.name, index)
                if f.index_url == index and file_version(node.name, f.filename) == node.version]
        yanked_pin = node.file is not None and node.file.yanked is not None
        mine = [f for f in mine if f.yanked is None or yanked_pin]
        reach = self._context(ref)
        sdists = sorted((f for f in mine if f.is_sdist),
                        key=lambda f: (not f.filename.endswith(".tar.gz"), f.filename))
        local = self._local(index)
        sdist = None
        if sdists:
            chosen = sdists[0]
            url, path, size = _location(chosen, local)
            sdist = SourceDist(url=url, path=path, hash=_hash(chosen), size=size,
                               upload_time=_upload(chosen))
        wheels = []
        for f in mine:
            if f.is_wheel and wheel_reachable(f.filename, reach, self.python):
                url, path, size = _location(f, local)
                wheels.append(LockWheel(url=url, path=path, hash=_hash(f), size=size,
                                        upload_time=_upload(f)))
        return sdist, sort_wheels(wheels)

    def _direct_files(
        self, ref: NodeRef, node: Node
    ) -> tuple[SourceDist | None, tuple[LockWheel, ...]]:
        """An archive named by URL or path: its hash; a source tree: nothing."""
        assert node.url is not None
        source = self.ids[ref].source
        digest = self.sources.hash_of(node.url) if self.sources is not None else None
        if node.file is None or source.kind in ("editable", "directory", "virtual"):
            return None, ()
        if node.file.is_wheel:
            if source.kind == "path":
                return None, (LockWheel(filename=node.file.filename, hash=digest),)
            return None, (LockWheel(url=_clean_url(node.url), hash=digest),)
        return SourceDist(hash=digest), ()

    # -- the project and the whole lock -------------------------------------------------------

    def project_package(self) -> LockedPackage | None:
        pyproject = self.inputs.pyproject
        project = pyproject.project
        if project is None:
            return None
        kind: SourceKind = "editable" if pyproject.is_package else "virtual"
        base = NodeRef.project("base")
        built = self.inputs.built
        declared = (built.extras_in_order if built is not None
                    else tuple(e for e, _ in project.optional_dependencies))
        extras = tuple(
            (extra, deps) for extra in declared
            if (deps := self.dependencies(NodeRef.project("extra", extra)))
        )
        own_id = PackageId(project.name, project.version, LockSource(kind, "."))
        groups = tuple(
            (group, deps) for group in sorted(pyproject.groups)
            if (deps := (*self.dependencies(NodeRef.project("group", group)),
                         *self._own(own_id, group)))
        )
        default_groups = expected_default_groups(pyproject)
        return LockedPackage(
            id=own_id,
            default_groups=default_groups,  # type: ignore[arg-type]
            dependencies=self.dependencies(base),
            optional_dependencies=tuple(sorted(extras)),
            dev_dependencies=groups,
            metadata=self._project_metadata(),
        )

    def _project_metadata(self) -> PackageMetadata:
        declared = expected_metadata(self.inputs.pyproject)
        if self.inputs.built is None:
            return declared
        built = metadata_of(self.inputs.built)
        return PackageMetadata(built.requires_dist, built.provides_extras, declared.requires_dev)

    def _own(self, own_id: PackageId, group: str) -> tuple[LockDependency, ...]:
        """A group's references to the project's own extras: ``{ name = "proj", extra = […] }``."""
        found = []
        for requirement in own_references(self.inputs.pyproject, group):
            marker = parse_marker(requirement.marker) & self.space
            found.append(LockDependency(
                own_id, tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
                marker_text(marker, self.python)))
        return tuple(found)

    def build(self) -> Lock:
        pyproject = self.inputs.pyproject
        packages = [self.package(ref, node) for ref, node in self.graph.nodes.items()]
        own = self.project_package()
        if own is not None:
            packages.append(own)
        forks = self.graph.forks
        markers: tuple[str, ...] = ()
        if len(forks) > 1 or pyproject.tool.environments:
            texts = [marker_text(f.marker, self.python) for f in forks]
            markers = tuple(dict.fromkeys(t for t in texts if t is not None))
        manifest_reqs = expected_manifest_requirements(pyproject)
        groups = expected_metadata(pyproject).requires_dev if pyproject.project is None else ()
        manifest = LockManifest(
            constraints=manifest_reqs["constraints"],
            overrides=manifest_reqs["overrides"],
            build_constraints=manifest_reqs["build-constraints"],
            dependency_groups=groups,
        )
        return Lock(
            requires_python=self.inputs.requires_python,
            packages=tuple(sorted(packages, key=lambda p: p.id.sort_key())),
            resolution_markers=markers,
            supported_markers=tuple(canonical_marker(m) for m in pyproject.tool.environments),
            required_markers=tuple(
                canonical_marker(m) for m in pyproject.tool.required_environments),
            conflicts=self.declared_conflicts(),
            options=self.inputs.options,
            manifest=manifest,
        )


def _items(conflict: tuple[ConflictItem, ...]) -> list[tuple[str, str, str]]:
    return [("extra", i.package, i.extra) if i.extra is not None
            else ("group", i.package, i.group or "") for i in conflict]


def conflicts_of(pyproject: PyProject) -> tuple[tuple[ConflictItem, ...], ...]:
    return conflict_sets(pyproject.tool.conflicts, pyproject.name or "")


def conflict_sets(
    declared: Iterable[Iterable[ConflictSpec]], own: str
) -> tuple[tuple[ConflictItem, ...], ...]:
    """The declared sets as the lock writes them (an item without a package is ``own``'s)."""
    sets = []
    for conflict in declared:
        items = {ConflictItem(c.package or own, c.extra, c.group) for c in conflict}
        # uv's order: by package, its extras before its groups
        sets.append(tuple(sorted(items, key=lambda i: (i.package, i.extra is None,
                                                       i.extra or i.group or ""))))
    return tuple(sets)


def _clean_url(url: str) -> str:
    return strip_credentials(url).split("#", 1)[0]


def _location(file: FileRef, local: LocalRegistry | None) -> tuple[str | None, str | None,
                                                                   int | None]:
    """``(url, path, size)`` of a registry file (see :meth:`LocalRegistry.entry`)."""
    if local is None:
        return _clean_url(file.url), None, file.size
    return None, *local.entry(file.url, file.filename, file.size)


def _hash(file: FileRef) -> str | None:
    digest = file.hashes.sha256
    return f"sha256:{digest}" if digest else None


def _upload(file: FileRef) -> str | None:
    return lock_upload_time(file.upload_time) if file.upload_time else None
