"""PEP 440 version specifiers with packaging 26.3's meaning, without importing packaging's module.

Why: ``packaging.specifiers`` imports ``packaging.utils`` and with it ``packaging.tags`` (logging,
subprocess, platform, sysconfig, the manylinux probes), and compiles a large verbose regular
expression — part of the ~25 ms every ferry command paid before doing any work. This module
gives the part of its API ferry uses (``Specifier``, ``SpecifierSet``, ``InvalidSpecifier``)
with the same answers: parse success and failure, ``str``, equality, hashing, ``contains``,
``filter`` and the prerelease rules (``tests/unit/test_pep440_differential_s10.py`` compares
them with packaging on generated and hand-picked input).

Parsing is strict and simple: one small regular expression accepts the common spellings.
Anything it refuses is handed to ``packaging.specifiers.Specifier`` (imported then), which either
refuses it too — its error is raised, as ours — or accepts it, and the specifier is split the way
packaging splits it. Matching compiles each specifier once into a predicate over ``Version``
(what packaging's version ranges mean, operator by operator), and a set remembers its answer
per version: the resolver asks the same set about the same versions many times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ferry._regex_cache import compile_pattern
from ferry.model.pep440_filter import apply_prereleases, filter_matching
from ferry.model.pep440_version import InvalidVersion, Version, normal_text

__all__ = ["InvalidSpecifier", "Specifier", "SpecifierSet"]

_SUFFIX = r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_LOCAL = r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
# A subset of packaging's specifier grammar (lowercase, canonical pre/post/dev spellings);
# what it refuses, packaging decides.
_FAST = compile_pattern(
    r"\s*(?:===\s*[^\s;)]*"
    rf"|(?:==|!=)\s*(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|{_SUFFIX}{_LOCAL})"
    rf"|~=\s*(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+{_SUFFIX}"
    rf"|(?:<=|>=|<|>)\s*(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*{_SUFFIX})\s*"
)
_CACHE_LIMIT = 4096  # versions remembered per set
# Predicates by (operator, version text): the same clauses recur across a dependency tree.
_PREDICATES: dict[tuple[str, str], Callable[[Version], bool]] = {}
_PREDICATE_LIMIT = 8192


class InvalidSpecifier(ValueError):
    """A specifier string PEP 440 does not allow (packaging's message)."""


def _coerce(item: Version | str) -> Version | None:
    if isinstance(item, Version):
        return item
    try:
        return Version(item)
    except InvalidVersion:
        return None


def _trim(release: tuple[int, ...]) -> tuple[int, ...]:
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


def _make(epoch: int, release: Iterable[int], suffix: str = "") -> Version:
    return Version(f"{epoch}!{'.'.join(map(str, release))}{suffix}")


def _same_public(v: Version, base: Version) -> bool:
    """``v`` is ``base`` or one of its local versions (``base`` has no local part)."""
    return (v.epoch == base.epoch and v.pre == base.pre and v.post == base.post
            and v.dev == base.dev and _trim(v.release) == _trim(base.release))


def _predicate(op: str, text: str, base: Version) -> Callable[[Version], bool]:
    """Membership in the version ranges packaging 26.3 builds for ``op text`` (``base`` is
    ``text`` parsed, without a trailing ``.*``); prereleases are the caller's business."""
    if text.endswith(".*"):
        low = _make(base.epoch, base.release, ".dev0")
        high = _make(base.epoch, (*base.release[:-1], base.release[-1] + 1), ".dev0")
        if op == "==":
            return lambda v: low <= v < high
        return lambda v: not low <= v < high
    if op == ">=":
        return base.__le__
    if op == "<=":
        return lambda v: v <= base or (v.local is not None and _same_public(v, base))
    if op in ("==", "!="):
        if "+" in text:  # a local part: only that exact version
            return base.__eq__ if op == "==" else base.__ne__
        if op == "==":
            return lambda v: v == base if v.local is None else _same_public(v, base)
        return lambda v: v != base if v.local is None else not _same_public(v, base)
    if op == "~=":
        high = _make(base.epoch, (*base.release[:-2], base.release[-2] + 1), ".dev0")
        return lambda v: base <= v < high
    if op == "<":
        # `<V` leaves out V's own prereleases unless V is one.
        bound = base if base.is_prerelease else Version(f"{base}.dev0")
        return bound.__gt__
    if op == ">":
        if base.dev is not None or base.post is not None:
            return lambda v: v > base and not _same_public(v, base)
        # `>V` leaves out V's post-releases (and local versions) too.
        epoch, pre, release = base.epoch, base.pre, _trim(base.release)
        return lambda v: v > base and (
            (v.post is None and v.local is None) or v.epoch != epoch or v.pre != pre
            or _trim(v.release) != release)
    raise InvalidSpecifier(f"Invalid specifier: {op + text!r}")  # pragma: no cover


def _canonical_version(version: Version, strip_trailing_zero: bool) -> str:
    """``packaging.utils.canonicalize_version`` of a parsed version."""
    return normal_text(version, _trim(version.release) if strip_trailing_zero else version.release)


def _is_packaging(other: object, name: str) -> bool:
    """An object of packaging's class ``name`` (compared by its text, as packaging would)."""
    kind = type(other)
    return kind.__name__ == name and kind.__module__ == "packaging.specifiers"


def _split(spec: str) -> tuple[str, str]:
    """Operator and version of a valid specifier, as packaging splits them."""
    spec = spec.strip()
    if spec.startswith("==="):
        return spec[:3], spec[3:].strip()
    if spec.startswith(("~=", "==", "!=", "<=", ">=")):
        return spec[:2], spec[2:].strip()
    return spec[:1], spec[1:].strip()


def _validate_slowly(spec: str) -> None:
    """packaging decides what the fast grammar refused: its error, or acceptance."""
    from packaging.specifiers import InvalidSpecifier as PackagingInvalid
    from packaging.specifiers import Specifier as PackagingSpecifier

    try:
        PackagingSpecifier(spec)
    except PackagingInvalid as exc:
        raise InvalidSpecifier(str(exc)) from None


class Specifier:
    """One ``<op><version>`` clause (``packaging.specifiers.Specifier``)."""

    __slots__ = ("_match", "_prereleases", "_spec", "_version")

    def __init__(self, spec: str = "", prereleases: bool | None = None) -> None:
        if not _FAST.fullmatch(spec):
            _validate_slowly(spec)
        self._spec = _split(spec)
        self._prereleases = prereleases
        self._version: Version | None = None
        self._match: Callable[[Version], bool] | None = None

    def _spec_version(self) -> Version | None:
        """The version (without ``.*``); ``None`` for a ``===`` text that is not one."""
        if self._version is None:
            text = self._spec[1]
            self._version = _coerce(text[:-2] if text.endswith(".*") else text)
        return self._version

    def _matcher(self) -> Callable[[Version], bool]:
        match = self._match
        if match is None:
            match = _PREDICATES.get(self._spec)
            if match is None:
                op, text = self._spec
                version = self._spec_version()
                assert version is not None and op != "==="
                match = _predicate(op, text, version)
                if len(_PREDICATES) < _PREDICATE_LIMIT:
                    _PREDICATES[self._spec] = match
            self._match = match
        return match

    @property
    def operator(self) -> str:
        return self._spec[0]

    @property
    def version(self) -> str:
        return self._spec[1]

    @property
    def prereleases(self) -> bool | None:
        if self._prereleases is not None:
            return self._prereleases
        op, text = self._spec
        if op == "!=" or (op == "==" and text.endswith(".*")):
            return False
        version = self._spec_version() if op != "===" else _coerce(text)
        return None if version is None else version.is_prerelease

    @prereleases.setter
    def prereleases(self, value: bool | None) -> None:
        self._prereleases = value

    def __getstate__(self) -> tuple[tuple[str, str], bool | None]:
        return (self._spec, self._prereleases)

    def __setstate__(self, state: tuple[tuple[str, str], bool | None]) -> None:
        self._spec, self._prereleases = state
        self._version = None
        self._match = None

    def __repr__(self) -> str:
        pre = f", prereleases={self.prereleases!r}" if self._prereleases is not None else ""
        return f"<{self.__class__.__name__}({str(self)!r}{pre})>"

    def __str__(self) -> str:
        return self._spec[0] + self._spec[1]

    def _canonical_spec(self) -> tuple[str, str]:
        op, text = self._spec
        if op == "===" or text.endswith(".*"):
            return op, text
        version = self._spec_version()
        assert version is not None
        return op, _canonical_version(version, strip_trailing_zero=op != "~=")

    def __hash__(self) -> int:
        return hash(self._canonical_spec())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str) or _is_packaging(other, "Specifier"):
            try:
                other = self.__class__(str(other))
            except InvalidSpecifier:
                return NotImplemented
        elif not isinstance(other, self.__class__):
            return NotImplemented
        return self._canonical_spec() == other._canonical_spec()

    def __contains__(self, item: str | Version) -> bool:
        return self.contains(item)

    def contains(self, item: Version | str, prereleases: bool | None = None) -> bool:
        op, text = self._spec
        refuse_pre = prereleases is False or (prereleases is None and self._prereleases is False)
        if op == "===":
            if str(item).lower() != text.lower():
                return False
            parsed = _coerce(item) if refuse_pre else None
            return parsed is None or not parsed.is_prerelease
        parsed = _coerce(item)
        if parsed is None or (refuse_pre and parsed.is_prerelease):
            return False
        return self._matcher()(parsed)

    def filter(self, iterable: Iterable[Any], prereleases: bool | None = None,
               key: Callable[[Any], Version | str] | None = None) -> Iterator[Any]:
        if prereleases is None:
            prereleases = (self._prereleases if self._prereleases is not None
                           else True if self.prereleases else None)
        if self._spec[0] == "===":
            wanted = self._spec[1].lower()
            matches = (item for item in iterable
                       if str(item if key is None else key(item)).lower() == wanted)
            return apply_prereleases(matches, key, prereleases)
        return filter_matching(self._matcher(), iterable, key, prereleases)


