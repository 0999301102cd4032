"""Which versions the fork with no conflicting extra/group gets (review s8, F3).

With ``six`` required by the project and ``old = ["six==1.16.0"]`` / ``new = ["six==1.17.0"]``
declared in conflict, the three conflict forks are solved "old", "new", then "neither". The
last takes its ``six`` from the siblings' versions in uv's preference order — siblings whose
environments meet its own first (conflict flags do not count), then newest first (oldest for
"lowest"; none carried for "lowest-direct") — so a plain sync gets what uv gives it.
The expected versions are what uv 0.13.8 locks (tests/interop/test_conflict_forks_uv_s8.py runs
uv itself).
"""

from __future__ import annotations

from typing import Any

import pytest
from packaging.utils import canonicalize_name

from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import specifier_versions
from ferry.resolve.marker_expr import flag_key, parse_marker
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolutionMode, ResolverOptions
from ferry.resolve.universal import (
    Preference,
    RootKind,
    RootList,
    UniversalRequest,
    resolve_universal,
)
from ferry.resolve.universal_graph import NodeRef, UniversalGraph

PACKAGES: dict[str, dict[str, dict[str, Any]]] = {
    "six": {"1.15.0": {}, "1.16.0": {}, "1.17.0": {}},
    "lib": {"1.0": {"requires": ["six"]}},
}
BASE = NodeRef.project("base")


def _resolve(
    kind: RootKind = "extra",
    old: str = "old",
    new: str = "new",
    *,
    reverse: bool = False,
    mode: ResolutionMode = "highest",
    preferences: tuple[Preference, ...] = (),
    base: tuple[str, ...] = ("six", "lib"),
) -> tuple[UniversalGraph, dict[str, str]]:
    roots = (
        RootList("base", None, tuple(Requirement(r) for r in base)),
        RootList(kind, old, (Requirement("six==1.16.0"),)),
        RootList(kind, new, (Requirement("six==1.17.0"),)),
    )
    items = ((kind, old), (kind, new))
    request = UniversalRequest(
        project="proj", roots=roots, python=specifier_versions(SpecifierSet(">=3.10")),
        conflicts=(items[::-1] if reverse else items,), preferences=preferences,
        options=ResolverOptions(resolution=mode))
    flags = {name: flag_key(kind, "proj", name) for name in (old, new)}
    return resolve_universal(request, MemorySource(PACKAGES)), flags


def _six_where(graph: UniversalGraph, parent: NodeRef, values: dict[str, bool]) -> set[str]:
    """The six versions ``parent`` depends on where the conflict flags take ``values``."""
    return {str(child.version) for child, _, marker in graph.edges_from(parent)
            if child.name == "six" and not marker.restrict(values).is_false()}


@pytest.mark.parametrize("kind", ["extra", "group"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize(("old", "new"), [("old", "new"), ("zold", "anew")])
def test_no_conflicting_item_gets_the_newest_version(
    kind: RootKind, reverse: bool, old: str, new: str
) -> None:
    graph, flags = _resolve(kind, old, new, reverse=reverse)
    assert len(graph.forks) == 3
    neither = {flags[old]: False, flags[new]: False}
    assert _six_where(graph, BASE, neither) == {"1.17.0"}
    assert _six_where(graph, BASE, {flags[old]: True, flags[new]: False}) == {"1.16.0"}
    assert _six_where(graph, BASE, {flags[old]: False, flags[new]: True}) == {"1.17.0"}
    lib = next(ref for ref in graph.nodes if ref.name == "lib")
    assert _six_where(graph, lib, neither) == {"1.17.0"}


@pytest.mark.parametrize(("mode", "expected"), [
    ("highest", "1.17.0"),
    ("lowest", "1.16.0"),  # the siblings' versions, oldest first
    ("lowest-direct", "1.15.0"),  # no sibling's versions: the direct six at its oldest
])
def test_the_resolution_mode_orders_the_siblings_versions(
    mode: ResolutionMode, expected: str
) -> None:
    graph, flags = _resolve(mode=mode)
    assert _six_where(graph, BASE, dict.fromkeys(flags.values(), False)) == {expected}


def test_lowest_direct_still_orders_transitive_packages_newest_first() -> None:
    # six is only transitive here (through lib), so "lowest-direct" picks its newest
    graph, flags = _resolve(mode="lowest-direct", base=("lib",))
    lib = next(ref for ref in graph.nodes if ref.name == "lib")
    assert _six_where(graph, lib, dict.fromkeys(flags.values(), False)) == {"1.17.0"}


def test_a_lock_preference_for_other_environments_comes_after_matching_ones() -> None:
    six = canonicalize_name("six")
    elsewhere = Preference(six, Version("1.15.0"), parse_marker("python_version < '3.10'"))
    graph, flags = _resolve(mode="lowest", preferences=(elsewhere,))
    # the lock's 1.15.0 is for environments outside the project's: the siblings' come first
    assert _six_where(graph, BASE, dict.fromkeys(flags.values(), False)) == {"1.16.0"}


def test_conflict_flags_do_not_make_a_lock_preference_mismatch() -> None:
    six = canonicalize_name("six")
    flagged = Preference(six, Version("1.15.0"), parse_marker(
        "extra == 'extra-3-proj-old'", extra=None))
    graph, flags = _resolve(mode="lowest", preferences=(flagged,))
    assert _six_where(graph, BASE, dict.fromkeys(flags.values(), False)) == {"1.15.0"}


@pytest.mark.parametrize(("mode", "expected"), [("highest", "1.17.0"), ("lowest", "1.15.0")])
def test_a_matching_lock_preference_competes_by_version(
    mode: ResolutionMode, expected: str
) -> None:
    six = canonicalize_name("six")
    graph, flags = _resolve(mode=mode, preferences=(Preference(six, Version("1.15.0")),))
    # the lock's 1.15.0 and the siblings' 1.16/1.17 all match: ordered by version, as uv does
    assert _six_where(graph, BASE, dict.fromkeys(flags.values(), False)) == {expected}
