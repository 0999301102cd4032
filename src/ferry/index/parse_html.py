"""PEP 503 HTML project pages (and find-links pages) → :class:`FileRef` list.

Reads every anchor with its PEP 503/592/658/714 attributes: ``#<hash>=`` fragments,
``data-requires-python`` (HTML-escaped; the parser unescapes it), ``data-yanked``,
``data-core-metadata`` / ``data-dist-info-metadata`` and ``data-upload-time`` (not standardised
for HTML, but carried by the mirror ferry is measured against; needed for ``--exclude-newer``).
Relative hrefs resolve against ``<base href>`` when the page has one, else the page URL.

Large pages (thousands of files) are read by a fast path: one regular expression tokenizes a page
written in the plain subset of HTML that indexes produce (double- or single-quoted attributes,
comments, a doctype, no scripts) and yields the anchors' attributes exactly as ``HTMLParser``
would (lower-cased names, unescaped values, ``None`` for a bare attribute). Anything outside that
subset, or a page without anchors, goes through ``HTMLParser``. Per file, an absolute ``href``
skips ``urljoin``/``urlsplit`` and each distinct ``data-requires-python`` is checked once.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin

from ferry._regex_cache import compile_pattern
from ferry.index.fields import (
    InvalidRequiresPython,
    check_upload_time,
    filename_from_url,
    hashes_from_fragment,
    lenient_requires_python,
    metadata_hashes,
    page_error,
    without_fragment,
)
from ferry.model.dist import FileRef, Hashes
from ferry.model.log import get_logger
from ferry.model.url import redact

logger = get_logger(__name__)


if TYPE_CHECKING:
    from html.parser import HTMLParser


@functools.cache
def _collector_class() -> type[HTMLParser]:
    """The ``HTMLParser`` that reads what the fast path cannot, made at its first use: index
    pages are in the fast path's subset, and ``html.parser`` costs ~1.3 ms to import."""
    from html.parser import HTMLParser

    class AnchorCollector(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.base: str | None = None
            self.anchors: list[dict[str, str | None]] = []
            self.saw_element = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.saw_element = True
            if tag == "a":
                self.anchors.append(dict(attrs))
            elif tag == "base" and self.base is None:
                self.base = dict(attrs).get("href")

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

    return AnchorCollector


def __getattr__(name: str) -> Any:
    if name == "_AnchorCollector":  # the class, for the tests' HTMLParser oracle
        return _collector_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The character references index pages use (`&gt;=3.8`), replaced without importing `html` and
# its entity table (~1.3 ms); a value with any other `&` goes to html.unescape.
_PLAIN_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "#39": "'", "#x27": "'"}
_PLAIN_REFERENCE = compile_pattern(r"&(lt|gt|amp|quot|#39|#x27);")


def _unescape(value: str) -> str:
    """``html.unescape(value)``."""
    plain = _PLAIN_REFERENCE.sub(lambda m: _PLAIN_REFERENCES[m.group(1)], value)
    if "&" in _PLAIN_REFERENCE.sub("", value):
        from html import unescape

        return unescape(value)
    return plain


def parse_html(
    content: bytes,
    page_url: str,
    *,
    charset: str | None = None,
    index_url: str | None = None,
) -> list[FileRef]:
    """Every file the page links to, in page order.

    ``page_url`` is the URL the page was served from (after redirects): relative links resolve
    against it. A body with no HTML element at all is a :class:`ParseError` (a 200 that is not a
    project page); an HTML page without anchors is a project with no files.
    """
    try:
        text = content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = content.decode("utf-8", errors="replace")
    found = _fast_anchors(text)
    if found is None:
        collector: Any = _collector_class()()
        collector.feed(text)
        collector.close()
        if not collector.saw_element:
            raise page_error(page_url, "body", "the response is not an HTML page")
        found = (collector.base, collector.anchors)
    base_href, anchors = found
    base = urljoin(page_url, base_href) if base_href else page_url
    files: list[FileRef] = []
    checked: dict[str, str | InvalidRequiresPython] = {}
    for attrs in anchors:
        ref = _file_ref(attrs, base, page_url, index_url, checked)
        if ref is not None:
            files.append(ref)
    return files


