"""The warnings a resolution leaves for the user (``ferry.resolve.diagnostics``): uv's words,
only for what the resolution finally chose, once each, returned rather than logged (the CLI
prints them after ``Resolved``, where uv prints them)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.test_resolve_semantics import make_target

from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import specifier_versions
from ferry.resolve.algorithm import resolve
from ferry.resolve.diagnostics import missing_extra_warning, yanked_warning
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions
from ferry.resolve.result import Resolution
from ferry.resolve.universal import RootList, UniversalRequest, resolve_universal

LACKS = "The package `a==1.0` does not have an extra named `nope`"


def _resolve(packages: dict[str, Any], requirements: list[str], source: MemorySource | None = None,
             **options: Any) -> Resolution:
    return resolve([Requirement(r) for r in requirements], [], source or MemorySource(packages),
                   make_target(), ResolverOptions(**options))


def _universal(packages: dict[str, Any], requirements: list[str]) -> list[str]:
    request = UniversalRequest(
        project="proj", roots=(RootList("base", None, tuple(map(Requirement, requirements))),),
        python=specifier_versions(SpecifierSet(">=3.9")))
    return resolve_universal(request, MemorySource(packages)).warnings


def test_uv_words() -> None:
    assert missing_extra_warning("a", "1.0", "nope") == LACKS
    assert yanked_warning("old", "2.0", "broken") == '`old==2.0` is yanked (reason: "broken")'
    assert yanked_warning("old", "2.0", True) == "`old==2.0` is yanked"
    assert yanked_warning("old", "2.0", "") == '`old==2.0` is yanked (reason: "")'


def test_an_extra_asked_twice_warns_once() -> None:
    result = _resolve({"a": {"1.0": {}}, "b": {"1.0": {"requires": ["a[nope]"]}}},
                      ["a[nope]", "b"])
    assert result.warnings == (LACKS,)


def test_a_version_left_while_backtracking_says_nothing() -> None:
    """``a 2.0`` lacks the extra and is tried first (its metadata is read), but conflicts;
    ``a 1.0`` has it: nothing to warn about in what was chosen (uv warns on the final graph)."""
    source = MemorySource({"a": {"1.0": {"extras": {"x": ["c<2"]}},
                                 "2.0": {"requires": ["c>=2"]}},
                           "c": {"1.0": {}, "2.0": {}}})
    result = _resolve({}, ["a[x]", "c<2"], source)
    assert {str(k): v for k, v in result.pins().items()} == {"a": "1.0", "c": "1.0"}
    assert any(f.startswith("a-2.0") for f in source.metadata_calls)  # it was considered
    assert result.warnings == ()


def test_no_deps_reads_no_extras_so_warns_of_none() -> None:
    assert _resolve({"a": {"1.0": {}}}, ["a[nope]"], no_deps=True).warnings == ()


def test_the_resolvers_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Logged at once, the warning came before ``Resolved`` (and ``pip compile`` printed it a
    second time from the result)."""
    with caplog.at_level("WARNING", logger="ferry"):
        _resolve({"a": {"1.0": {}}}, ["a[nope]"])
        _universal({"a": {"1.0": {}}}, ["a[nope]"])
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_the_universal_graph_carries_extras_and_yanks_once() -> None:
    """Forked on the marker, both forks choose ``a 1.0``: one warning, not one per fork."""
    packages = {"a": {"1.0": {}}, "old": {"1.0": {}, "2.0": {"yanked": "broken"}},
                "b": {"1.0": {"requires": ["a[nope]; sys_platform == 'win32'"]},
                      "2.0": {"requires": ["a[nope]; sys_platform != 'win32'"]}}}
    warnings = _universal(packages, ["a[nope]", "old==2.0", "b>=1.0; sys_platform == 'win32'",
                                     "b>=2.0; sys_platform != 'win32'"])
    assert warnings == [LACKS, '`old==2.0` is yanked (reason: "broken")']


def test_an_unpinned_yanked_version_is_not_chosen_so_not_reported() -> None:
    packages = {"old": {"1.0": {}, "2.0": {"yanked": True}}}  # no reason given
    assert _universal(packages, ["old"]) == []
    assert _universal(packages, ["old==2.0"]) == ["`old==2.0` is yanked"]
