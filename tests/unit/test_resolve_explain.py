"""Snapshots of the words a failed resolution produces: they are the user interface of failure."""

from __future__ import annotations

from typing import Any

import pytest
from test_resolve_semantics import make_target, run

from ferry.model.errors import ResolutionError, UserError
from ferry.resolve.explain import HEADLINE


def explain(packages: dict[str, Any], requirements: list[str], constraints: tuple[str, ...] = (),
            **options: Any) -> ResolutionError:
    with pytest.raises(ResolutionError) as info:
        run(packages, requirements, constraints, **options)
    error = info.value
    assert error.message == HEADLINE
    assert isinstance(error, UserError) and error.exit_code == 1
    return error


def test_dependency_needs_a_version_that_does_not_exist() -> None:
    error = explain({"a": {"1.0": {"requires": ["b>=2"]}}, "b": {"1.0": {}, "1.5": {}}}, ["a==1.0"])
    assert error.causes == [
        "Because a==1.0 depends on b>=2 and only b<2 is available, a==1.0 cannot be used.",
        "And because you require a==1.0, the requirements are unsatisfiable.",
    ]
    assert error.hint is None


def test_requires_python_is_named_with_the_target() -> None:
    error = explain({"a": {"1.0": {"requires": ["b==2.0"]}},
                     "b": {"1.0": {}, "2.0": {"requires_python": ">=3.13"}}}, ["a"])
    assert error.causes == [
        "Because a==1.0 depends on b==2.0 and b==2.0 requires Python >=3.13 but the target is "
        "3.12, a==1.0 cannot be used.",
        "And because you require a, the requirements are unsatisfiable.",
    ]
    assert error.hint is not None and "--python-version" in error.hint


def test_not_found_lists_where_it_looked() -> None:
    error = explain({"app": {"1.0": {"requires": ["lib"]}}}, ["app"])
    assert error.causes == [
        "Because lib was not found in the package registry (searched: memory://index/simple) "
        "and app==1.0 depends on lib, app==1.0 cannot be used.",
        "And because you require app, the requirements are unsatisfiable.",
    ]
    assert error.hint is not None and "--index-url" in error.hint


def test_two_dependencies_disagree() -> None:
    error = explain({"a": {"1.0": {"requires": ["c>=2"]}}, "b": {"1.0": {"requires": ["c<2"]}},
                     "c": {"1.0": {}, "2.0": {}}}, ["a", "b"])
    assert error.causes == [
        "Because a==1.0 depends on c>=2 and b==1.0 depends on c<2, a==1.0 and b==1.0 are "
        "incompatible.",
        "And because you require a and b, the requirements are unsatisfiable.",
    ]


def test_the_chain_from_the_root_is_named() -> None:
    error = explain({"top": {"1.0": {"requires": ["mid"]}},
                     "mid": {"1.0": {"requires": ["leaf>=3"]}},
                     "leaf": {"1.0": {}, "2.0": {}}}, ["top"])
    assert error.causes == [
        "Because mid==1.0 depends on leaf>=3 and only leaf<3 is available, mid==1.0 cannot be "
        "used.",
        "And because you require top and top==1.0 depends on mid, the requirements are "
        "unsatisfiable.",
    ]


def test_every_version_is_accounted_for() -> None:
    error = explain({"a": {"1.0": {"requires": ["b"]}, "2.0": {"requires": ["b"]}},
                     "b": {"1.0": {"requires_python": ">=3.14"}}}, ["a"])
    assert error.causes == [
        "Because a==2.0 depends on b and b==1.0 requires Python >=3.14 but the target is 3.12, "
        "a==2.0 cannot be used.",
        "a==1.0 cannot be used either, because a==1.0 depends on b and b==1.0 requires Python "
        ">=3.14 but the target is 3.12.",
        "And because you require a, the requirements are unsatisfiable.",
    ]


