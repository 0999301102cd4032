"""Universal resolution against an in-memory index: forks, markers, conflicts, preferences.

The expected forks and markers are the ones uv 0.13 writes for the same inputs (checked with the
real uv on a local index while writing these tests; the interop tests keep checking it).
"""

from __future__ import annotations

from typing import Any

import pytest
from packaging.utils import canonicalize_name

from ferry.model.errors import ResolutionError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import specifier_versions
from ferry.resolve.marker_expr import parse_marker, render
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions
from ferry.resolve.universal import Preference, RootList, UniversalRequest, resolve_universal
from ferry.resolve.universal_graph import NodeRef, UniversalGraph

Packages = dict[str, dict[str, dict[str, Any]]]


def lock(
    packages: Packages,
    dependencies: list[str],
    *,
    requires_python: str = ">=3.9",
    extras: dict[str, list[str]] | None = None,
    groups: dict[str, list[str]] | None = None,
    **kw: Any,
) -> tuple[UniversalGraph, UniversalRequest]:
    roots = [RootList("base", None, tuple(Requirement(d) for d in dependencies))]
    for name, reqs in (extras or {}).items():
        roots.append(RootList("extra", name, tuple(Requirement(r) for r in reqs)))
    for name, reqs in (groups or {}).items():
        roots.append(RootList("group", name, tuple(Requirement(r) for r in reqs)))
    request = UniversalRequest(
        project="proj", roots=tuple(roots),
        python=specifier_versions(SpecifierSet(requires_python)), **kw)
    return resolve_universal(request, MemorySource(packages)), request


def forks(graph: UniversalGraph, request: UniversalRequest) -> list[str | None]:
    return [render(f.marker, request.python) for f in graph.forks]


def pins(graph: UniversalGraph) -> list[str]:
    return sorted(f"{ref.name}=={ref.version}" for ref in graph.nodes)


def edges(graph: UniversalGraph, request: UniversalRequest, parent: NodeRef) -> dict[str, str]:
    """child==version[extra] -> marker as written in a lock (simplified in the parent's reach)."""
    context = graph.reach[parent]
    out = {}
    for child, extra, marker in graph.edges_from(parent):
        key = f"{child.name}=={child.version}" + (f"[{extra}]" if extra else "")
        out[key] = render(marker.simplify_given(context), request.python) or ""
    return out


BASE = NodeRef.project("base")


def test_transitive_requires_python_forks_by_python_version() -> None:
    packages: Packages = {
        "alpha": {"1.0": {"requires": ["beta>=1.0"]},
                  "2.0": {"requires": ["beta>=1.1", "tzdata; sys_platform == 'win32'"]}},
        "beta": {"1.0": {}, "1.1": {"requires_python": ">=3.12"}},
        "tzdata": {"2024.1": {}},
    }
    graph, request = lock(packages, ["alpha"], requires_python=">=3.11")
    assert forks(graph, request) == ["python_full_version >= '3.12'",
                                     "python_full_version < '3.12'"]
    assert pins(graph) == ["alpha==1.0", "alpha==2.0", "beta==1.0", "beta==1.1", "tzdata==2024.1"]
    assert edges(graph, request, BASE) == {
        "alpha==1.0": "python_full_version < '3.12'",
        "alpha==2.0": "python_full_version >= '3.12'",
    }
    # alpha 2.0 is only reached on 3.12+: its edge keeps only the platform part.
    assert edges(graph, request, NodeRef("alpha", Version("2.0"))) == {
        "beta==1.1": "", "tzdata==2024.1": "sys_platform == 'win32'"}


def test_sibling_requirements_with_disjoint_markers_fork() -> None:
    packages: Packages = {"lib": {"1.0": {}, "2.0": {}}, "other": {"1.0": {}}}
    graph, request = lock(packages, ["lib<2; python_version < '3.10'",
                                     "lib>=2; python_version >= '3.10'", "other"])
    assert forks(graph, request) == ["python_full_version >= '3.10'",
                                     "python_full_version < '3.10'"]
    assert edges(graph, request, BASE) == {
        "lib==1.0": "python_full_version < '3.10'",
        "lib==2.0": "python_full_version >= '3.10'",
        "other==1.0": "",
    }


