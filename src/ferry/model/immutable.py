"""Immutable value classes that cost next to nothing to define.

``@dataclass(frozen=True, slots=True)`` compiles six methods with ``exec`` for every class the
moment its module is imported — about half a millisecond each. ferry defines well over a hundred
such classes and a ``ferry lock`` imports ninety of them: ~48 ms, a sixth of a warm lock, spent
before any work starts. ``@immutable`` builds the same kind of class — slotted, immutable, compared,
hashed and printed by its fields, ``__post_init__`` honoured, and read by ``fields``,
``replace`` and ``asdict`` of :mod:`ferry.model.value_fields` — without compiling anything at
import, and without importing ``dataclasses`` (which imports ``inspect``: ~10 ms):
equality and hashing go through one ``operator.attrgetter``, ``__repr__`` is shared, and only
``__init__`` is generated, the first time the class is instantiated (so a class that a command
never builds never pays for it). ``@mutable`` is the same for records whose fields change
(``@dataclass(slots=True)``: compared by value, so unhashable).

Static checkers see a dataclass (``dataclass_transform``), so the field declarations mean the
same to mypy as they do at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform

from ferry.model.value_fields import FIELDS_ATTR, MISSING, Field, FrozenInstanceError, field

_T = TypeVar("_T", bound=type)

_NO_DEFAULT = MISSING


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def immutable(cls: _T) -> _T:
    """The class, rebuilt as a slotted immutable value with the fields its annotations declare."""
    return _build(cls, frozen=True)


@dataclass_transform(field_specifiers=(field, Field))
def mutable(cls: _T) -> _T:
    """The class, rebuilt as a slotted record whose fields may be reassigned: what
    ``@dataclass(slots=True)`` makes (compared by its fields, so not hashable), without
    compiling six methods at import (~0.3 ms per class)."""
    return _build(cls, frozen=False)


def _build(cls: _T, *, frozen: bool) -> _T:
    own = _own_fields(cls)
    inherited = _inherited_fields(cls)
    all_fields = {**inherited, **own}
    _check_default_order(cls, all_fields)
    namespace = {k: v for k, v in cls.__dict__.items()
                 if k not in own and k not in ("__dict__", "__weakref__")}
    slotted = {name for base in cls.__mro__[1:] for name in getattr(base, "__slots__", ())}
    slots = tuple(name for name in own if name not in slotted)
    if any(isinstance(item, cached_property) for item in namespace.values()):
        slots += ("__dict__",)  # where cached_property keeps what it computed
    namespace["__slots__"] = slots
    built: Any = type(cls)(cls.__name__, cls.__bases__, namespace)
    built.__qualname__ = cls.__qualname__  # a nested class keeps its dotted name (repr, pickle)
    _add_methods(built, cls.__dict__, tuple(all_fields.values()), frozen=frozen)
    return built  # type: ignore[no-any-return]


def _own_fields(cls: type) -> dict[str, Field]:
    found: dict[str, Field] = {}
    # Not inspect.get_annotations: importing inspect costs more than the classes it would read.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in annotations.items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if any(marker in text for marker in ("ClassVar", "InitVar", "KW_ONLY")):
            raise TypeError(f"{cls.__qualname__}.{name}: value classes do not support {text}")
        default = cls.__dict__.get(name, _NO_DEFAULT)
        spec = default if isinstance(default, Field) else field(default=default)
        if spec.default is not _NO_DEFAULT and type(spec.default).__hash__ is None:
            raise ValueError(f"{cls.__qualname__}.{name}: mutable default "
                             f"{type(spec.default).__name__}; use default_factory")
        spec.name, spec.type = name, annotation
        found[name] = spec
    return found


def _inherited_fields(cls: type) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(base.__dict__.get(FIELDS_ATTR, {}))
    return found


def _check_default_order(cls: type, fields: dict[str, Field]) -> None:
    seen_default = False
    for spec in fields.values():
        if not spec.init:
            continue
        has_default = not (spec.default is _NO_DEFAULT and spec.default_factory is _NO_DEFAULT)
        if seen_default and not has_default:
            raise TypeError(f"{cls.__qualname__}: non-default argument {spec.name!r} follows "
                            "default argument")
        seen_default = seen_default or has_default


def _key(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """A fast getter of a tuple of the named attributes (``attrgetter`` returns a bare value
    for one name and cannot take none)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return attrgetter(*names)


