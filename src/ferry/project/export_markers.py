"""A small algebra of PEP 508 markers for exports: and, or, and simplification.

Why: an export flattens the lock's graph, so each package needs the marker under which *some*
path from the project reaches it — the "or" over paths of the "and" of the edge markers along
each path. ``packaging`` can evaluate markers but not combine them, and a naive textual
combination grows without bound and prints clauses that can never hold. Markers are kept here in
disjunctive normal form (a set of clauses, each a set of atoms) and simplified as they are built:

* a clause that cannot hold is dropped (``sys_platform == 'linux' and sys_platform == 'win32'``,
  an empty Python version range); ``extra`` and ``group`` are sets (several extras can be
  active at once), so only ``extra == 'a' and extra != 'a'`` is a contradiction for them;
* version bounds on one variable collapse to the tightest pair;
* a clause implied by another is dropped (absorption: ``a or (a and b)`` is ``a``);
* two clauses that differ only in one atom and its negation merge (``(a and b) or (a and not
  b)`` is ``a``).

That is not the canonical form uv's decision diagrams reach in every case, but it is exact (the
result selects the same environments) and reaches uv's spelling for the markers real locks
produce; :func:`render` prints it in uv's canonical order via :mod:`ferry.project.markers`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from typing import Any

from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_markers import Marker
from ferry.project.marker_ranges import merge_version_ranges, version_or_none
from ferry.project.markers import canonical_marker

Atom = tuple[str, str, str]
"""``(variable, operator, value)``; ``in``/``not in`` atoms keep packaging's meaning
(``'value' in variable``)."""
Clause = frozenset[Atom]
Dnf = frozenset[Clause]

TRUE: Dnf = frozenset({frozenset()})
FALSE: Dnf = frozenset()

_VERSION_VARS = {"python_full_version", "python_version", "implementation_version"}
_SET_VARS = {"extra", "group"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "===": "==="}
_NEGATE = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
}
_MAX_CLAUSES = 256


def _atom(lhs: Any, op: Any, rhs: Any) -> Atom:
    operator = str(op.value)
    if type(lhs).__name__ == "Variable":
        var, value = str(lhs.value), str(rhs.value)
    else:
        var, value = str(rhs.value), str(lhs.value)
        if operator not in ("in", "not in"):
            operator = _FLIP.get(operator, operator)
    if var == "python_version" and operator in ("<", "<=", ">", ">=", "==", "!="):
        return _python_version(operator, value)
    return (var, operator, value)


def _python_version(op: str, value: str) -> Atom:
    """``python_version`` compares major.minor; express it on ``python_full_version`` (as uv)."""
    try:
        release = Version(value).release
    except InvalidVersion:
        return ("python_version", op, value)
    if len(release) != 2:
        return ("python_version", op, value)
    major, minor = release
    following = f"{major}.{minor + 1}"
    if op == ">":
        return ("python_full_version", ">=", following)
    if op == "<=":
        return ("python_full_version", "<", following)
    if op in ("==", "!="):
        return ("python_full_version", op, f"{major}.{minor}.*")
    return ("python_full_version", op, value)


def _from_items(items: list[Any]) -> Dnf:
    result = FALSE
    current = TRUE
    for item in items:
        if item == "or":
            result = disj(result, current)
            current = TRUE
        elif item == "and":
            continue
        elif isinstance(item, list):
            current = conj(current, _from_items(item))
        else:
            current = conj(current, frozenset({frozenset({_atom(*item)})}))
    return disj(result, current)


@lru_cache(maxsize=4096)
def parse(marker: str | None) -> Dnf:
    """The DNF of ``marker`` (``None`` or empty means "always")."""
    if not marker:
        return TRUE
    return _from_items(Marker(marker)._markers)  # type: ignore[attr-defined]


def conj(left: Dnf, right: Dnf) -> Dnf:
    if not left or not right:
        return FALSE
    if left == TRUE:
        return right
    if right == TRUE:
        return left
    clauses = set()
    for a in left:
        for b in right:
            merged = _normalise(a | b)
            if merged is not None:
                clauses.add(merged)
    return simplify(clauses)


def disj(left: Dnf, right: Dnf) -> Dnf:
    if left == TRUE or right == TRUE:
        return TRUE
    return simplify(set(left) | set(right))


def within_forks(marker: Dnf, resolution_markers: Collection[str]) -> Dnf:
    """``marker`` where one of a package's forks holds (all of ``marker`` when it has none):
    a requirement that several locked versions answer reaches each only in its own forks."""
    if not resolution_markers:
        return marker
    forks = FALSE
    for fork in resolution_markers:
        forks = disj(forks, parse(fork))
    return conj(forks, marker)


def substitute(dnf: Dnf, decide: Callable[[Atom], bool | None]) -> Dnf:
    """Replace atoms ``decide`` knows (True/False) by their value; keep the others."""
    clauses = set()
    for clause in dnf:
        kept = []
        for atom in clause:
            value = decide(atom)
            if value is False:
                break
            if value is None:
                kept.append(atom)
        else:
            clauses.add(frozenset(kept))
    return simplify(clauses)


def simplify(clauses: Iterable[Clause]) -> Dnf:
    current = {c for c in clauses if c is not None}
    if frozenset() in current:
        return TRUE
    changed = True
    rounds = 0
    while changed and rounds < 32:
        rounds += 1
        changed = False
        ordered = sorted(current, key=len)
        kept: list[Clause] = []
        for clause in ordered:
            if not any(other <= clause for other in kept):
                kept.append(clause)
        if len(kept) != len(current):
            changed = True
        current = set(kept)
        merged = _merge_complements(current)
        if merged is None:
            merged = merge_version_ranges(current)
        if merged is not None:
            current = merged
            changed = True
        if frozenset() in current:
            return TRUE
    if len(current) > _MAX_CLAUSES:  # pragma: no cover - pathological locks only
        current = set(sorted(current, key=len)[:_MAX_CLAUSES])
    return frozenset(current)


def _merge_complements(clauses: set[Clause]) -> set[Clause] | None:
    for clause in clauses:
        for atom in clause:
            negated = (atom[0], _NEGATE.get(atom[1], ""), atom[2])
            rest = clause - {atom}
            partner = rest | {negated}
            if partner in clauses:
                return (clauses - {clause, partner}) | {rest}
    return None


def _normalise(clause: Clause) -> Clause | None:
    """``clause`` with redundant version bounds removed; None when it can never hold."""
    by_var: dict[str, list[Atom]] = {}
    for atom in clause:
        by_var.setdefault(atom[0], []).append(atom)
    result: set[Atom] = set()
    for var, atoms in by_var.items():
        if var in _VERSION_VARS:
            reduced = _version_atoms(atoms)
        else:
            reduced = _string_atoms(atoms)
        if reduced is None:
            return None
        result.update(reduced)
    return frozenset(result)


def _string_atoms(atoms: list[Atom]) -> list[Atom] | None:
    equal = {a[2] for a in atoms if a[1] == "=="}
    unequal = {a[2] for a in atoms if a[1] == "!="}
    if equal & unequal:
        return None
    if atoms[0][0] in _SET_VARS:  # several extras (groups) can be active at once
        return atoms
    if len(equal) > 1:
        return None
    if equal:  # `x == 'a'` makes every `x != 'b'` redundant
        return [a for a in atoms if a[1] != "!="]
    return atoms


def _version_atoms(atoms: list[Atom]) -> list[Atom] | None:
    lower: tuple[Version, bool, Atom] | None = None  # (bound, inclusive, atom)
    upper: tuple[Version, bool, Atom] | None = None
    others: list[Atom] = []
    for atom in atoms:
        _, op, value = atom
        version = version_or_none(value) if op in ("<", "<=", ">", ">=") else None
        if version is None:
            others.append(atom)
            continue
        if op in (">", ">="):
            inclusive = op == ">="
            if lower is None or version > lower[0] or (version == lower[0] and not inclusive):
                lower = (version, inclusive, atom)
        else:
            inclusive = op == "<="
            if upper is None or version < upper[0] or (version == upper[0] and not inclusive):
                upper = (version, inclusive, atom)
    if (
        lower is not None
        and upper is not None
        and (lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1])))
    ):
        return None
    for _, op, value in others:
        if op == "==" and not value.endswith(".*"):
            pinned = version_or_none(value)
            if pinned is not None and not _within(pinned, lower, upper):
                return None
    bounds = [b[2] for b in (lower, upper) if b is not None]
    return bounds + others


def _within(
    version: Version,
    lower: tuple[Version, bool, Atom] | None,
    upper: tuple[Version, bool, Atom] | None,
) -> bool:
    if lower is not None and (version < lower[0] or (version == lower[0] and not lower[1])):
        return False
    return not (
        upper is not None and (version > upper[0] or (version == upper[0] and not upper[1]))
    )


def _atom_text(atom: Atom) -> str:
    var, op, value = atom
    quoted = f'"{value}"' if "'" in value else f"'{value}'"
    if op in ("in", "not in"):
        return f"{quoted} {op} {var}"
    return f"{var} {op} {quoted}"


def render(dnf: Dnf) -> str | None:
    """uv's canonical text of ``dnf``; None for "always" (and for "never", which callers drop)."""
    if dnf == TRUE or not dnf:
        return None
    parts = []
    for clause in sorted(dnf, key=lambda c: sorted(c)):
        text = " and ".join(_atom_text(a) for a in sorted(clause))
        parts.append(f"({text})" if len(clause) > 1 and len(dnf) > 1 else text)
    return canonical_marker(" or ".join(parts))
