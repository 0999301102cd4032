"""PEP 508 environment markers with packaging 26.3's meaning, without importing packaging's module.

Why: ``packaging.markers`` imports packaging's tokenizer (which compiles the large specifier
expression and imports ``dataclasses``), ``packaging.specifiers`` and ``packaging.utils`` (and so
``packaging.tags``): most of the ~25 ms ferry paid at start-up. ``Marker`` here parses with the
same grammar into the same tree — a list of ``(lhs, Op, rhs)`` tuples of :class:`Variable`,
:class:`Value` and :class:`Op` nodes, nested lists for parentheses, ``"and"``/``"or"`` between
— which ferry's marker algebra walks (``Marker._markers``); formats, compares, hashes and
evaluates as packaging does (``tests/unit/test_pep508_differential_s10.py``).

The parser is packaging's recursive descent without its tokenizer objects. Quoted strings with a
backslash or a control character (which packaging reads with ``ast.literal_eval``) and anything
the parser refuses go to ``packaging.markers.Marker`` (imported then): its error message is
raised as ours, and what it accepts is converted to this tree.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Literal

from ferry._regex_cache import compile_pattern
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, Specifier

__all__ = ["InvalidMarker", "Marker", "Op", "UndefinedComparison", "UndefinedEnvironmentName",
           "Value", "Variable", "default_environment"]


class InvalidMarker(ValueError):
    """A marker PEP 508 does not allow (packaging's message, with its ``^`` under the place)."""


class UndefinedComparison(ValueError):
    """A comparison PEP 508 leaves undefined (``~=`` on values that are not versions…)."""


class UndefinedEnvironmentName(KeyError):
    """The marker names a variable the environment does not have."""


class Node:
    """A leaf of a marker tree (``packaging._parser``'s classes of the same names)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}({self.value!r})>"

    def serialize(self) -> str:
        return self.value


class Variable(Node):
    __slots__ = ()


class Op(Node):
    __slots__ = ()


class Value(Node):
    __slots__ = ()

    def serialize(self) -> str:
        value = self.value
        if '"' not in value:
            return f'"{value}"'
        if "'" not in value:
            return f"'{value}'"
        raise ValueError("Cannot serialize marker value containing both quote characters")


MarkerList = list[Any]

_WS = compile_pattern(r"[ \t]+")
_VARIABLE = compile_pattern(
    r"\b(python_version|python_full_version|os[._]name|sys[._]platform|platform_(release|system)"
    r"|platform[._](version|machine|python_implementation)|python_implementation"
    r"|implementation_(name|version)|extras?|dependency_groups)\b")
_QUOTED = compile_pattern(r"'[^']*'|\"[^\"]*\"")
_OP = compile_pattern(r"===|==|~=|!=|<=|>=|<|>")
_BOOLOP = compile_pattern(r"\b(?:or|and)\b")
_IN = compile_pattern(r"\bin\b")
_NOT = compile_pattern(r"\bnot\b")
_PLAIN_STRING = compile_pattern(r"[^\\\x00-\x1f\x7f]*")
_SETS = frozenset({"extras", "dependency_groups"})
_VERSIONS = frozenset({"implementation_version", "platform_release", "python_full_version",
                       "python_version"})
_TREES: dict[str, MarkerList] = {}
_TREE_LIMIT = 4096


class _Refused(Exception):
    """The fast parser does not take this text (packaging then decides)."""


def _skip_ws(text: str, pos: int) -> int:
    found = _WS.match(text, pos)
    return found.end() if found else pos


def _parse_marker(text: str, pos: int) -> tuple[MarkerList, int]:
    atom, pos = _parse_atom(text, pos)
    expression: MarkerList = [atom]
    while (found := _BOOLOP.match(text, pos)) is not None:
        atom, pos = _parse_atom(text, found.end())
        expression.extend((found.group(), atom))
    return expression, pos


def _parse_atom(text: str, pos: int) -> tuple[Any, int]:
    pos = _skip_ws(text, pos)
    if text.startswith("(", pos):
        inner, pos = _parse_marker(text, _skip_ws(text, pos + 1))
        pos = _skip_ws(text, pos)
        if not text.startswith(")", pos):
            raise _Refused
        return inner, _skip_ws(text, pos + 1)
    lhs, pos = _parse_var(text, _skip_ws(text, pos))
    op, pos = _parse_op(text, _skip_ws(text, pos))
    rhs, pos = _parse_var(text, _skip_ws(text, pos))
    return (lhs, op, rhs), _skip_ws(text, pos)


def _parse_var(text: str, pos: int) -> tuple[Node, int]:
    found = _VARIABLE.match(text, pos)
    if found is not None:
        name = found.group().replace(".", "_")
        if name == "python_implementation":
            name = "platform_python_implementation"
        return Variable(name), found.end()
    found = _QUOTED.match(text, pos)
    if found is None or not _PLAIN_STRING.fullmatch(found.group(), 1, found.end() - pos - 1):
        raise _Refused
    return Value(found.group()[1:-1]), found.end()


def _parse_op(text: str, pos: int) -> tuple[Op, int]:
    found = _IN.match(text, pos)
    if found is not None:
        return Op("in"), found.end()
    found = _NOT.match(text, pos)
    if found is not None:
        after = _WS.match(text, found.end())
        found = _IN.match(text, after.end()) if after is not None else None
        if found is None:
            raise _Refused
        return Op("not in"), found.end()
    found = _OP.match(text, pos)
    if found is None:
        raise _Refused
    return Op(found.group()), found.end()


def _normalize_extras(item: Any) -> Any:
    """``extra`` values, and names tested against ``extras``/``dependency_groups``, normalised
    at parse time (PEP 685), as packaging does."""
    if isinstance(item, list):
        return [_normalize_extras(part) for part in item]
    if not isinstance(item, tuple):
        return item
    lhs, op, rhs = item
    if isinstance(lhs, Variable) and lhs.value == "extra" and isinstance(rhs, Value):
        rhs = Value(canonicalize_name(rhs.value))
    elif isinstance(rhs, Variable) and isinstance(lhs, Value) and (
            rhs.value == "extra" or rhs.value in _SETS):
        lhs = Value(canonicalize_name(lhs.value))
    return lhs, op, rhs


def _convert(item: Any) -> Any:
    """packaging's parsed tree as ours (same shape, our node classes)."""
    if isinstance(item, list):
        return [_convert(part) for part in item]
    if isinstance(item, tuple):
        return tuple(_NODES[type(node).__name__](node.value) for node in item)
    return item


_NODES: dict[str, type[Node]] = {"Variable": Variable, "Value": Value, "Op": Op}


def parse_tree(text: str) -> MarkerList:
    """The tree of a marker text; shared between equal texts (trees are never changed)."""
    tree = _TREES.get(text)
    if tree is not None:
        return tree
    try:
        tree, pos = _parse_marker(text, 0)
        if pos != len(text):
            raise _Refused
    except _Refused:
        tree = _parse_slowly(text)
    else:
        tree = _normalize_extras(tree)
    if len(_TREES) < _TREE_LIMIT:
        _TREES[text] = tree
    return tree


def _parse_slowly(text: str) -> MarkerList:
    from packaging.markers import InvalidMarker as PackagingInvalid
    from packaging.markers import Marker as PackagingMarker

    try:
        parsed = PackagingMarker(text)
    except PackagingInvalid as exc:
        raise InvalidMarker(str(exc)) from None
    converted: MarkerList = _convert(parsed._markers)
    return converted


def format_tree(marker: Any, first: bool = True) -> str:
    """packaging's ``_format_marker``: parentheses where the tree nests, none around it."""
    if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
        return format_tree(marker[0], first)
    if isinstance(marker, list):
        inner = " ".join(format_tree(part, False) for part in marker)
        return inner if first else f"({inner})"
    if isinstance(marker, tuple):
        return " ".join(node.serialize() for node in marker)
    return str(marker)


class Marker:
    """A parsed marker expression (``packaging.markers.Marker``)."""

    __slots__ = ("_markers", "_text")

    def __init__(self, marker: str) -> None:
        self._text: str | None = None
        self._markers: MarkerList = parse_tree(marker)

    @classmethod
    def _from_markers(cls, markers: MarkerList) -> Marker:
        new = cls.__new__(cls)
        new._markers = markers
        new._text = None
        return new

    def __str__(self) -> str:
        text = self._text
        if text is None:
            text = self._text = format_tree(self._markers)
        return text

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}({str(self)!r})>"

    def __hash__(self) -> int:
        return hash(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Marker) or (
                type(other).__name__ == "Marker" and type(other).__module__ == "packaging.markers"):
            return str(self) == str(other)
        return NotImplemented

    def __getstate__(self) -> str:
        return str(self)

    def __setstate__(self, state: str) -> None:
        self._markers = parse_tree(state)
        self._text = None

    def __and__(self, other: Marker) -> Marker:
        if not isinstance(other, Marker):
            return NotImplemented
        return self._from_markers([self._markers, "and", other._markers])

    def __or__(self, other: Marker) -> Marker:
        if not isinstance(other, Marker):
            return NotImplemented
        return self._from_markers([self._markers, "or", other._markers])

    def evaluate(self, environment: Mapping[str, str | AbstractSet[str]] | None = None,
                 context: Literal["metadata", "lock_file", "requirement"] = "metadata") -> bool:
        """Whether the marker holds in the running interpreter's environment updated with
        ``environment`` (``extra`` normalised; ``""`` in the ``metadata`` context)."""
        current: dict[str, str | AbstractSet[str]]
        if environment is not None and environment.keys() >= _MARKER_VARIABLES:
            current = {}  # the target's complete environment: the running one is not asked
        else:
            current = dict(_default_environment())
        if context == "lock_file":
            current["extras"] = frozenset()
            current["dependency_groups"] = frozenset()
        elif context == "metadata":
            current["extra"] = ""
        if environment is not None:
            current.update(environment)
            if "extra" in current:
                extra: Any = current["extra"]
                current["extra"] = canonicalize_name(extra) if extra else ""
        full = current["python_full_version"]
        if isinstance(full, str) and full.endswith("+"):
            current["python_full_version"] = f"{full}local"
        return _evaluate(self._markers, current)


