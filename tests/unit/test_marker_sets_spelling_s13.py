"""Memoised range algebra answers with the spelling of its own inputs: ``4`` and ``4.0`` are
equal versions, but a marker's text must not depend on which the process met first."""

from __future__ import annotations

from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet


def _texts(result: VersionSet) -> list[str]:
    return [str(point) for point in result.points]


def test_equal_sets_spelled_differently_keep_their_own_spelling() -> None:
    low = VersionSet.compare(">=", Version("3.8"))
    long_form = VersionSet.compare("<", Version("4.0"))
    short_form = VersionSet.compare("<", Version("4"))
    assert long_form == short_form
    assert _texts(low & long_form) == ["3.8", "4.0"]
    assert _texts(low & short_form) == ["3.8", "4"]
    high = VersionSet.compare(">=", Version("5"))
    assert _texts(high | long_form) == ["4.0", "5"]
    assert _texts(high | short_form) == ["4", "5"]
