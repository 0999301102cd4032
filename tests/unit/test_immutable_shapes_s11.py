"""``@immutable``'s ``__init__`` is compiled once per shape and renamed for each class: the
renamed code must behave as if it had been written for that class alone."""

from __future__ import annotations

import pytest

from ferry.model import immutable as immutable_module
from ferry.model.immutable import immutable, mutable
from ferry.model.value_fields import field


@immutable
class _Point:
    x: int
    y: int = 2
    tags: tuple[str, ...] = field(default_factory=tuple)


@immutable
class _Span:  # _Point's shape, other names
    start: int
    end: int = 9
    notes: tuple[str, ...] = field(default_factory=lambda: ("n",))


@mutable
class _Record:
    name: str
    seen: list[str] = field(default_factory=list)
    hidden: int = field(default=5, init=False)
    made: list[int] = field(default_factory=lambda: [1], init=False)
    skipped: int = field(init=False)

    def __post_init__(self) -> None:
        self.seen.append(self.name)


def test_classes_of_one_shape_keep_their_own_names_and_defaults() -> None:
    assert _Point(1) == _Point(x=1, y=2, tags=())
    assert _Span(1) == _Span(start=1, end=9, notes=("n",))
    assert _Span(end=3, start=4).start == 4
    assert _Point.__init__.__code__.co_varnames == ("self", "x", "y", "tags")
    assert _Span.__init__.__code__.co_varnames == ("self", "start", "end", "notes")
    assert _Span.__init__.__code__.co_filename == "<value _Span.__init__>"
    shape = "ppf"
    assert shape in immutable_module._INIT_CODE  # built once, for the first of the two


def test_wrong_calls_are_refused_in_the_class_own_words() -> None:
    with pytest.raises(TypeError, match=r"_Span.__init__\(\) missing 1 required positional "
                                        r"argument: 'start'"):
        _Span()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"_Span.__init__\(\) got an unexpected keyword "
                                        r"argument 'x'"):
        _Span(1, x=2)  # type: ignore[call-arg]


def test_factories_defaults_uninitialised_fields_and_post_init() -> None:
    first, second = _Record("a"), _Record("b", seen=["z"])
    assert first.seen == ["a"] and second.seen == ["z", "b"]
    assert first.seen is not _Record("c").seen  # a new list each time
    assert (first.hidden, first.made) == (5, [1])
    assert not hasattr(first, "skipped")
