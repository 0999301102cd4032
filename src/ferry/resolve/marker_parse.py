"""PEP 508 marker strings read into :class:`~ferry.resolve.marker_expr.MarkerExpr` sets.

``python_version`` comparisons become exact ranges of ``python_full_version`` (``> '3.8'`` is
``>= '3.9'``), ``platform_system`` values uv equates with a ``sys_platform`` are read as that
(``'Windows'`` → ``'win32'``), the ``extra`` variable can be fixed to the extra being evaluated,
and anything else ferry does not interpret (``'x' in platform_version``, ordered comparisons of
strings) stays an opaque atom with its own spelling.
"""

from __future__ import annotations

from typing import Any

from ferry.model.names import canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_markers import Marker
from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_expr import (
    FALSE,
    HOLDS,
    TRUE,
    MarkerExpr,
)
from ferry.resolve.marker_sets import ValueSet

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "===": "==="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "===": "!="}
_PLATFORM_SYSTEMS = {"Windows": "win32", "Linux": "linux", "Darwin": "darwin"}


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
    if version.pre or version.dev or version.post is not None or version.local:
        # Python versions are compared by release only, as uv does (`<= '3.11.0a6'` is
        # `<= '3.11'`).
        version = Version(".".join(map(str, release)))
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
    return MarkerExpr.atom(key, ValueSet(True, HOLDS))


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _containment(var: str, operator: str, value: str, left_var: bool) -> MarkerExpr:
    """``in``/``not in``: a list of versions for Python (``python_version in '2.6 2.7'``, as
    uv reads it), otherwise a substring test ferry keeps as an opaque atom."""
    if left_var and var in ("python_version", "python_full_version"):
        listed = FALSE
        for item in value.split():
            atom = python_atom(var, "==", item)
            if atom is not None:
                listed = listed | atom
        return listed if operator == "in" else ~listed
    other = "not in" if operator == "in" else "in"
    if left_var:
        text, neg = f"{var} {operator} {_quote(value)}", f"{var} {other} {_quote(value)}"
    else:
        text, neg = f"{_quote(value)} {operator} {var}", f"{_quote(value)} {other} {var}"
    return _opaque(text, neg) if operator == "in" else ~_opaque(neg, text)


def _leaf(lhs: Any, op: Any, rhs: Any, extra: str | None) -> MarkerExpr:
    left_var = type(lhs).__name__ == "Variable"
    var, value = (lhs.value, rhs.value) if left_var else (rhs.value, lhs.value)
    operator = str(op.value)
    if operator in ("in", "not in"):
        return _containment(var, operator, value, left_var)
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
_BY_ID: dict[tuple[int, str | None], tuple[Marker, MarkerExpr]] = {}


def parse_marker(marker: Marker | str | None, *, extra: str | None = "") -> MarkerExpr:
    """A marker as an expression. ``extra`` fixes the value of the ``extra`` variable (as when
    evaluating a dependency of that extra; ``""`` for none); ``None`` keeps ``extra`` atoms
    symbolic."""
    if marker is None:
        return TRUE
    if isinstance(marker, Marker):
        # Formatting a Marker for the text key costs more than the lookup it serves; the same
        # Marker objects come back for every fork, so they are also known by identity.
        seen = _BY_ID.get((id(marker), extra))
        if seen is not None and seen[0] is marker:
            return seen[1]
    text = str(marker)
    key = (text, extra)
    found = _PARSED.get(key)
    if found is None:
        parsed = marker if isinstance(marker, Marker) else Marker(text)
        found = _walk(parsed._markers, extra)  # type: ignore[attr-defined, unused-ignore]
        if len(_PARSED) < 20_000:
            _PARSED[key] = found
    if isinstance(marker, Marker) and len(_BY_ID) < 20_000:
        _BY_ID[(id(marker), extra)] = (marker, found)
    return found
