"""The shortcuts of marker_sets agree with the algebra they stand for: ``issubset`` with
``(a & ~b).is_empty()``, the cached hash with equality, the cached repr with the fields."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_sets import ValueSet

OPS = (">=", ">", "<=", "<", "==", "!=")
VERSIONS = [Version(v) for v in ("3.8", "3.9", "3.9.1", "3.10", "3.11", "3.12", "3.13", "4")]


@st.composite
def version_sets(draw: st.DrawFn) -> VersionSet:
    result = draw(st.sampled_from([VersionSet.full(), VersionSet.empty()]))
    for _ in range(draw(st.integers(0, 4))):
        atom = VersionSet.compare(draw(st.sampled_from(OPS)), draw(st.sampled_from(VERSIONS)))
        result = result & atom if draw(st.booleans()) else result | atom
    return result


value_sets = st.builds(
    ValueSet, st.booleans(), st.frozensets(st.sampled_from(["linux", "win32", "darwin"])))


def _slow_subset(a: VersionSet, b: VersionSet) -> bool:
    return a._combine(b, lambda x, y: x and not y).is_empty()


@settings(max_examples=400, deadline=None)
@given(version_sets(), version_sets())
def test_version_issubset_is_the_algebra(a: VersionSet, b: VersionSet) -> None:
    assert a.issubset(b) == _slow_subset(a, b)
    assert a.issubset(a)


@settings(max_examples=200, deadline=None)
@given(value_sets, value_sets)
def test_value_issubset_is_the_algebra(a: ValueSet, b: ValueSet) -> None:
    assert a.issubset(b) == (a & ~b).is_empty()


@settings(max_examples=200, deadline=None)
@given(version_sets())
def test_cached_hash_and_repr_follow_the_fields(a: VersionSet) -> None:
    twin = VersionSet(a.points, a.flags)
    assert twin == a and hash(twin) == hash(a) == hash(VersionSet(a.points, a.flags))
    assert repr(a) == f"VersionSet(points={a.points!r}, flags={a.flags!r})" == repr(twin)


def test_a_set_is_a_subset_of_a_wider_one() -> None:
    low = VersionSet.compare(">=", Version("3.12"))
    assert low.issubset(VersionSet.compare(">=", Version("3.10")))
    assert not VersionSet.compare(">=", Version("3.10")).issubset(low)
    assert VersionSet.empty().issubset(low) and not VersionSet.full().issubset(low)
