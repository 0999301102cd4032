"""An ``httpx`` transport in place of the network: what ``HttpClient(transport=…)`` accepts.

ferry itself speaks HTTP/1.1 directly (``pool.py``, ``wire.py``), but ``HttpClient``'s
``transport`` argument has always taken an ``httpx.BaseTransport`` — above all
``httpx.MockTransport``, with which unit tests script answers and failures (a 503, then a reset
mid-body) without a socket. This adapter keeps that seam: it sends each GET through the given
transport, hands the body back raw, and turns httpx's exceptions into
:mod:`ferry.index.transport`'s classes of the same name, so the retry policy and the error
messages are the ones production sees.

httpx is imported only here, and only by a caller that already built an httpx transport.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ferry.index import transport as wire

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpxTransport"]

_SAME_NAME: dict[str, type[wire.TransportError]] = {
    cls.__name__: cls
    for cls in (
        wire.ConnectError, wire.ConnectTimeout, wire.ReadError, wire.ReadTimeout,
        wire.WriteError, wire.WriteTimeout, wire.CloseError, wire.PoolTimeout,
        wire.RemoteProtocolError, wire.ProxyError, wire.UnsupportedProtocol,
        wire.DecodingError,
    )
}


class HttpxTransport:
    """A :class:`~ferry.index.transport.Transport` over an ``httpx.BaseTransport``."""

    def __init__(self, transport: httpx.BaseTransport, timeout: float) -> None:
        self._transport = transport
        self._timeout = timeout

    def send(self, url: str, headers: Mapping[str, str], *, verify: bool) -> wire.Exchange:
        import httpx

        request = httpx.Request(
            "GET", url, headers=dict(headers),
            extensions={"timeout": httpx.Timeout(self._timeout).as_dict()},
        )
        try:
            response = self._transport.handle_request(request)
        except httpx.HTTPError as exc:
            raise _translate(exc) from exc
        return _HttpxExchange(response)

    def close(self) -> None:
        self._transport.close()


class _HttpxExchange:
    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.headers = {name.lower(): value for name, value in response.headers.items()}
        self._response = response

    def read(self) -> bytes:
        return b"".join(self.iter_raw(1 << 20))

    def iter_raw(self, size: int) -> Iterator[bytes]:
        """The stream re-cut into pieces of ``size`` bytes, as httpx's ``iter_bytes`` cut it."""
        import httpx

        pending = b""
        try:
            for chunk in self._response.stream:  # type: ignore[union-attr]
                pending += chunk
                while len(pending) >= size:
                    yield pending[:size]
                    pending = pending[size:]
        except httpx.HTTPError as exc:
            raise _translate(exc) from exc
        if pending:
            yield pending

    def close(self) -> None:
        self._response.close()


def _translate(exc: Exception) -> wire.TransportError:
    import httpx

    cls = _SAME_NAME.get(type(exc).__name__)
    if cls is not None:
        return cls(str(exc))
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError):
        return wire.ReadError(str(exc))
    error = wire.TransportError(f"{type(exc).__name__}: {exc}")
    error.retryable = False  # what httpx left unclassified was never retried
    return error
