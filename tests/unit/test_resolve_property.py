"""Property: on small random graphs the resolver agrees with exhaustive search.

Whenever ``resolve`` succeeds its result is a valid solution (every active requirement, extra,
marker, constraint, yanked and prerelease rule honoured); whenever it fails, trying every
assignment of versions finds no valid solution either.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from test_resolve_semantics import make_target

from ferry.model.errors import ResolutionError
from ferry.model.pep440_version import Version
from ferry.model.pep508_markers import Marker
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.algorithm import resolve
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import PrereleaseMode, ResolverOptions

NAMES = ["a", "b", "c", "d"]
VERSIONS = ["1.0", "2.0", "3.0", "2.0b1"]
SPECS = ["", "", ">=1.0", ">=2.0", "<2.0", "<3.0", "==1.0", "==2.0", "!=2.0", ">=2.0b1", "==3.0"]
MARKERS = [None, None, 'python_version >= "3.10"', 'python_version < "3.10"']
TARGET = make_target("3.12")


def _requirement(name: str, spec: str, extra: bool, marker: str | None) -> str:
    return name + ("[x]" if extra else "") + spec + (f"; {marker}" if marker else "")


requirements = st.builds(
    _requirement,
    st.sampled_from(NAMES),
    st.sampled_from(SPECS),
    st.sampled_from([False, False, False, True]),
    st.sampled_from(MARKERS),
)
constraints = st.builds(_requirement, st.sampled_from(NAMES), st.sampled_from(SPECS[2:]),
                        st.just(False), st.just(None))
version_specs = st.fixed_dictionaries({
    "requires": st.lists(requirements, max_size=2),
    "extras": st.one_of(st.just({}), st.builds(lambda r: {"x": r}, st.lists(requirements,
                                                                          max_size=2))),
    "requires_python": st.sampled_from([None, None, None, ">=3.13"]),
    "yanked": st.sampled_from([False, False, False, False, True]),
})
graphs = st.dictionaries(
    st.sampled_from(NAMES),
    st.dictionaries(st.sampled_from(VERSIONS), version_specs, min_size=1, max_size=3),
    min_size=1,
    max_size=4,
)
MODES: list[PrereleaseMode] = [
    "if-necessary-or-explicit", "if-necessary-or-explicit", "allow", "disallow", "explicit",
    "if-necessary",
]


class World:
    """The semantics the resolver promises, written the slow and obvious way."""

    def __init__(self, graph: dict[str, Any], roots: list[str], cons: list[str], mode: str):
        self.graph = graph
        self.env = TARGET.marker_environment("")
        self.roots = [r for r in map(Requirement, roots) if self._true(r.marker, "")]
        self.cons = [Requirement(c) for c in cons]
        self.mode = mode
        pinned = {(r.name, str(next(iter(r.specifier)).version)) for r in self.roots + self.cons
                  if len(r.specifier) == 1 and next(iter(r.specifier)).operator == "=="}
        self.usable = {
            name: [v for v, spec in versions.items()
                   if spec["requires_python"] is None
                   and (not spec["yanked"] or any(p == name and Version(pv) == Version(v)
                                                  for p, pv in pinned))]
            for name, versions in graph.items()
        }

    def _true(self, marker: Marker | None, extra: str) -> bool:
        return marker is None or marker.evaluate(TARGET.marker_environment(extra))

    def active(self, solution: dict[str, str]) -> list[Requirement]:
        """Every requirement in force for ``solution``: roots, dependencies, extras (fixpoint)."""
        extras: set[tuple[str, str]] = set()
        while True:
            reqs = list(self.roots)
            for name, version in solution.items():
                spec = self.graph[name][version]
                reqs += [r for r in map(Requirement, spec["requires"]) if self._true(r.marker, "")]
                if (name, "x") in extras:
                    reqs += [r for r in map(Requirement, spec["extras"].get("x", []))
                             if self._true(r.marker, "x")]
            now = {(canonicalize_name(r.name), e) for r in reqs for e in r.extras}
            if now <= extras:
                return reqs
            extras |= now

    def valid(self, solution: dict[str, str]) -> bool:
        reqs = self.active(solution)
        for r in reqs:
            version = solution.get(r.name)
            if version is None or not r.specifier.contains(version, prereleases=True):
                return False
        for c in self.cons:
            if c.name in solution and not c.specifier.contains(solution[c.name], prereleases=True):
                return False
        return all(self._prerelease_ok(name, v, reqs) for name, v in solution.items())

    def _prerelease_ok(self, name: str, version: str, reqs: list[Requirement]) -> bool:
        if not Version(version).is_prerelease or self.mode == "allow":
            return True
        if self.mode == "disallow":
            return False
        # Package-wide: the user's own requirements name a pre-release, or only pre-releases exist.
        mine = [r.specifier for r in self.roots + self.cons if r.name == name]
        explicit = any(s.prereleases for s in mine)
        only_pre = all(Version(v).is_prerelease for v in self.usable[name])
        if self.mode != "if-necessary" and explicit:
            return True
        if self.mode != "explicit" and only_pre:
            return True
        # Otherwise every requirement on the package must ask for pre-releases on its own.
        specs = [r.specifier for r in reqs if r.name == name]
        specs += [c.specifier for c in self.cons if c.name == name]
        return all(self._asks_for_prerelease(name, s) for s in specs)

    def _asks_for_prerelease(self, name: str, spec: Any) -> bool:
        if self.mode != "if-necessary" and spec.prereleases:
            return True
        if self.mode == "explicit":
            return False
        return not any(not Version(v).is_prerelease and spec.contains(v, prereleases=True)
                       for v in self.usable[name])

    def solvable(self) -> bool:
        names = sorted(self.usable)
        options = [[None, *self.usable[n]] for n in names]
        for combo in itertools.product(*options):
            solution = {n: v for n, v in zip(names, combo, strict=True) if v is not None}
            if self.valid(solution):
                return True
        return False


@settings(max_examples=120, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.lists(requirements, min_size=1, max_size=3), st.lists(constraints, max_size=1),
       st.sampled_from(MODES), st.sampled_from(["highest", "lowest", "lowest-direct"]))
def test_resolver_agrees_with_exhaustive_search(
    graph: dict[str, Any], roots: list[str], cons: list[str], mode: PrereleaseMode,
    strategy: Any,
) -> None:
    world = World(graph, roots, cons, mode)
    options = ResolverOptions(prerelease=mode, resolution=strategy)
    try:
        result = resolve([Requirement(r) for r in roots], [Requirement(c) for c in cons],
                         MemorySource(graph), TARGET, options)
    except ResolutionError as error:
        assert not world.solvable(), f"resolver failed but a solution exists: {error.causes}"
        assert error.causes
        return
    solution = {str(d.name): str(d.version) for d in result.dists}
    assert world.valid(solution), f"invalid resolution {solution}"
    needed = {canonicalize_name(r.name) for r in world.active(solution)}
    assert set(solution) == needed, "the result holds packages nothing requires"