def test_platform_markers_do_not_fork_and_stay_on_edges() -> None:
    packages: Packages = {
        "colorama": {"0.4": {"requires": ["dep"]}}, "dep": {"1.0": {}}, "x": {"1": {}}}
    graph, request = lock(packages, ["colorama; sys_platform == 'win32'", "x"])
    assert len(graph.forks) == 1
    assert edges(graph, request, BASE) == {"colorama==0.4": "sys_platform == 'win32'",
                                           "x==1": ""}
    # dep is only reached through colorama: no marker needed on that edge, but it is reachable
    # only on Windows.
    assert edges(graph, request, NodeRef("colorama", Version("0.4"))) == {"dep==1.0": ""}
    assert render(graph.reach[NodeRef("dep", Version("1.0"))], request.python) == \
        "sys_platform == 'win32'"


def test_a_dependency_only_newer_pythons_see_forks_there() -> None:
    packages: Packages = {"w": {"1.0": {}, "2.0": {"requires_python": ">=3.12"}}, "z": {"1.0": {}}}
    graph, request = lock(packages, ["w", "z; python_version >= '3.11'"],
                          requires_python=">=3.10")
    assert forks(graph, request) == ["python_full_version >= '3.12'",
                                     "python_full_version == '3.11.*'",
                                     "python_full_version < '3.11'"]
    assert edges(graph, request, BASE)["w==1.0"] == "python_full_version < '3.12'"


def test_fewest_strategy_keeps_one_version() -> None:
    packages: Packages = {"w": {"1.0": {}, "2.0": {"requires_python": ">=3.12"}}}
    graph, _ = lock(packages, ["w"], requires_python=">=3.10", strategy="fewest")
    assert len(graph.forks) == 1
    assert pins(graph) == ["w==1.0"]


def test_versions_no_supported_python_can_use_are_skipped() -> None:
    packages: Packages = {"w": {"1.0": {}, "2.0": {"requires_python": ">=3.10"}}}
    graph, _ = lock(packages, ["w"], requires_python=">=3.8,<3.10")
    assert pins(graph) == ["w==1.0"]
    # Without an upper bound, Python 4 is a Python the project supports: uv forks there too.
    packages = {"w": {"1.0": {}, "2.0": {"requires_python": ">=4"}}}
    graph, request = lock(packages, ["w"], requires_python=">=3.10")
    assert forks(graph, request) == ["python_full_version >= '4'", "python_full_version < '4'"]


def test_conflicting_extras_get_separate_forks() -> None:
    packages: Packages = {
        "lib": {"1.0": {"requires": ["shared<2"]}, "2.0": {"requires": ["shared>=2"]}},
        "shared": {"1.0": {}, "2.0": {}},
    }
    graph, request = lock(
        packages, [], extras={"one": ["lib==1.0"], "two": ["lib==2.0"]},
        groups={"dev": ["shared"]},
        conflicts=((("extra", "one"), ("extra", "two")),),
    )
    assert len(graph.forks) == 3
    assert pins(graph) == ["lib==1.0", "lib==2.0", "shared==1.0", "shared==2.0"]
    assert edges(graph, request, NodeRef.project("extra", "one")) == {"lib==1.0": ""}
    assert edges(graph, request, NodeRef.project("group", "dev")) == {
        "shared==1.0": "extra == 'extra-4-proj-one'",
        "shared==2.0": "extra != 'extra-4-proj-one'",
    }


def test_conflicting_extras_without_conflicts_declared_fail() -> None:
    packages: Packages = {"lib": {"1.0": {}, "2.0": {}}}
    with pytest.raises(ResolutionError):
        lock(packages, [], extras={"one": ["lib==1.0"], "two": ["lib==2.0"]})


