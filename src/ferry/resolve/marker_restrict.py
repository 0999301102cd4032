"""uv's "restrict a marker by an assumption", replayed on ferry's marker sets.

Why: with ``[tool.uv] environments`` uv writes each dependency edge of the lock restricted to the
declared environments, and the shape it picks is the one its decision diagram gives, not the
smallest marker: inside ``linux | darwin`` a darwin-only edge becomes ``sys_platform !=
'linux'`` while a linux-only edge stays ``sys_platform == 'linux'``. To write the same bytes
ferry walks the same diagram: variables in uv's order (string variables from ``os_name`` and
``sys_platform`` down, then ``implementation_version``, ``python_full_version``, then opaque
atoms), each split into its ranges in value order; a range the assumption rules out takes the
result of the *first* range it allows, so the decision on that variable often disappears.

The result equals ``value`` wherever ``assumption`` holds; outside it, it is whatever the walk
gives (uv's semantics), which is why it may only be used where the assumption is known to hold.
"""

from __future__ import annotations

from functools import lru_cache

from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_expr import FALSE, TRUE, Constraint, Cube, MarkerExpr
from ferry.resolve.marker_sets import ValueSet

#: uv's variable order (its ``Variable`` enum: string keys first, then version keys).
_ORDER = (
    "os_name", "sys_platform", "platform_system", "platform_machine",
    "platform_python_implementation", "platform_release", "platform_version",
    "implementation_name", "implementation_version", "python_full_version",
)
_RANK = {name: index for index, name in enumerate(_ORDER)}


def _rank(var: str) -> tuple[int, str]:
    return (_RANK.get(var, len(_ORDER)), var)


def restrict(value: MarkerExpr, assumption: MarkerExpr) -> MarkerExpr:
    """``value`` simplified on the assumption that ``assumption`` holds, as uv does it."""
    return _restrict(value, assumption)


def _constraints(expr: MarkerExpr, var: str) -> list[Constraint]:
    return [c for cube in expr.cubes for k, c in cube if k == var]


def _pieces(var: str, exprs: tuple[MarkerExpr, ...]) -> list[Constraint]:
    """The ranges of ``var`` on which every expression in ``exprs`` is constant, in value order."""
    found = [c for expr in exprs for c in _constraints(expr, var)]
    if not found:
        return []
    if isinstance(found[0], VersionSet):
        points = sorted({p for c in found if isinstance(c, VersionSet) for p in c.points})
        pieces: list[Constraint] = [VersionSet.compare("<", points[0])]
        for here, after in zip(points, [*points[1:], None], strict=True):
            pieces.append(VersionSet.compare("==", here))
            above = VersionSet.compare(">", here)
            pieces.append(above if after is None else above & VersionSet.compare("<", after))
        return pieces
    values = sorted({v for c in found if isinstance(c, ValueSet) for v in c.values})
    other = ValueSet(False, frozenset(values))
    # every gap between two mentioned values behaves alike: one entry stands for them all,
    # placed where the first gap is (before the smallest value, unless that is "")
    ordered: list[Constraint] = [other] if values[0] != "" else []
    ordered.extend(ValueSet(True, frozenset({v})) for v in values)
    if values[0] == "":
        ordered.append(other)
    return ordered


def _cofactor(expr: MarkerExpr, var: str, piece: Constraint) -> MarkerExpr:
    """``expr`` where ``var`` takes a value of ``piece`` (on which ``expr`` is constant)."""
    cubes: list[Cube] = []
    for cube in expr.cubes:
        kept = []
        inside = True
        for k, c in cube:
            if k != var:
                kept.append((k, c))
            elif not piece.issubset(c):  # type: ignore[arg-type]
                inside = False
                break
        if inside:
            cubes.append(tuple(kept))
    result = FALSE
    for cube in cubes:  # each union simplifies: dropping ``var`` may make cubes overlap
        result = result | MarkerExpr((cube,))
    return result


def _top(expr: MarkerExpr) -> str | None:
    """The first variable (in uv's order) ``expr`` really depends on."""
    names = sorted({k for cube in expr.cubes for k, _ in cube}, key=_rank)
    for var in names:
        pieces = _pieces(var, (expr,))
        first = _cofactor(expr, var, pieces[0])
        if any(not _cofactor(expr, var, p).equivalent(first) for p in pieces[1:]):
            return var
    return None


@lru_cache(maxsize=4096)
def _restrict(value: MarkerExpr, assumption: MarkerExpr) -> MarkerExpr:
    if value.is_false() or assumption.is_true() or value.is_true():
        return value
    if assumption.is_false():
        return FALSE
    if value.equivalent(assumption):
        return TRUE
    if value.equivalent(~assumption):
        return FALSE
    mine, theirs = _top(value), _top(assumption)
    if mine is None:  # constant after all
        return value
    if theirs is None:
        return value
    if _rank(mine) > _rank(theirs):
        # the value does not depend on the assumption's first variable: quantify it out
        return _restrict(value, assumption.without(theirs))
    pieces = _pieces(mine, (value, assumption))
    results: list[tuple[Constraint, MarkerExpr | None]] = []
    fallback: MarkerExpr | None = None
    for piece in pieces:
        allowed = _cofactor(assumption, mine, piece)
        if mine != theirs or not allowed.is_false():
            result = _restrict(_cofactor(value, mine, piece), allowed)
            if fallback is None:
                fallback = result
            results.append((piece, result))
        else:
            results.append((piece, None))
    if fallback is None:
        return FALSE
    total = FALSE
    for piece, found in results:
        total = total | (MarkerExpr.atom(mine, piece) & (fallback if found is None else found))
    return total
