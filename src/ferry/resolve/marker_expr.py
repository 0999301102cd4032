"""PEP 508 markers as exact sets of environments: build, combine, compare and print them.

Why not evaluate markers on a handful of sample environments: a universal lock must say *for which
environments* each package and edge applies, and print that as a marker uv reads the same way.
Sampling would miss ``python_full_version >= '3.8.1'`` or a platform nobody sampled. Here a marker
is a disjunction of *cubes*; a cube constrains each variable independently (a
:class:`~ferry.resolve.marker_sets.VersionSet` for ``python_full_version``, a
:class:`~ferry.resolve.marker_sets.ValueSet` for string variables and for opaque atoms
such as ``'x' in platform_version`` or uv's conflict markers ``extra == 'extra-3-pkg-cpu'``).
Intersection, union and complement are exact, so "disjoint", "implies" and "always true" are
exact too. Reading marker strings is :mod:`ferry.resolve.marker_parse`'s job, writing them
:mod:`ferry.resolve.marker_render`'s.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ferry.model.immutable import immutable
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_markers import Marker
from ferry.model.value_fields import field
from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_sets import ValueSet

PYTHON = "python_full_version"
Constraint = VersionSet | ValueSet
#: Opaque atoms are string variables whose only value is "1": true when it holds.
HOLDS = frozenset({"1"})
Cube = tuple[tuple[str, Constraint], ...]
_MAX_CUBES = 512


def _full(c: Constraint) -> bool:
    return c.is_full()


def _empty(c: Constraint) -> bool:
    return c.is_empty()


def _and(a: Constraint, b: Constraint) -> Constraint:
    return a & b  # type: ignore[operator]


def _or(a: Constraint, b: Constraint) -> Constraint:
    return a | b  # type: ignore[operator]


def _not(a: Constraint) -> Constraint:
    return ~a


def _cube_and(x: Cube, y: Cube) -> Cube | None:
    merged = dict(x)
    for var, c in y:
        merged[var] = _and(merged[var], c) if var in merged else c
        if _empty(merged[var]):
            return None
    return tuple(sorted((k, v) for k, v in merged.items() if not _full(v)))


def _subset(c1: Constraint, c2: Constraint) -> bool:
    return c1 is c2 or c1.issubset(c2)  # type: ignore[arg-type]


def _cube_within(small: Cube, big: Cube) -> bool:
    mine = dict(small)
    return all(var in mine and _subset(mine[var], c) for var, c in big)


def _simplify(cubes: Iterable[Cube]) -> tuple[Cube, ...]:
    work = list(dict.fromkeys(cubes))
    changed = True
    while changed:
        changed = False
        kept: list[Cube] = []
        for cube in work:
            if any(other != cube and _cube_within(cube, other) for other in work):
                changed = True
                continue
            kept.append(cube)
        work = list(dict.fromkeys(kept))
        merged = _merge_once(work)
        if merged is not None:
            work = merged
            changed = True
    return tuple(sorted(work, key=repr))


def _union_missing(a: dict[str, Constraint], b: dict[str, Constraint], var: str) -> Constraint:
    """The union when one of the cubes leaves ``var`` unconstrained: everything."""
    present = a.get(var, b.get(var))
    assert present is not None
    return _or(present, _not(present))


def _merge_once(cubes: list[Cube]) -> list[Cube] | None:
    """Merge two cubes that differ in one variable only; ``None`` when nothing merges."""
    for i, j in itertools.combinations(range(len(cubes)), 2):
        a, b = dict(cubes[i]), dict(cubes[j])
        if set(a) != set(b):
            diff = set(a) ^ set(b)
            if len(diff) != 1 or any(a.get(k) != b.get(k) for k in (set(a) & set(b))):
                continue
            var = next(iter(diff))
            union = _union_missing(a, b, var)
        else:
            differing = [k for k in a if a[k] != b[k]]
            if len(differing) != 1:
                continue
            var = differing[0]
            union = _or(a[var], b[var])
        merged = {k: v for k, v in a.items() if k != var}
        if not _full(union):
            merged[var] = union
        rest = [c for k, c in enumerate(cubes) if k not in (i, j)]
        return [*rest, tuple(sorted(merged.items()))]
    return None


@immutable
class MarkerExpr:
    """A set of environments: the union of ``cubes``. ``()`` is nothing, ``((),)`` everything."""

    cubes: tuple[Cube, ...]
    # Forks, edges and reachability key dicts by marker: the same expressions are hashed
    # thousands of times per lock, each walk visiting every cube's sets (computed once).
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash(self.cubes) or 1)
        return self._hash

    # -- construction ------------------------------------------------------------------------

    @staticmethod
    def true() -> MarkerExpr:
        return TRUE

    @staticmethod
    def false() -> MarkerExpr:
        return FALSE

    @staticmethod
    def atom(var: str, constraint: Constraint) -> MarkerExpr:
        if _empty(constraint):
            return FALSE
        if _full(constraint):
            return TRUE
        return MarkerExpr((((var, constraint),),))

    @staticmethod
    def python(versions: VersionSet) -> MarkerExpr:
        return MarkerExpr.atom(PYTHON, versions)


    # -- algebra -----------------------------------------------------------------------------

    # Resolution, merging and lock writing combine the same few markers over and over (every
    # fork, every edge, every reachability pass): results are memoised, the values being
    # immutable and hashable.

    def __and__(self, other: MarkerExpr) -> MarkerExpr:
        if not self.cubes or not other.cubes:
            return FALSE
        if self.cubes == ((),):
            return other
        if other.cubes == ((),):
            return self
        return _conjunction(self, other)

    def __or__(self, other: MarkerExpr) -> MarkerExpr:
        if not self.cubes:
            return other
        if not other.cubes:
            return self
        return _disjunction(self, other)

    def __invert__(self) -> MarkerExpr:
        return _complement(self)

    def _complement(self) -> MarkerExpr:
        result = TRUE
        for cube in self.cubes:
            negated = MarkerExpr(_simplify(
                (((var, _not(c)),) for var, c in cube if not _full(_not(c)))
            )) if cube else FALSE
            result = result & negated
            if len(result.cubes) > _MAX_CUBES:
                raise ValueError("marker expression too complex")
            if not result.cubes:
                break
        return result

    def is_false(self) -> bool:
        return not self.cubes

    def is_true(self) -> bool:
        return self.cubes == ((),) or (~self).is_false()

    def disjoint(self, other: MarkerExpr) -> bool:
        return (self & other).is_false()

    def implies(self, other: MarkerExpr) -> bool:
        return (self & ~other).is_false()

    def equivalent(self, other: MarkerExpr) -> bool:
        return self == other or (self.implies(other) and other.implies(self))

    # -- projections -------------------------------------------------------------------------

    def python_versions(self) -> VersionSet:
        """The Python versions of some environment in the set."""
        result = VersionSet.empty()
        for cube in self.cubes:
            result = result | dict(cube).get(PYTHON, VersionSet.full())  # type: ignore[operator]
        return result

    def python_lower(self) -> Version | None:
        """Where the set's Python versions start (``None`` when unbounded or empty)."""
        return self.python_versions().lower()

    def restrict(self, values: Mapping[str, bool]) -> MarkerExpr:
        """The expression with some opaque atoms (keys as :func:`flag_key` gives) fixed."""
        return _restricted(self, tuple(sorted(values.items())))

    def without(self, var: str) -> MarkerExpr:
        """The set with ``var`` unconstrained (projection)."""
        return MarkerExpr(_simplify(tuple((k, c) for k, c in cube if k != var)
                                    for cube in self.cubes))

    def pep508(self) -> MarkerExpr:
        """The set with opaque flags (conflict markers) unconstrained."""
        return MarkerExpr(_simplify(tuple((k, c) for k, c in cube if not k.startswith("?"))
                                    for cube in self.cubes))

    def evaluate(self, env: Mapping[str, str]) -> bool:
        """Whether the environment ``env`` (string values) belongs to the set."""
        return any(all(_holds(var, c, env) for var, c in cube) for cube in self.cubes)

    # -- simplification ----------------------------------------------------------------------

    def simplify_given(self, context: MarkerExpr) -> MarkerExpr:
        """A simpler expression equal to ``self`` wherever ``context`` holds.

        Constraints the context already implies are dropped one at a time, each drop checked
        exactly, so the result never changes meaning inside the context.
        """
        return _simplified_given(self, context)

    def _simplify_given(self, context: MarkerExpr) -> MarkerExpr:
        target = self & context
        if target.is_false():
            return FALSE
        if context.implies(self):
            return TRUE
        cubes = list(self.cubes)
        index = 0
        while index < len(cubes):
            rest = cubes[:index] + cubes[index + 1:]
            if (MarkerExpr(tuple(rest)) & context).equivalent(target):
                cubes = rest
                continue
            cubes[index] = _relaxed(cubes[index], rest[:index], rest[index:], context, target)
            index += 1
        return MarkerExpr(_simplify(cubes)) if cubes else FALSE

    def __repr__(self) -> str:
        from ferry.resolve.marker_render import render

        return f"MarkerExpr({render(self)!r})"


