"""PEP 508 markers as exact sets of environments: build, combine, compare and print them.

Why not evaluate markers on a handful of sample environments: a universal lock must say *for which
environments* each package and edge applies, and print that as a marker uv reads the same way.
Sampling would miss ``python_full_version >= '3.8.1'`` or a platform nobody sampled. Here a marker
is a disjunction of *cubes*; a cube constrains each variable independently (a
:class:`~ferry.resolve.marker_sets.VersionSet` for ``python_full_version``, a
:class:`~ferry.resolve.marker_sets.ValueSet` for string variables and for opaque atoms
such as ``'x' in platform_version`` or uv's conflict markers ``extra == 'extra-3-pkg-cpu'``).
Intersection, union and complement are exact, so "disjoint", "implies" and "always true" are
exact too; printing aims at uv's spelling and is finished by ``project/markers.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ferry.resolve.marker_sets import ValueSet, VersionSet

PYTHON = "python_full_version"
Constraint = VersionSet | ValueSet
#: Opaque atoms are string variables whose only value is "1": true when it holds.
_HOLDS = frozenset({"1"})
Cube = tuple[tuple[str, Constraint], ...]
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "===": "==="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "===": "!="}
_MAX_CUBES = 512
_PLATFORM_SYSTEMS = {"Windows": "win32", "Linux": "linux", "Darwin": "darwin"}


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
    return _empty(_and(c1, _not(c2)))


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


@dataclass(frozen=True, slots=True)
class MarkerExpr:
    """A set of environments: the union of ``cubes``. ``()`` is nothing, ``((),)`` everything."""

    cubes: tuple[Cube, ...]

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

    def __and__(self, other: MarkerExpr) -> MarkerExpr:
        if not self.cubes or not other.cubes:
            return FALSE
        if self.cubes == ((),):
            return other
        if other.cubes == ((),):
            return self
        cubes = [c for x in self.cubes for y in other.cubes if (c := _cube_and(x, y)) is not None]
        return MarkerExpr(_simplify(cubes))

    def __or__(self, other: MarkerExpr) -> MarkerExpr:
        if not self.cubes:
            return other
        if not other.cubes:
            return self
        return MarkerExpr(_simplify((*self.cubes, *other.cubes)))

    def __invert__(self) -> MarkerExpr:
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
        cubes: list[Cube] = []
        for cube in self.cubes:
            kept: list[tuple[str, Constraint]] = []
            for var, c in cube:
                if var in values:
                    assert isinstance(c, ValueSet)
                    holds_when_true = ("1" in c.values) == c.positive
                    if holds_when_true != values[var]:
                        break
                    continue
                kept.append((var, c))
            else:
                cubes.append(tuple(kept))
        return MarkerExpr(_simplify(cubes)) if cubes else FALSE

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
            cube = list(cubes[index])
            position = 0
            while position < len(cube):
                trial = tuple(cube[:position] + cube[position + 1:])
                candidate = MarkerExpr((*tuple(rest[:index]), trial, *tuple(rest[index:])))
                if (candidate & context).equivalent(target):
                    cube = list(trial)
                    continue
                position += 1
            cubes[index] = tuple(cube)
            index += 1
        return MarkerExpr(_simplify(cubes)) if cubes else FALSE

    def __repr__(self) -> str:
        return f"MarkerExpr({render(self)!r})"


TRUE = MarkerExpr(((),))
FALSE = MarkerExpr(())


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


# -- parsing -------------------------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def python_atom(var: str, op: str, value: str) -> MarkerExpr | None:
    """``python_version``/``python_full_version`` comparisons as version sets (``None`` when the
    value is not a version)."""
    star = value.endswith(".*")
    version = _version(value[:-2] if star else value)
    if version is None:
        return None
    release = version.release
    if star or (var == "python_version" and op in ("==", "!=")):
        if var == "python_version" and not star and len(release) != 2:
            return None
        prefix = release if star else release[:2]
        upper = Version(".".join(str(p) for p in (*prefix[:-1], prefix[-1] + 1)))
        within = VersionSet.between(Version(".".join(map(str, prefix))), upper)
        if op == "==":
            return MarkerExpr.python(within)
        if op == "!=":
            return MarkerExpr.python(~within)
        return None
    if var == "python_version" and len(release) == 2 and op in (">", "<="):
        following = Version(f"{release[0]}.{release[1] + 1}")
        return MarkerExpr.python(VersionSet.compare(">=" if op == ">" else "<", following))
    if op == "~=":
        return None
    return MarkerExpr.python(VersionSet.compare(op, version))


def _opaque(text: str, negated: str) -> MarkerExpr:
    """An atom ferry does not interpret, kept verbatim (with its negation's spelling)."""
    key = f"?{text}\x00{negated}"
    return MarkerExpr.atom(key, ValueSet(True, _HOLDS))


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _leaf(lhs: Any, op: Any, rhs: Any, extra: str | None) -> MarkerExpr:
    left_var = type(lhs).__name__ == "Variable"
    var, value = (lhs.value, rhs.value) if left_var else (rhs.value, lhs.value)
    operator = str(op.value)
    if operator in ("in", "not in"):
        if left_var:  # var in 'abc': a substring test of the literal
            text = f"{var} {operator} {_quote(value)}"
            neg = f"{var} {'not in' if operator == 'in' else 'in'} {_quote(value)}"
        else:
            text = f"{_quote(value)} {operator} {var}"
            neg = f"{_quote(value)} {'not in' if operator == 'in' else 'in'} {var}"
        return _opaque(text, neg) if operator == "in" else ~_opaque(neg, text)
    if not left_var:
        operator = _FLIP.get(operator, operator)
    if var == "extra":
        if extra is None:
            text = f"extra {operator} {_quote(canonicalize_name(value))}"
            return _opaque(text, f"extra {_NEGATE.get(operator, operator)} "
                                 f"{_quote(canonicalize_name(value))}")
        same = canonicalize_name(value) == extra
        if operator == "==":
            return TRUE if same else FALSE
        if operator == "!=":
            return FALSE if same else TRUE
        return FALSE
    if var in ("python_version", "python_full_version"):
        parsed = python_atom(var, operator, value)
        if parsed is not None:
            return parsed
    if var == "platform_system" and value in _PLATFORM_SYSTEMS and operator in ("==", "!="):
        # uv reads these as the sys_platform they imply, and writes them so.
        var, value = "sys_platform", _PLATFORM_SYSTEMS[value]
    if operator in ("==", "!=") and var not in ("implementation_version",):
        values = ValueSet(True, frozenset({value}))
        return MarkerExpr.atom(var, values if operator == "==" else ~values)
    text = f"{var} {operator} {_quote(value)}"
    return _opaque(text, f"{var} {_NEGATE.get(operator, operator)} {_quote(value)}")


def _walk(items: list[Any], extra: str | None) -> MarkerExpr:
    result = FALSE
    current = TRUE
    for item in items:
        if item == "or":
            result = result | current
            current = TRUE
        elif item == "and":
            continue
        elif isinstance(item, list):
            current = current & _walk(item, extra)
        else:
            lhs, op, rhs = item
            current = current & _leaf(lhs, op, rhs, extra)
    return result | current


_PARSED: dict[tuple[str, str | None], MarkerExpr] = {}


def parse_marker(marker: Marker | str | None, *, extra: str | None = "") -> MarkerExpr:
    """A marker as an expression. ``extra`` fixes the value of the ``extra`` variable (as when
    evaluating a dependency of that extra; ``""`` for none); ``None`` keeps ``extra`` atoms
    symbolic."""
    if marker is None:
        return TRUE
    text = str(marker)
    key = (text, extra)
    found = _PARSED.get(key)
    if found is None:
        parsed = marker if isinstance(marker, Marker) else Marker(text)
        found = _walk(parsed._markers, extra)  # type: ignore[attr-defined]
        if len(_PARSED) < 20_000:
            _PARSED[key] = found
    return found


# -- printing ------------------------------------------------------------------------------------


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


def conflict_flag(kind: str, package: str, name: str) -> MarkerExpr:
    """uv's encoding of "this extra/group of ``package`` is selected": a boolean atom written
    ``extra == '<kind>-<len>-<package>-<name>'``."""
    return MarkerExpr.atom(flag_key(kind, package, name), ValueSet(True, _HOLDS))


def flag_key(kind: str, package: str, name: str) -> str:
    """The variable of :func:`conflict_flag` (for :meth:`MarkerExpr.restrict`)."""
    token = f"{kind}-{len(package)}-{package}-{name}"
    return f"?extra == '{token}'\x00extra != '{token}'"