def _lookup(environment: Mapping[str, str | AbstractSet[str]], key: str) -> Any:
    try:
        return environment[key]
    except KeyError:
        raise UndefinedEnvironmentName(key) from None


def _evaluate(markers: MarkerList, environment: Mapping[str, str | AbstractSet[str]]) -> bool:
    groups: list[list[bool]] = [[]]
    for marker in markers:
        if isinstance(marker, list):
            groups[-1].append(_evaluate(marker, environment))
        elif isinstance(marker, tuple):
            lhs, op, rhs = marker
            if isinstance(lhs, Variable):
                key = lhs.value
                lhs_value, rhs_value = _lookup(environment, key), rhs.value
            else:
                key = rhs.value
                lhs_value, rhs_value = lhs.value, _lookup(environment, key)
            if not isinstance(lhs_value, str):
                raise UndefinedComparison(
                    f"Set-valued marker {key!r} can only be used with the membership form "
                    f'(e.g. "<name>" in {key}); it cannot appear on the left-hand side of '
                    f"{op.serialize()!r}.")
            if key in _SETS:
                lhs_value = canonicalize_name(lhs_value)
                rhs_value = (canonicalize_name(rhs_value) if isinstance(rhs_value, str)
                             else {canonicalize_name(v) for v in rhs_value})
            groups[-1].append(_compare(lhs_value, op, rhs_value, key))
        elif marker == "or":
            groups.append([])
    return any(all(group) for group in groups)


