"""PEP 508 markers in uv's canonical spelling, and a semantic equality test.

Why: ``[package.metadata]`` in ``uv.lock`` records each declared requirement with uv's canonical
marker (``python_version >= "3.12"`` becomes ``python_full_version >= '3.12'``, terms of a
conjunction are ordered by variable, ``extra == 'x'`` last). Writing the same spelling keeps
ferry's locks identical to uv's; comparing *semantically* keeps the freshness check from
declaring a lock stale because two tools spelled one marker differently.

The canonical form here covers what projects write in practice — single terms, conjunctions,
disjunctions of those — exactly as uv 0.13 prints them (checked against real locks). Deeper
boolean structure is normalised term by term but not re-factored the way uv's decision diagrams
would; :func:`markers_equivalent` still compares such markers correctly.
"""

from __future__ import annotations

import itertools
from typing import Any

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_markers import InvalidMarker, Marker

log = get_logger(__name__)

# uv's variable order: version variables, then string variables alphabetically, then extras.
_VERSION_VARS = ("python_full_version", "implementation_version")
_STRING_VARS = (
    "implementation_name",
    "os_name",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "sys_platform",
)
_RANK = {name: i for i, name in enumerate((*_VERSION_VARS, *_STRING_VARS, "extra"))}
_EXTRA_KIND: tuple[Any, ...] = (_RANK["extra"],)
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "===": "==="}
_MAX_EVALUATIONS = 50_000
_SYSTEM_TO_PLATFORM = {"Windows": "win32", "Linux": "linux", "Darwin": "darwin"}


@immutable
class _Atom:
    var: str
    op: str
    value: str
    contains: bool = False  # ``'value' in var`` / ``'value' not in var``

    def render(self) -> str:
        quoted = _quote(self.value)
        if self.contains:
            return f"{quoted} {self.op} {self.var}"
        return f"{self.var} {self.op} {quoted}"

    def conj_key(self) -> tuple[Any, ...]:
        rank = _RANK.get(self.var, len(_RANK)) + (0.5 if self.contains else 0)
        op_rank = {"==": 0, ">": 1, ">=": 1, "<": 2, "<=": 2}.get(self.op, 3)
        return (rank, op_rank, _value_key(self.value))

    def disj_key(self) -> tuple[Any, ...]:
        rank = _RANK.get(self.var, len(_RANK)) + (0.5 if self.contains else 0)
        if self.var in _VERSION_VARS and self.op in ("<", "<="):
            return (rank, 0, (0, Version("0")), self.op)
        return (rank, 1, _value_key(self.value), self.op)


def _value_key(value: str) -> tuple[int, Any]:
    try:
        return (0, Version(value.removesuffix(".*")))
    except InvalidVersion:
        return (1, value)


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


Conjunction = tuple[_Atom, ...]


def _atom(lhs: Any, op: Any, rhs: Any) -> _Atom:
    left_is_var = type(lhs).__name__ == "Variable"
    var, value = (lhs.value, rhs.value) if left_is_var else (rhs.value, lhs.value)
    operator = str(op.value)
    if operator in ("in", "not in"):
        return _Atom(var, operator, value, contains=not left_is_var)
    if not left_is_var:
        operator = _FLIP.get(operator, operator)
    if var == "extra":
        value = canonicalize_name(value)
    if var == "python_version" and operator in ("<", "<=", ">", ">=", "==", "!="):
        return _python_version_atom(operator, value)
    if var == "platform_system" and operator in ("==", "!=") and value in _SYSTEM_TO_PLATFORM:
        # uv reads platform_system as the sys_platform it implies and writes it that way.
        return _Atom("sys_platform", operator, _SYSTEM_TO_PLATFORM[value])
    return _Atom(var, operator, value)


def _python_version_atom(op: str, value: str) -> _Atom:
    """``python_version`` compares ``major.minor`` only; uv rewrites it as the equivalent range
    on ``python_full_version``."""
    try:
        release = Version(value).release
    except InvalidVersion:
        return _Atom("python_version", op, value)
    if len(release) != 2:
        return _Atom("python_version", op, value)
    major, minor = release
    following = f"{major}.{minor + 1}"
    if op == ">":
        return _Atom("python_full_version", ">=", following)
    if op == "<=":
        return _Atom("python_full_version", "<", following)
    if op in ("==", "!="):
        return _Atom("python_full_version", op, f"{major}.{minor}.*")
    return _Atom("python_full_version", op, value)


def _dnf(items: list[Any]) -> list[Conjunction]:
    """Disjunctive normal form of packaging's parsed marker list (``and`` binds tighter)."""
    disjuncts: list[list[Any]] = [[]]
    for item in items:
        if item == "or":
            disjuncts.append([])
        elif item != "and":
            disjuncts[-1].append(item)
    result: list[Conjunction] = []
    for conjunct in disjuncts:
        parts: list[list[Conjunction]] = []
        for item in conjunct:
            if isinstance(item, list):
                parts.append(_dnf(item))
            else:
                parts.append([(_atom(*item),)])
        for combo in itertools.product(*parts):
            merged: list[_Atom] = []
            for conj in combo:
                merged.extend(a for a in conj if a not in merged)
            result.append(tuple(merged))
    return result


