"""PEP 440 versions with packaging 26.3's meaning, without importing ``packaging.version``.

Why: ``packaging.version`` costs ~1.4 ms of every command's start-up (it compiles its large
verbose regular expression at import), and its ``_Version`` NamedTuple and ``_VersionReplace``
TypedDict, declared under ``from __future__ import annotations``, make ``typing`` call
``compile()`` — another ~1 ms, the first time in a process. ``Version`` here parses, prints,
compares and hashes exactly as packaging's does (``tests/unit/test_pep440_version_s12.py``
compares the two on generated and hand-picked text), and costs next to nothing to import:

- the normal forms nearly every index and lock spells (``1.2.3``, ``1.0rc1``, ``2.0.post1``,
  ``1.0.dev0`` …) are split with string methods; everything else (other spellings, case,
  whitespace, epochs, local segments, and all invalid text) goes to packaging's own pattern,
  compiled the first time such a text turns up;
- the sort key is packaging's ``_cmpkey``, built on the first comparison or hash and kept in a
  slot (an unset slot raises ``AttributeError``, so the common path pays no ``None`` check), and
  so is the normalised text, which locks and specifier caches ask for over and over.

A ``Version`` of ours never equals one of packaging's (comparisons answer ``NotImplemented``,
as packaging's own do for foreign objects): hand packaging ``str(version)``.
"""

from __future__ import annotations

import sys

from ferry.model.lazy_regex import lazy_pattern

__all__ = ["InvalidVersion", "Version", "normal_text", "parse"]

# packaging 26.3's VERSION_PATTERN, character for character: what it accepts is what we accept.
_PATTERN = r"""
    v?+                                                   # optional leading v
    (?a:
        (?:(?P<epoch>[0-9]+)!)?+                          # epoch
        (?P<release>[0-9]+(?:\.[0-9]+)*+)                 # release segment
        (?P<pre>                                          # pre-release
            [._-]?+
            (?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)
            [._-]?+
            (?P<pre_n>[0-9]+)?
        )?+
        (?P<post>                                         # post release
            (?:-(?P<post_n1>[0-9]+))
            |
            (?:
                [._-]?
                (?P<post_l>post|rev|r)
                [._-]?
                (?P<post_n2>[0-9]+)?
            )
        )?+
        (?P<dev>                                          # dev release
            [._-]?+
            (?P<dev_l>dev)
            [._-]?+
            (?P<dev_n>[0-9]+)?
        )?+
    )
    (?a:\+
        (?P<local>                                        # local version
            [a-z0-9]+
            (?:[._-][a-z0-9]+)*+
        )
    )?+
"""
# Possessive quantifiers are broken before CPython 3.11.5 (and PyPy 3.11.13): packaging then
# uses the plain ones, and so do we.
if sys.version_info < (3, 11, 5) or (
    sys.implementation.name == "pypy" and sys.version_info < (3, 11, 13)
):  # pragma: no cover - depends on the interpreter
    _PATTERN = _PATTERN.replace("*+", "*").replace("?+", "?")
# Flags inline: `re.VERBOSE | re.IGNORECASE` is an enum operation that costs ~90 us at import.
_version_pattern = lazy_pattern(r"(?ix)\s*" + _PATTERN + r"\s*")

_DIGITS_DOTS = frozenset(".0123456789")
_LETTERS = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc",
            "rev": "post", "r": "post"}
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_STABLE_SUFFIX = (3, 0, 0, 0, 1, 0)  # no pre, post or dev: after every rc, before every post

_Pre = tuple[str, int] | None
_Local = tuple[int | str, ...] | None
_Parts = tuple[tuple[int, ...], _Pre, int | None, int | None]


class InvalidVersion(ValueError):
    """A version string PEP 440 does not allow (packaging's message: ``Invalid version: '…'``)."""


def parse(version: str) -> Version:
    """``Version(version)`` (``packaging.version.parse``)."""
    return Version(version)


