"""``requires-python`` as uv writes it into ``uv.lock``, and when two spellings mean the same.

uv does not copy a project's ``requires-python`` into the lock: it intersects the members'
ranges and spells the result back from the range (``~=3.12`` -> ``>=3.12, <4``,
``>=3.12,<3.13`` -> ``==3.12.*``, ``<4,>=3.9`` -> ``>=3.9, <4``). A lock that copied the text
would differ from uv's in bytes, and a check that compared texts would call uv's own lock stale
(``ferry lock --locked`` refused a lock uv had just written for ``~=3.12``). Both sides go
through here: the lock writer, ``init`` in a workspace and the freshness check.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from ferry.model.errors import UsageError
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet, specifier_versions

log = get_logger(__name__)


def uv_spelling(versions: VersionSet) -> str:
    """A set of Pythons as uv spells it (``VersionSpecifiers::from_release_only_bounds``): the
    outer bounds (``==3.11.*`` or ``==3.12`` when they say that), ``!=`` for each hole the
    bounds can name, sorted by version and joined by ``", "``. A hole no specifier names
    (``[3.9, 3.10]``) is left out, as uv leaves it. A bound keeps the spelling the pyproject
    gave it (``3.10.0``): the range algebra answers with its inputs' spelling."""
    intervals = list(versions.intervals())
    if not intervals:
        return ""
    parts: list[tuple[Version, str]] = []
    for (_, _, prev, prev_in), (low, low_in, _, _) in pairwise(intervals):
        if prev is None or low is None or prev_in:
            continue
        if not low_in and low == prev:
            parts.append((prev, f"!={prev}"))
        elif low_in:
            parts += [(prev, f"!={star}.*") for star in _star_run(prev, low)]
    low, low_in, _, _ = intervals[0]
    _, _, high, high_in = intervals[-1]
    if low is not None and low_in and high is not None and high_in and low == high:
        parts.append((low, f"=={low}"))
    elif (low is not None and low_in and high is not None and not high_in
          and (star := _star(low, high)) is not None):
        parts.append((low, f"=={star}.*"))
    else:
        if low is not None:
            parts.append((low, f"{'>=' if low_in else '>'}{low}"))
        if high is not None:
            parts.append((high, f"{'<=' if high_in else '<'}{high}"))
    return ", ".join(text for _, text in sorted(parts, key=lambda part: part[0]))


def lock_requires_python(declared: Iterable[tuple[str, str]]) -> str | None:
    """The ``requires-python`` a lock records for ``(project name, declared text)`` pairs (a
    workspace's members, or one project): their intersection in uv's spelling. ``None`` when
    nothing is declared or every Python is allowed; a text that does not parse is returned as
    it is (the pyproject parser reports it where it is declared). Members that admit no common
    Python are refused, as uv refuses them (a usage error: the files contradict each other)."""
    pairs = [(name, text) for name, text in declared if text]
    if not pairs:
        return None
    versions = VersionSet.full()
    for name, text in pairs:
        try:
            specifiers = SpecifierSet(text)
        except InvalidSpecifier:
            return text
        _warn_about_short_tilde(name, text, specifiers)
        versions = versions & specifier_versions(specifiers)
    if versions.is_empty():
        raise UsageError(
            "Found conflicting Python requirements",
            causes=[f"{name}: {text}" for name, text in sorted(pairs)],
            hint="make the members' `requires-python` overlap",
        )
    return uv_spelling(versions) or None


def same_pythons(declared: str, locked: str) -> bool:
    """Whether a lock's ``requires-python`` still says what the declaration says, once both are
    spelled as uv spells them (so ``~=3.12`` matches ``>=3.12, <4``, and a hole uv cannot
    write does not make every lock stale)."""
    try:
        mine = specifier_versions(SpecifierSet(uv_spelling(specifier_versions(
            SpecifierSet(declared)))))
        theirs = specifier_versions(SpecifierSet(locked))
    except InvalidSpecifier:
        return declared == locked
    return mine == theirs


_warned: set[tuple[str, str]] = set()


def _warn_about_short_tilde(name: str, text: str, specifiers: SpecifierSet) -> None:
    """``~=3.12`` means every 3.x from 3.12 on, which is rarely what was meant (uv warns too);
    said once per process, however many times the workspace is read."""
    for spec in specifiers:
        if spec.operator != "~=" or (name, spec.version) in _warned:
            continue
        release = Version(spec.version).release
        if len(release) != 2:
            continue
        _warned.add((name, spec.version))
        log.warning(
            "`requires-python = \"%s\"` in `%s` has no patch version, so it allows every "
            "Python from %s up to (not including) %d; to allow %s only, write `~=%s.0`",
            text, name, spec.version, release[0] + 1, spec.version, spec.version)


def _trimmed(version: Version) -> tuple[int, ...]:
    release = list(version.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return tuple(release)


def _star(low: Version, high: Version) -> str | None:
    """``M.m`` when ``[low, high)`` is ``==M.m.*`` (uv: ``[3.11, 3.12)``, ``[3, 3.1)``)."""
    match _trimmed(low):
        case (major,) if _trimmed(high) == (major, 1):
            return f"{major}.0"
        case (major, minor) if _trimmed(high) == (major, minor + 1):
            return f"{major}.{minor}"
    return None


def _star_run(low: Version, high: Version) -> list[str]:
    """The ``!=M.m.*`` exclusions a hole ``[low, high)`` is made of: one for ``[3.9, 3.10)``,
    one per minor for ``[3.9, 3.11)`` (uv keeps ``!=3.9.*, !=3.10.*`` apart), none when the
    hole is not whole minors."""
    if (star := _star(low, high)) is not None:
        return [star]
    match _trimmed(low), _trimmed(high):
        case (major, first), (high_major, end) if high_major == major and end > first + 1:
            return [f"{major}.{minor}" for minor in range(first, end)]
    return []
