"""Marker expressions as exact sets of environments: the algebra universal resolution rests on.

Checked against ``packaging``'s own marker evaluation on many environments (property test), and
for the spellings uv writes in locks.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_markers import Marker
from ferry.model.version_sets import VersionSet, specifier_versions
from ferry.resolve.marker_expr import FALSE, TRUE, MarkerExpr, conflict_flag, parse_marker, render
from ferry.resolve.marker_sets import ValueSet
from ferry.resolve.wheel_markers import wheel_python_versions, wheel_reachable

U310 = VersionSet.compare(">=", Version("3.10"))

ATOMS = [
    "python_version < '3.11'",
    "python_version >= '3.12'",
    "python_version == '3.11'",
    "python_version > '3.10'",
    "python_version <= '3.12'",
    "python_full_version >= '3.11.2'",
    "python_full_version != '3.12.0'",
    "sys_platform == 'win32'",
    "sys_platform != 'linux'",
    "platform_machine == 'arm64'",
    "os_name == 'nt'",
    "implementation_name == 'pypy'",
]
PYTHONS = ["3.9.0", "3.10.0", "3.10.5", "3.11.0", "3.11.2", "3.11.3", "3.12.0", "3.12.1", "3.13.0"]
PLATFORMS = [
    {"sys_platform": "linux", "platform_machine": "x86_64", "os_name": "posix"},
    {"sys_platform": "win32", "platform_machine": "AMD64", "os_name": "nt"},
    {"sys_platform": "darwin", "platform_machine": "arm64", "os_name": "posix"},
]
ENVIRONMENTS = [
    {**platform, "python_full_version": python,
     "python_version": ".".join(python.split(".")[:2]),
     "implementation_name": implementation, "platform_python_implementation": "CPython",
     "platform_system": "", "platform_release": "", "platform_version": "",
     "implementation_version": python, "extra": ""}
    for python, platform, implementation in itertools.product(
        PYTHONS, PLATFORMS, ["cpython", "pypy"])
]


def _truth(marker: str) -> list[bool]:
    parsed = Marker(marker)
    return [parsed.evaluate(env) for env in ENVIRONMENTS]


def _mine(expr: MarkerExpr) -> list[bool]:
    return [expr.evaluate(env) for env in ENVIRONMENTS]


markers = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
        lambda t: f"({t[0]}) {t[1]} ({t[2]})"
    ),
    max_leaves=5,
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(markers)
def test_parsed_markers_select_what_packaging_selects(marker: str) -> None:
    assert _mine(parse_marker(marker)) == _truth(marker)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(markers, markers)
def test_and_or_not_are_exact(first: str, second: str) -> None:
    a, b = parse_marker(first), parse_marker(second)
    ta, tb = _truth(first), _truth(second)
    assert _mine(a & b) == [x and y for x, y in zip(ta, tb, strict=True)]
    assert _mine(a | b) == [x or y for x, y in zip(ta, tb, strict=True)]
    assert _mine(~a) == [not x for x in ta]
    assert (a & ~a).is_false()
    assert (a | ~a).is_true()


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(markers)
def test_rendered_markers_mean_the_same(marker: str) -> None:
    expr = parse_marker(marker)
    text = render(expr)
    if text is None:
        assert expr.is_true()
    elif expr.is_false():
        assert text == "python_full_version < '0'"  # uv's way of writing "never"
    else:
        assert parse_marker(text).equivalent(expr), text


def test_uv_spellings_relative_to_requires_python() -> None:
    assert render(parse_marker("python_version < '3.12'"), U310) == "python_full_version < '3.12'"
    assert render(parse_marker("python_version == '3.11'"), U310) == \
        "python_full_version == '3.11.*'"
    # The lower bound requires-python implies is left out, the upper bound kept.
    assert render(parse_marker("python_version >= '3.10' and python_version < '3.11'"),
                  U310) == "python_full_version < '3.11'"
    assert render(parse_marker("python_version >= '3.9'"), U310) is None
    assert render(parse_marker("python_version < '3.9'"), U310) == "python_full_version < '0'"
    bounded = specifier_versions(SpecifierSet(">=3.10,<4"))
    assert render(parse_marker("python_version >= '3.12'"), bounded) == \
        "python_full_version >= '3.12'"


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(markers)
def test_rendered_markers_mean_the_same_within_requires_python(marker: str) -> None:
    within = MarkerExpr.python(U310)
    expr = parse_marker(marker) & within
    text = render(expr, U310)
    if text is None:
        assert expr.equivalent(within)
    else:
        assert (parse_marker(text) & within).equivalent(expr), text


def test_python_is_cut_where_the_rest_changes_as_uv_writes_it() -> None:
    u311 = VersionSet.compare(">=", Version("3.11"))
    # Two cubes overlapping on Python: uv's diagram has one path per Python region.
    overlapping = parse_marker("python_version < '3.12'") | parse_marker(
        "python_version < '3.13' and sys_platform != 'emscripten'")
    assert render(overlapping, u311) == ("python_full_version < '3.12' or (python_full_version "
                                         "== '3.12.*' and sys_platform != 'emscripten')")
    # `A or (not A and B)` is `A or B`.
    either = parse_marker("python_version < '3.12'") | parse_marker(
        "python_version >= '3.12' and sys_platform == 'linux'")
    assert render(either, u311) == "python_full_version < '3.12' or sys_platform == 'linux'"
    # Open on both sides but for one minor.
    assert render(parse_marker("python_version != '3.12'"), u311) == \
        "python_full_version != '3.12.*'"
    assert render(parse_marker("python_full_version != '3.12.1' and "
                               "python_full_version != '3.12.3'"), u311) == \
        "python_full_version != '3.12.1' and python_full_version != '3.12.3'"


def test_disjoint_implies_and_simplify_given() -> None:
    win = parse_marker("sys_platform == 'win32'")
    new = parse_marker("python_version >= '3.11'")
    assert win.disjoint(parse_marker("sys_platform == 'linux'"))
    assert not win.disjoint(new)
    assert (win & new).implies(win)
    assert not win.implies(new)
    assert render((win & new).simplify_given(win)) == "python_full_version >= '3.11'"
    assert (win & new).simplify_given(win & new) == TRUE
    assert (win & new).simplify_given(~win).is_false()


def test_conflict_flags_are_independent_atoms() -> None:
    one = conflict_flag("extra", "proj", "one")
    two = conflict_flag("extra", "proj", "two")
    assert render(one) == "extra == 'extra-4-proj-one'"
    assert render(~one) == "extra != 'extra-4-proj-one'"
    assert not (one & two).is_false()  # both can be selected; conflicts forbid it, not logic
    assert render((~one & ~two) | (two & ~one)) == "extra != 'extra-4-proj-one'"
    assert render(conflict_flag("group", "proj", "dev")) == "extra == 'group-4-proj-dev'"


def test_extra_is_substituted_for_dependency_markers() -> None:
    marker = "extra == 'fast' and python_version < '3.12'"
    assert parse_marker(marker, extra="").is_false()
    assert render(parse_marker(marker, extra="fast")) == "python_full_version < '3.12'"
    assert parse_marker(marker, extra="other").is_false()


def test_version_sets() -> None:
    between = VersionSet.between(Version("3.10"), Version("3.12"))
    assert between.contains(Version("3.11.7"))
    assert not between.contains(Version("3.12"))
    assert between.lower() == Version("3.10")
    assert (between | ~between).is_full()
    assert list(VersionSet.compare("!=", Version("3")).intervals()) == [
        (None, False, Version("3"), False), (Version("3"), False, None, False)]
    assert ValueSet(True, frozenset({"a"})) | ValueSet(False, frozenset({"a", "b"})) == \
        ValueSet(False, frozenset({"b"}))
    assert specifier_versions(SpecifierSet("~=3.8")).contains(Version("3.13"))


@pytest.mark.parametrize(
    ("filename", "reach", "kept"),
    [
        ("x-1-py3-none-any.whl", "sys_platform == 'win32'", True),
        ("x-1-cp311-cp311-win_amd64.whl", "sys_platform == 'win32'", True),
        ("x-1-cp311-cp311-win_amd64.whl", "sys_platform == 'linux'", False),
        ("x-1-cp38-cp38-win_amd64.whl", "sys_platform == 'win32'", False),  # requires-python
        ("x-1-py2-none-any.whl", "sys_platform == 'linux'", False),
        ("x-1-cp312-abi3-manylinux_2_17_s390x.whl", "platform_machine == 'x86_64'", False),
        ("x-1-cp312-abi3-manylinux_2_17_x86_64.whl", "platform_machine == 'x86_64'", True),
        # Python is judged against requires-python only, not the package's reachability (uv).
        ("x-1-cp313-cp313-macosx_11_0_universal2.whl", "python_version < '3.12'", True),
        ("x-1-cp312-cp312-macosx_11_0_universal2.whl", "os_name == 'nt'", False),
    ],
)
def test_wheels_kept_in_a_lock(filename: str, reach: str, kept: bool) -> None:
    assert wheel_reachable(filename, parse_marker(reach), U310) is kept


def test_wheel_python_versions() -> None:
    assert wheel_python_versions("x-1-pp310-pypy310_pp73-any.whl").contains(Version("3.10.2"))
    assert not wheel_python_versions("x-1-cp38-cp38-any.whl").contains(Version("3.10"))
    assert wheel_python_versions("x-1-py39-none-any.whl").contains(Version("3.12"))
    assert FALSE.is_false() and TRUE.is_true()


def test_simplify_given_opens_python_bounds_the_context_implies() -> None:
    edge = parse_marker("python_version == '3.9'")
    parent = parse_marker("python_version >= '3.9'")
    assert render(edge.simplify_given(parent)) == "python_full_version < '3.10'"
    assert edge.simplify_given(edge) == TRUE


def test_python_version_in_a_list_of_versions() -> None:
    assert parse_marker("python_version in '2.6 2.7 3.2 3.3'").disjoint(
        parse_marker("python_version >= '3.8'"))
    assert render(parse_marker("python_version not in '3.8 3.9'"), U310) is None
    assert render(parse_marker("python_version in '3.10 3.11'"), U310) == \
        "python_full_version < '3.12'"


def test_closed_intervals_and_pre_release_python_bounds() -> None:
    assert list(VersionSet.compare("<=", Version("3.11")).intervals()) == [
        (None, False, Version("3.11"), True)]
    # Python versions compare by release, as uv reads them.
    assert parse_marker("python_full_version <= '3.11.0a6'").equivalent(
        parse_marker("python_full_version <= '3.11.0'"))