def _compare(lhs: str, op: Op, rhs: Any, key: str) -> bool:
    operator = op.value
    if key in _VERSIONS and operator not in ("in", "not in"):  # never a specifier
        try:
            spec = Specifier(f"{operator}{rhs}")
        except InvalidSpecifier:
            pass
        else:
            return spec.contains(lhs, prereleases=True)
    if operator == "in":
        return bool(lhs in rhs)
    if operator == "not in":
        return bool(lhs not in rhs)
    if operator in ("==", "<=", ">="):
        return bool(lhs == rhs)
    if operator == "!=":
        return bool(lhs != rhs)
    if operator in ("<", ">"):
        return False
    raise UndefinedComparison(f"Undefined {op!r} on {lhs!r} and {rhs!r}.")


_DEFAULT: dict[str, str] | None = None
# What ``_default_environment`` holds: an environment with all of them needs none of it (and
# not ``platform``, ~1.5 ms at start-up plus an ``uname``).
_MARKER_VARIABLES = frozenset((
    "implementation_name", "implementation_version", "os_name", "platform_machine",
    "platform_release", "platform_system", "platform_version", "python_full_version",
    "platform_python_implementation", "python_version", "sys_platform",
))


def _default_environment() -> dict[str, str]:
    global _DEFAULT
    if _DEFAULT is None:
        import platform  # only when a marker is evaluated against the running interpreter

        info = sys.implementation.version
        implementation = f"{info.major}.{info.minor}.{info.micro}"
        if info.releaselevel != "final":
            implementation += info.releaselevel[0] + str(info.serial)
        _DEFAULT = {
            "implementation_name": sys.implementation.name,
            "implementation_version": implementation,
            "os_name": os.name,
            "platform_machine": platform.machine(),
            "platform_release": platform.release(),
            "platform_system": platform.system(),
            "platform_version": platform.version(),
            "python_full_version": platform.python_version(),
            "platform_python_implementation": platform.python_implementation(),
            "python_version": ".".join(platform.python_version_tuple()[:2]),
            "sys_platform": sys.platform,
        }
    return _DEFAULT


def default_environment() -> dict[str, str]:
    """The running interpreter's marker variables (a fresh copy each call)."""
    return dict(_default_environment())