def _render(dnf: list[Conjunction]) -> str:
    conjunctions = [tuple(sorted(c, key=_Atom.conj_key)) for c in dnf]
    unique = list(dict.fromkeys(conjunctions))
    # uv sorts clauses by the *kinds* of their terms, and every `extra` term is of one kind: a
    # clause of fewer extras comes first, whatever their names; the values decide ties.
    unique.sort(key=lambda c: ([_EXTRA_KIND if a.var == "extra" else a.disj_key() for a in c],
                               [a.disj_key() for a in c]))
    if len(unique) == 1:
        return " and ".join(a.render() for a in unique[0])
    rendered = []
    for conj in unique:
        text = " and ".join(a.render() for a in conj)
        rendered.append(f"({text})" if len(conj) > 1 else text)
    return " or ".join(rendered)


def _parse(marker: str) -> list[Any]:
    return Marker(marker)._markers  # type: ignore[attr-defined,no-any-return]


def canonical_marker(marker: str) -> str:
    """``marker`` spelled the way uv writes it in ``uv.lock``; raises ``InvalidMarker``."""
    return _render(_dnf(_parse(marker)))


def conjoin_extra(marker: str | None, extra: str) -> str:
    """The marker of a requirement declared under ``[project.optional-dependencies] extra``."""
    atom = _Atom("extra", "==", canonicalize_name(extra))
    if not marker:
        return atom.render()
    return _render([(*conj, atom) for conj in _dnf(_parse(marker))])


# -- semantic equality -------------------------------------------------------------------------

_DEFAULT_ENV = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.0",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "3.12.0",
    "python_version": "3.12",
    "sys_platform": "linux",
    "extra": "",
}


def _literals(items: list[Any], found: dict[str, set[str]]) -> None:
    for item in items:
        if isinstance(item, list):
            _literals(item, found)
        elif isinstance(item, tuple):
            lhs, _, rhs = item
            if type(lhs).__name__ == "Variable":
                found.setdefault(lhs.value, set()).add(rhs.value)
            else:
                found.setdefault(rhs.value, set()).add(lhs.value)


def _version_samples(values: set[str]) -> list[str]:
    samples: set[Version] = {Version("2.7.18"), Version("4.0")}
    for value in values:
        try:
            release = Version(value.removesuffix(".*")).release
        except InvalidVersion:
            continue
        major, minor = (*release, 0, 0)[:2]
        patch = release[2] if len(release) > 2 else 0
        for m in (minor - 1, minor, minor + 1):
            if m < 0:
                continue
            for p in {0, 1, max(patch - 1, 0), patch, patch + 1}:
                samples.add(Version(f"{major}.{m}.{p}"))
    return [str(v) for v in sorted(samples)]


def _environments(variables: dict[str, set[str]]) -> list[dict[str, str]] | None:
    axes: list[list[tuple[str, str]]] = []
    python = variables.pop("python_version", set()) | variables.pop("python_full_version", set())
    if python:
        axes.append([("python_full_version", v) for v in _version_samples(python)])
    for var, values in sorted(variables.items()):
        if var == "implementation_version":
            axes.append([(var, v) for v in _version_samples(values)])
        else:
            normalized = {canonicalize_name(v) for v in values} if var == "extra" else values
            axes.append([(var, v) for v in sorted(normalized | {"\x00other"})])
    total = 1
    for axis in axes:
        total *= len(axis)
    if total > _MAX_EVALUATIONS:
        return None
    environments = []
    for combo in itertools.product(*axes):
        env = dict(_DEFAULT_ENV)
        env.update(combo)
        full = Version(env["python_full_version"])
        env["python_version"] = f"{full.major}.{full.minor}"
        environments.append(env)
    return environments


def markers_equivalent(first: str | None, second: str | None) -> bool:
    """True when both markers select the same environments (``None`` means "always")."""
    if (first or None) == (second or None):
        return True
    try:
        markers = [Marker(m) if m else None for m in (first, second)]
    except InvalidMarker:
        return False
    variables: dict[str, set[str]] = {}
    for marker in markers:
        if marker is not None:
            _literals(marker._markers, variables)  # type: ignore[attr-defined]
    environments = _environments(variables)
    if environments is None:
        log.debug("markers too complex to compare semantically: %r, %r", first, second)
        return canonical_marker(first or "") == canonical_marker(second or "")

    def holds(marker: Marker | None, env: dict[str, str]) -> bool:
        return True if marker is None else marker.evaluate(env)

    return all(holds(markers[0], env) == holds(markers[1], env) for env in environments)
