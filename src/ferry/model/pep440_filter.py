"""PEP 440's prerelease rule for filtering lists of versions, as packaging 26.3 applies it.

Why a module of its own: ``Specifier.filter`` and ``SpecifierSet.filter`` (model/pep440_specifiers)
share it, and its one subtle rule deserves to be read alone: with ``prereleases=None``
prereleases are kept only when no final release matches, and items that are not versions at all
(only a ``===`` clause lets them through) are always kept, in their place once a final is seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ferry.model.pep440_version import InvalidVersion, Version

__all__ = ["apply_prereleases", "filter_matching"]

Key = Callable[[Any], Version | str] | None


def _parse(item: Any, key: Key) -> Version | None:
    value = item if key is None else key(item)
    if isinstance(value, Version):
        return value
    try:
        return Version(value)
    except InvalidVersion:
        return None


def apply_prereleases(matches: Iterable[Any], key: Key,
                      prereleases: bool | None) -> Iterator[Any]:
    """Already-matching items, with ``prereleases`` applied (``None``: PEP 440's default)."""
    if prereleases is None:
        return _pep440_default(matches, key)
    if prereleases:
        return iter(matches)
    return (item for item in matches
            if (parsed := _parse(item, key)) is None or not parsed.is_prerelease)


def _pep440_default(iterable: Iterable[Any], key: Key) -> Iterator[Any]:
    nonfinal: list[Any] = []
    unparsed: list[Any] = []
    found_final = False
    for item in iterable:
        parsed = _parse(item, key)
        if parsed is None:
            if found_final:
                yield item
            else:
                unparsed.append(item)
                nonfinal.append(item)
        elif not parsed.is_prerelease:
            if not found_final:
                yield from unparsed
                found_final = True
            yield item
        elif not found_final:
            nonfinal.append(item)
    if not found_final:
        yield from nonfinal


def filter_matching(match: Callable[[Version], bool], iterable: Iterable[Any], key: Key,
                    prereleases: bool | None) -> Iterator[Any]:
    """Items that are versions ``match`` admits, with ``prereleases`` applied."""
    if prereleases is None:
        buffered: list[Any] = []
        found_final = False
        for item in iterable:
            parsed = _parse(item, key)
            if parsed is None or not match(parsed):
                continue
            if not parsed.is_prerelease:
                found_final = True
                yield item
            elif not found_final:
                buffered.append(item)
        if not found_final:
            yield from buffered
        return
    for item in iterable:
        parsed = _parse(item, key)
        if parsed is not None and (prereleases or not parsed.is_prerelease) and match(parsed):
            yield item
