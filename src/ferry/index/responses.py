"""What :class:`~ferry.index.http.HttpClient` hands back, and the error for a refused request.

Plain values, independent of httpx, so callers (and their type hints) never import httpx.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ferry.index.errors import AuthenticationError
from ferry.model.errors import FerryError, NetworkError
from ferry.model.immutable import immutable, mutable
from ferry.model.url import redact
from ferry.model.value_fields import field


@immutable
class Response:
    """A fully read response. ``url`` is the final URL (after redirects), without credentials;
    ``headers`` has lower-case names."""

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@immutable
class RangeBody:
    """The answer to a ranged GET: ``content`` starts at byte ``start`` of a file of ``total``
    bytes (``None`` when the server did not say)."""

    url: str
    start: int
    content: bytes
    total: int | None


@mutable
class StreamedResponse:
    """A 2xx response whose body is consumed as ``chunks`` inside :meth:`HttpClient.stream`."""

    url: str
    status: int
    headers: Mapping[str, str]
    chunks: Iterator[bytes]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def status_error(url: str, status: int) -> FerryError:
    """The error for a non-2xx final answer: credentials for 401/403, network otherwise."""
    if status in (401, 403):
        return AuthenticationError(url, status)
    return NetworkError(f"Request for `{redact(url)}` failed: HTTP {status}")


def content_range(value: str | None) -> tuple[int, int | None]:
    """``bytes 100-199/1000`` → (100, 1000); a 206 without it is a broken server."""
    unit, _, rest = (value or "").strip().partition(" ")
    span, _, total = rest.partition("/")
    first, dash, _last = span.partition("-")
    if unit.lower() == "bytes" and dash and first.strip().isdigit():
        if total.strip().isdigit():
            return int(first), int(total)
        if total.strip() == "*":
            return int(first), None
    raise NetworkError(f"Invalid Content-Range header in a 206 response: `{value}`")
