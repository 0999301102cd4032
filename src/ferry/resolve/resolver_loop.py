"""resolvelib's resolver with its per-round bookkeeping memoised.

resolvelib starts every round by asking, for *every* name it knows, whether the current pin still
satisfies every requirement on that name (``_is_current_pin_satisfying``), and asks again after
each pin. With a few hundred names and a dozen requirements on the popular ones, that is the
largest single cost of a resolution (a third of a universal lock's resolving time, measured on the
bench's ``web`` workload) although almost every answer is the same as in the previous round.

The answer is a pure function of the criterion and the pin, and resolvelib never mutates either
(``Criterion`` is documented as externally immutable: every change makes a new one), so the
last answer for each name is kept with the criterion and pin it was given for, and reused while
both are the same objects. Which name is pinned next, backtracking and the result are
resolvelib's own logic, unchanged (see ``_OWN_LOOP`` for the one loop kept here).

The loop can also start from a copy of another resolution's state (:class:`Resume`) and report
each round's starting state (:data:`Watch`): :mod:`ferry.resolve.fork_trace` continues a fork of
a universal resolution that way.
"""

from __future__ import annotations

import collections
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic

from resolvelib import Resolver
from resolvelib import __version__ as _resolvelib_version
from resolvelib.resolvers import (
    Criterion,
    RequirementsConflicted,
    ResolutionImpossible,
    ResolutionTooDeep,
    Result,
)
from resolvelib.resolvers import resolution as _resolution
from resolvelib.structs import CT, KT, RT, IteratorMapping, State

from ferry.model.immutable import immutable

__all__ = ["MemoResolver", "Resume", "Watch", "can_resume", "criterion_of", "snapshot"]

# The round loop in ``_MemoResolution.resolve`` is resolvelib 1.2's ``Resolution.resolve``,
# statement for statement, except that the two scans over every criterion look the pin check up
# inline instead of calling a method per name, and that the provider is handed criteria it can
# memoise by (:func:`criterion_of`). It runs only with the resolvelib it was copied from; any
# other version runs its own loop (with the memoised pin checks), so answers never depend on
# which loop ran.
_OWN_LOOP = _resolvelib_version.startswith("1.2.") and hasattr(
    _resolution.Resolution, "_rollback_states")


#: Told the state at the start of each round (before anything else happens in it) for as long as
#: no candidate has failed; told ``None`` once one has (backjumping rewrites earlier states, so
#: later rounds cannot be resumed from a copy of the stack made of round starts).
Watch = Callable[[int, "State[Any, Any, Any] | None"], None]


def can_resume() -> bool:
    """Whether this resolvelib runs the loop that can start from a :class:`Resume`."""
    return _OWN_LOOP


def snapshot(state: State[RT, CT, KT]) -> State[RT, CT, KT]:
    """A private copy of ``state`` (resolvelib mutates the top state in place during a round,
    and pops items from the states it backjumps over); criteria themselves are immutable."""
    return State(mapping=state.mapping.copy(), criteria=state.criteria.copy(),
                 backtrack_causes=state.backtrack_causes[:])


@immutable
class Resume:
    """Where a resolution starts instead of from its requirements: the start of round
    ``round_index`` of another resolution whose provider answered every question asked before
    that round as this one's provider would (so resolvelib, being deterministic, would arrive
    at exactly this state).

    ``starts`` are the states at the start of rounds ``0..round_index``, from a run in which no
    candidate had failed yet: then the stack resolvelib holds at the start of round ``r`` is
    ``[starts[0], starts[1], ..., starts[r], starts[r]]`` (the states it pushed, each holding
    what the round before it left, plus the fresh copy the round works on).
    """

    starts: Sequence[State[Any, Any, Any]]
    round_index: int

    def stack(self) -> list[State[Any, Any, Any]]:
        chosen = [snapshot(s) for s in self.starts[: self.round_index + 1]]
        return [*chosen, snapshot(chosen[-1])]


