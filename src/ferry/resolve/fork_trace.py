"""Continuing a fork of a universal resolution from where another resolution got to.

A fork of a universal resolution is resolved on its own (:mod:`ferry.resolve.universal`), and
a fork made by a split used to start from nothing, deciding again the packages its parent had
already decided before the split. uv clones the parent's state instead; ferry cannot simply do
the same, because its locks are defined by what a resolution *of the fork* picks, and a fork's
narrower markers, higher lowest Python or new preferences may change an early decision.

What ferry does is exact instead: resolvelib is deterministic, so a fork's resolution passes
through exactly the states of another resolution for as long as its provider gives the same
answers to the same questions. Every resolution therefore keeps a :class:`Trace` — the
questions its provider was asked (``find_matches`` as :class:`Found`, ``get_dependencies`` as
:class:`Deps`), grouped by round, with a copy of the resolver's state at the start of each
round. A new fork first asks its own provider those questions again, in order (:func:`replay`);
where every answer of a round is the same, the round would have gone the same way, and the fork
starts at the first round that may not (:class:`~ferry.resolve.resolver_loop.Resume`). Asking
a question costs a memo lookup or a filter, far less than resolvelib's round around it.

Which name to decide next is not replayed: it is a function of the state and of the order in
which packages were discovered, which the replayed ``get_dependencies`` calls rebuild. Whether
a pin satisfies a requirement depends on nothing but the two values, except for a pre-release,
whose admission depends on the fork's pre-release policy (its lowest Python changes which final
releases a package offers): those answers are replayed too (:class:`Satisfied`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from resolvelib.structs import State

from ferry.model.immutable import immutable, mutable
from ferry.model.value_fields import field
from ferry.resolve.nodes import Candidate, Req
from ferry.resolve.resolver_loop import Resume, snapshot

__all__ = [
    "Answerer",
    "Call",
    "Deps",
    "Found",
    "Recording",
    "Round",
    "Satisfied",
    "Trace",
    "Traced",
    "candidates",
    "replay",
]


@immutable
class Found:
    """``find_matches`` on ``identifier``: what it read and what it answered."""

    identifier: str
    reqs: Sequence[Req]
    bad: Sequence[Candidate]
    result: list[Candidate]


@immutable
class Deps:
    """``get_dependencies`` of ``candidate``."""

    candidate: Candidate
    result: list[Req]


@immutable
class Satisfied:
    """``is_satisfied_by`` of a pre-release ``candidate`` (the only answers that depend on the
    provider rather than on the two values)."""

    requirement: Req
    candidate: Candidate
    result: bool


Call = Found | Deps | Satisfied


@mutable
class Round:
    """One round of a resolution: the state it started from and the questions asked in it."""

    start: State[Any, Any, Any]
    calls: list[Call] = field(default_factory=list)


@mutable
class Trace:
    """What one resolution asked, from its root requirements on (see the module docstring).

    A resolution continued from another shares the other's ``setup`` and first rounds.
    """

    roots: list[Req]
    setup: list[Call] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)


class Traced(Exception):
    """An exception a question may raise (a fork's split), told the trace whose replay it
    interrupted, so what follows can continue from that trace."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.trace: Trace | None = None


class Answerer(Protocol):
    """The provider side of a replay (the universal engine)."""

    calls: list[Call] | None
    """Where the provider records the questions it answers; ``None``: not recording."""

    def find(
        self, identifier: str, reqs: Sequence[Req], bad: Sequence[Candidate]
    ) -> list[Candidate]: ...

    def get_dependencies(self, candidate: Candidate) -> list[Req]: ...

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool: ...

    def mark(self) -> tuple[int, int]:
        """A point the provider's order of discovery can be taken back to."""
        ...

    def rewind(self, mark: tuple[int, int]) -> None: ...


class _Replayer:
    """Asks one engine a trace's questions; remembers the answers to ``find_matches`` and
    ``is_satisfied_by`` (traces share their first rounds, and the chosen one is asked twice),
    while ``get_dependencies`` is always asked again: it rebuilds the order of discovery."""

    def __init__(self, engine: Answerer, roots: list[Req]) -> None:
        self.engine = engine
        self.roots = roots
        self.known: dict[int, tuple[Call, bool]] = {}

    def answers(self, call: Call) -> bool:
        if isinstance(call, Deps):
            return self.engine.get_dependencies(call.candidate) == call.result
        known = self.known.get(id(call))
        if known is None:
            if isinstance(call, Found):
                same = self.engine.find(call.identifier, call.reqs, call.bad) == call.result
            else:
                same = self.engine.is_satisfied_by(call.requirement, call.candidate) == call.result
            known = self.known[id(call)] = (call, same)
        return known[1]

    def reach(self, trace: Trace, limit: int) -> int:
        """How many rounds of ``trace`` (at most ``limit``) the engine answers exactly as
        recorded (-1: not even the setup); its order of discovery is left as after them."""
        if not trace.rounds or trace.roots != self.roots:
            return -1
        if not all(self.answers(call) for call in trace.setup):
            return -1
        reached = 0
        for current in trace.rounds[:limit]:
            mark = self.engine.mark()
            if not all(self.answers(call) for call in current.calls):
                self.engine.rewind(mark)
                break
            reached += 1
        return reached


def replay(
    traces: Sequence[Trace], engine: Answerer, roots: Sequence[Req]
) -> tuple[Trace, Resume] | None:
    """The trace, and the furthest round in it, a resolution of ``roots`` by ``engine`` can
    start from (``None``: it must start from its requirements). ``engine`` has then answered
    (and discovered) everything before that round, as if it had played it. A ``ForkNeeded``
    raised by a question propagates: the fork's own resolution would raise it at that point."""
    engine.calls = None
    replayer = _Replayer(engine, list(roots))
    start = engine.mark()
    best: tuple[int, Trace] | None = None
    played: Trace | None = None  # the trace the engine's order of discovery is left at
    for trace in traces:
        if best is not None and best[0] >= len(trace.rounds) - 1:
            continue
        if played is not None:
            engine.rewind(start)
        try:
            reached = replayer.reach(trace, len(trace.rounds) - 1)
        except Traced as exc:
            exc.trace = trace
            raise
        played = trace
        if reached >= 0 and (best is None or reached > best[0]):
            best = (reached, trace)
    if best is None:
        return None
    reached, trace = best
    if played is not trace:
        engine.rewind(start)
        if replayer.reach(trace, reached) != reached:
            raise RuntimeError("a replayed resolution answered differently the second time")
    return trace, Resume([r.start for r in trace.rounds[: reached + 1]], reached)


class Recording:
    """The resolver loop's watch (:data:`~ferry.resolve.resolver_loop.Watch`) that fills a
    trace: a copy of each round's starting state, and the engine's calls switched to the
    round's list. The rounds before ``trace.rounds``' end are inherited (a continued run)."""

    def __init__(self, engine: Answerer, trace: Trace) -> None:
        self.engine = engine
        self.trace = trace

    def __call__(self, round_index: int, state: State[Any, Any, Any] | None) -> None:
        if state is None:
            self.engine.calls = None
            return
        rounds = self.trace.rounds
        if round_index != len(rounds):
            raise RuntimeError(f"round {round_index} recorded after {len(rounds)} rounds")
        current = Round(snapshot(state))
        rounds.append(current)
        self.engine.calls = current.calls


def candidates(parent: Trace | None, solved: Sequence[Trace], tries: int = 4) -> list[Trace]:
    """The traces a fork tries, best bets first: the forks solved last (siblings, which often
    diverged from the parent for a reason this fork shares), then its parent's."""
    found: list[Trace] = []
    for trace in (*reversed(solved[-(tries - 1):]), parent):
        if trace is not None and all(trace is not t for t in found):
            found.append(trace)
    return found
