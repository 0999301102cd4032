"""One rule for a valid distribution name (pyproject's `name`, `ferry init`, `ferry add`):
packaging's, ASCII only."""

from __future__ import annotations

import pytest
from packaging.utils import InvalidName, canonicalize_name

from ferry.model.names import is_valid_name


@pytest.mark.parametrize("name", ["a", "A1", "foo.bar-baz_qux", "0", "Django", "zope.interface"])
def test_valid_names(name: str) -> None:
    assert is_valid_name(name)


@pytest.mark.parametrize("name", ["", "-a", "a-", "a b", "foo\n", "\u212aelvin", "caf\u00e9", ".a"])
def test_invalid_names(name: str) -> None:
    assert not is_valid_name(name)


@pytest.mark.parametrize("name", ["a", "a.b", "a..b", "-a", "a_", "\u212a", "x\n", "X-Y"])
def test_agrees_with_packaging(name: str) -> None:
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        expected = False
    else:
        expected = True
    assert is_valid_name(name) is expected
