"""The marker algebra behind exports: exact (checked against packaging), simplified, uv-spelled."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.model.pep508_markers import Marker
from ferry.project import export_markers as m


def text(dnf: m.Dnf) -> str | None:
    return m.render(dnf)


def test_true_and_false() -> None:
    assert m.parse(None) == m.TRUE
    assert m.parse("") == m.TRUE
    assert text(m.TRUE) is None
    assert text(m.FALSE) is None
    assert m.conj(m.TRUE, m.FALSE) == m.FALSE
    assert m.disj(m.parse("sys_platform == 'win32'"), m.TRUE) == m.TRUE


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("sys_platform == 'win32'", "sys_platform == 'linux'", None),  # never: dropped
        ("python_full_version < '3.12'", "python_full_version >= '3.12'", None),
        (
            "python_full_version >= '3.12'",
            "sys_platform == 'win32'",
            "python_full_version >= '3.12' and sys_platform == 'win32'",
        ),
        (
            "python_full_version >= '3.10'",
            "python_full_version >= '3.12'",
            "python_full_version >= '3.12'",
        ),
        ("sys_platform == 'linux'", "sys_platform != 'win32'", "sys_platform == 'linux'"),
        (
            "python_version < '3.11'",
            "python_version >= '3.8'",
            "python_full_version >= '3.8' and python_full_version < '3.11'",
        ),
    ],
)
def test_and(left: str, right: str, expected: str | None) -> None:
    result = m.conj(m.parse(left), m.parse(right))
    assert text(result) == expected
    if expected is None:
        assert result == m.FALSE


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (
            "sys_platform == 'linux'",
            "sys_platform == 'darwin'",
            "sys_platform == 'darwin' or sys_platform == 'linux'",
        ),
        (
            "sys_platform == 'win32'",
            "sys_platform == 'win32' and python_full_version < '3.12'",
            "sys_platform == 'win32'",
        ),  # absorption
        ("python_full_version < '3.12'", "python_full_version >= '3.12'", None),  # complement
        (
            "os_name == 'nt' and sys_platform == 'win32'",
            "os_name != 'nt' and sys_platform == 'win32'",
            "sys_platform == 'win32'",
        ),
    ],
)
def test_or(left: str, right: str, expected: str | None) -> None:
    result = m.disj(m.parse(left), m.parse(right))
    assert text(result) == expected
    if expected is None:
        assert result == m.TRUE


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        # an export's union over forks that split on Python versions prints as uv prints it
        (
            [
                "python_full_version < '3.10'",
                "python_full_version == '3.10.*'",
                "python_full_version >= '3.10' and python_full_version < '3.11'",
            ],
            "python_full_version < '3.11'",
        ),
        (["python_full_version < '3.10'", "python_full_version == '3.10.*'",
          "python_full_version >= '3.11'"], None),  # every version: no marker at all
        (
            [
                "python_full_version < '3.10' and sys_platform == 'win32'",
                "python_full_version == '3.10.*' and sys_platform == 'win32'",
                "python_full_version >= '3.12'",
            ],
            "(python_full_version < '3.11' and sys_platform == 'win32') "
            "or python_full_version >= '3.12'",
        ),
        (
            ["python_full_version >= '3.9' and python_full_version < '3.10'",
             "python_full_version >= '3.11' and python_full_version < '3.12'"],
            "(python_full_version >= '3.9' and python_full_version < '3.10') "
            "or (python_full_version >= '3.11' and python_full_version < '3.12')",
        ),  # a gap stays
        (["python_full_version < '3.9'", "python_full_version > '3.9'"],
         "python_full_version < '3.9' or python_full_version > '3.9'"),  # 3.9 itself is left out
        (["python_full_version <= '3.9'", "python_full_version > '3.9'"], None),
        (["python_full_version >= '3.10' and python_full_version < '3.11'",
          "python_full_version == '3.11.*'"],
         "python_full_version >= '3.10' and python_full_version < '3.12'"),
    ],
)
def test_or_joins_python_version_ranges(markers: list[str], expected: str | None) -> None:
    result = m.FALSE
    for marker in markers:
        result = m.disj(result, m.parse(marker))
    assert text(result) == expected


def test_substitute_decides_conflict_atoms() -> None:
    marker = m.parse(
        "extra == 'extra-9-conflicts-one' and sys_platform == 'linux' "
        "or extra == 'extra-9-conflicts-two'"
    )
    active = {"extra-9-conflicts-one"}

    def decide(atom: m.Atom) -> bool | None:
        if atom[0] != "extra":
            return None
        return (atom[2] in active) == (atom[1] == "==")

    assert text(m.substitute(marker, decide)) == "sys_platform == 'linux'"
    active.clear()
    assert m.substitute(marker, decide) == m.FALSE


_ATOMS = [
    "sys_platform == 'linux'",
    "sys_platform == 'win32'",
    "sys_platform != 'darwin'",
    "python_full_version >= '3.10'",
    "python_full_version < '3.12'",
    "python_full_version >= '3.12'",
    "platform_machine == 'x86_64'",
    "implementation_name == 'pypy'",
    "python_full_version < '3.10'",
    "python_full_version == '3.10.*'",
    "python_full_version >= '3.11'",
    "python_full_version <= '3.11.4'",
    "python_full_version > '3.12'",
]
_ENVIRONMENTS = [
    {
        "sys_platform": platform,
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "platform_machine": machine,
        "implementation_name": implementation,
    }
    for platform, python, machine, implementation in itertools.product(
        ["linux", "win32", "darwin"],
        ["3.9.1", "3.10.0", "3.11.4", "3.12.0", "3.13.1"],
        ["x86_64", "arm64"],
        ["cpython", "pypy"],
    )
]
_clause = st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=3).map(" and ".join)
_marker = st.lists(_clause, min_size=1, max_size=3).map(
    lambda cs: " or ".join(f"({c})" for c in cs)
)


def _evaluator(dnf: m.Dnf) -> Marker | bool:
    rendered = m.render(dnf)
    return (dnf == m.TRUE) if rendered is None else Marker(rendered)


def _holds(marker: Marker | bool, env: dict[str, str]) -> bool:
    return marker if isinstance(marker, bool) else marker.evaluate(env)


@settings(max_examples=100, deadline=None, database=None)
@given(_marker, _marker)
def test_and_or_are_exact(left: str, right: str) -> None:
    """Whatever the simplification did, the rendered marker selects the same environments."""
    a, b = m.parse(left), m.parse(right)
    both, either = _evaluator(m.conj(a, b)), _evaluator(m.disj(a, b))
    first_marker, second_marker = Marker(left), Marker(right)
    for env in _ENVIRONMENTS:
        first = first_marker.evaluate(env)
        second = second_marker.evaluate(env)
        assert _holds(both, env) == (first and second), (left, right, env)
        assert _holds(either, env) == (first or second), (left, right, env)


def test_pre_release_bounds_are_not_joined() -> None:
    """`< '3.10.0rc1'` keeps 3.10.0a1, `< '3.10'` would not: such ranges stay as written."""
    result = m.disj(m.parse("python_full_version < '3.10.0rc1'"),
                    m.parse("python_full_version == '3.9.*'"))
    assert text(result) == "python_full_version < '3.10.0rc1' or python_full_version == '3.9.*'"