TRUE = MarkerExpr(((),))
FALSE = MarkerExpr(())


@lru_cache(maxsize=32768)
def _conjunction(a: MarkerExpr, b: MarkerExpr) -> MarkerExpr:
    cubes = [c for x in a.cubes for y in b.cubes if (c := _cube_and(x, y)) is not None]
    return MarkerExpr(_simplify(cubes))


@lru_cache(maxsize=32768)
def _disjunction(a: MarkerExpr, b: MarkerExpr) -> MarkerExpr:
    return MarkerExpr(_simplify((*a.cubes, *b.cubes)))


@lru_cache(maxsize=16384)
def _complement(a: MarkerExpr) -> MarkerExpr:
    return a._complement()


# Writing a lock restricts and simplifies each edge's marker within its parent's reach: the same
# few markers and contexts come back for most edges, and each simplification costs dozens of
# cube comparisons.
@lru_cache(maxsize=16384)
def _simplified_given(a: MarkerExpr, context: MarkerExpr) -> MarkerExpr:
    return a._simplify_given(context)


@lru_cache(maxsize=16384)
def _restricted(a: MarkerExpr, values: tuple[tuple[str, bool], ...]) -> MarkerExpr:
    fixed = dict(values)
    cubes: list[Cube] = []
    for cube in a.cubes:
        kept: list[tuple[str, Constraint]] = []
        for var, c in cube:
            if var in fixed:
                assert isinstance(c, ValueSet)
                holds_when_true = ("1" in c.values) == c.positive
                if holds_when_true != fixed[var]:
                    break
                continue
            kept.append((var, c))
        else:
            cubes.append(tuple(kept))
    return MarkerExpr(_simplify(cubes)) if cubes else FALSE


