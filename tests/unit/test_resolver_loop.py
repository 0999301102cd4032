"""MemoResolver: resolvelib's answers, with fewer pin checks.

The memoised resolver must pick exactly what resolvelib's own picks (including after
backtracking), and ask the provider's ``is_satisfied_by`` less often.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from resolvelib import AbstractProvider, BaseReporter, ResolutionImpossible, Resolver

from ferry.resolve.resolver_loop import MemoResolver

# name -> version -> dependencies (name, allowed versions)
Index = dict[str, dict[int, list[tuple[str, frozenset[int]]]]]
Requirement = tuple[str, frozenset[int]]
Candidate = tuple[str, int]


class Toy(AbstractProvider[Requirement, Candidate, str]):
    """Highest version first; counts ``is_satisfied_by`` calls."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.checks = 0

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        return requirement_or_candidate[0]

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> str:
        return identifier

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        reqs = list(requirements[identifier])
        bad = set(incompatibilities[identifier])
        return [
            (identifier, v) for v in sorted(self.index[identifier], reverse=True)
            if all(v in r[1] for r in reqs) and (identifier, v) not in bad
        ]

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        self.checks += 1
        return candidate[1] in requirement[1]

    def get_dependencies(self, candidate: Candidate) -> Iterable[Requirement]:
        return self.index[candidate[0]][candidate[1]]


def _any(*versions: int) -> frozenset[int]:
    return frozenset(versions)


# a's newest version needs c==1 while b needs c==2: the resolver must backtrack to a==1.
BACKTRACKING: Index = {
    "a": {2: [("c", _any(1))], 1: [("c", _any(2))]},
    "b": {1: [("c", _any(2)), ("d", _any(1, 2))]},
    "c": {1: [], 2: [("d", _any(1))]},
    "d": {1: [], 2: []},
    **{f"x{i}": {1: [("d", _any(1, 2))]} for i in range(30)},
}


def _solve(resolver_type: type[Resolver[Any, Any, Any]], index: Index,
           roots: list[Requirement]) -> tuple[dict[str, Candidate], int]:
    provider = Toy(index)
    resolver = resolver_type(provider, BaseReporter())
    result = resolver.resolve(roots, max_rounds=500)
    return dict(result.mapping), provider.checks


def test_same_pins_as_resolvelib_with_fewer_checks() -> None:
    roots = [("a", _any(1, 2)), ("b", _any(1)), *[(f"x{i}", _any(1)) for i in range(30)]]
    plain, plain_checks = _solve(Resolver, BACKTRACKING, roots)
    memo, memo_checks = _solve(MemoResolver, BACKTRACKING, roots)
    assert memo == plain
    assert memo["a"] == ("a", 1) and memo["c"] == ("c", 2)
    assert memo_checks < plain_checks / 2


def test_impossible_is_still_impossible() -> None:
    index: Index = {"a": {1: [("c", _any(1))]}, "b": {1: [("c", _any(2))]}, "c": {1: [], 2: []}}
    with pytest.raises(ResolutionImpossible):
        _solve(MemoResolver, index, [("a", _any(1)), ("b", _any(1))])


def test_the_own_loop_runs_with_the_resolvelib_it_was_copied_from() -> None:
    import resolvelib

    from ferry.resolve import resolver_loop

    assert resolvelib.__version__.startswith("1.2.") == resolver_loop._OWN_LOOP


class Ranking(Toy):
    """Records what ``criterion_of`` hands the provider while ranking."""

    def __init__(self, index: Index) -> None:
        super().__init__(index)
        self.seen: list[object | None] = []

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        from ferry.resolve.resolver_loop import criterion_of

        names = list(identifiers)
        for name in names:
            criterion = criterion_of(information, name)
            self.seen.append(criterion)
            if criterion is not None:
                assert [i.requirement for i in criterion.information] == [  # type: ignore[attr-defined]
                    i.requirement for i in information[name]]
        return names


def test_criterion_of_hands_out_the_criterion_behind_the_information() -> None:
    from ferry.resolve import resolver_loop

    provider = Ranking(BACKTRACKING)
    roots = [("a", _any(1, 2)), ("b", _any(1)), ("x0", _any(1))]
    MemoResolver(provider, BaseReporter()).resolve(roots, max_rounds=100)
    assert provider.seen
    if resolver_loop._OWN_LOOP:
        assert all(c is not None for c in provider.seen)
    assert resolver_loop.criterion_of({"a": iter(())}, "a") is None
