"""Marker sets written back as PEP 508 strings, in the shape uv writes them in a lock.

Each cube becomes a conjunction; Python ranges are written relative to the project's
requires-python (bounds it implies are left out; a one-minor range is ``== '3.11.*'``), string
sets as ``==``/``!=`` terms, opaque atoms with their own spelling. The final ordering of terms is
``project/markers.canonical_marker``'s job.
"""

from __future__ import annotations

import itertools

from packaging.version import Version

from ferry.resolve.marker_expr import PYTHON, Cube, MarkerExpr
from ferry.resolve.marker_sets import ValueSet, VersionSet


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _version_text(version: Version) -> str:
    return str(version)


def _python_terms(versions: VersionSet, universe: VersionSet) -> list[list[str]]:
    """Alternatives (a disjunction of conjunctions) saying ``versions`` within ``universe``."""
    inside = versions & universe
    if universe.issubset(versions):
        return [[]]
    missing = universe & ~versions
    gaps = list(missing.intervals())
    if len(gaps) == 1 and gaps[0][0] is not None and gaps[0][2] is not None:
        low, low_inc, high, high_inc = gaps[0]
        assert low is not None and high is not None
        if low == high:
            return [[f"{PYTHON} != '{_version_text(low)}'"]]
    start = universe.lower()
    spans = list(universe.intervals())
    end = spans[-1][2] if spans else None
    alternatives: list[list[str]] = []
    for low, low_inc, high, high_inc in inside.intervals():
        terms: list[str] = []
        if low is not None and low == high:
            alternatives.append([f"{PYTHON} == '{_version_text(low)}'"])
            continue
        if (low is not None and high is not None and low_inc and not high_inc
                and not (start is not None and low == start)):
            star = _star(low, high)
            if star is not None:
                alternatives.append([f"{PYTHON} == '{star}'"])
                continue
        if low is not None and not (start is not None and low == start and low_inc):
            terms.append(f"{PYTHON} {'>=' if low_inc else '>'} '{_version_text(low)}'")
        if high is not None and not (end is not None and high == end and not high_inc):
            terms.append(f"{PYTHON} {'<=' if high_inc else '<'} '{_version_text(high)}'")
        alternatives.append(terms)
    return alternatives


def _star(low: Version, high: Version) -> str | None:
    release = low.release
    if len(release) > 2 and any(release[2:]):
        return None
    if low.pre or low.post or low.dev or high.pre or high.post or high.dev:
        return None
    major, minor = (*release, 0)[:2]
    if high == Version(f"{major}.{minor + 1}"):
        return f"{major}.{minor}.*"
    return None


def _cube_alternatives(cube: Cube, universe: VersionSet) -> list[list[str]]:
    parts: list[list[list[str]]] = []
    for var, c in cube:
        if isinstance(c, VersionSet):
            parts.append(_python_terms(c, universe))
        elif not var.startswith("?"):
            values = sorted(c.values)
            if c.positive:
                parts.append([[f"{var} == {_quote(v)}"] for v in values])
            else:
                parts.append([[f"{var} != {_quote(v)}" for v in values]])
        if var.startswith("?"):
            assert isinstance(c, ValueSet)
            text, _, negated = var[1:].partition("\x00")
            parts.append([[text if c.positive else negated]])
    alternatives = []
    for combo in itertools.product(*parts):
        alternatives.append([term for group in combo for term in group])
    return alternatives


def render(expr: MarkerExpr, python_universe: VersionSet | None = None) -> str | None:
    """The expression as a PEP 508 marker string, ``None`` when it is always true.

    Python ranges are written relative to ``python_universe`` (the project's requires-python):
    bounds it already implies are left out, as uv writes them. An empty expression renders as
    ``python_full_version < '0'`` (a marker nothing satisfies).
    """
    universe = python_universe or VersionSet.full()
    if not expr.cubes:
        return f"{PYTHON} < '0'"
    alternatives: list[list[str]] = []
    for cube in expr.cubes:
        alternatives.extend(_cube_alternatives(cube, universe))
    if not alternatives:
        return f"{PYTHON} < '0'"
    if any(not alt for alt in alternatives):
        return None
    unique = list(dict.fromkeys(tuple(alt) for alt in alternatives))
    if len(unique) == 1:
        return " and ".join(unique[0])
    return " or ".join(
        f"({' and '.join(alt)})" if len(alt) > 1 else alt[0] for alt in unique
    )