class _CriteriaInformation(IteratorMapping[RT, CT, KT]):
    """resolvelib's ``information`` view, which can also hand out the criterion itself."""

    def criterion(self, key: KT) -> object:
        return self._mapping.get(key)


def criterion_of(information: Mapping[str, Iterator[Any]], identifier: str) -> object | None:
    """The criterion behind ``information[identifier]`` when the loop offers it: an object that
    is replaced whenever the requirements on ``identifier`` change, so a provider may key a memo
    of anything computed from them by its identity. ``None`` otherwise."""
    if isinstance(information, _CriteriaInformation):
        return information.criterion(identifier)
    return None


class _MemoResolution(_resolution.Resolution[RT, CT, KT], Generic[RT, CT, KT]):
    """A :class:`resolvelib` resolution whose pin checks are memoised (module docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # name -> the criterion and pin last checked for it, and the answer.
        self._pin_checks: dict[KT, tuple[Criterion[RT, CT], CT, bool]] = {}
        self.watch: Watch | None = None
        self.start: Resume | None = None
        self._touched: list[KT] = []

    def _is_current_pin_satisfying(self, name: KT, criterion: Criterion[RT, CT]) -> bool:
        pin = self.state.mapping.get(name)
        if pin is None:
            return False
        known = self._pin_checks.get(name)
        if known is None or known[0] is not criterion or known[1] is not pin:
            known = self._pin_checks[name] = (
                criterion, pin, super()._is_current_pin_satisfying(name, criterion))
        return known[2]

    def _get_updated_criteria(self, candidate: CT) -> dict[KT, Criterion[RT, CT]]:
        """resolvelib's, noting which names the candidate's dependencies touched."""
        criteria = self.state.criteria.copy()
        touched: list[KT] = []
        for requirement in self._p.get_dependencies(candidate=candidate):
            self._add_to_criteria(criteria, requirement, parent=candidate)
            touched.append(self._p.identify(requirement))
        self._touched = touched
        return criteria

    def _unsatisfied(self, state: State[RT, CT, KT], among: set[KT] | None = None) -> list[KT]:
        """The names whose pin no longer satisfies their criterion (or that have none): in the
        criteria's order, or only those ``among`` (in no particular order). The memo is read
        inline: this runs over every criterion every round, and from one round to the next
        almost every criterion and pin is the same object."""
        mapping = state.mapping
        checks = self._pin_checks
        found: list[KT] = []
        criteria = state.criteria
        pairs: Iterable[tuple[KT, Criterion[RT, CT]]] = (
            criteria.items() if among is None else ((k, criteria[k]) for k in among))
        for key, criterion in pairs:
            pin = mapping.get(key)
            if pin is None:
                found.append(key)
                continue
            known = checks.get(key)
            if known is not None and known[0] is criterion and known[1] is pin:
                if not known[2]:
                    found.append(key)
            elif not self._is_current_pin_satisfying(key, criterion):
                found.append(key)
        return found

    def resolve(self, requirements: Iterable[RT], max_rounds: int) -> Any:
        if not _OWN_LOOP:
            if self.start is not None or self.watch is not None:
                raise RuntimeError("this resolvelib cannot resume or watch a resolution")
            return super().resolve(requirements, max_rounds)
        return self._resolve(requirements, max_rounds)

    def _resolve(self, requirements: Iterable[RT], max_rounds: int) -> Any:  # noqa: C901
        if self._states:
            raise RuntimeError("already resolved")
        self._r.starting()
        first_round = 0
        if self.start is not None:
            self._states = self.start.stack()
            first_round = self.start.round_index
        else:
            self._states = [State(
                mapping=collections.OrderedDict(), criteria={}, backtrack_causes=[])]
            for r in requirements:
                try:
                    self._add_to_criteria(self.state.criteria, r, parent=None)
                except RequirementsConflicted as e:
                    raise ResolutionImpossible(e.criterion.information) from e
            self._push_new_state()
        watch = self.watch

        optimistic_rounds_cutoff: int | None = None
        optimistic_backjumping_start_round: int | None = None
        for round_index in range(first_round, max_rounds):
            self._r.starting_round(index=round_index)
            if self._optimistic_backjumping_ratio and self._save_states is not None:
                if optimistic_backjumping_start_round is None:
                    optimistic_backjumping_start_round = round_index
                    optimistic_rounds_cutoff = int(
                        (max_rounds - round_index) * self._optimistic_backjumping_ratio
                    )
                    if optimistic_rounds_cutoff <= 0:
                        self._rollback_states()
                        continue
                elif optimistic_rounds_cutoff is not None and (
                    round_index - optimistic_backjumping_start_round >= optimistic_rounds_cutoff
                ):
                    self._rollback_states()
                    continue

            state = self.state
            if watch is not None:
                watch(round_index, state)
            mapping = state.mapping
            unsatisfied_names = self._unsatisfied(state)
            if not unsatisfied_names:
                self._r.ending(state=state)
                return state
            satisfied_names = set(state.criteria.keys()) - set(unsatisfied_names)

            if len(unsatisfied_names) > 1:
                information = _CriteriaInformation(
                    state.criteria, operator.attrgetter("information"))
                narrowed = list(self._p.narrow_requirement_selection(
                    identifiers=unsatisfied_names,
                    resolutions=mapping,
                    candidates=IteratorMapping(state.criteria, operator.attrgetter("candidates")),
                    information=information,
                    backtrack_causes=state.backtrack_causes,
                ))
            else:
                narrowed = unsatisfied_names
            if not narrowed:
                raise RuntimeError("narrow_requirement_selection returned 0 names")
            if len(narrowed) > 1:
                name = min(narrowed, key=self._get_preference)
            else:
                name = narrowed[0]

            failure_criterion = self._attempt_to_pin_criterion(name)

            if failure_criterion:
                if watch is not None:
                    watch(round_index, None)
                    watch = None
                causes = self._extract_causes(failure_criterion)
                self._r.resolving_conflicts(causes=causes)
                try:
                    success = self._backjump(causes)
                except ResolutionImpossible:
                    if self._optimistic_backjumping_ratio and self._save_states:
                        failed_optimistic_backjumping = True
                    else:
                        raise
                else:
                    failed_optimistic_backjumping = bool(
                        not success and self._optimistic_backjumping_ratio and self._save_states
                    )
                if failed_optimistic_backjumping and self._save_states:
                    self._rollback_states()
                else:
                    self.state.backtrack_causes[:] = causes
                    if not success:
                        raise ResolutionImpossible(self.state.backtrack_causes)
            else:
                # Only the names the new pin's dependencies touched can have stopped being
                # satisfied: no other criterion or pin changed this round.
                newly_unsatisfied_names = set(self._unsatisfied(
                    self.state, satisfied_names.intersection(self._touched)))
                self._remove_information_from_criteria(state.criteria, newly_unsatisfied_names)
                self._push_new_state()

            self._r.ending_round(index=round_index, state=self.state)

        raise ResolutionTooDeep(max_rounds)


class MemoResolver(Resolver[RT, CT, KT]):
    """:class:`resolvelib.Resolver` with :class:`_MemoResolution` (same answers, fewer calls)."""

    def resolve(  # type: ignore[override]
        self, requirements: Iterable[RT], max_rounds: int = 100, *,
        start: Resume | None = None, watch: Watch | None = None,
    ) -> Result[RT, CT, KT]:
        """resolvelib's resolution; from ``start`` instead of ``requirements`` when given, with
        ``watch`` told each round's starting state (see :data:`Watch`). Both need
        :func:`can_resume`."""
        resolution: _MemoResolution[RT, CT, KT] = _MemoResolution(self.provider, self.reporter)
        resolution.start = start
        resolution.watch = watch
        state = resolution.resolve(requirements, max_rounds=max_rounds)
        return _resolution._build_result(state)
