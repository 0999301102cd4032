"""Source distributions for the mirror, fetched straight from the upstream project pages.

The real index offers an sdist beside the wheels of nearly every release, and a universal lock
relies on it where no wheel fits (biopython on a Python newer than its wheels): a wheel-only
mirror would make ``lock`` fail where it succeeds against the real index. Installers prefer the
mirrored wheel, so the install scenarios never build one.

``pip download`` cannot fetch an sdist without building its metadata (numpy's needs a compiler),
so this reads the project page itself: one HTML page and one file per pin, the file checked
against the page's ``#sha256=`` before it lands in the mirror.
"""

from __future__ import annotations

import hashlib
import logging
import os
import ssl
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from packaging.utils import InvalidSdistFilename, canonicalize_name, parse_sdist_filename

from bench.upstream import Pin, Upstream, UpstreamError

__all__ = ["SdistLink", "fetch_sdists", "find_sdist"]

logger = logging.getLogger(__name__)

_TIMEOUT = 120


@dataclass(frozen=True, slots=True)
class SdistLink:
    """One sdist anchor of a project page: absolute URL and the sha256 it advertises."""

    url: str
    sha256: str | None

    @property
    def filename(self) -> str:
        return unquote(urlsplit(self.url).path.rsplit("/", 1)[-1])


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def find_sdist(page: str, page_url: str, pin: Pin) -> SdistLink | None:
    """The sdist of ``pin`` on a PEP 503 page (``.tar.gz`` preferred over ``.zip``), or None."""
    parser = _Anchors()
    parser.feed(page)
    found: list[SdistLink] = []
    for href in parser.hrefs:
        url, fragment = urldefrag(urljoin(page_url, href))
        link = SdistLink(url, None)
        try:
            name, version = parse_sdist_filename(link.filename)
        except InvalidSdistFilename:
            continue
        if canonicalize_name(name) == pin.name and str(version) == pin.version:
            algorithm, _, digest = fragment.partition("=")
            found.append(SdistLink(url, digest if algorithm == "sha256" and digest else None))
    found.sort(key=lambda link: not link.filename.endswith(".tar.gz"))
    return found[0] if found else None


def _open(url: str, upstream: Upstream, accept: str | None = None) -> bytes:
    context = ssl.create_default_context(cafile=upstream.cert) if upstream.cert else None
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=_TIMEOUT, context=context) as response:
        data: bytes = response.read()
        return data


def _project_page(upstream: Upstream, name: str) -> tuple[str, str]:
    page_url = upstream.index_url.rstrip("/") + f"/{name}/"
    if page_url.startswith("file:"):  # a directory on disk: its page is index.html
        page_url += "index.html"
    return _open(page_url, upstream, accept="text/html").decode("utf-8", "replace"), page_url


def fetch_sdists(upstream: Upstream, pins: Sequence[Pin], dest: Path) -> list[Pin]:
    """Download the sdist of each pin into ``dest``; returns the pins that have none.

    A download that does not match the advertised hash is an error (nothing is kept); an
    unreachable page is one too, so a run never silently builds a thinner mirror.
    """
    without: list[Pin] = []
    for pin in pins:
        try:
            page, page_url = _project_page(upstream, pin.name)
        except OSError as exc:
            raise UpstreamError(f"cannot read the project page of {pin.name}: {exc}") from exc
        link = find_sdist(page, page_url, pin)
        if link is None:
            logger.info("%s has no sdist on the index", pin.requirement())
            without.append(pin)
            continue
        try:
            data = _open(link.url, upstream)
        except OSError as exc:
            raise UpstreamError(f"cannot download {link.filename}: {exc}") from exc
        if link.sha256 and hashlib.sha256(data).hexdigest() != link.sha256:
            raise UpstreamError(f"{link.filename}: sha256 does not match the index's")
        tmp = dest / f".{link.filename}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, dest / link.filename)
        logger.info("fetched %s (%d KiB)", link.filename, len(data) // 1024)
    return without
