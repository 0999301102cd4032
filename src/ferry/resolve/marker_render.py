"""Marker sets written back as PEP 508 strings, in the shape uv writes them in a lock.

uv keeps markers as decision diagrams with ``python_full_version`` as the top variable and
prints the diagram's paths, then drops redundant terms (``A or (not A and B)`` becomes
``A or B``). ferry's sets are unions of cubes, which may overlap on the Python axis (``< 3.12``
and ``< 3.13 and sys_platform != 'emscripten'``) where uv's paths never do
(``< 3.12`` and ``== '3.12.*' and sys_platform != 'emscripten'``). So the Python axis is cut
where the rest of the expression changes, regions with the same rest are joined (uv's edges to
one child), each region's rest is written from its cubes, and uv's term-level simplification
runs on the result. Python ranges are written relative to the project's requires-python
(bounds it implies are left out; a one-minor range is ``== '3.11.*'``, its complement
``!= '3.11.*'``), string sets as ``==``/``!=`` terms, opaque atoms with their own spelling. The
final ordering of terms is ``project/markers.canonical_marker``'s job.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_expr import FALSE, PYTHON, Cube, MarkerExpr
from ferry.resolve.marker_sets import ValueSet


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _version_text(version: Version) -> str:
    """As uv prints a bound: trailing zero segments past major.minor dropped (a package's
    ``Requires-Python: >=3.9.0`` becomes ``'3.9'``), which compares the same."""
    release = version.release
    if len(release) > 2 and not any(release[2:]) and str(version) == ".".join(map(str, release)):
        return f"{release[0]}.{release[1]}"
    return str(version)


def _python_terms(versions: VersionSet, universe: VersionSet) -> list[list[str]]:
    """Alternatives (a disjunction of conjunctions) saying ``versions`` within ``universe``."""
    inside = versions & universe
    if universe.issubset(versions):
        return [[]]
    missing = universe & ~versions
    gaps = list(missing.intervals())
    if gaps and all(low is not None and low == high for low, _, high, _ in gaps):
        return [[f"{PYTHON} != '{_version_text(low)}'" for low, _, _, _ in gaps
                 if low is not None]]
    start = universe.lower()
    if len(gaps) == 1 and len(list(inside.intervals())) == 2 and gaps[0][1] and not gaps[0][3] \
            and gaps[0][0] is not None and gaps[0][2] is not None:
        # Open on both sides (within the universe) but for one minor: `!= '3.12.*'`.
        star = _star(gaps[0][0], gaps[0][2])
        if star is not None:
            return [[f"{PYTHON} != '{star}'"]]
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


def _python_of(cube: Cube) -> VersionSet:
    for var, c in cube:
        if var == PYTHON:
            assert isinstance(c, VersionSet)
            return c
    return VersionSet.full()


def _by_python(expr: MarkerExpr, universe: VersionSet) -> list[tuple[VersionSet, MarkerExpr]]:
    """The Python axis (within ``universe``) cut where the rest of ``expr`` changes: regions in
    ascending order, each with the rest that holds there; regions with an equivalent rest are
    joined (the first one's place is kept), and regions where nothing holds are left out."""
    regions = [universe]
    for cube in expr.cubes:
        versions = _python_of(cube)
        cut: list[VersionSet] = []
        for region in regions:
            for part in (region & versions, region & ~versions):
                if not part.is_empty():
                    cut.append(part)
        regions = cut
    regions.sort(key=lambda r: (r.lower() is not None, r.lower() or Version("0")))
    groups: list[tuple[VersionSet, MarkerExpr]] = []
    for region in regions:
        rest = FALSE
        for cube in expr.cubes:
            if region.issubset(_python_of(cube)):
                rest = rest | MarkerExpr((tuple((k, c) for k, c in cube if k != PYTHON),))
        if rest.is_false():
            continue
        for index, (versions, other) in enumerate(groups):
            if other.equivalent(rest):
                groups[index] = (versions | region, other)
                break
        else:
            groups.append((region, rest))
    return groups


_NEGATED_OPERATORS = {"<": ">=", ">=": "<", "<=": ">", ">": "<=", "==": "!=", "!=": "=="}


def _negation(term: str) -> str | None:
    """The term saying the opposite (``python_full_version < '3.12'`` ↔ ``… >= '3.12'``,
    ``sys_platform == 'linux'`` ↔ ``… != 'linux'``); ``None`` for opaque terms."""
    parts = term.split(" ", 2)
    if len(parts) != 3 or parts[1] not in _NEGATED_OPERATORS:
        return None
    return f"{parts[0]} {_NEGATED_OPERATORS[parts[1]]} {parts[2]}"


def _drop_redundant(clauses: list[list[str]], negations: dict[str, str]) -> list[list[str]]:
    """uv's DNF simplification (``marker/simplify.rs``): a term is dropped from a clause when
    another clause holds within the clause with that term negated (``A or (not A and B)`` is
    ``A or B``); then clauses that contain another clause go."""
    dnf = [list(c) for c in clauses]
    for i, clause in enumerate(dnf):
        redundant: list[int] = []
        for skipped, term in enumerate(clause):
            negated = negations.get(term) or _negation(term)
            for j, other in enumerate(dnf):
                if i == j:
                    continue
                if all(t != term and (t == negated or (t in clause and clause.index(t)
                                                       not in redundant)) for t in other):
                    redundant.append(skipped)
                    break
        dnf[i] = [t for k, t in enumerate(clause) if k not in redundant]
    removed: list[int] = []
    for i, clause in enumerate(dnf):
        for j, other in enumerate(dnf):
            if i == j or j in removed:
                continue
            if all(t in clause for t in other):
                removed.append(i)
                break
    return [c for k, c in enumerate(dnf) if k not in removed]


def render(expr: MarkerExpr, python_universe: VersionSet | None = None) -> str | None:
    """The expression as a PEP 508 marker string, ``None`` when it is always true.

    Python ranges are written relative to ``python_universe`` (the project's requires-python):
    bounds it already implies are left out, as uv writes them. An empty expression renders as
    ``python_full_version < '0'`` (a marker nothing satisfies).
    """
    return _render(expr, python_universe or VersionSet.full())


@lru_cache(maxsize=8192)
def _render(expr: MarkerExpr, universe: VersionSet) -> str | None:
    if not expr.cubes:
        return f"{PYTHON} < '0'"
    negations: dict[str, str] = {}
    for cube in expr.cubes:
        for var, _ in cube:
            if var.startswith("?"):
                text, _, negated = var[1:].partition("\x00")
                negations[text], negations[negated] = negated, text
    alternatives: list[list[str]] = []
    for versions, rest in _by_python(expr, universe):
        python_terms = _python_terms(versions, universe)
        for cube in rest.cubes:
            for tail in _cube_alternatives(cube, universe):
                alternatives.extend([*head, *tail] for head in python_terms)
    alternatives = _drop_redundant(alternatives, negations)
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
