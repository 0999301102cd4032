"""Where a dependency's marker-split sources leave it on the index.

``[tool.uv.sources] foo = [{ git = …, marker = "sys_platform == 'linux'" }]`` covers only Linux;
everywhere else ``foo`` still comes from the index, and uv records that part as a requirement
of its own (``{ name = "foo", marker = "sys_platform != 'linux'" }``). :func:`uncovered` computes
the marker of that part, in uv's spelling, with the DNF algebra of
:mod:`ferry.project.export_markers` (``packaging`` can evaluate markers but not negate them).
"""

from __future__ import annotations

from collections.abc import Iterable

from ferry.project.export_markers import FALSE, TRUE, Atom, Dnf, conj, disj, parse, render

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">",
            "in": "not in", "not in": "in", "===": "!=", "~=": "!="}


def _not_atom(atom: Atom) -> Dnf:
    var, op, value = atom
    if op == "~=":
        raise ValueError(f"cannot negate `{var} ~= {value}`")
    return frozenset({frozenset({(var, _NEGATED[op], value)})})


def negate(dnf: Dnf) -> Dnf:
    """``not dnf``: De Morgan over the clauses, each clause becoming the "or" of its negated
    atoms."""
    result = TRUE
    for clause in dnf:
        either = FALSE
        for atom in clause:
            either = disj(either, _not_atom(atom))
        result = conj(result, either)
    return result


def uncovered(markers: Iterable[str]) -> str | bool | None:
    """The marker where none of ``markers`` holds: its text, ``False`` when they cover every
    environment, ``None`` for "everywhere" (no markers at all)."""
    covered = FALSE
    for marker in markers:
        covered = disj(covered, parse(marker))
    rest = negate(covered)
    if not rest:
        return False
    return render(rest)