def _add_methods(
    cls: Any, body: Any, fields: tuple[Field, ...], *, frozen: bool
) -> None:
    setattr(cls, FIELDS_ATTR, {spec.name: spec for spec in fields})
    cls.__match_args__ = tuple(  # type: ignore[misc]
        spec.name for spec in fields if spec.init)
    names = frozenset(spec.name for spec in fields)
    compared = tuple(spec.name for spec in fields if spec.compare)
    hashed = tuple(spec.name for spec in fields
                   if (spec.compare if spec.hash is None else spec.hash))
    shown = tuple(spec.name for spec in fields if spec.repr)
    compare_key, hash_key, shown_key = _key(compared), _key(hashed), _key(shown)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare_key(self) == compare_key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hash_key(self))

    def __repr__(self: Any) -> str:
        pairs = zip(shown, shown_key(self), strict=True)
        parts = ", ".join(f"{name}={item!r}" for name, item in pairs)
        return f"{self.__class__.__qualname__}({parts})"

    def __setattr__(self: Any, name: str, new: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, new)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, spec.name) for spec in fields]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for spec, item in zip(fields, state, strict=True):
            object.__setattr__(self, spec.name, item)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _compile_init(cls, fields)
        cls.__init__ = real
        real(self, *args, **kwargs)

    methods: dict[str, Any] = {
        "__init__": __init__, "__repr__": __repr__, "__eq__": __eq__,
        "__getstate__": __getstate__, "__setstate__": __setstate__,
    }
    if frozen:
        methods["__setattr__"], methods["__delattr__"] = __setattr__, __delattr__
    _choose_hash(cls, body, methods, __hash__, frozen=frozen)
    _install(cls, body, methods)


def _choose_hash(cls: Any, body: Any, methods: dict[str, Any], by_fields: Any, *,
                 frozen: bool) -> None:
    """dataclasses' rule: an immutable value hashes by its fields unless its body says
    otherwise; a changeable one compared by value is unhashable."""
    explicit_hash = body.get("__hash__", _NO_DEFAULT)
    if frozen:
        if explicit_hash is _NO_DEFAULT or (explicit_hash is None and "__eq__" in body):
            methods["__hash__"] = by_fields
    elif explicit_hash is _NO_DEFAULT:
        cls.__hash__ = None


def _install(cls: Any, body: Any, methods: dict[str, Any]) -> None:
    """Methods the class body did not write itself (as dataclasses, which also refuses a
    hand-written ``__setattr__`` on an immutable class)."""
    for name, method in methods.items():
        if name in ("__setattr__", "__delattr__") and name in body:
            raise TypeError(f"cannot overwrite {name} in immutable value {cls.__qualname__}")
        if name not in body or name == "__hash__":
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)


# ``__init__`` code by shape (what each field's line does, and whether ``__post_init__`` runs),
# with placeholder names: classes of one shape share it, renamed. Compiling one costs ~0.1 ms and
# a command builds ~25-55 classes in ~20-30 shapes (~4 ms), so the shapes ferry's own classes
# use are written out in :mod:`ferry.model.immutable_inits` and arrive with its bytecode; only a
# shape found nowhere there (a test's class, say) is compiled, once per process.
_INIT_CODE: dict[str, CodeType] = {}

# A field's part of a shape: a parameter, a parameter with a default factory, or not a
# parameter and set from a factory ("new"), from a default, or not set at all ("skip").
_PARAM, _FACTORY, _NEW, _DEFAULT, _SKIP = "p", "f", "n", "d", "s"
_POST_INIT = "_post"


