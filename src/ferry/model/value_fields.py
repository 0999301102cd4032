"""Fields of ferry's value classes, and ``replace``/``fields``/``asdict`` over them.

``import dataclasses`` imports ``inspect`` (which imports ``ast``, ``dis``, ``tokenize`` …):
~10 ms, paid by every command before it does anything, only to name ``field`` and ``replace``.
``@immutable`` and ``@mutable`` (:mod:`ferry.model.immutable`) build their classes themselves,
so their field descriptions live here, with the three helpers ferry uses. The spelling is
dataclasses' (``field(default_factory=list)``, ``replace(value, name=…)``), so the code reads
the same and static checkers treat the classes as dataclasses (``dataclass_transform``).
``dataclasses``' own ``fields()``/``replace()`` do not accept these classes (they look for
``__dataclass_fields__``): a value class is not a dataclass, and says so loudly rather than
appearing to have no fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, overload

__all__ = ["MISSING", "Field", "FrozenInstanceError", "asdict", "field", "fields", "replace"]

_T = TypeVar("_T")
_V = TypeVar("_V")

FIELDS_ATTR: Final = "__value_fields__"


class _Missing:
    """No default was given (``None`` is a default like any other)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final[Any] = _Missing()


class FrozenInstanceError(AttributeError):
    """An immutable value's field was assigned or deleted."""


class Field:
    """One declared field: its name and annotation (filled in when the class is built), its
    default or default factory, and whether ``__init__``, ``repr``, equality and hashing use it."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr",
                 "type")

    def __init__(self, default: Any, default_factory: Any, init: bool, repr: bool,
                 hash: bool | None, compare: bool) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r}, default={self.default!r}, "
                f"default_factory={self.default_factory!r}, init={self.init}, "
                f"repr={self.repr}, hash={self.hash}, compare={self.compare})")


@overload
def field(*, default: _T, init: bool = True, repr: bool = True, hash: bool | None = None,
          compare: bool = True) -> _T: ...


@overload
def field(*, default_factory: Callable[[], _T], init: bool = True, repr: bool = True,
          hash: bool | None = None, compare: bool = True) -> _T: ...


@overload
def field(*, init: bool = True, repr: bool = True, hash: bool | None = None,
          compare: bool = True) -> Any: ...


def field(*, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True,
          repr: bool = True, hash: bool | None = None, compare: bool = True) -> Any:
    """A field with more than a plain default, as ``dataclasses.field`` describes one."""
    return Field(default, default_factory, init, repr, hash, compare)


def fields(value: Any) -> tuple[Field, ...]:
    """The fields of a value class or of one of its values, in ``__init__`` order."""
    declared: Mapping[str, Field] | None = getattr(value, FIELDS_ATTR, None)
    if declared is None:
        raise TypeError(f"{value!r} is not a ferry value class or value")
    return tuple(declared.values())


def replace(value: _V, /, **changes: Any) -> _V:
    """A copy of ``value`` with some fields changed (``__post_init__`` runs again, as for
    ``dataclasses.replace``)."""
    for spec in fields(value):
        if not spec.init:
            if spec.name in changes:
                raise ValueError(f"field {spec.name!r} is declared with init=False, it cannot "
                                 "be specified with replace()")
            continue
        if spec.name not in changes:
            changes[spec.name] = getattr(value, spec.name)
    return value.__class__(**changes)


def asdict(value: Any) -> dict[str, Any]:
    """The value's fields as a dict, value classes, lists, tuples and dicts inside it
    converted recursively (what ``dataclasses.asdict`` gives for ferry's values)."""
    return {spec.name: _plain(getattr(value, spec.name)) for spec in fields(value)}


def _plain(item: Any) -> Any:
    if hasattr(type(item), FIELDS_ATTR):
        return asdict(item)
    if isinstance(item, tuple) and hasattr(item, "_fields"):  # a named tuple keeps its type
        return type(item)(*(_plain(part) for part in item))
    if isinstance(item, (list, tuple)):
        return type(item)(_plain(part) for part in item)
    if isinstance(item, dict):
        return type(item)((_plain(key), _plain(part)) for key, part in item.items())
    return item
