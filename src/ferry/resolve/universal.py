"""Universal resolution: one set of pins for every platform and Python a project supports.

The design follows uv's so that ferry's locks agree with uv's: the whole environment space
(requires-python x every platform, restricted by ``environments``) starts as one fork resolved in
"union" mode by :class:`~ferry.resolve.universal_engine.UniversalEngine`. When that engine finds
a reason to split — dependencies on one name that differ by marker, a dependency only newer
Pythons see, the best version of a package needing a newer Python, or conflicting extras/groups
— it raises :class:`ForkNeeded` and each part is resolved on its own (last part first, as uv's
stack does). Versions chosen by finished forks become preferences of later ones, so shared
packages keep one version wherever possible. Each part is defined as the resolution of that
part alone (not as uv's clone of the parent's state at the split, which gives the same pins
wherever the part's narrower markers do not change an earlier decision); it is nevertheless
continued from the parent's (or a solved sibling's) rounds for as long as its own answers
prove they would go the same way (:mod:`ferry.resolve.fork_trace`), so the shared decisions
are not made twice.

Markers are exact sets (:mod:`ferry.resolve.marker_expr`) rather than sampled environments, so
``python_full_version >= '3.8.1'`` or a platform no sample would name is handled exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

from resolvelib import ResolutionImpossible, ResolutionTooDeep

from ferry.model.errors import ResolutionError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field, replace
from ferry.model.version_sets import VersionSet
from ferry.resolve.diagnostics import yanked_warnings
from ferry.resolve.engine import Recorder
from ferry.resolve.explain import explain_impossible, explain_too_deep
from ferry.resolve.fork_trace import Recording, Trace, candidates, replay
from ferry.resolve.marker_expr import FALSE, MarkerExpr, parse_marker, render
from ferry.resolve.nodes import PYTHON_KEY, UNUSABLE_PREFIX, Candidate, Req
from ferry.resolve.options import ResolverOptions
from ferry.resolve.resolver_loop import MemoResolver, Resume, can_resume
from ferry.resolve.source import PackageSource
from ferry.resolve.universal_deps import Edge, applicable, shared_reqs
from ferry.resolve.universal_engine import (
    ConflictKey,
    Fork,
    ForkNeeded,
    ForkStrategy,
    UniversalEngine,
    split_by_dependencies,
)
from ferry.resolve.universal_graph import (
    ForkResult,
    GraphEdge,
    Node,
    NodeRef,
    UniversalGraph,
    merge,
)
from ferry.resolve.universal_versions import FileFacts

logger = get_logger(__name__)

RootKind = Literal["base", "extra", "group"]
_MAX_FORKS = 256


@immutable
class RootList:
    """One dependency list of the project: its dependencies, one extra, or one group.

    ``indexes`` pins packages to an index wherever this list is included (uv's sources with
    ``extra``/``group``, e.g. a CPU and a CUDA index for two conflicting extras).
    """

    kind: RootKind
    name: str | None
    requirements: tuple[Requirement, ...]
    indexes: tuple[tuple[NormalizedName, str], ...] = ()
    marked_indexes: tuple[tuple[NormalizedName, str, str], ...] = ()
    """``(name, marker, index)``: pins that hold where the marker does (uv's sources split by
    ``marker``); a fork the marker only partly covers is split on it first."""

    @property
    def ref(self) -> NodeRef:
        return NodeRef.project(self.kind, self.name)

    @property
    def key(self) -> ConflictKey | None:
        return None if self.kind == "base" or self.name is None else (self.kind, self.name)


@immutable
class Preference:
    """A version to try first (from the existing lock), where ``marker`` holds (``None``:
    everywhere)."""

    name: NormalizedName
    version: Version
    marker: MarkerExpr | None = None


@immutable
class UniversalRequest:
    project: str
    roots: tuple[RootList, ...]
    python: VersionSet
    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    conflicts: tuple[tuple[ConflictKey, ...], ...] = ()
    environments: tuple[str, ...] = ()
    initial_forks: tuple[str, ...] = ()
    strategy: ForkStrategy = "requires-python"
    preferences: tuple[Preference, ...] = ()
    options: ResolverOptions = field(default_factory=ResolverOptions)


@runtime_checkable
class PinnableSource(Protocol):
    """A source that can look some names up on one given index only."""

    def pinned(self, pins: Mapping[NormalizedName, str]) -> PackageSource: ...


def universe_of(request: UniversalRequest) -> MarkerExpr:
    """Every environment the lock must serve: requires-python and ``environments``."""
    space = MarkerExpr.python(request.python)
    if request.environments:
        allowed = FALSE
        for text in request.environments:
            allowed = allowed | parse_marker(text)
        space = space & allowed
    return space


def _initial(request: UniversalRequest, space: MarkerExpr) -> list[Fork]:
    """The forks to start from: the ``environments``, else the existing lock's forks when they
    still partition the space (keeps re-locks stable), else the whole space."""
    texts = request.environments or request.initial_forks
    if not texts:
        return [Fork(space, project=request.project)]
    markers = [parse_marker(t) & space for t in texts]
    union = FALSE
    for index, marker in enumerate(markers):
        if marker.is_false() or any(not marker.disjoint(m) for m in markers[:index]):
            return [Fork(space, project=request.project)]
        union = union | marker
    if not space.implies(union):
        return [Fork(space, project=request.project)]
    return [Fork(m, project=request.project) for m in markers]


def resolve_universal(
    request: UniversalRequest, source: PackageSource, *, continue_forks: bool = True
) -> UniversalGraph:
    """Resolve ``request`` for every environment; raises ``ResolutionError`` when a part of the
    space has no solution (the explanation names that part). ``continue_forks=False`` resolves
    every fork from its requirements (the same graph, more work: for tests and comparisons)."""
    space = universe_of(request)
    overrides: dict[NormalizedName, list[Requirement]] = {}
    for requirement in request.overrides:
        overrides.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    facts = FileFacts(request.options.exclude_newer)
    stack: list[tuple[Fork, Trace | None]] = [
        (fork, None) for fork in reversed(_initial(request, space))]
    results: list[ForkResult] = []
    learned: list[tuple[Fork, dict[NormalizedName, Version]]] = []
    solved: list[Trace] = []
    attempts = 0
    while stack:
        fork, parent = stack.pop()
        attempts += 1
        if attempts > _MAX_FORKS:
            raise ResolutionError(
                "No solution found when resolving dependencies",
                causes=[f"The resolution split into more than {_MAX_FORKS} parts"],
                hint="add `environments` or tighter requirements to the project",
            )
        given = candidates(parent, solved) if continue_forks else []
        try:
            result, trace = _resolve_fork(request, source, fork, overrides, learned, facts, given)
        except ForkNeeded as split:
            logger.debug("splitting %s: %s", _describe(fork, request), split.reason)
            stack.extend((child, split.trace or parent) for child in split.children)
            continue
        logger.debug("resolved %s: %d packages", _describe(fork, request), len(result.nodes))
        results.append(result)
        learned.append((fork, result.pins()))
        if trace is not None:
            solved.append(trace)
    return merge(results)


def _describe(fork: Fork, request: UniversalRequest) -> str:
    marker = render(fork.marker, request.python) or "all environments"
    if fork.include or fork.exclude:
        marker += f" (with {sorted(fork.include)}, without {sorted(fork.exclude)})"
    return marker


def _preferred(
    request: UniversalRequest, fork: Fork, learned: list[tuple[Fork, dict[NormalizedName, Version]]]
) -> dict[NormalizedName, list[Version]]:
    """Versions to try first in ``fork`` (the lock's, then solved forks'), in uv's order: those
    whose environments meet the fork's first, then the best version first (newest; oldest for
    "lowest"). "Meet" ignores conflict flags, so conflict forks all match and the newest wins:
    the fork with no conflicting extra, solved last, keeps the newest six of ``old``/``new``
    rather than the last solved fork's. uv carries no solved fork's versions for
    "lowest-direct" (a package direct in one fork may be transitive in another)."""
    mode = request.options.resolution
    direct = {canonicalize_name(r.name) for root in request.roots for r in root.requirements}
    entries: dict[NormalizedName, list[tuple[bool, Version]]] = {}
    for pref in request.preferences:
        fits = pref.marker is None or not pref.marker.pep508().disjoint(fork.marker)
        entries.setdefault(pref.name, []).append((fits, pref.version))
    for solved, pins in learned if mode != "lowest-direct" else ():
        fits = not solved.marker.disjoint(fork.marker)
        for name, version in pins.items():
            entries.setdefault(name, []).append((fits, version))
    merged: dict[NormalizedName, list[Version]] = {}
    for name, found in entries.items():
        newest = mode == "highest" or (mode == "lowest-direct" and name not in direct)
        found.sort(key=lambda e: e[1], reverse=newest)
        merged[name] = [version for _, version in sorted(found, key=lambda e: not e[0])]
    return merged


def _root_lists(request: UniversalRequest, fork: Fork) -> list[RootList]:
    return [r for r in request.roots if r.key is None or r.key not in fork.exclude]


def _split_conflicts(request: UniversalRequest, fork: Fork) -> list[Fork] | None:
    """uv's conflict forks: one without any item of a conflict set, one per item with the
    others excluded (for each set whose items this fork still holds)."""
    present = {r.key for r in _root_lists(request, fork) if r.key is not None}
    forks = [fork]
    for conflict in request.conflicts:
        parts: list[Fork] = []
        for current in forks:
            held = [item for item in conflict if item in present and item not in current.exclude]
            if not held or (len(held) == 1 and held[0] in current.include):
                parts.append(current)
                continue
            candidates: list[tuple[frozenset[ConflictKey], frozenset[ConflictKey]]] = [
                (frozenset(), frozenset(conflict))
            ]
            for item in conflict:
                candidates.append((frozenset({item}), frozenset(conflict) - {item}))
            for include, exclude in candidates:
                if include & current.exclude or exclude & current.include:
                    continue
                parts.append(replace(current, include=current.include | include,
                                     exclude=current.exclude | exclude))
        forks = parts
    if len(forks) < 2:
        return None
    forks.sort(key=lambda f: len([r for r in _root_lists(request, f)]))
    return forks


def _resolve_fork(
    request: UniversalRequest,
    source: PackageSource,
    fork: Fork,
    overrides: dict[NormalizedName, list[Requirement]],
    learned: list[tuple[Fork, dict[NormalizedName, Version]]],
    facts: FileFacts,
    given: Sequence[Trace] = (),
) -> tuple[ForkResult, Trace | None]:
    """The fork's resolution and its trace (``None`` where resolvelib cannot resume), continued
    from one of the ``given`` traces where possible; raises ``ForkNeeded`` carrying the trace
    its parts may continue from."""
    conflict_parts = _split_conflicts(request, fork)
    if conflict_parts is not None:
        raise ForkNeeded(conflict_parts, "conflicting extras or groups")
    lists = _root_lists(request, fork)
    root_edges: list[tuple[RootList, list[Edge]]] = []
    for root in lists:
        edges = applicable(root.requirements, None, fork.marker, overrides)
        parts = split_by_dependencies(fork, edges, request.python)
        if parts is not None:
            raise ForkNeeded(parts, f"the project's {root.kind} requirements differ by marker")
        root_edges.append((root, edges))
    all_roots = [e.requirement for _, edges in root_edges for e in edges]
    engine = UniversalEngine(
        _pinned(source, lists, fork), fork, request.python,
        replace(request.options, preferences={}), all_roots, request.constraints, overrides,
        strategy=request.strategy, preferred=_preferred(request, fork, learned), facts=facts,
    )
    root_reqs: list[Req] = []
    for _, edges in root_edges:
        for edge in edges:
            edge.reqs = shared_reqs(edge.requirement)
            root_reqs.extend(edge.reqs)
    engine.announce(root_reqs)
    start, trace = _start(engine, root_reqs, given)
    recorder = Recorder()
    resolver: MemoResolver[Req, Candidate, str] = MemoResolver(engine, recorder)
    try:
        outcome = resolver.resolve(
            root_reqs, max_rounds=request.options.max_rounds, start=start,
            watch=None if trace is None else Recording(engine, trace))
    except (ResolutionImpossible, ResolutionTooDeep) as exc:
        if start is not None:  # explained as the fork's own resolution tells it
            return _resolve_fork(request, source, fork, overrides, learned, facts)
        engine.forking = False
        if isinstance(exc, ResolutionImpossible):
            raise _in_fork(explain_impossible(exc, engine, recorder), fork, request) from None
        raise _in_fork(explain_too_deep(exc, engine, recorder), fork, request) from None
    except ForkNeeded as split:
        split.trace = trace
        raise
    return _collect(fork, outcome.mapping, root_edges, engine), trace


def _start(
    engine: UniversalEngine, roots: list[Req], given: Sequence[Trace]
) -> tuple[Resume | None, Trace | None]:
    """Where the fork's resolution starts (``None``: from its requirements) and the trace it
    keeps (``None`` where resolvelib cannot resume)."""
    if not can_resume():
        return None, None
    found = replay(given, engine, roots) if given else None
    if found is None:
        if given:
            logger.debug("starting from the requirements: no trace applies from the first round")
        trace = Trace(roots)
        engine.calls = trace.setup
        return None, trace
    inherited, start = found
    logger.debug("continuing from round %d of %d already played", start.round_index,
                 len(inherited.rounds))
    return start, Trace(roots, inherited.setup, inherited.rounds[: start.round_index])


def _pinned(source: PackageSource, lists: Sequence[RootList], fork: Fork) -> PackageSource:
    """The source for a fork: names its included lists pin to an index come from there (marker
    pins where the fork lies inside their marker)."""
    pins: dict[NormalizedName, str] = {}
    for root in lists:
        marked = []
        for name, text, index in root.marked_indexes:
            where = parse_marker(text)
            if fork.marker.implies(where):
                marked.append((name, index))
            elif not fork.marker.disjoint(where):
                raise ForkNeeded([replace(fork, marker=fork.marker & where),
                                  replace(fork, marker=fork.marker & ~where)],
                                 f"`{name}` comes from another index where `{text}`")
        for name, index in (*root.indexes, *marked):
            if pins.setdefault(name, index) != index:
                raise ResolutionError(
                    f"`{name}` is pinned to two indexes (`{pins[name]}` and `{index}`) for the "
                    "same environments",
                    hint="declare the extras or groups that pin it as `conflicts`",
                )
    if not pins:
        return source
    if not isinstance(source, PinnableSource):
        raise ResolutionError(f"this source cannot pin {sorted(pins)} to an index")
    return source.pinned(pins)


def _in_fork(error: ResolutionError, fork: Fork, request: UniversalRequest) -> ResolutionError:
    where = render(fork.marker, request.python)
    if where is not None:
        error.causes.append(f"(while resolving for environments where `{where}`)")
    return error


def _collect(
    fork: Fork,
    mapping: dict[str, Candidate],
    root_edges: Sequence[tuple[RootList, list[Edge]]],
    engine: UniversalEngine,
) -> ForkResult:
    result = ForkResult(fork)
    bases: dict[Candidate, NodeRef] = {}  # popular packages are the child of many edges

    def ref(cand: Candidate, extra: str | None = None) -> NodeRef:
        origin = cand.url or (cand.file.index_url if cand.file is not None else None)
        return NodeRef(cand.name, cand.version, extra, source=origin)

    for key, cand in mapping.items():
        if key == PYTHON_KEY or key.startswith(UNUSABLE_PREFIX) or cand.extra is not None:
            continue
        result.nodes[ref(cand)] = Node(cand.name, cand.version, cand.file, cand.url)

    def add(parent: NodeRef, edges: Sequence[Edge]) -> None:
        for edge in edges:
            for req in edge.reqs:
                chosen = mapping.get(req.key)
                if chosen is None:
                    continue
                child = bases.get(chosen)
                if child is None:
                    child = bases[chosen] = ref(chosen)
                result.edges.append(GraphEdge(parent, child, req.extra, edge.marker))

    for root, edges in root_edges:
        result.roots.add(root.ref)
        add(root.ref, edges)
    for cand, edges in engine.edges.items():
        if mapping.get(cand.key) != cand:
            continue
        add(ref(cand, cand.extra), edges)
    result.warnings = [*engine.extra_warnings(mapping.values()), *yanked_warnings(
        (node.name, node.version, node.file) for node in result.nodes.values())]
    return result


__all__ = [
    "Preference",
    "RootList",
    "UniversalGraph",
    "UniversalRequest",
    "resolve_universal",
    "universe_of",
]
