"""``@immutable`` behaves as ``@dataclass(frozen=True, slots=True)`` where ferry relies on it."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from functools import cached_property

import pytest

from ferry.model import value_fields
from ferry.model.immutable import immutable, mutable
from ferry.model.value_fields import FrozenInstanceError, field


@immutable
class Point:
    """A value with a default and a factory."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)


@immutable
class Labelled(Point):
    """A subclass adds a field after the inherited ones."""

    label: str = "p"


@immutable
class Cached:
    """A field outside comparison, filled by __post_init__."""

    key: str
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", len(self.key))


@immutable
class OwnHash:
    key: str

    def __hash__(self) -> int:
        return 7


@dataclasses.dataclass(frozen=True, slots=True)
class Twin:
    x: int
    y: int = 0
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)


def test_init_defaults_and_factory() -> None:
    point = Point(1)
    assert (point.x, point.y, point.tags) == (1, 0, ())
    assert Point(1, 2, ("a",)) == Point(x=1, y=2, tags=("a",))
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_equality_hash_and_repr_match_dataclasses() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert Point(1) != Twin(1)  # another class is never equal
    assert hash(Point(1, 2, ("a",))) == hash(Point(1, 2, ("a",)))
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert repr(Point(1, 2)) == repr(Twin(1, 2)).replace("Twin", "Point")


def test_frozen_and_slotted() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x  # type: ignore[misc]
    assert not hasattr(point, "__dict__")
    assert Point.__slots__ == ("x", "y", "tags")


def test_inheritance_orders_fields_as_dataclasses() -> None:
    labelled = Labelled(1, 2, (), "q")
    assert [f.name for f in value_fields.fields(labelled)] == ["x", "y", "tags", "label"]
    assert labelled != Point(1, 2)
    assert Labelled.__slots__ == ("label",)
    assert Labelled.__match_args__ == ("x", "y", "tags", "label")


def test_post_init_and_uncompared_field() -> None:
    assert Cached("abc")._hash == 3
    assert Cached("abc") == Cached("abc")
    assert "_hash" not in repr(Cached("abc"))


def test_explicit_hash_is_kept() -> None:
    assert hash(OwnHash("a")) == 7


def test_field_helpers_work_as_dataclasses_do() -> None:
    point = Point(1, 2)
    assert value_fields.replace(point, y=5) == Point(1, 5)
    assert value_fields.asdict(point) == dataclasses.asdict(Twin(1, 2))
    assert value_fields.asdict(Labelled(1, 2, ("t",))) == {"x": 1, "y": 2, "tags": ("t",),
                                                           "label": "p"}
    with pytest.raises(ValueError, match="init=False"):
        value_fields.replace(Cached("a"), _hash=1)
    # Not a dataclass, and dataclasses' helpers say so instead of seeing no fields.
    assert not dataclasses.is_dataclass(point)
    with pytest.raises(TypeError):
        dataclasses.fields(point)
    with pytest.raises(TypeError):
        value_fields.fields(Twin(1))


def test_value_classes_do_not_import_dataclasses() -> None:
    """``dataclasses`` imports ``inspect`` (~10 ms on every command)."""
    import subprocess
    import sys

    code = ("import sys, ferry.model.immutable, ferry.model.value_fields; "
            "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


@immutable
class Memo:
    """A value with a cached_property keeps it in a __dict__ of its own."""

    n: int

    @cached_property
    def square(self) -> int:
        return self.n * self.n


def test_cached_property_and_immutability() -> None:
    memo = Memo(3)
    assert memo.square == 9 and memo.square == 9
    with pytest.raises(FrozenInstanceError):
        memo.n = 4  # type: ignore[misc]
    assert memo == Memo(3) and hash(memo) == hash(Memo(3))


class Outer:
    @immutable
    class Inner:
        x: int


def test_a_nested_class_keeps_its_qualified_name() -> None:
    assert Outer.Inner.__qualname__ == "Outer.Inner"
    assert repr(Outer.Inner(1)) == "Outer.Inner(x=1)"
    assert pickle.loads(pickle.dumps(Outer.Inner(2))) == Outer.Inner(2)


def test_copy_and_pickle_round_trip() -> None:
    point = Labelled(1, 2, ("t",), "z")
    assert copy.copy(point) == point
    assert copy.deepcopy(point) == point
    assert pickle.loads(pickle.dumps(point)) == point


def test_pattern_matching() -> None:
    match Point(3, 4):
        case Point(x, y):
            assert (x, y) == (3, 4)
        case _:
            pytest.fail("Point did not match its own pattern")


def test_mutable_default_and_default_order_are_refused() -> None:
    with pytest.raises(ValueError, match="default_factory"):
        @immutable
        class Bad:
            items: list[int] = []

    with pytest.raises(TypeError, match="non-default argument"):
        @immutable
        class Misordered:
            a: int = 0
            b: int  # type: ignore[misc]


def test_init_compiled_only_when_first_built() -> None:
    @immutable
    class Lazy:
        a: int

    stub = Lazy.__init__
    Lazy(1)
    assert Lazy.__init__ is not stub
    assert Lazy(2).a == 2


def test_value_classes_use_immutable_not_frozen_dataclasses() -> None:
    """A frozen dataclass costs ~0.5 ms at import, on every command that loads it, and
    ``dataclasses`` itself ~10 ms."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "ferry"
    allowed: set[tuple[str, str]] = set()
    found = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"@dataclass\(frozen=True[^)]*\)\s*\nclass (\w+)", text):
            found.add((path.relative_to(src).as_posix(), match.group(1)))
    assert found <= allowed, sorted(found - allowed)


@mutable
class Record:
    """A record whose fields change after it is built."""

    name: str
    items: list[int] = field(default_factory=list)
    note: str | None = None


@dataclasses.dataclass(slots=True)
class RecordTwin:
    name: str
    items: list[int] = dataclasses.field(default_factory=list)
    note: str | None = None


def test_mutable_records_behave_as_slotted_dataclasses() -> None:
    mine, twin = Record("a"), RecordTwin("a")
    mine.items.append(1)
    twin.items.append(1)
    mine.note = twin.note = "changed"
    assert repr(mine).replace("Record", "RecordTwin") == repr(twin)
    assert Record("a", [1], "changed") == mine and Record("b") != mine
    assert Record("a").items is not Record("a").items  # a fresh list each
    with pytest.raises(TypeError):
        hash(mine)
    with pytest.raises(AttributeError):
        mine.undeclared = 1  # type: ignore[attr-defined]
    assert value_fields.replace(mine, name="b").name == "b"
    assert [f.name for f in value_fields.fields(mine)] == ["name", "items", "note"]
    assert value_fields.asdict(mine) == dataclasses.asdict(twin)
    assert pickle.loads(pickle.dumps(mine)) == mine


def test_records_use_mutable_not_dataclass() -> None:
    """A @dataclass compiles its methods at import (~0.3 ms per class, on every command that
    loads it); ferry's records use @mutable. resolve/memory.py's MemorySource, a test double no
    command imports, stays a plain dataclass: tests replace its methods on an instance."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "ferry"
    found = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^@dataclass\b(?!\(frozen=True)[^\n]*\nclass (\w+)", text, re.M):
            found.add((path.relative_to(src).as_posix(), match.group(1)))
    assert found <= {("resolve/memory.py", "MemorySource")}, sorted(found)
