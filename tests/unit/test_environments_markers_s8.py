"""uv's restriction of a lock edge's marker by where its parent is reached (review s8, F5).

uv writes each dependency edge restricted by its parent's reachability (for the project: the
declared ``environments`` within requires-python), and the shape is the one its decision
diagram gives: a range the assumption rules out takes the result of the first range it
allows. So inside ``linux | darwin`` a darwin-only edge is written ``sys_platform != 'linux'``
while a linux-only edge stays ``sys_platform == 'linux'``.
"""

from __future__ import annotations

import itertools

import pytest

from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet
from ferry.project.markers import canonical_marker
from ferry.resolve.marker_expr import MarkerExpr, parse_marker, render
from ferry.resolve.marker_restrict import restrict

UNIVERSE = VersionSet.compare(">=", Version("3.10"))
SPACE = MarkerExpr.python(UNIVERSE)


def _text(expr: MarkerExpr) -> str | None:
    written = render(expr, UNIVERSE)
    return canonical_marker(written) if written is not None else None


def _any(*texts: str) -> MarkerExpr:
    result = parse_marker(texts[0])
    for text in texts[1:]:
        result = result | parse_marker(text)
    return result & SPACE


LINUX, DARWIN, WIN = ("sys_platform == 'linux'", "sys_platform == 'darwin'",
                      "sys_platform == 'win32'")


@pytest.mark.parametrize(("value", "assumption", "expected"), [
    # the first allowed value (darwin, in value order) lends its result to the ruled-out ones
    (DARWIN, (LINUX, DARWIN), "sys_platform != 'linux'"),
    (LINUX, (LINUX, DARWIN), "sys_platform == 'linux'"),
    (DARWIN, (DARWIN, WIN), "sys_platform != 'win32'"),
    (WIN, (DARWIN, WIN), "sys_platform == 'win32'"),
    (DARWIN, (LINUX, DARWIN, WIN), "sys_platform != 'linux' and sys_platform != 'win32'"),
    (f"{LINUX} or {WIN}", (LINUX, DARWIN, WIN),
     "sys_platform == 'linux' or sys_platform == 'win32'"),
    (f"{DARWIN} or {WIN}", (LINUX, DARWIN, WIN), "sys_platform != 'linux'"),
    (DARWIN, (DARWIN,), None),
    (f"{LINUX} or {WIN}", ("sys_platform != 'win32'",), "sys_platform == 'linux'"),
    # sys_platform comes before platform_machine and python in uv's order
    (f"platform_machine == 'x86_64' and ({LINUX} or {DARWIN})",
     (f"{LINUX} and platform_machine == 'x86_64'", DARWIN),
     "platform_machine == 'x86_64' or sys_platform == 'linux'"),
    (f"(python_full_version == '3.11.*' and {LINUX})"
     f" or (python_full_version < '3.11' and {DARWIN})",
     (f"python_full_version >= '3.11' and {LINUX}", f"python_full_version < '3.11' and {DARWIN}"),
     "python_full_version < '3.12' or sys_platform != 'linux'"),
    # a Python range ruled out above takes the first allowed range's result
    ("python_full_version < '3.11'", ("python_full_version < '3.12'",),
     "python_full_version != '3.11.*'"),
])
def test_restrict_writes_what_uv_writes(
    value: str, assumption: tuple[str, ...], expected: str | None
) -> None:
    restricted = restrict(parse_marker(value) & SPACE, _any(*assumption))
    assert _text(restricted) == expected


def test_the_shape_of_the_value_matters_not_only_its_meaning() -> None:
    """Equal inside the assumption, yet restricted differently (uv quantifies out a variable
    the value does not test): so the lock must restrict the edge as the forks built it."""
    assumption = _any(f"{LINUX} and platform_machine == 'x86_64'", DARWIN)
    built = parse_marker(f"platform_machine == 'x86_64' and ({LINUX} or {DARWIN})")
    plain = parse_marker("platform_machine == 'x86_64'")
    assert (built & assumption).equivalent(plain & assumption)
    assert _text(restrict(plain, assumption)) == "platform_machine == 'x86_64'"
    assert _text(restrict(built, assumption)) != _text(restrict(plain, assumption))


ATOMS = [LINUX, DARWIN, WIN, "sys_platform != 'linux'", "platform_machine == 'x86_64'",
         "python_full_version < '3.11'", "python_full_version >= '3.12'",
         "python_full_version == '3.11.*'", "implementation_name == 'pypy'"]


@pytest.mark.parametrize("pair", list(itertools.combinations(range(len(ATOMS)), 2)))
def test_restriction_keeps_the_meaning_where_the_assumption_holds(pair: tuple[int, int]) -> None:
    first, second = (parse_marker(ATOMS[i]) for i in pair)
    for value, assumption in ((first & second, first | second), (first | second, ~second),
                              (first, second), (~first & second, first | ~second)):
        if assumption.is_false():
            continue
        restricted = restrict(value, assumption)
        assert (restricted & assumption).equivalent(value & assumption), (value, assumption)
