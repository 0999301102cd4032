"""Per-file fields shared by the HTML (PEP 503) and JSON (PEP 691) page parsers.

Both formats describe the same things — a URL with its hashes, ``requires-python``, yanked,
core metadata, upload time — so the checks live here once. Two policies are decided here:

* a malformed hash (``#sha256=xyz``) is a :class:`ParseError` naming the page and the field: a
  hash is an integrity promise, and a broken promise must not be silently dropped (RELIABILITY D5);
* a malformed ``requires-python`` follows uv: a handful of common authoring mistakes are repaired
  (``>=3.6.*`` → ``>=3.6``, a trailing comma, stray quotes, a missing comma …); if the value is
  still invalid the *file* is skipped, because one badly published file must not make a whole
  project uninstallable. The skip is a warning naming the page and the field, not a DEBUG line
  as in uv: when it was the only candidate, "not found" would otherwise be unexplained (D5).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ferry._regex_cache import compile_pattern
from ferry.model.dist import Hashes
from ferry.model.errors import ParseError
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.url import redact

if TYPE_CHECKING:
    from datetime import datetime

# Algorithms a fragment or a ``hashes`` table may use, with their hex digest length.
# (Spelled out rather than asked of ``hashlib``, whose OpenSSL costs ~2.5 ms of every start-up.)
HASH_LENGTHS: dict[str, int] = {
    "md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
    "blake2b": 128, "blake2s": 64,
}
_HEX = compile_pattern(r"[0-9a-fA-F]+")


class InvalidRequiresPython(ValueError):
    """``requires-python`` could not be read even after the lenient repairs."""


def page_error(page_url: str, field: str, problem: str) -> ParseError:
    """A :class:`ParseError` that names the page (redacted) and the offending field."""
    return ParseError(
        f"Invalid `{field}` in the index page `{redact(page_url)}`: {problem}",
        path=redact(page_url),
    )


def check_digest(page_url: str, field: str, algorithm: str, value: str) -> str | None:
    """The lower-case digest, ``None`` for an algorithm we do not know (ignored, as pip does);
    a :class:`ParseError` when a known algorithm carries a value of the wrong shape."""
    algorithm = algorithm.lower()
    expected = HASH_LENGTHS.get(algorithm)
    if expected is None:
        return None
    if len(value) != expected or not _HEX.fullmatch(value):
        raise page_error(
            page_url, field, f"`{value}` is not a {algorithm} digest ({expected} hex digits)"
        )
    return value.lower()


def hashes_from_fragment(url: str, page_url: str) -> Hashes:
    """The ``#<algorithm>=<hex>`` fragment of a file URL. Other fragments (``#egg=``) are
    ignored."""
    fragment = urlsplit(url).fragment
    digests: dict[str, str] = {}
    for part in fragment.split("&"):
        name, sep, value = part.partition("=")
        if not sep:
            continue
        digest = check_digest(
            page_url, f"#{name}= fragment of {filename_from_url(url)}", name, value
        )
        if digest is not None:
            digests[name.lower()] = digest
    return Hashes.of(**digests)


def without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def filename_from_url(url: str) -> str:
    """The last path segment, percent-decoded: what PEP 503 says the anchor text must be."""
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


def metadata_hashes(page_url: str, field: str, value: str | None) -> Hashes | None:
    """PEP 658/714 ``data-core-metadata``: absent → ``None``; ``true`` → offered without a hash;
    ``sha256=<hex>`` → offered with that hash."""
    if value is None:
        return None
    value = value.strip()
    if value.lower() == "false":
        return None
    if value.lower() == "true" or "=" not in value:
        return Hashes()
    algorithm, _, digest = value.partition("=")
    checked = check_digest(page_url, field, algorithm, digest)
    return Hashes.of(**{algorithm.lower(): checked}) if checked else Hashes()


def check_upload_time(page_url: str, field: str, value: str) -> str:
    """An ISO 8601 timestamp (``2024-01-02T03:04:05.123456Z``); kept as text, validated once."""
    try:
        parse_upload_time(value)
    except ValueError:
        raise page_error(page_url, field, f"`{value}` is not an ISO 8601 timestamp") from None
    return value


def parse_upload_time(value: str) -> datetime:
    """Aware datetime (UTC when the text has no zone)."""
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# Repairs for requires-python values seen on real indexes, tried in order, cumulatively.
_FIXUPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("insert a missing comma", lambda s: re.sub(r"(\d)([<>=~!])", r"\1,\2", s)),
    ("read `!=~X` as `!=X.*`", lambda s: re.sub(r"!=~((?:\d+\.)*\d+)", r"!=\1.*", s)),
    (
        "drop `.*` after an ordering operator",
        lambda s: re.sub(r"(<=|>=|<|>)\s*(\d+(?:\.\d+)*)\.\*", r"\1\2", s),
    ),
    ("insert a missing dot before `*`", lambda s: re.sub(r"(\d\.\d+)\*", r"\1.*", s)),
    ("drop a trailing comma", lambda s: re.sub(r",\s*$", "", s)),
    ("read `>dev` as `>0.0.0dev`", lambda s: s.replace(">dev", ">0.0.0dev")),
    (
        "drop a trailing `.0` after a pre-release",
        lambda s: re.sub(r"(\d+(?:\.\d+)*(?:a|b|rc|post|dev)\d+)\.0", r"\1", s),
    ),
    ("drop stray quotes", lambda s: s.replace("'", "").replace('"', "")),
)


def lenient_requires_python(value: str) -> str:
    """A valid specifier string for ``value``, repaired if needed; raises
    :class:`InvalidRequiresPython` with the original text when no repair helps."""
    value = value.strip()
    try:
        SpecifierSet(value)
        return value
    except InvalidSpecifier:
        pass
    patched = value
    for _description, fix in _FIXUPS:
        candidate = fix(patched)
        if candidate == patched:
            continue
        patched = candidate
        try:
            SpecifierSet(patched)
        except InvalidSpecifier:
            continue
        return patched
    raise InvalidRequiresPython(value)
