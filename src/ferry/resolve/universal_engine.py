"""The resolvelib provider for one *fork* of a universal resolution.

It answers the same four questions as :class:`~ferry.resolve.engine.Engine`, for a set of
environments instead of one interpreter ("union" semantics, as uv):

- a dependency applies when its marker holds in *some* environment of the fork;
- a candidate must support the fork's lowest Python (its ``Requires-Python`` lower bound);
- when one package's dependencies name the same project several times under different markers
  (``lib<2; python_version < '3.10'`` and ``lib>=2; python_version >= '3.10'``), or a dependency
  appears only on newer Pythons than the fork starts at, the fork is split (:class:`ForkNeeded`);
- when the best version of a project needs a newer Python than the fork's lowest, the fork is
  split at that Python, so newer Pythons get the newest version (uv's ``requires-python`` fork
  strategy); with ``fewest`` such versions are skipped instead.

Every dependency's marker is kept as a :class:`~ferry.resolve.marker_expr.MarkerExpr`, because
the lock records, for each edge, the environments it applies to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import replace
from ferry.model.version_sets import VersionSet
from ferry.resolve.candidates import python_compatible
from ferry.resolve.engine import Engine
from ferry.resolve.fork_trace import Call, Deps, Found, Satisfied, Traced
from ferry.resolve.marker_expr import TRUE, MarkerExpr, conflict_flag, parse_marker
from ferry.resolve.nodes import (
    PYTHON_KEY,
    UNUSABLE_PREFIX,
    Candidate,
    Req,
    exact_pin,
)
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.resolver_loop import criterion_of
from ferry.resolve.source import PackageSource
from ferry.resolve.universal_deps import Edge, applicable, shared_reqs, unmarked
from ferry.resolve.universal_versions import FileFacts, UniversalVersionBuilder

logger = get_logger(__name__)

ForkStrategy = Literal["requires-python", "fewest"]
#: A conflict item: ("extra" | "group", name); in a workspace a member other than the root
#: names its lists ``<member>:<name>`` (the names of its root lists).
ConflictKey = tuple[str, str]

# A marker environment the base class can hold; universal code never evaluates it.
_PLACEHOLDER_MARKERS = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_system": "Linux",
    "platform_release": "",
    "platform_version": "",
}


@immutable
class Fork:
    """A set of environments resolved together, and the project extras/groups it includes or
    excludes (uv's conflict handling)."""

    marker: MarkerExpr
    include: frozenset[ConflictKey] = frozenset()
    exclude: frozenset[ConflictKey] = frozenset()
    project: str = ""

    def universal(self) -> MarkerExpr:
        """The PEP 508 part with uv's conflict markers for the included/excluded items."""
        result = self.marker
        for item in sorted(self.include):
            result = result & conflict_marker(self.project, item)
        for item in sorted(self.exclude):
            result = result & ~conflict_marker(self.project, item)
        return result

    def python_floor(self, universe: VersionSet) -> Version:
        floor = (self.marker.python_versions() & universe).lower()
        return floor if floor is not None else Version("3")

    def with_marker(self, marker: MarkerExpr) -> Fork:
        return replace(self, marker=marker)

    def excludes(self, item: ConflictKey) -> bool:
        return item in self.exclude


class ForkNeeded(Traced):
    """Raised from inside resolvelib when the current fork must be split; carries the parts in
    uv's solving order (the last one is solved first), and (``trace``) what the resolution
    that split had asked, for the parts to continue from."""

    def __init__(self, children: list[Fork], reason: str) -> None:
        super().__init__(reason)
        self.children = children
        self.reason = reason


def _has_upper_bound(requirement: Requirement) -> bool:
    return any(s.operator in ("<", "<=", "==", "~=", "===") for s in requirement.specifier)


def split_by_dependencies(
    fork: Fork, deps: Sequence[Edge], universe: VersionSet
) -> list[Fork] | None:
    """uv's forking rule for one dependency list; ``None`` when the fork stays whole.

    Several dependencies on one name with different markers split the fork on each marker; a
    lone dependency splits it only when its marker raises the minimum Python. The parts come
    back sorted by their lowest Python, then by how many upper-bounded dependencies they hold.
    """
    if all(dep.marker is TRUE for dep in deps):
        return None  # nothing to split on: every marker-free dependency is the same everywhere
    floor = fork.python_floor(universe)

    def raises(marker: MarkerExpr) -> bool:
        lower = marker.python_lower()
        return lower is not None and lower > floor

    by_name: dict[str, list[Edge]] = {}
    for dep in deps:
        by_name.setdefault(canonicalize_name(dep.requirement.name), []).append(dep)
    forks = [fork]
    for name in sorted(by_name):
        items = by_name[name]
        if len(items) == 1 and not raises(items[0].marker):
            continue
        if len(items) > 1 and all(i.marker.equivalent(items[0].marker) for i in items) and \
                not raises(items[0].marker):
            continue
        for dep in items:
            marker = dep.marker
            if marker.disjoint(fork.marker) or marker.is_true():
                continue
            parts: list[Fork] = []
            for current in forks:
                if current.marker.disjoint(marker):
                    parts.append(current)
                    continue
                outside = current.marker & ~marker
                if not outside.is_false():
                    parts.append(current.with_marker(outside))
                parts.append(current.with_marker(current.marker & marker))
            forks = [f for f in parts if not (f.marker.python_versions() & universe).is_empty()]
    if len(forks) < 2:
        return None

    def upper_bounds(part: Fork) -> int:
        return sum(1 for d in deps if _has_upper_bound(d.requirement)
                   and not d.marker.disjoint(part.marker))

    forks.sort(key=lambda f: (f.python_floor(universe), upper_bounds(f)))
    return forks


class UniversalEngine(Engine):
    """The :class:`Engine` of one fork (see the module docstring)."""

    def __init__(
        self,
        source: PackageSource,
        fork: Fork,
        universe: VersionSet,
        options: ResolverOptions,
        roots: Sequence[Requirement],
        constraints: Sequence[Requirement],
        overrides: dict[NormalizedName, list[Requirement]],
        *,
        strategy: ForkStrategy = "requires-python",
        preferred: dict[NormalizedName, list[Version]] | None = None,
        facts: FileFacts | None = None,
    ) -> None:
        self.fork = fork
        self.universe = universe
        self.python_set = fork.marker.python_versions() & universe
        floor = fork.python_floor(universe)
        target = TargetEnvironment(_PLACEHOLDER_MARKERS, (), floor)
        applicable = [unmarked(c) for c in constraints
                      if not parse_marker(c.marker).disjoint(fork.marker)]
        super().__init__(source, target, options, roots, applicable)
        builder = UniversalVersionBuilder(
            self.python_set, universe=universe, exclude_newer=options.exclude_newer,
            facts=facts, index_order=options.index_order)
        self.builder = builder  # type: ignore[assignment]
        self._matches = builder.facts.matches
        self.overrides = overrides
        self.strategy = strategy
        self.forking = True
        self.preferred = preferred or {}
        self.edges: dict[Candidate, list[Edge]] = {}
        self.discovered: dict[str, int] = {}
        self._pins: dict[int, tuple[Req, bool]] = {}
        self._ranks: dict[str, tuple[object | None, bool, bool, str]] = {}
        self.discovered_keys: dict[str, int] = {}
        self.calls: list[Call] | None = None

    # --- which package to decide next: uv's order ------------------------------------------
    #
    # Where a fork splits depends on which package's dependencies are read first, so the order
    # is uv's (``pubgrub/priority.rs``): exact pins and direct references first, then packages
    # in the order they were discovered (a package's extras share its place, ties by the order
    # the extra itself was seen). resolvelib's usual preference for backtracking causes stays.

    def announce(self, reqs: Iterable[Req]) -> None:
        reqs = list(reqs)
        self._discover(reqs)
        super().announce(reqs)

    def get_dependencies(self, candidate: Candidate) -> list[Req]:
        deps = super().get_dependencies(candidate)
        self._discover(deps)
        if self.calls is not None:
            self.calls.append(Deps(candidate, deps))
        return deps

    def find(
        self, identifier: str, reqs: Sequence[Req], bad: Sequence[Candidate]
    ) -> list[Candidate]:
        found = super().find(identifier, reqs, bad)
        if self.calls is not None:
            self.calls.append(Found(identifier, reqs, bad, found))
        return found

    # --- continuing from another resolution (fork_trace.Answerer) --------------------------

    def _satisfied_uncached(self, requirement: Req, candidate: Candidate) -> bool:
        satisfied = super()._satisfied_uncached(requirement, candidate)
        if self.calls is not None and candidate.version.is_prerelease:
            self.calls.append(Satisfied(requirement, candidate, satisfied))
        return satisfied

    def mark(self) -> tuple[int, int]:
        return (len(self.discovered), len(self.discovered_keys))

    def rewind(self, mark: tuple[int, int]) -> None:
        names, keys = mark
        while len(self.discovered) > names:
            self.discovered.popitem()
        while len(self.discovered_keys) > keys:
            self.discovered_keys.popitem()

    def _discover(self, reqs: Iterable[Req]) -> None:
        for req in reqs:
            self.discovered.setdefault(req.name, len(self.discovered))
            self.discovered_keys.setdefault(req.key, len(self.discovered_keys))

    def get_preference(  # type: ignore[override]
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, int, int]:
        return self._preference(identifier, information, _causes(backtrack_causes))

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        """The one identifier :meth:`get_preference` ranks first, found in one pass (the
        backtracking causes gathered once per round, not once per identifier)."""
        causes = _causes(backtrack_causes)
        return [min(identifiers, key=lambda i: self._preference(i, information, causes))]

    def _preference(
        self, identifier: str, information: Mapping[str, Iterator[Any]], causes: set[str]
    ) -> tuple[bool, bool, bool, int, int]:
        # What depends on the requirements alone is kept per criterion (resolvelib makes a new
        # one whenever the requirements on the identifier change): every round ranks every
        # unpinned identifier, and most of them have not changed since the last round.
        criterion = criterion_of(information, identifier)
        known = self._ranks.get(identifier)
        if known is None or criterion is None or known[0] is not criterion:
            infos = list(information[identifier])
            special = identifier == PYTHON_KEY or identifier.startswith(UNUSABLE_PREFIX)
            pinned = any(self._pinned(i.requirement) for i in infos)
            name = infos[0].requirement.name if infos else identifier
            known = (criterion, not special, not pinned, name)
            if criterion is not None:
                self._ranks[identifier] = known
        _, ordinary, unpinned, name = known
        unknown = len(self.discovered) + len(self.discovered_keys)
        return (ordinary, unpinned, name not in causes,
                self.discovered.get(name, unknown), self.discovered_keys.get(identifier, unknown))

    def _pinned(self, req: Req) -> bool:
        """A direct reference or an exact pin (uv's ``DirectUrl``/``Singleton`` priorities)."""
        known = self._pins.get(id(req))
        if known is None or known[0] is not req:
            exact = bool(req.url or req.pin or exact_pin(req.specifier))
            known = self._pins[id(req)] = (req, exact)
        return known[1]

    def matching(
        self, name: NormalizedName, extra: str | None, reqs: Sequence[Req]
    ) -> list[Candidate]:
        found = self._shared_matching(name, extra, reqs)
        wanted = self.preferred.get(name)
        if wanted:
            rank = {v: i for i, v in reversed(list(enumerate(wanted)))}
            found.sort(key=lambda c: rank.get(c.version, len(wanted)))
        builder: UniversalVersionBuilder = self.builder  # type: ignore[assignment]
        if self.strategy == "fewest" or not self.forking:
            return [c for c in found if c.url is not None
                    or builder.partial(name, c.version) is None]
        if found and found[0].url is None:
            needed = builder.partial(name, found[0].version)
            if needed is not None:
                self._fork_on_python(name, found[0].version, needed)
        return found

    def _shared_matching(
        self, name: NormalizedName, extra: str | None, reqs: Sequence[Req]
    ) -> list[Candidate]:
        """:meth:`Engine.matching` (a new list), shared by the forks that compute it alike.

        It reads the version table (shared by forks whose Pythons agree on it), the
        requirements and constraints (the same objects in every fork), and per package: the
        pre-release policy (the table, the mode, whether the user named a pre-release) and
        whether "lowest-direct" applies. Direct references are not shared.
        """
        constraints = self.constraints.get(name, [])
        if any(r.url for r in reqs) or any(c.url for c in constraints):
            return super().matching(name, extra, reqs)
        table = self.versions(name)
        key = (id(table), name, extra, tuple(map(id, reqs)), tuple(map(id, constraints)),
               self.options.prerelease, self.options.resolution,
               self.options.preferred_version(name),
               name in self.explicit_prereleases, name in self.root_names)
        known = self._matches.get(key)
        if known is None or known[0] is not table:
            found = super().matching(name, extra, reqs)
            known = (table, tuple(reqs), tuple(constraints), found)
            self._matches[key] = known
        return list(known[3])

    def _fork_on_python(self, name: str, version: Version, needed: Version) -> None:
        newer = MarkerExpr.python(VersionSet.compare(">=", needed))
        lower = self.fork.marker & ~newer
        upper = self.fork.marker & newer
        parts = [self.fork.with_marker(m) for m in (lower, upper)
                 if not (m.python_versions() & self.universe).is_empty()]
        if len(parts) == 2:
            raise ForkNeeded(parts, f"{name}=={version} requires Python >={needed}")

    def _dependencies(self, candidate: Candidate) -> list[Req]:
        deps: list[Req] = []
        if candidate.extra is not None:
            deps.append(Req(candidate.name, candidate.name, pin=candidate.version,
                            url=candidate.url))
        meta = self.metadata(candidate)
        if isinstance(meta, str):
            return [*deps, Req(f"{UNUSABLE_PREFIX}{candidate}>", candidate.name, reason=meta)]
        if candidate.extra is None and meta.requires_python is not None and not python_compatible(
            meta.requires_python, self.target.python_version
        ):
            deps.append(Req(PYTHON_KEY, candidate.name, specifier=meta.requires_python))
        if self.options.no_deps:
            return deps
        edges = self.applicable(meta.requires_dist, candidate.extra)
        if self.forking:
            parts = split_by_dependencies(self.fork, edges, self.universe)
            if parts is not None:
                raise ForkNeeded(parts, f"the dependencies of {candidate} differ by marker")
        for edge in edges:
            edge.reqs = shared_reqs(edge.requirement)
            deps.extend(edge.reqs)
        self.edges[candidate] = edges
        return deps

    def applicable(self, requirements: Sequence[Requirement], extra: str | None) -> list[Edge]:
        return applicable(requirements, extra, self.fork.marker, self.overrides)


def _causes(backtrack_causes: Sequence[Any]) -> set[str]:
    """The names involved in the last conflict (resolvelib prefers deciding them first)."""
    causes = {c.requirement.name for c in backtrack_causes}
    causes |= {c.parent.name for c in backtrack_causes if c.parent is not None}
    return causes


def conflict_parts(project: str, item: ConflictKey) -> tuple[str, str, str]:
    """``(kind, package, name)`` of ``item``: the package that owns the list is ``project``
    itself, or the member a ``<member>:<name>`` list belongs to."""
    kind, name = item
    member, colon, own = name.partition(":")
    return (kind, member, own) if colon else (kind, project, name)


def conflict_marker(project: str, item: ConflictKey) -> MarkerExpr:
    """uv's marker for ``item`` being selected (see :func:`conflict_parts`)."""
    return conflict_flag(*conflict_parts(project, item))


__all__ = [
    "TRUE",
    "ConflictKey",
    "Edge",
    "Fork",
    "ForkNeeded",
    "ForkStrategy",
    "UniversalEngine",
    "conflict_marker",
    "conflict_parts",
    "split_by_dependencies",
]
