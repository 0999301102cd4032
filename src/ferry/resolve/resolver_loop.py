"""resolvelib's resolver with its per-round bookkeeping memoised.

resolvelib starts every round by asking, for *every* name it knows, whether the current pin still
satisfies every requirement on that name (``_is_current_pin_satisfying``), and asks again after
each pin. With a few hundred names and a dozen requirements on the popular ones, that is the
largest single cost of a resolution (a third of a universal lock's resolving time, measured on the
bench's ``web`` workload) although almost every answer is the same as in the previous round.

The answer is a pure function of the criterion and the pin, and resolvelib never mutates either
(``Criterion`` is documented as externally immutable: every change makes a new one), so it is
memoised by their identities. The memo keeps both objects alive, so an id cannot be reused by
another object while its entry exists. Everything else — which name is pinned next, backtracking,
the result — is resolvelib's own code, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic

from resolvelib import Resolver
from resolvelib.resolvers import Criterion, Result
from resolvelib.resolvers import resolution as _resolution
from resolvelib.structs import CT, KT, RT

__all__ = ["MemoResolver"]


class _MemoResolution(_resolution.Resolution[RT, CT, KT], Generic[RT, CT, KT]):
    """A :class:`resolvelib` resolution whose pin checks are memoised (module docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pin_checks: dict[tuple[int, int], tuple[Criterion[RT, CT], CT, bool]] = {}

    def _is_current_pin_satisfying(self, name: KT, criterion: Criterion[RT, CT]) -> bool:
        pin = self.state.mapping.get(name)
        if pin is None:
            return False
        key = (id(criterion), id(pin))
        known = self._pin_checks.get(key)
        if known is None:
            satisfied = super()._is_current_pin_satisfying(name, criterion)
            known = self._pin_checks[key] = (criterion, pin, satisfied)
        return known[2]


class MemoResolver(Resolver[RT, CT, KT]):
    """:class:`resolvelib.Resolver` with :class:`_MemoResolution` (same answers, fewer calls)."""

    def resolve(  # type: ignore[override]
        self, requirements: Iterable[RT], max_rounds: int = 100
    ) -> Result[RT, CT, KT]:
        resolution: _MemoResolution[RT, CT, KT] = _MemoResolution(self.provider, self.reporter)
        state = resolution.resolve(requirements, max_rounds=max_rounds)
        return _resolution._build_result(state)
