"""Forks continued from another resolution's rounds resolve exactly as forks resolved alone.

``resolve_universal`` continues a fork from its parent's (or the last solved fork's) recorded
rounds for as long as the fork's own provider answers the recorded questions the same way
(:mod:`ferry.resolve.fork_trace`). The lock must not change: every case here is resolved both
ways and the graphs (or the errors) compared, on hand-made cases where the continuation stops
for each of its reasons and on random package universes; and the continuation must really
skip work, or it is pointless.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from resolvelib import AbstractProvider, BaseReporter

import ferry.resolve.engine as engine_module
from ferry.model.errors import ResolutionError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import specifier_versions
from ferry.resolve.marker_expr import parse_marker
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions
from ferry.resolve.resolver_loop import MemoResolver, Resume, can_resume, snapshot
from ferry.resolve.universal import Preference, RootList, UniversalRequest, resolve_universal

pytestmark = pytest.mark.skipif(not can_resume(), reason="this resolvelib cannot resume")

Packages = dict[str, dict[str, dict[str, Any]]]


def _request(
    dependencies: Sequence[str], requires_python: str = ">=3.9", **kw: Any
) -> UniversalRequest:
    roots = [RootList("base", None, tuple(Requirement(d) for d in dependencies))]
    extras: dict[str, list[str]] = kw.pop("extras", {})
    for name, reqs in extras.items():
        roots.append(RootList("extra", name, tuple(Requirement(r) for r in reqs)))
    return UniversalRequest(project="proj", roots=tuple(roots),
                            python=specifier_versions(SpecifierSet(requires_python)), **kw)


def _outcome(request: UniversalRequest, packages: Packages, continued: bool) -> object:
    try:
        return resolve_universal(request, MemorySource(packages), continue_forks=continued)
    except ResolutionError as exc:
        return ("error", exc.message, tuple(exc.causes), exc.hint)


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every candidate resolvelib pins, in order, across all forks."""
    seen: list[str] = []
    original = engine_module.Recorder.pinning

    def pinning(self: engine_module.Recorder, candidate: Any) -> None:
        seen.append(str(candidate))
        original(self, candidate)

    monkeypatch.setattr(engine_module.Recorder, "pinning", pinning)
    return seen


def _both(request: UniversalRequest, packages: Packages, pins: list[str]) -> tuple[int, int]:
    """Resolves both ways, asserts the same outcome; the number of pins each way."""
    pins.clear()
    alone = _outcome(request, packages, continued=False)
    scratch = len(pins)
    pins.clear()
    continued = _outcome(request, packages, continued=True)
    assert continued == alone
    return scratch, len(pins)


# Many packages decided before a late split, so the parts have much to inherit.
SHARED: Packages = {
    **{f"early{i}": {"1.0": {"requires": [f"early{i + 1}" if i < 5 else "late"]}}
       for i in range(6)},
    "late": {"1.0": {"requires": ["lib<2; sys_platform == 'win32'",
                                  "lib>=2; sys_platform != 'win32'"]}},
    "lib": {"1.0": {}, "2.0": {"requires": ["tail"]}},
    "tail": {"1.0": {}},
}


def test_parts_of_a_split_inherit_the_decisions_before_it(pins: list[str]) -> None:
    scratch, continued = _both(_request(["early0"]), SHARED, pins)
    # From scratch each part decides early0..early5 and late again.
    assert continued < scratch
    assert continued <= scratch - 7


def test_a_part_whose_narrower_markers_change_an_early_answer_restarts_there(
    pins: list[str],
) -> None:
    # early0's dependency on `extra` holds only below 3.11, which one part of the later split
    # at 3.12 (made by `late`) excludes: that part's answer for early0 differs, so it cannot
    # inherit the rounds from early0 on; the graph must still be the one it resolves alone.
    packages: Packages = {
        "early0": {"1.0": {"requires": ["extra; python_version < '3.11'", "mid"]}},
        "extra": {"1.0": {}},
        "mid": {"1.0": {"requires": ["late"]}},
        "late": {"1.0": {"requires": ["lib<2; python_version < '3.12'",
                                      "lib>=2; python_version >= '3.12'"]}},
        "lib": {"1.0": {}, "2.0": {}},
    }
    _both(_request(["early0"]), packages, pins)


def test_a_best_version_needing_a_newer_python_splits_the_same_way(pins: list[str]) -> None:
    packages: Packages = {
        **SHARED,
        "late": {"1.0": {"requires": ["py"]}},
        "py": {"1.0": {}, "2.0": {"requires_python": ">=3.12", "requires": ["tail"]}},
    }
    scratch, continued = _both(_request(["early0"]), packages, pins)
    assert continued < scratch


