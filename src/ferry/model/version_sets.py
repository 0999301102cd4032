"""Sets of Python versions: finite unions of intervals, exact under intersection, union and
complement.

A ``requires-python`` is a set of versions, and so is every ``python_version``/
``python_full_version`` clause of a marker: the lock's spelling of ``requires-python``
(:mod:`ferry.model.requires_python`), the freshness check of a lock and the resolver's marker
algebra (:mod:`ferry.resolve.marker_sets`) all reason with the same sets, so they live here,
below every layer that needs them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache

from ferry.model.immutable import immutable
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.value_fields import field


@immutable
class VersionSet:
    """A finite union of intervals of versions, as a step function.

    ``points`` are sorted boundary versions; ``flags`` has ``2 * len(points) + 1`` entries:
    membership of ``(-inf, p0)``, ``{p0}``, ``(p0, p1)``, ``{p1}``, …, ``(p_last, +inf)``.
    The representation is kept canonical (no boundary whose three flags agree), so equal sets
    compare equal.
    """

    points: tuple[Version, ...] = ()
    flags: tuple[bool, ...] = (True,)
    # Marker algebra hashes and prints (as a sort key) the same few sets over and over, and
    # both walk every Version in Python: each is computed once per set.
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    _text: str = field(default="", init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash((self.points, self.flags)) or 1)
        return self._hash

    def __repr__(self) -> str:
        if not self._text:
            object.__setattr__(
                self, "_text", f"VersionSet(points={self.points!r}, flags={self.flags!r})")
        return self._text

    @staticmethod
    def full() -> VersionSet:
        return VersionSet((), (True,))

    @staticmethod
    def empty() -> VersionSet:
        return VersionSet((), (False,))

    @staticmethod
    def compare(op: str, version: Version) -> VersionSet:
        """The versions ``v`` with ``v <op> version`` (``==``/``!=`` exact)."""
        table = {
            ">=": (False, True, True),
            ">": (False, False, True),
            "<=": (True, True, False),
            "<": (True, False, False),
            "==": (False, True, False),
            "===": (False, True, False),
            "!=": (True, False, True),
        }
        return VersionSet((version,), table[op])

    @staticmethod
    def between(low: Version, high: Version) -> VersionSet:
        """``[low, high)``."""
        return VersionSet.compare(">=", low) & VersionSet.compare("<", high)

    # -- membership --------------------------------------------------------------------------

    def contains(self, version: Version) -> bool:
        index = bisect_left(self.points, version)
        if index < len(self.points) and self.points[index] == version:
            return self.flags[2 * index + 1]
        return self.flags[2 * index]

    def _open_after(self, version: Version | None) -> bool:
        """Membership of the open segment just above ``version`` (``None``: minus infinity)."""
        if version is None:
            return self.flags[0]
        index = bisect_left(self.points, version)
        if index < len(self.points) and self.points[index] == version:
            return self.flags[2 * index + 2]
        return self.flags[2 * index]

    # -- algebra -----------------------------------------------------------------------------

    def _combine(self, other: VersionSet, op: Callable[[bool, bool], bool]) -> VersionSet:
        """Both step functions walked together (a merge of the two sorted boundary lists)."""
        mine, theirs = self.points, other.points
        my_flags, their_flags = self.flags, other.flags
        i = j = 0
        mine_open, theirs_open = my_flags[0], their_flags[0]
        points: list[Version] = []
        flags = [op(mine_open, theirs_open)]
        while i < len(mine) or j < len(theirs):
            if j == len(theirs) or (i < len(mine) and mine[i] < theirs[j]):
                point = mine[i]
                mine_at, mine_open = my_flags[2 * i + 1], my_flags[2 * i + 2]
                theirs_at = theirs_open
                i += 1
            elif i == len(mine) or theirs[j] < mine[i]:
                point = theirs[j]
                theirs_at, theirs_open = their_flags[2 * j + 1], their_flags[2 * j + 2]
                mine_at = mine_open
                j += 1
            else:
                point = mine[i]
                mine_at, mine_open = my_flags[2 * i + 1], my_flags[2 * i + 2]
                theirs_at, theirs_open = their_flags[2 * j + 1], their_flags[2 * j + 2]
                i += 1
                j += 1
            points.append(point)
            flags.append(op(mine_at, theirs_at))
            flags.append(op(mine_open, theirs_open))
        return _canonical(points, flags)

    def __and__(self, other: VersionSet) -> VersionSet:
        return _intersection(self, other, repr(self), repr(other))

    def __or__(self, other: VersionSet) -> VersionSet:
        return _union(self, other, repr(self), repr(other))

    def __invert__(self) -> VersionSet:
        return VersionSet(self.points, tuple(not f for f in self.flags))

    def is_empty(self) -> bool:
        return not any(self.flags)

    def is_full(self) -> bool:
        return all(self.flags)

    def issubset(self, other: VersionSet) -> bool:
        """``(self & ~other).is_empty()``, walking both step functions without building it."""
        if self is other:
            return True
        mine, theirs = self.points, other.points
        my_flags, their_flags = self.flags, other.flags
        i = j = 0
        mine_open, theirs_open = my_flags[0], their_flags[0]
        if mine_open and not theirs_open:
            return False
        while i < len(mine) or j < len(theirs):
            if j == len(theirs) or (i < len(mine) and mine[i] < theirs[j]):
                mine_at, mine_open = my_flags[2 * i + 1], my_flags[2 * i + 2]
                theirs_at = theirs_open
                i += 1
            elif i == len(mine) or theirs[j] < mine[i]:
                theirs_at, theirs_open = their_flags[2 * j + 1], their_flags[2 * j + 2]
                mine_at = mine_open
                j += 1
            else:
                mine_at, mine_open = my_flags[2 * i + 1], my_flags[2 * i + 2]
                theirs_at, theirs_open = their_flags[2 * j + 1], their_flags[2 * j + 2]
                i += 1
                j += 1
            if (mine_at and not theirs_at) or (mine_open and not theirs_open):
                return False
        return True

    def lower(self) -> Version | None:
        """The smallest boundary the set starts at (``None`` when unbounded below or empty)."""
        if self.flags[0]:
            return None
        for index, point in enumerate(self.points):
            if self.flags[2 * index + 1] or self.flags[2 * index + 2]:
                return point
        return None

    def intervals(self) -> Iterator[tuple[Version | None, bool, Version | None, bool]]:
        """Maximal intervals as ``(low, low_inclusive, high, high_inclusive)``; ``None`` bounds
        are infinite."""
        low: Version | None = None
        low_inclusive = False
        inside = self.flags[0]
        for index, point in enumerate(self.points):
            at, after = self.flags[2 * index + 1], self.flags[2 * index + 2]
            if inside and not at:
                yield (low, low_inclusive, point, False)
                inside = False
            elif inside and at and not after:
                yield (low, low_inclusive, point, True)
                inside = False
                continue
            if not inside:
                if at and after:
                    low, low_inclusive, inside = point, True, True
                elif after:
                    low, low_inclusive, inside = point, False, True
                elif at:
                    yield (point, True, point, True)
        if inside:
            yield (low, low_inclusive, None, False)


# Marker algebra combines the same few Python ranges over and over (every fork, every edge):
# the results are memoised (the sets are immutable and hashable). Keyed by their spelling too
# (``repr``, computed once per set): ``4`` and ``4.0`` are equal versions, and a result built
# from one must not answer for the other, or a marker's text would depend on what the process
# happened to compute before (``< '4.0'`` where the inputs said ``< '4'``).
@lru_cache(maxsize=16384)
def _intersection(a: VersionSet, b: VersionSet, a_text: str, b_text: str) -> VersionSet:
    return a._combine(b, lambda x, y: x and y)


@lru_cache(maxsize=16384)
def _union(a: VersionSet, b: VersionSet, a_text: str, b_text: str) -> VersionSet:
    return a._combine(b, lambda x, y: x or y)


def _canonical(points: list[Version], flags: list[bool]) -> VersionSet:
    kept_points: list[Version] = []
    kept_flags = [flags[0]]
    for index, point in enumerate(points):
        at, after = flags[2 * index + 1], flags[2 * index + 2]
        if kept_flags[-1] == at == after:
            continue
        kept_points.append(point)
        kept_flags.extend((at, after))
    return VersionSet(tuple(kept_points), tuple(kept_flags))


def specifier_versions(specifier: SpecifierSet) -> VersionSet:
    """The versions a specifier set admits (pre-releases included), as a :class:`VersionSet`."""
    result = VersionSet.full()
    for spec in specifier:
        result = result & _one_specifier(spec.operator, spec.version)
    return result


def _one_specifier(op: str, text: str) -> VersionSet:
    if text.endswith(".*"):
        prefix = Version(text[:-2]).release
        upper = Version(".".join(str(p) for p in (*prefix[:-1], prefix[-1] + 1)))
        within = VersionSet.between(Version(".".join(map(str, prefix))), upper)
        return within if op == "==" else ~within
    version = Version(text)
    if op == "~=":
        release = version.release
        head = release[:-1] if len(release) > 1 else release
        upper = Version(".".join(str(p) for p in (*head[:-1], head[-1] + 1)))
        return VersionSet.compare(">=", version) & VersionSet.compare("<", upper)
    return VersionSet.compare(op, version)