# The plain subset of HTML that index pages are written in. A page is read by the fast path only
# if these tokens cover it from end to end; a start tag whose content HTMLParser treats as raw
# text (script, style…) or anything else unusual sends the page to HTMLParser instead.
_NAME = r"[A-Za-z_:][-A-Za-z0-9_:.]*"
_ATTR_LIST = rf"""(?:\s+{_NAME}(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*"""
_RAW_TEXT = r"(?:a|base|script|style|textarea|title|plaintext|xmp)(?![-A-Za-z0-9_:.])"
_TOKEN = compile_pattern(
    rf"<(?P<tag>a|base)(?P<attrs>{_ATTR_LIST})\s*/?>"  # an anchor or <base>, or else a run of:
    r"|(?:[^<]+"  # text,
    r"|<!--(?:[^-]|-(?!-))*-->"  # comments,
    r"|<!doctype[^<>]*>"  # the doctype,
    rf"|</{_NAME}\s*>"  # end tags,
    rf"|<(?P<raw>title|textarea){_ATTR_LIST}\s*>[^<]*</(?P=raw)\s*>"  # a title with text,
    rf"|<(?!{_RAW_TEXT}){_NAME}{_ATTR_LIST}\s*/?>)+",  # other start tags
    re.IGNORECASE,
)
_ATTR = compile_pattern(rf"""({_NAME})(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?""")
# An absolute http(s) URL that urljoin would return unchanged and urlsplit would cut as shown:
# (path, fragment); no query, parameters, whitespace, backslashes or IPv6 brackets.
_ABSOLUTE = compile_pattern(r"https?://[^/?#;\s\\\[\]]+(/[^?#;\s\\]*)?(?:#([^#\s]+))?")

_SHA256_FRAGMENT = compile_pattern(r"sha256=[0-9a-f]{64}")

Anchors = list[dict[str, str | None]]


def _fast_anchors(text: str) -> tuple[str | None, Anchors] | None:
    """``(<base href>, the anchors' attributes)`` as HTMLParser reads them, or ``None`` when the
    page is not in the plain subset or has no anchor (HTMLParser then reads it)."""
    base: str | None = None
    anchors: Anchors = []
    unescaped: dict[str, str] = {}  # values repeat (`&gt;=3.8` on every file of a project)
    position = 0
    for token in _TOKEN.finditer(text):
        if token.start() != position:
            return None
        position = token.end()
        tag = token.group("tag")
        if tag is None:
            continue
        attrs: dict[str, str | None] = {}
        for attr in _ATTR.finditer(token.group("attrs")):
            name, double, single = attr.groups()
            value = double if double is not None else single  # both None: a bare attribute
            if value and "&" in value:
                value = unescaped.get(value) or unescaped.setdefault(value, _unescape(value))
            attrs[name.lower()] = value
        if tag.lower() == "a":
            anchors.append(attrs)
        elif base is None:
            base = attrs.get("href")
    if position != len(text) or not anchors:
        return None
    return base, anchors


def _requires_python(value: str, memo: dict[str, str | InvalidRequiresPython]) -> str:
    """:func:`lenient_requires_python`, once per distinct value of a page."""
    known = memo.get(value)
    if known is None:
        try:
            known = lenient_requires_python(value)
        except InvalidRequiresPython as exc:
            known = exc
        memo[value] = known
    if isinstance(known, InvalidRequiresPython):
        raise known
    return known


def _file_ref(
    attrs: dict[str, str | None],
    base: str,
    page_url: str,
    index_url: str | None,
    checked: dict[str, str | InvalidRequiresPython],
) -> FileRef | None:
    href = (attrs.get("href") or "").strip()
    if not href:
        return None
    absolute = _ABSOLUTE.fullmatch(href)
    if absolute is not None:  # what urljoin and filename_from_url would make of it, cheaply
        url = href
        filename = unquote((absolute.group(1) or "").rstrip("/").rsplit("/", 1)[-1])
    else:
        url = urljoin(base, href)
        filename = filename_from_url(url)
    if not filename:
        return None
    fragment = url.partition("#")[2]
    if _SHA256_FRAGMENT.fullmatch(fragment):  # the usual `#sha256=<hex>`, already well-formed
        hashes = Hashes(items=(("sha256", fragment[7:]),))
    else:
        hashes = hashes_from_fragment(url, page_url) if fragment else Hashes()
    requires_python = attrs.get("data-requires-python")
    if requires_python is not None and requires_python.strip():
        try:
            requires_python = _requires_python(requires_python, checked)
        except InvalidRequiresPython as exc:
            logger.warning(
                "Skipping %s from %s: invalid data-requires-python `%s`",
                filename,
                redact(page_url),
                exc,
            )
            return None
    else:
        requires_python = None
    yanked: str | bool | None = None
    if "data-yanked" in attrs:  # a bare attribute: yanked, no reason given
        value = attrs["data-yanked"]
        yanked = True if value is None else value
    metadata_field = "data-core-metadata"
    if metadata_field not in attrs:
        metadata_field = "data-dist-info-metadata"
    metadata = None
    if metadata_field in attrs:
        metadata = metadata_hashes(
            page_url, f"{metadata_field} of {filename}", attrs[metadata_field] or "true"
        )
    upload_time = attrs.get("data-upload-time")
    if upload_time:
        upload_time = check_upload_time(page_url, f"data-upload-time of {filename}", upload_time)
    else:
        upload_time = None
    return FileRef(
        filename=filename,
        url=without_fragment(url),
        hashes=hashes,
        requires_python=requires_python,
        yanked=yanked,
        upload_time=upload_time,
        metadata=metadata,
        index_url=index_url,
    )