def test_pre_release_admission_that_differs_by_python_is_asked_again(pins: list[str]) -> None:
    # Below 3.12 only pre-releases of `pre` satisfy `pre>=2` (2.0 needs 3.12), so 2.1a1 is
    # admitted there; at 3.12 and above the final 2.0 exists and the pre-release is not.
    packages: Packages = {
        **SHARED,
        "late": {"1.0": {"requires": ["pre>=2", "lib<2; python_version < '3.11'",
                                      "lib>=2; python_version >= '3.11'"]}},
        "pre": {"2.0": {"requires_python": ">=3.12"}, "2.1a1": {}},
    }
    _both(_request(["early0"]), packages, pins)
    _both(_request(["early0"], options=ResolverOptions(prerelease="if-necessary")),
          packages, pins)


def test_forks_of_an_existing_lock_continue_from_each_other(pins: list[str]) -> None:
    request = _request(["early0"], initial_forks=(
        "sys_platform == 'win32'", "sys_platform != 'win32'"))
    scratch, continued = _both(request, SHARED, pins)
    assert continued < scratch


def test_preferences_that_reorder_candidates_are_respected(pins: list[str]) -> None:
    packages: Packages = {
        **SHARED,
        "early3": {"1.0": {"requires": ["early4", "ver"]}},
        "ver": {"1.0": {}, "2.0": {}},
    }
    request = _request(["early0"], preferences=(
        Preference(canonicalize_name("ver"), Version("1.0"),
                   parse_marker("sys_platform == 'win32'")),))
    _both(request, packages, pins)


def test_a_version_a_solved_sibling_chose_is_preferred_over_the_parents(
    pins: list[str],
) -> None:
    # The parent picks a==2 (pina, off Windows) and so x==2. The Windows part, solved first,
    # has no pina: a==3, which caps x, so x==1. The other part keeps pina, but now prefers
    # x==1 (the sibling's): its answer for x differs from the parent's, and it picks x==1.
    packages: Packages = {
        "early0": {"1.0": {"requires": ["pina; sys_platform != 'win32'", "a", "mid"]}},
        "pina": {"1.0": {"requires": ["a==2"]}},
        "a": {"2.0": {}, "3.0": {"requires": ["x<2"]}},
        "mid": {"1.0": {"requires": ["x", "late"]}},
        "x": {"1.0": {}, "2.0": {}},
        "late": SHARED["late"],
        "lib": SHARED["lib"],
        "tail": SHARED["tail"],
    }
    _both(_request(["early0"]), packages, pins)
    graph = resolve_universal(_request(["early0"]), MemorySource(packages))
    assert sorted(f"{n.name}=={n.version}" for n in graph.nodes if n.name == "x") == ["x==1.0"]


def test_failures_are_explained_as_the_fork_alone_explains_them(pins: list[str]) -> None:
    packages: Packages = {
        **SHARED,
        "lib": {"1.0": {"requires": ["tail>=2"]}, "2.0": {"requires": ["tail"]}},
    }
    outcome = _outcome(_request(["early0"]), packages, continued=True)
    assert isinstance(outcome, tuple) and outcome[0] == "error"
    _both(_request(["early0"]), packages, pins)


def test_conflicting_extras_resolve_the_same(pins: list[str]) -> None:
    packages: Packages = {**SHARED, "x": {"1.0": {}, "2.0": {}}}
    request = _request(["early0"], extras={"a": ["x<2"], "b": ["x>=2"]},
                       conflicts=((("extra", "a"), ("extra", "b")),))
    _both(request, packages, pins)


# --- random universes ------------------------------------------------------------------------

NAMES = [f"p{i}" for i in range(6)]
VERSIONS = ["1.0", "2.0", "3.0", "2.1a1"]
MARKERS = [None, None, "python_version < '3.11'", "python_version >= '3.12'",
           "sys_platform == 'win32'", "sys_platform != 'win32'",
           "python_version >= '3.11' and sys_platform == 'linux'"]
SPECIFIERS = ["", "", ">=2", "<2", "!=2.0", ">=2.1a1"]
REQUIRES_PYTHON = [None, None, None, ">=3.10", ">=3.12", ">=3.13"]


@st.composite
def requirement(draw: st.DrawFn, after: int) -> str:
    target = draw(st.sampled_from(NAMES[after:] or NAMES[-1:]))
    marker = draw(st.sampled_from(MARKERS))
    text = target + draw(st.sampled_from(SPECIFIERS))
    return text if marker is None else f"{text}; {marker}"


