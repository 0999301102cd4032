"""``resolve()``: requirements in, a pinned set with its graph out. No I/O of its own.

resolvelib does the search (backtracking with backjumping, as in pip); :mod:`ferry.resolve.engine`
answers its questions; failures are turned into plain-words explanations by
:mod:`ferry.resolve.explain`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from resolvelib import ResolutionImpossible, ResolutionTooDeep

from ferry.model.dist import PinnedDist
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.engine import Engine, Recorder, marker_true
from ferry.resolve.explain import explain_impossible, explain_too_deep
from ferry.resolve.nodes import PYTHON_KEY, Candidate, Req, display, reqs_from
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.resolver_loop import MemoResolver
from ferry.resolve.result import Dependency, Resolution
from ferry.resolve.source import PackageSource

logger = get_logger(__name__)


def resolve(
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    source: PackageSource,
    target: TargetEnvironment,
    options: ResolverOptions | None = None,
    *,
    editables: Collection[NormalizedName] = (),
) -> Resolution:
    """Pin every package ``requirements`` need on ``target``.

    Requirements whose markers are false for the target are dropped. Constraints restrict
    versions of packages that end up required but never add packages. ``editables`` names the
    packages (given as ``name @ file://…`` requirements) to be marked editable in the result.
    Raises :class:`ferry.model.errors.ResolutionError` with an explanation when nothing works.
    """
    options = options or ResolverOptions()
    env = target.marker_environment("")
    roots = [r for r in requirements if marker_true(r.marker, env)]
    engine = Engine(source, target, options, roots, constraints)
    root_reqs = [req for r in roots for req in reqs_from(r)]
    engine.announce(root_reqs)
    recorder = Recorder()
    resolver: MemoResolver[Req, Candidate, str] = MemoResolver(engine, recorder)
    try:
        result = resolver.resolve(root_reqs, max_rounds=options.max_rounds)
    except ResolutionImpossible as exc:
        raise explain_impossible(exc, engine, recorder) from None
    except ResolutionTooDeep as exc:
        raise explain_too_deep(exc, engine, recorder) from None
    mapping: dict[str, Candidate] = result.mapping
    return _build(mapping, root_reqs, engine, set(editables))


def _build(
    mapping: dict[str, Candidate], root_reqs: list[Req], engine: Engine, editables: set[str]
) -> Resolution:
    dists: list[PinnedDist] = []
    extras: dict[NormalizedName, set[str]] = {}
    for cand in mapping.values():
        if cand.key == PYTHON_KEY:
            continue
        if cand.extra is not None:
            extras.setdefault(cand.name, set()).add(cand.extra)
            continue
        dists.append(PinnedDist(
            name=cand.name,
            version=cand.version,
            file=cand.file,
            direct_url=cand.url,
            editable=cand.name in editables,
            requested=cand.name in engine.root_names,
        ))
    dists.sort(key=lambda d: d.name)
    edges: dict[tuple[str | None, str | None, str, str], Dependency] = {}
    for req in root_reqs:
        if req.origin is not None:
            name = req.name
            edges.setdefault((None, None, name, display(req.origin)),
                             Dependency(None, name, display(req.origin)))
    for cand in mapping.values():
        if cand.key == PYTHON_KEY:
            continue
        for req in engine.get_dependencies(cand):
            if req.origin is None or req.key not in mapping:
                continue
            key = (cand.name, cand.extra, req.name, display(req.origin))
            edges.setdefault(key, Dependency(cand.name, req.name, display(req.origin), cand.extra))
    logger.debug("resolved %d packages", len(dists))
    return Resolution(
        dists=tuple(dists),
        dependencies=tuple(edges.values()),
        extras={name: frozenset(sorted(values)) for name, values in sorted(extras.items())},
        warnings=tuple(engine.extra_warnings(mapping.values())),
    )

