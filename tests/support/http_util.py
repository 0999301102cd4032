"""The two bits of HTTP the index server decides on: page content negotiation and ``Range``.

Pure functions, so their edge cases (q-values, suffix ranges, unsatisfiable ranges) are tested
without a socket.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["HTML_V1", "JSON_V1", "choose_page_type", "parse_range"]

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"
# Server preference when the client's q-values tie (PEP 691 leaves the choice to the server).
_PREFERENCE = (JSON_V1, HTML_V1, TEXT_HTML)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _q(params: list[str]) -> float:
    for param in params:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _weight(accept: dict[str, float], media: str) -> float:
    major = media.split("/", 1)[0]
    for key in (media, f"{major}/*", "*/*"):
        if key in accept:
            return accept[key]
    return 0.0


def choose_page_type(accept: str | None, *, json_available: bool) -> str:
    """The media type to answer a ``/simple/`` request with, per the ``Accept`` header.

    Without an ``Accept`` header, or when nothing acceptable is available, the answer is
    ``text/html`` (what PEP 503 clients expect).
    """
    if not accept:
        return TEXT_HTML
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if media:
            weights[media] = max(weights.get(media, 0.0), _q(params))
    candidates = [m for m in _PREFERENCE if json_available or m != JSON_V1]
    best = max(candidates, key=lambda m: (_weight(weights, m), -candidates.index(m)))
    return best if _weight(weights, best) > 0 else TEXT_HTML


def parse_range(
    header: str | None, size: int
) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """An inclusive ``(start, end)`` for a single byte range; None means "send everything".

    Multiple ranges and malformed headers are ignored (RFC 9110 allows that); a range that
    starts past the end is "unsatisfiable" (416).
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, end