@st.composite
def universes(draw: st.DrawFn) -> tuple[Packages, list[str], dict[str, Any]]:
    packages: Packages = {}
    for index, name in enumerate(NAMES):
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        packages[name] = {
            v: {"requires": draw(st.lists(requirement(index + 1), max_size=3)),
                **({"requires_python": rp}
                   if (rp := draw(st.sampled_from(REQUIRES_PYTHON))) else {})}
            for v in versions
        }
    roots = draw(st.lists(requirement(0), min_size=1, max_size=4))
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["initial_forks"] = draw(st.sampled_from([
            ("python_version < '3.11'", "python_version >= '3.11'"),
            ("sys_platform == 'win32'", "sys_platform != 'win32'"),
        ]))
    if draw(st.booleans()):
        options["preferences"] = tuple(
            Preference(canonicalize_name(n), Version(v),
                       draw(st.sampled_from([None, parse_marker("sys_platform == 'win32'")])))
            for n, v in draw(st.lists(st.tuples(st.sampled_from(NAMES),
                                                st.sampled_from(VERSIONS)), max_size=3)))
    options["strategy"] = draw(st.sampled_from(["requires-python", "requires-python", "fewest"]))
    return packages, roots, options


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universes())
def test_random_universes_resolve_the_same_either_way(
    universe: tuple[Packages, list[str], dict[str, Any]],
) -> None:
    packages, roots, options = universe
    request = _request(roots, ">=3.9", **options)
    assert _outcome(request, packages, True) == _outcome(request, packages, False)


# --- the resolver loop -----------------------------------------------------------------------

Index = dict[str, dict[int, list[tuple[str, frozenset[int]]]]]
Req = tuple[str, frozenset[int]]
Cand = tuple[str, int]


class Toy(AbstractProvider[Req, Cand, str]):
    """Highest version first, names in alphabetical order."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def identify(self, requirement_or_candidate: Req | Cand) -> str:
        return requirement_or_candidate[0]

    def get_preference(self, identifier: str, resolutions: Mapping[str, Cand],
                       candidates: Mapping[str, Iterator[Cand]],
                       information: Mapping[str, Iterator[Any]],
                       backtrack_causes: Sequence[Any]) -> str:
        return identifier

    def find_matches(self, identifier: str, requirements: Mapping[str, Iterator[Req]],
                     incompatibilities: Mapping[str, Iterator[Cand]]) -> list[Cand]:
        reqs = list(requirements[identifier])
        bad = set(incompatibilities[identifier])
        return [(identifier, v) for v in sorted(self.index[identifier], reverse=True)
                if all(v in r[1] for r in reqs) and (identifier, v) not in bad]

    def is_satisfied_by(self, requirement: Req, candidate: Cand) -> bool:
        return candidate[1] in requirement[1]

    def get_dependencies(self, candidate: Cand) -> Iterable[Req]:
        return self.index[candidate[0]][candidate[1]]


def _any(*versions: int) -> frozenset[int]:
    return frozenset(versions)


TOY: Index = {
    "a": {2: [("c", _any(1))], 1: [("c", _any(2))]},
    "b": {1: [("c", _any(2)), ("d", _any(1, 2))]},
    "c": {1: [], 2: [("d", _any(1))]},
    "d": {1: [], 2: []},
    **{f"x{i}": {1: [("d", _any(1, 2))]} for i in range(5)},
}
TOY_ROOTS: list[Req] = [("a", _any(1, 2)), ("b", _any(1)),
                        *((f"x{i}", _any(1)) for i in range(5))]


def test_a_resolution_resumed_from_any_recorded_round_ends_the_same() -> None:
    starts: list[Any] = []

    def watch(round_index: int, state: Any) -> None:
        if state is None:
            starts.append(None)
        else:
            assert round_index == len(starts)
            starts.append(snapshot(state))

    whole = MemoResolver(Toy(TOY), BaseReporter()).resolve(TOY_ROOTS, 100, watch=watch)
    # a==2 fails (c==1 against b's c==2): recording stops at the first failure.
    assert starts[-1] is None
    recorded = starts[:-1]
    assert len(recorded) >= 2
    for index in range(len(recorded)):
        resumed = MemoResolver(Toy(TOY), BaseReporter()).resolve(
            TOY_ROOTS, 100, start=Resume(recorded, index))
        assert resumed.mapping == whole.mapping
    assert whole.mapping["a"] == ("a", 1)
