"""ferry's wheel filename split must accept and refuse what packaging's ``parse_wheel_filename``
does, with the same name, version, build tag and tags (as their text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import InvalidWheelFilename
from packaging.utils import parse_wheel_filename as packaging_parse

from ferry.model.dist import parse_filename
from ferry.model.wheel_name import InvalidWheelName, parse_wheel_filename

HAND = [
    "foo-1.0-py3-none-any.whl", "Foo_Bar-1.0.post1-1-cp311-cp311-manylinux_2_17_x86_64.whl",
    "foo-1.0-1abc-py2.py3-none-any.whl", "foo-1.0-x1-py3-none-any.whl",
    "foo__bar-1.0-py3-none-any.whl", "foo.bar-1.0-py3-none-any.whl", "-1.0-py3-none-any.whl",
    "foo-1.0-py3-none.whl", "foo-1.0-py3-none-any-x-y.whl", "foo-1.0-py3..py2-none-any.whl",
    "foo-1.0-3py-none-any.whl", "foo-1.0-PY3-NONE-ANY.whl", "foo-bad-py3-none-any.whl",
    "foo-1.0-py3-none-any.zip", "foo-1.0-py3-none-.whl", "föö-1.0-py3-none-any.whl",
    "foo-1.0-py3-none-macosx_10_9_x86_64.macosx_11_0_arm64.whl", "foo-1.0--none-any.whl",
]
PIECES = ["foo", "Foo_Bar", "a.b", "x__y", "1.0", "2!1.0rc1", "bad", "1", "1x", "x1", "",
          "py3", "py2.py3", "cp311", "3x", "none", "abi3", "any", "linux_x86_64", "a..b", "CP39"]


def _outcome(parse: object, filename: str) -> object:
    try:
        name, version, build, tags = parse(filename)  # type: ignore[operator]
    except (InvalidWheelFilename, InvalidWheelName):
        return "refused"
    return name, str(version), build, sorted(str(t) for t in tags)  # two Version types


def _check(filename: str) -> None:
    assert _outcome(parse_wheel_filename, filename) == _outcome(packaging_parse, filename), \
        filename


@pytest.mark.parametrize("filename", HAND)
def test_hand_picked_wheel_names_split_alike(filename: str) -> None:
    _check(filename)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=3, max_size=7))
def test_generated_wheel_names_split_alike(pieces: list[str]) -> None:
    _check("-".join(pieces) + ".whl")


def test_parse_filename_gives_the_tags_text() -> None:
    parsed = parse_filename("Foo_Bar-1.0-2-py2.py3-none-any.whl")
    assert parsed is not None and parsed.name == "foo-bar" and parsed.build == (2, "")
    assert parsed.tags == frozenset({"py2-none-any", "py3-none-any"})
    assert parse_filename("foo-1.0-py3-none.whl") is None
    sdist = parse_filename("Foo.Bar-1.0.tar.gz")
    assert sdist is not None
    assert (sdist.name, str(sdist.version), sdist.tags) == ("foo-bar", "1.0", None)
    assert parse_filename("foo.tar.gz") is None and parse_filename("foo-bad.zip") is None