def test_yanked_prerelease_constraint_and_tags_are_explicit() -> None:
    yanked = explain({"a": {"1.0": {"yanked": "security hole"}}}, ["a"])
    assert yanked.causes == [
        "Because you require a and a==1.0 was yanked (reason: security hole), the requirements "
        "are unsatisfiable.",
    ]
    assert yanked.hint is not None and "pin it exactly" in yanked.hint

    pre = explain({"a": {"1.0": {}, "2.0b1": {}}}, ["a>1.0"], prerelease="explicit")
    assert pre.causes == [
        "Because you require a>1.0 and only pre-releases of a match (2.0b1), and pre-releases "
        "are not allowed, the requirements are unsatisfiable.",
    ]
    assert pre.hint is not None and "--prerelease allow" in pre.hint

    constrained = explain({"a": {"1.0": {}, "2.0": {}}}, ["a>=2"], ("a<2",))
    assert constrained.causes == [
        "Because you require a>=2 and your constraints (`a<2`) exclude every version of a in "
        "that range, the requirements are unsatisfiable.",
    ]

    tags = explain({"a": {"1.0": {"wheel_tags": ["cp313-cp313-win_amd64"], "sdist": False}}},
                   ["a"])
    assert tags.causes == [
        "Because you require a and a==1.0 has no wheel compatible with the target (wheels "
        "offered for: cp313-cp313-win_amd64) and no source distribution, the requirements are "
        "unsatisfiable.",
    ]
    assert tags.hint is not None and "cp312-cp312-manylinux_2_17_x86_64" in tags.hint


def test_conflicting_root_requirements() -> None:
    error = explain({"a": {"1.0": {}, "2.0": {}}}, ["a>=2", "a<2"])
    assert error.causes == ["Because you require a>=2 and a<2, the requirements are unsatisfiable."]


def test_several_python_exclusions_share_one_target() -> None:
    packages = {"a": {"1.0": {"requires_python": ">=3.8"}, "2.0": {"requires_python": ">=3.10"},
                      "3.0": {"requires_python": ">=3.11"}}}
    error = explain(packages, ["a>=2"], target=make_target("3.9"))
    assert error.causes == [
        "Because you require a>=2 and a==2.0 requires Python >=3.10 and a==3.0 requires Python "
        ">=3.11, but the target is 3.9, the requirements are unsatisfiable.",
    ]


def test_giving_up_is_an_explained_resolution_error() -> None:
    packages: dict[str, Any] = {name: {"1.0": {}} for name in "abcde"}
    error = explain(packages, list("abcde"), max_rounds=2)
    assert error.causes[0] == "The resolver gave up after 2 rounds of backtracking."
    assert error.hint is not None and "constraints" in error.hint


def test_unusable_metadata_is_named() -> None:
    from ferry.resolve.memory import MemorySource
    from ferry.resolve.source import MetadataError

    source = MemorySource({"a": {"1.0": {}}})

    def broken(file: Any) -> Any:
        raise MetadataError("Metadata of `a-1.0-py3-none-any.whl` lacks a Name or Version field")

    source.metadata = broken  # type: ignore[method-assign]
    with pytest.raises(ResolutionError) as info:
        run({}, ["a"], source=source)
    assert info.value.causes == [
        "Because a==1.0 has unusable metadata: Metadata of `a-1.0-py3-none-any.whl` lacks a "
        "Name or Version field, a==1.0 cannot be used.",
        "And because you require a, the requirements are unsatisfiable.",
    ]


def test_versions_excluded_for_one_reason_are_grouped() -> None:
    packages: dict[str, Any] = {"a": {f"2.{i}": {"requires_python": ">=3.13"} for i in range(5)}}
    packages["a"]["1.0"] = {}
    packages["a"]["2.9"] = {"yanked": True}
    error = explain(packages, ["a>=2"])
    assert error.causes == [
        "Because you require a>=2 and 5 versions of a (2.0 to 2.4) require Python >=3.13 but "
        "the target is 3.12 and a==2.9 was yanked, the requirements are unsatisfiable.",
    ]


def test_a_prerelease_only_overlap_is_called_out() -> None:
    error = explain({"a": {"1.0": {"requires": ["c==2.0b1"]}},
                     "b": {"1.0": {"requires": ["c>=1.0,<=3.0"]}},
                     "c": {"1.0": {}, "2.0b1": {}}}, ["a", "b"])
    assert error.causes == [
        "Because a==1.0 depends on c==2.0b1 and b==1.0 depends on c<=3.0,>=1.0, and only "
        "pre-releases satisfy both (2.0b1), which not every requirement allows, a==1.0 and "
        "b==1.0 are incompatible.",
        "And because you require a and b, the requirements are unsatisfiable.",
    ]
    assert error.hint is not None and "`c>=2.0b1`" in error.hint
