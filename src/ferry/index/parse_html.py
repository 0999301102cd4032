"""PEP 503 HTML project pages (and find-links pages) → :class:`FileRef` list.

Reads every anchor with its PEP 503/592/658/714 attributes: ``#<hash>=`` fragments,
``data-requires-python`` (HTML-escaped; the parser unescapes it), ``data-yanked``,
``data-core-metadata`` / ``data-dist-info-metadata`` and ``data-upload-time`` (not standardised
for HTML, but carried by the mirror ferry is measured against; needed for ``--exclude-newer``).
Relative hrefs resolve against ``<base href>`` when the page has one, else the page URL.
"""

from __future__ import annotations

import logging
from html.parser import HTMLParser
from urllib.parse import urljoin

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
from ferry.model.dist import FileRef
from ferry.model.url import redact

logger = logging.getLogger(__name__)


class _AnchorCollector(HTMLParser):
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
    collector = _AnchorCollector()
    collector.feed(text)
    collector.close()
    if not collector.saw_element:
        raise page_error(page_url, "body", "the response is not an HTML page")
    base = urljoin(page_url, collector.base) if collector.base else page_url
    files: list[FileRef] = []
    for attrs in collector.anchors:
        ref = _file_ref(attrs, base, page_url, index_url)
        if ref is not None:
            files.append(ref)
    return files


def _file_ref(
    attrs: dict[str, str | None], base: str, page_url: str, index_url: str | None
) -> FileRef | None:
    href = (attrs.get("href") or "").strip()
    if not href:
        return None
    url = urljoin(base, href)
    filename = filename_from_url(url)
    if not filename:
        return None
    hashes = hashes_from_fragment(url, page_url)
    requires_python = attrs.get("data-requires-python")
    if requires_python is not None and requires_python.strip():
        try:
            requires_python = lenient_requires_python(requires_python)
        except InvalidRequiresPython as exc:
            logger.debug(
                "Skipping %s from %s: invalid data-requires-python `%s`",
                filename,
                redact(page_url),
                exc,
            )
            return None
    else:
        requires_python = None
    yanked: str | None = None
    if "data-yanked" in attrs:
        yanked = attrs["data-yanked"] or ""
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