def _plain(text: str) -> _Parts | None:
    """``(release, pre, post, dev)`` of text in the normal form ``1.2rc3.post4.dev5`` (every
    part but the release optional, every number written), or ``None``: the pattern decides.

    Only text the pattern reads the same way gets through: ASCII digits only (``int`` would
    take Arabic-Indic digits, ``' 1'`` and ``'1_0'``), lowercase tags, dots where the normal
    form has them.
    """
    if not text.isascii():
        return None
    text, found, dev = text.rpartition(".dev") if ".dev" in text else (text, "", "")
    if found and not dev.isdigit():
        return None
    text, found, post = text.rpartition(".post") if ".post" in text else (text, "", "")
    if found and not post.isdigit():
        return None
    parts = text.split(".")
    last = parts[-1]
    pre = None
    if not last.isdigit():
        head = last.rstrip("0123456789")
        tag = "rc" if head[-2:] == "rc" else head[-1:]
        if tag not in _PRE_RANK or len(head) == len(last):
            return None
        pre = (tag, last[len(head):])
        parts[-1] = head[: -len(tag)]
    for part in parts:
        if not part.isdigit():
            return None
    # Numbers last: text the pattern refuses must not fail on int()'s digit limit instead.
    return (tuple(map(int, parts)), None if pre is None else (pre[0], int(pre[1])),
            int(post) if post else None, int(dev) if dev else None)


def _letter(letter: str | None, number: str | None) -> tuple[str, int] | None:
    """packaging's ``_parse_letter_version``: alternate spellings, an implicit 0."""
    if letter:
        letter = letter.lower()
        return _LETTERS.get(letter, letter), int(number or 0)
    if number:  # `1.0-1`: the implicit post-release
        return "post", int(number)
    return None


def _cmpkey(epoch: int, release: tuple[int, ...], pre: _Pre, post: int | None,
            dev: int | None, local: _Local) -> tuple[object, ...]:
    """packaging 26.3's ``_cmpkey``, element for element (so hashes agree too):
    ``(epoch, release without trailing zeros, (pre_rank, pre_n, post_rank, post_n, dev_rank,
    dev_n)[, local])``, where a dev-only release ranks -1 (before every alpha) and a local
    segment's strings sort before its numbers."""
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    trimmed = release[:end]
    if pre is None and post is None and dev is None and local is None:
        return epoch, trimmed, _STABLE_SUFFIX
    if pre is None:
        pre_rank, pre_n = (-1 if post is None and dev is not None else 3), 0
    else:
        pre_rank, pre_n = _PRE_RANK[pre[0]], pre[1]
    suffix = (pre_rank, pre_n, 0 if post is None else 1, post or 0,
              1 if dev is None else 0, dev or 0)
    if local is None:
        return epoch, trimmed, suffix
    return epoch, trimmed, suffix, tuple(
        (part, "") if isinstance(part, int) else (-1, part) for part in local)


def _base(epoch: int, release: tuple[int, ...]) -> str:
    text = ".".join(map(str, release))
    return f"{epoch}!{text}" if epoch else text


def normal_text(version: Version, release: tuple[int, ...]) -> str:
    """The normal form of ``version`` with ``release`` as its release segment: ``str()``'s
    text, and ``packaging.utils.canonicalize_version``'s with trailing zeros trimmed."""
    text = _base(version.epoch, release)
    if version.pre is not None:
        text += f"{version.pre[0]}{version.pre[1]}"
    if version.post is not None:
        text += f".post{version.post}"
    if version.dev is not None:
        text += f".dev{version.dev}"
    if version.local is not None:
        text += f"+{version.local}"
    return text