def _relaxed(
    cube: Cube,
    before: list[Cube],
    after: list[Cube],
    context: MarkerExpr,
    target: MarkerExpr,
) -> Cube:
    """``cube`` with every constraint the context makes useless dropped (or, for Python
    ranges, opened on the side the context already bounds), keeping ``target`` exact."""

    def fits(trial: Cube) -> bool:
        candidate = MarkerExpr((*before, trial, *after))
        return (candidate & context).equivalent(target)

    items = list(cube)
    position = 0
    while position < len(items):
        trial = tuple(items[:position] + items[position + 1:])
        if fits(trial):
            items = list(trial)
            continue
        var, constraint = items[position]
        if isinstance(constraint, VersionSet):
            # A Python bound the context already implies goes: [3.9, 3.10) is just "< 3.10"
            # for a parent only reached from 3.9 on.
            for side in ("below", "above"):
                wider = _widened(constraint, side)
                if wider is None:
                    continue
                trial = (*items[:position], (var, wider), *items[position + 1:])
                if fits(trial):
                    items = list(trial)
                    constraint = wider
        position += 1
    return tuple(items)


def _widened(versions: VersionSet, side: str) -> VersionSet | None:
    """``versions`` opened below its lowest or above its highest bound (``None``: already
    open there)."""
    spans = list(versions.intervals())
    if not spans:
        return None
    if side == "below":
        low = spans[0][0]
        return None if low is None else versions | VersionSet.compare("<", low)
    high = spans[-1][2]
    return None if high is None else versions | VersionSet.compare(">=", high)


def _holds(var: str, c: Constraint, env: Mapping[str, str]) -> bool:
    value = env.get(var)
    if value is None:
        return False
    if isinstance(c, VersionSet):
        try:
            return c.contains(Version(value))
        except InvalidVersion:
            return False
    return (value in c.values) == c.positive


def conflict_flag(kind: str, package: str, name: str) -> MarkerExpr:
    """uv's encoding of "this extra/group of ``package`` is selected": a boolean atom written
    ``extra == '<kind>-<len>-<package>-<name>'``."""
    return MarkerExpr.atom(flag_key(kind, package, name), ValueSet(True, HOLDS))


def flag_key(kind: str, package: str, name: str) -> str:
    """The variable of :func:`conflict_flag` (for :meth:`MarkerExpr.restrict`)."""
    token = f"{kind}-{len(package)}-{package}-{name}"
    return f"?extra == '{token}'\x00extra != '{token}'"


# The two entry points most callers want, kept here so ``marker_expr`` stays the one import
# (other commands use them); the work is done in the modules named.
def parse_marker(marker: Marker | str | None, *, extra: str | None = "") -> MarkerExpr:
    """See :func:`ferry.resolve.marker_parse.parse_marker`."""
    from ferry.resolve.marker_parse import parse_marker as parse

    return parse(marker, extra=extra)


def render(expr: MarkerExpr, python_universe: VersionSet | None = None) -> str | None:
    """See :func:`ferry.resolve.marker_render.render`."""
    from ferry.resolve.marker_render import render as write

    return write(expr, python_universe)