def _compile_init(cls: Any, fields: tuple[Field, ...]) -> Callable[..., None]:
    """``__init__`` for ``cls``, the code dataclasses would write (the hot path of every value
    built, so it is real code rather than a loop over the fields)."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_NO_DEFAULT": _NO_DEFAULT}
    defaults: list[Any] = []
    for index, spec in enumerate(fields):
        has_factory = spec.default_factory is not _NO_DEFAULT
        if has_factory:
            scope[f"_factory_{index}"] = spec.default_factory
        if spec.default is not _NO_DEFAULT:
            scope[f"_default_{index}"] = spec.default
        if spec.init and (has_factory or spec.default is not _NO_DEFAULT):
            defaults.append(_NO_DEFAULT if has_factory else spec.default)
    shape = shape_of(cls, fields)
    code = _INIT_CODE.get(shape) or _INIT_CODE.setdefault(shape, _shape_code(shape))
    names = {f"_f{index}": spec.name for index, spec in enumerate(fields)}
    code = code.replace(
        co_varnames=tuple(names.get(name, name) for name in code.co_varnames),
        co_consts=tuple(names.get(c, c) if type(c) is str else c for c in code.co_consts),
        co_filename=f"<value {cls.__qualname__}.__init__>",
        co_name="__init__",
        co_qualname=f"{cls.__qualname__}.__init__",
    )
    init: Callable[..., None] = FunctionType(code, scope, "__init__", tuple(defaults) or None)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def shape_of(cls: Any, fields: tuple[Field, ...]) -> str:
    """What ``cls``'s ``__init__`` does with each field (one letter each), and whether it calls
    ``__post_init__``: classes of one shape share one compiled ``__init__``."""
    letters: list[str] = []
    for spec in fields:
        has_factory = spec.default_factory is not _NO_DEFAULT
        if spec.init:
            letters.append(_FACTORY if has_factory else _PARAM)
        elif has_factory:
            letters.append(_NEW)
        else:
            letters.append(_DEFAULT if spec.default is not _NO_DEFAULT else _SKIP)
    return "".join(letters) + (_POST_INIT if hasattr(cls, "__post_init__") else "")


def _shape_code(shape: str) -> CodeType:
    from ferry.model.immutable_inits import WRITTEN

    written: CodeType | None = WRITTEN.get(shape)
    if written is not None:
        return written
    # exec, not compile(): compile() checks for an AST argument, which builds all of ``_ast``'s
    # node classes the first time in a process (~1 ms of every command's start-up).
    namespace: dict[str, Any] = {}
    exec(shape_source(shape), namespace)
    code: CodeType = namespace["__init__"].__code__
    return code


def shape_source(shape: str, name: str = "__init__") -> str:
    """The ``__init__`` of one shape as source, field ``i`` named ``_f{i}`` (its parameter and
    the attribute it sets); defaults are the function's, so they are not written here."""
    letters = shape.removesuffix(_POST_INIT)
    params: list[str] = []
    lines: list[str] = []
    for index, kind in enumerate(letters):
        field_name = f"_f{index}"
        if kind in (_PARAM, _FACTORY):
            params.append(field_name)
        if kind == _PARAM:
            lines.append(f"_set(self, {field_name!r}, {field_name})")
        elif kind == _FACTORY:
            lines.append(f"_set(self, {field_name!r}, _factory_{index}() "
                         f"if {field_name} is _NO_DEFAULT else {field_name})")
        elif kind == _NEW:
            lines.append(f"_set(self, {field_name!r}, _factory_{index}())")
        elif kind == _DEFAULT:
            lines.append(f"_set(self, {field_name!r}, _default_{index})")
    if letters != shape:
        lines.append("self.__post_init__()")
    body = "\n    ".join(lines or ["pass"])
    return f"def {name}(self, {', '.join(params)}):\n    {body}\n"