class Version:
    """A parsed PEP 440 version (``packaging.version.Version``): normalised ``str()``, the
    same parts and properties, and the same ordering, equality and hash."""

    __slots__ = ("_dev", "_epoch", "_hash", "_key", "_local", "_post", "_pre", "_release",
                 "_text")

    _epoch: int
    _release: tuple[int, ...]
    _pre: _Pre
    _post: int | None
    _dev: int | None
    _local: _Local
    # Computed on first use: a version parsed from a lock or an index page is often never
    # compared, hashed or printed.
    _key: tuple[object, ...] | None
    _hash: int | None
    _text: str | None

    def __init__(self, version: str) -> None:
        # packaging's order of checks, so that non-text and huge numbers fail alike.
        try:
            digits_and_dots = _DIGITS_DOTS.issuperset(version)
        except TypeError:
            raise InvalidVersion(f"Invalid version: {version!r}") from None
        self._epoch = 0
        self._pre = self._post = self._dev = self._local = self._key = self._hash = None
        self._text = None
        if digits_and_dots:
            try:
                self._release = tuple(map(int, version.split(".")))
            except AttributeError:
                raise InvalidVersion(f"Invalid version: {version!r}") from None
            except ValueError:
                if "" in version.split("."):  # `1..2`, `.1`, `1.`, ``
                    raise InvalidVersion(f"Invalid version: {version!r}") from None
                raise  # beyond int()'s digit limit: packaging lets it through too
            return
        plain = _plain(version) if isinstance(version, str) else None
        if plain is not None:
            self._release, self._pre, self._post, self._dev = plain
            return
        try:
            match = _version_pattern().fullmatch(version)
        except TypeError:
            match = None
        if match is None:
            raise InvalidVersion(f"Invalid version: {version!r}")
        (epoch, release, _, pre_l, pre_n, _, post_n1, post_l, post_n2, _, dev_l, dev_n,
         local) = match.groups()
        if epoch:
            self._epoch = int(epoch)
        self._release = tuple(map(int, release.split(".")))
        self._pre = _letter(pre_l, pre_n)
        post = _letter(post_l, post_n1 or post_n2)
        self._post = None if post is None else post[1]
        dev = _letter(dev_l, dev_n)
        self._dev = None if dev is None else dev[1]
        if local is not None:
            self._local = tuple(int(part) if part.isdigit() else part.lower()
                                for part in local.replace("-", ".").replace("_", ".").split("."))

    def _make_key(self) -> tuple[object, ...]:
        self._key = key = _cmpkey(self._epoch, self._release, self._pre, self._post,
                                  self._dev, self._local)
        return key

    # The six comparisons repeat themselves on purpose: one call each, no helper.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) == (other._key or other._make_key())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) != (other._key or other._make_key())
        return NotImplemented

    def __lt__(self, other: Version) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) < (other._key or other._make_key())
        return NotImplemented

    def __le__(self, other: Version) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) <= (other._key or other._make_key())
        return NotImplemented

    def __gt__(self, other: Version) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) > (other._key or other._make_key())
        return NotImplemented

    def __ge__(self, other: Version) -> bool:
        if isinstance(other, Version):
            return (self._key or self._make_key()) >= (other._key or other._make_key())
        return NotImplemented

    def __hash__(self) -> int:
        value = self._hash
        if value is None:
            self._hash = value = hash(self._key or self._make_key())
        return value

    def __reduce__(self) -> tuple[type[Version], tuple[str]]:
        """Pickled (and copied) as its text: small, and stable across ferry releases."""
        return self.__class__, (str(self),)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}({str(self)!r})>"

    def __str__(self) -> str:
        text = self._text
        if text is None:
            self._text = text = normal_text(self, self._release)
        return text

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def release(self) -> tuple[int, ...]:
        """The release numbers as written, trailing zeros included."""
        return self._release

    @property
    def pre(self) -> tuple[str, int] | None:
        """``('a'|'b'|'rc', n)`` or ``None``."""
        return self._pre

    @property
    def post(self) -> int | None:
        return self._post

    @property
    def dev(self) -> int | None:
        return self._dev

    @property
    def local(self) -> str | None:
        """The local segment, lowercase, its separators made dots (``'ubuntu.1'``)."""
        if self._local is None:
            return None
        return ".".join(map(str, self._local))

    @property
    def public(self) -> str:
        """The version without its local segment."""
        return str(self).split("+", 1)[0]

    @property
    def base_version(self) -> str:
        """Epoch and release only (``'1!2.0'`` of ``1!2.0rc1+x``)."""
        return _base(self._epoch, self._release)

    @property
    def is_prerelease(self) -> bool:
        """A pre-release or a development release (PEP 440 treats both as pre-releases)."""
        return self._dev is not None or self._pre is not None

    @property
    def is_postrelease(self) -> bool:
        return self._post is not None

    @property
    def is_devrelease(self) -> bool:
        return self._dev is not None

    @property
    def major(self) -> int:
        return self._release[0]

    @property
    def minor(self) -> int:
        return self._release[1] if len(self._release) >= 2 else 0

    @property
    def micro(self) -> int:
        return self._release[2] if len(self._release) >= 3 else 0