class SpecifierSet:
    """Comma-separated specifiers, all of which must hold (``packaging``'s ``SpecifierSet``)."""

    __slots__ = ("_cache", "_canonicalized", "_has_arbitrary", "_prereleases", "_specs")

    def __init__(self, specifiers: str | Iterable[Specifier] = "",
                 prereleases: bool | None = None) -> None:
        if isinstance(specifiers, str):
            self._specs: tuple[Specifier, ...] = tuple(
                Specifier(s) for s in (part.strip() for part in specifiers.split(",")) if s)
            self._has_arbitrary = "===" in specifiers
        else:
            self._specs = tuple(specifiers)
            self._has_arbitrary = any("===" in str(s) for s in self._specs)
        self._canonicalized = len(self._specs) <= 1
        self._prereleases = prereleases
        self._cache: dict[Version, bool] | None = None

    def _canonical_specs(self) -> tuple[Specifier, ...]:
        """Sorted by text without duplicates; like packaging, this becomes the set's order."""
        if not self._canonicalized:
            self._specs = tuple(dict.fromkeys(sorted(self._specs, key=str)))
            self._canonicalized = True
        return self._specs

    @property
    def prereleases(self) -> bool | None:
        if self._prereleases is not None:
            return self._prereleases
        if not self._specs:
            return None
        return True if any(s.prereleases for s in self._specs) else None

    @prereleases.setter
    def prereleases(self, value: bool | None) -> None:
        self._prereleases = value

    def __getstate__(self) -> tuple[tuple[Specifier, ...], bool | None]:
        return (self._specs, self._prereleases)

    def __setstate__(self, state: tuple[tuple[Specifier, ...], bool | None]) -> None:
        self._specs, self._prereleases = state
        self._canonicalized = len(self._specs) <= 1
        self._has_arbitrary = any("===" in str(s) for s in self._specs)
        self._cache = None

    def __repr__(self) -> str:
        pre = f", prereleases={self.prereleases!r}" if self._prereleases is not None else ""
        return f"<{self.__class__.__name__}({str(self)!r}{pre})>"

    def __str__(self) -> str:
        return ",".join(str(s) for s in self._canonical_specs())

    def __hash__(self) -> int:
        return hash(self._canonical_specs())

    def __and__(self, other: SpecifierSet | str) -> SpecifierSet:
        if isinstance(other, str):
            other = SpecifierSet(other)
        elif not isinstance(other, SpecifierSet):
            return NotImplemented
        combined = SpecifierSet()
        combined._specs = self._specs + other._specs
        combined._canonicalized = len(combined._specs) <= 1
        combined._has_arbitrary = self._has_arbitrary or other._has_arbitrary
        if self._prereleases is None or self._prereleases == other._prereleases:
            combined._prereleases = other._prereleases
        elif other._prereleases is None:
            combined._prereleases = self._prereleases
        else:
            raise ValueError(
                "Cannot combine SpecifierSets with True and False prerelease overrides.")
        return combined

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, Specifier)) or _is_packaging(other, "Specifier") \
                or _is_packaging(other, "SpecifierSet"):
            other = SpecifierSet(str(other))
        elif not isinstance(other, SpecifierSet):
            return NotImplemented
        return self._canonical_specs() == other._canonical_specs()

    def __len__(self) -> int:
        return len(self._specs)

    def __iter__(self) -> Iterator[Specifier]:
        return iter(self._specs)

    def __contains__(self, item: Version | str) -> bool:
        return self.contains(item)

    def _matches(self, version: Version) -> bool:
        """Every non-``===`` specifier admits ``version`` (remembered per version)."""
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
        found = cache.get(version)
        if found is None:
            found = all(s._matcher()(version) for s in self._specs)
            if len(cache) < _CACHE_LIMIT:
                cache[version] = found
        return found

    def contains(self, item: Version | str, prereleases: bool | None = None,
                 installed: bool | None = None) -> bool:
        version = _coerce(item)
        if version is None:  # only `===` can admit a string that is not a version
            text = str(item).lower()
            return all(s._spec[0] == "===" and s._spec[1].lower() == text for s in self._specs)
        if version.is_prerelease:
            if installed:
                prereleases = True
            if prereleases is False or (prereleases is None and self._prereleases is False):
                return False
        if not self._has_arbitrary:
            return self._matches(version)
        text = str(item).lower()
        return all(s._spec[1].lower() == text if s._spec[0] == "===" else s._matcher()(version)
                   for s in self._specs)

    def filter(self, iterable: Iterable[Any], prereleases: bool | None = None,
               key: Callable[[Any], Version | str] | None = None) -> Iterator[Any]:
        if prereleases is None and self.prereleases is not None:
            prereleases = self.prereleases
        if not self._specs:
            return apply_prereleases(iterable, key, prereleases)
        if self._has_arbitrary:
            specs = self._specs
            matches = (item for item in iterable
                       if all(s.contains(item if key is None else key(item), prereleases=True)
                              for s in specs))
            return apply_prereleases(matches, key, prereleases)
        return filter_matching(self._matches, iterable, key, prereleases)
