"""Sets of string values: with :class:`ferry.model.version_sets.VersionSet`, the per-variable
pieces of marker algebra.

A universal resolution reasons about *sets of environments*; every PEP 508 variable constrains
one axis of that space. The Python version axis is an ordered line, so its sets are finite
unions of intervals (``VersionSet``, in the model layer because requires-python needs them
too); the other variables (``sys_platform``, ``platform_machine``…) are unordered names, so
their sets are "one of these" or "none of these" (:class:`ValueSet`). Both are exact:
intersection, union and complement never approximate, which is what lets the resolver decide
disjointness and implication of markers without sampling environments.
"""

from __future__ import annotations

from ferry.model.immutable import immutable


@immutable
class ValueSet:
    """``var in values`` (``positive``) or ``var not in values``; the full set is
    ``ValueSet(False, frozenset())``."""

    positive: bool
    values: frozenset[str]

    @staticmethod
    def full() -> ValueSet:
        return ValueSet(False, frozenset())

    def __and__(self, other: ValueSet) -> ValueSet:
        if self.positive and other.positive:
            return ValueSet(True, self.values & other.values)
        if self.positive:
            return ValueSet(True, self.values - other.values)
        if other.positive:
            return ValueSet(True, other.values - self.values)
        return ValueSet(False, self.values | other.values)

    def __or__(self, other: ValueSet) -> ValueSet:
        if self.positive and other.positive:
            return ValueSet(True, self.values | other.values)
        if self.positive:
            return ValueSet(False, other.values - self.values)
        if other.positive:
            return ValueSet(False, self.values - other.values)
        return ValueSet(False, self.values & other.values)

    def __invert__(self) -> ValueSet:
        return ValueSet(not self.positive, self.values)

    def is_empty(self) -> bool:
        return self.positive and not self.values

    def is_full(self) -> bool:
        return not self.positive and not self.values

    def issubset(self, other: ValueSet) -> bool:
        """``(self & ~other).is_empty()``, decided on the value sets directly."""
        if self.positive:
            if other.positive:
                return self.values <= other.values
            return self.values.isdisjoint(other.values)
        return not other.positive and other.values <= self.values