def test_extras_of_dependencies_become_their_own_edges() -> None:
    packages: Packages = {
        "gamma": {"1.0": {"extras": {"fast": ["delta>=0.5"]}}}, "delta": {"0.5": {}}}
    graph, request = lock(packages, ["gamma[fast]"])
    assert edges(graph, request, BASE) == {"gamma==1.0": "", "gamma==1.0[fast]": ""}
    assert edges(graph, request, NodeRef("gamma", Version("1.0"), "fast")) == {"delta==0.5": ""}


def test_preferences_keep_locked_versions_and_upgrade_lifts_them() -> None:
    packages: Packages = {"lib": {"1.0": {}, "1.5": {}, "2.0": {}}}
    kept, _ = lock(packages, ["lib"], preferences=(
        Preference(canonicalize_name("lib"), Version("1.5")),))
    assert pins(kept) == ["lib==1.5"]
    fresh, _ = lock(packages, ["lib"])
    assert pins(fresh) == ["lib==2.0"]


def test_locked_forks_are_reused_as_initial_forks() -> None:
    packages: Packages = {"lib": {"1.0": {}}}
    graph, request = lock(packages, ["lib"], initial_forks=(
        "python_full_version >= '3.12'", "python_full_version < '3.12'"))
    assert forks(graph, request) == ["python_full_version >= '3.12'",
                                     "python_full_version < '3.12'"]
    # Forks that no longer partition the space are ignored.
    graph, request = lock(packages, ["lib"], initial_forks=("sys_platform == 'win32'",))
    assert len(graph.forks) == 1


def test_constraints_and_overrides() -> None:
    packages: Packages = {
        "a": {"1.0": {"requires": ["b>=2"]}}, "b": {"1.0": {}, "2.0": {}, "3.0": {}}}
    graph, _ = lock(packages, ["a"], constraints=(Requirement("b<3"),))
    assert pins(graph) == ["a==1.0", "b==2.0"]
    graph, _ = lock(packages, ["a"], overrides=(Requirement("b==1.0"),))
    assert pins(graph) == ["a==1.0", "b==1.0"]


def test_unsatisfiable_names_the_environments() -> None:
    packages: Packages = {"lib": {"1.0": {"requires_python": ">=3.12"}}}
    with pytest.raises(ResolutionError) as caught:
        lock(packages, ["lib"], requires_python=">=3.10")
    assert any("python_full_version < '3.12'" in cause for cause in caught.value.causes)


def test_environments_restrict_the_space_and_are_forks() -> None:
    packages: Packages = {"lib": {"1.0": {}}, "win": {"1.0": {}}}
    graph, request = lock(packages, ["lib", "win; sys_platform == 'win32'"],
                          environments=("sys_platform == 'linux'", "sys_platform == 'darwin'"))
    assert forks(graph, request) == ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
    assert pins(graph) == ["lib==1.0"]


def test_resolution_lowest() -> None:
    packages: Packages = {"lib": {"1.0": {}, "2.0": {}}}
    graph, _ = lock(packages, ["lib>=1"], options=ResolverOptions(resolution="lowest"))
    assert pins(graph) == ["lib==1.0"]


def test_reach_of_markers_is_exact_for_patch_versions() -> None:
    packages: Packages = {"lib": {"1.0": {}}}
    graph, request = lock(packages, ["lib; python_full_version >= '3.9.1'"])
    assert edges(graph, request, BASE) == {"lib==1.0": "python_full_version >= '3.9.1'"}
    assert parse_marker("python_full_version >= '3.9.1'").equivalent(
        graph.reach[NodeRef("lib", Version("1.0"))])


def test_every_preferred_version_comes_before_the_others() -> None:
    packages: Packages = {"lib": {"1.0": {}, "1.5": {}, "3.0": {}}}
    lib = canonicalize_name("lib")
    graph, _ = lock(packages, ["lib"], preferences=(
        Preference(lib, Version("9.0")), Preference(lib, Version("9.0")),
        Preference(lib, Version("1.5"))))
    assert pins(graph) == ["lib==1.5"]
