"""The one HTTP client of ferry: pooled, retrying, credential-aware, and quiet about secrets.

The bytes travel through ``pool.py`` (raw HTTP/1.1 connections of ``wire.py`` kept alive,
shared by the threads of a command; it replaced httpx, then ``http.client``, whose import and
per-request cost were the largest outside the resolver). This module is the policy on top:

* **retries** — 3 retries with exponential backoff on connection errors, timeouts, truncated
  bodies and 5xx; 4xx is an answer, not a failure, and is returned or raised at once
  (RELIABILITY D2, D3, D4);
* **redirects** are followed by hand so that every hop gets the credentials of *its* origin and
  an ``Authorization`` header never crosses to another origin (D8);
* **offline** mode refuses every network request with an error naming the URL (``--offline``);
* ``file://`` URLs are read from disk without touching the network layer;
* **TLS** is verified against certifi's CA bundle (or ``SSL_CERT_FILE``), read at the first TLS
  handshake rather than when the client is built (``tls.py``); hosts the user
  names in ``--allow-insecure-host`` / FERRY_INSECURE_HOST get connections of their own without
  verification, announced by one warning per host (D9);
* **bodies**: index pages are decoded from gzip/deflate (``Accept-Encoding: gzip, deflate``);
  downloads ask for and keep the raw bytes, whose hash is the file's; a body shorter than its
  ``Content-Length`` is a failed attempt;
* **proxies** come from ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY`` (``proxies.py``);
* the transport (the pool, ``wire.py``) is imported on the first request, not at import time
  (start-up speed, DESIGN §7).

Every URL that reaches a log line or an error message goes through :func:`redact` (D10).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlsplit

from ferry.index import local
from ferry.index.auth import Credentials, CredentialStore
from ferry.index.keyring import SubprocessKeyring, check_provider
from ferry.index.responses import (
    RangeBody,
    Response,
    StreamedResponse,
    content_range,
    status_error,
)
from ferry.index.transport import (
    Exchange,
    Transport,
    TransportError,
    decode_body,
    describe,
    is_tls_failure,
)
from ferry.model.errors import NetworkError, OfflineError, UsageError
from ferry.model.immutable import mutable
from ferry.model.log import get_logger
from ferry.model.url import redact, strip_credentials

if TYPE_CHECKING:
    import httpx

logger = get_logger(__name__)

__all__ = [
    "HttpClient",
    "RangeBody",
    "Response",
    "StreamedResponse",
    "status_error",
    "timeout_from_env",
]

T = TypeVar("T")

RETRIES = 3
DEFAULT_TIMEOUT = 30.0
DEFAULT_BACKOFF = 0.5
MAX_REDIRECTS = 10
STREAM_CHUNK = 256 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def insecure_hosts_from_env() -> frozenset[str]:
    """FERRY_INSECURE_HOST: hosts (``host`` or ``host:port``, space or comma separated) whose TLS
    certificates are not verified (``--allow-insecure-host`` sets it)."""
    raw = os.environ.get("FERRY_INSECURE_HOST", "")
    return frozenset(h.strip().lower() for h in raw.replace(",", " ").split() if h.strip())


def timeout_from_env() -> float:
    """FERRY_HTTP_TIMEOUT in seconds (default 30): how long a silent connection may stay silent."""
    raw = os.environ.get("FERRY_HTTP_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise UsageError(
            f"FERRY_HTTP_TIMEOUT must be a positive number of seconds, not `{raw}`",
            hint="for example `FERRY_HTTP_TIMEOUT=60`",
        )
    return value


class _Retryable(Exception):
    """A failure worth another attempt; ``reason`` becomes one of the error's causes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@mutable
class _BodyState:
    failure: str | None = None


class HttpClient:
    """Thread-safe: one connection pool shared by every thread of a command.

    ``transport`` replaces the network: a :class:`~ferry.index.transport.Transport`, or an
    ``httpx`` transport (tests pass ``httpx.MockTransport``; ``httpx_adapter.py``). ``backoff`` is
    the first retry delay in seconds, doubled each time (tests pass 0).
    """

    def __init__(
        self,
        transport: Transport | httpx.BaseTransport | None = None,
        *,
        offline: bool = False,
        timeout: float | None = None,
        retries: int = RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        netrc_path: Path | None = None,
        max_connections: int = 32,
        insecure_hosts: frozenset[str] | None = None,
        keyring_provider: str | None = None,
    ) -> None:
        self.offline = offline
        self.insecure_hosts = (
            insecure_hosts if insecure_hosts is not None else insecure_hosts_from_env()
        )
        self._warned_insecure: set[str] = set()
        self.timeout = timeout if timeout is not None else timeout_from_env()
        self.retries = retries
        self.backoff = backoff
        keyring = None
        if check_provider(keyring_provider) == "subprocess":
            keyring = SubprocessKeyring()
        self.credentials = CredentialStore(netrc_path, keyring)
        self._given = transport
        self._max_connections = max_connections
        self._transport: Transport | None = None
        self._base_headers: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- public API ---------------------------------------------------------------------------

    def remember_credentials(self, url: str) -> None:
        """Keep the userinfo of an index URL for every later request to that origin."""
        self.credentials.remember(url)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``url`` and read the body. 2xx-4xx answers are returned (4xx is for the caller to
        judge); 5xx and connection failures are retried, then raise :class:`NetworkError`."""
        if local.is_file_url(url):
            return self._get_file(url)
        self._check_online(url)

        def attempt() -> Response:
            final, response = self._open(url, headers or {})
            try:
                self._raise_if_server_error(response)
                content = decode_body(response.read(), response.headers.get("content-encoding"))
                return Response(final, response.status, dict(response.headers), content)
            finally:
                response.close()

        return self._retrying(url, attempt)

    def stream(
        self,
        url: str,
        consume: Callable[[StreamedResponse], T],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """GET ``url`` and hand the streaming body to ``consume``; return what it returns.

        The body is the raw bytes of the file (``Accept-Encoding: identity``, nothing decoded):
        a download's hash is of the file. A connection failure or a truncated body while
        ``consume`` reads counts as a failed attempt: ``consume`` is called again on the next
        one, so it must start afresh (the cache's ``store_file`` does: it writes a new temporary
        file each time). Non-2xx answers raise (:class:`AuthenticationError` for 401/403)
        without calling ``consume``.
        """
        if local.is_file_url(url):
            path = local.resolve_page(local.file_url_to_path(url))
            if not path.is_file():
                raise status_error(url, 404)
            size = str(path.stat().st_size)
            return consume(
                StreamedResponse(
                    strip_credentials(url), 200, {"content-length": size}, local.iter_file(path)
                )
            )
        self._check_online(url)
        wanted = dict(headers or {})
        if not any(name.lower() == "accept-encoding" for name in wanted):
            wanted["Accept-Encoding"] = "identity"

        def attempt() -> T:
            final, response = self._open(url, wanted)
            try:
                self._raise_if_server_error(response)
                if not 200 <= response.status < 300:
                    raise status_error(url, response.status)
                state = _BodyState()
                chunks = self._guarded_chunks(url, response, state)
                try:
                    return consume(
                        StreamedResponse(final, response.status, dict(response.headers), chunks)
                    )
                except Exception:
                    if state.failure is not None:
                        raise _Retryable(state.failure) from None
                    raise
            finally:
                response.close()

        return self._retrying(url, attempt)

    def get_range(self, url: str, start: int, length: int) -> RangeBody | None:
        """Bytes ``[start, start+length)`` of ``url``; a negative ``start`` reads the last
        ``-start`` bytes (a suffix range). ``None`` when the server does not honour ranges
        (answers 200 or 416): the body is then not read at all."""
        if length <= 0 and start >= 0:
            raise ValueError("length must be positive")
        if local.is_file_url(url):
            path = local.file_url_to_path(url)
            size_to_read = -start if start < 0 else length
            content, total = local.read_range(path, start, size_to_read)
            first = max(0, total + start) if start < 0 else min(start, total)
            return RangeBody(strip_credentials(url), first, content, total)
        self._check_online(url)
        spec = f"bytes={start}" if start < 0 else f"bytes={start}-{start + length - 1}"

        def attempt() -> RangeBody | None:
            final, response = self._open(url, {"Range": spec, "Accept-Encoding": "identity"})
            try:
                self._raise_if_server_error(response)
                if response.status in (200, 416):
                    logger.debug(
                        "%s does not serve byte ranges (HTTP %d)", redact(url), response.status
                    )
                    return None
                if response.status != 206:
                    raise status_error(url, response.status)
                first, total = content_range(response.headers.get("content-range"))
                content = decode_body(response.read(), response.headers.get("content-encoding"))
                return RangeBody(final, first, content, total)
            finally:
                response.close()

        return self._retrying(url, attempt)

    def close(self) -> None:
        with self._lock:
            if self._transport is not None:
                self._transport.close()
            self._transport = None

    # -- internals ----------------------------------------------------------------------------

    def _check_online(self, url: str) -> None:
        if self.offline:
            raise OfflineError(
                f"Network access is disabled, but `{redact(url)}` is not in the cache",
                hint="run again without `--offline` (or with `--prefer-offline`) to fetch it",
            )

    def _get_file(self, url: str) -> Response:
        path = local.resolve_page(local.file_url_to_path(url))
        content = local.read_bytes(path)
        if content is None:
            return Response(strip_credentials(url), 404)
        headers = {"content-type": local.content_type(path), "content-length": str(len(content))}
        return Response(strip_credentials(url), 200, headers, content)

    def _is_insecure(self, url: str) -> bool:
        if not self.insecure_hosts:
            return False
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not host:
            return False
        port = parts.port
        return host in self.insecure_hosts or f"{host}:{port}" in self.insecure_hosts

    def _network(self) -> Transport:
        """The transport, built at the first request: the pool with the environment's proxies
        (unless a test transport stands in for the network)."""
        with self._lock:
            if self._transport is None:
                from ferry import __version__

                self._base_headers = {
                    "Accept": "*/*",
                    "Accept-Encoding": "gzip, deflate",
                    "Connection": "keep-alive",
                    "User-Agent": f"ferry/{__version__}",
                }
                given = self._given
                if given is None:
                    from ferry.index.pool import ConnectionPool
                    from ferry.index.proxies import ProxyTable, environment_proxies

                    self._transport = ConnectionPool(
                        timeout=self.timeout,
                        max_connections=self._max_connections,
                                                proxies=ProxyTable(environment_proxies()),
                    )
                elif hasattr(given, "handle_request"):
                    from ferry.index.httpx_adapter import HttpxTransport

                    self._transport = HttpxTransport(given, self.timeout)  # type: ignore[arg-type]
                else:
                    self._transport = given  # type: ignore[assignment]
            return self._transport

    def _verify(self, url: str) -> bool:
        """False for a host named in ``--allow-insecure-host`` (warned about once per host)."""
        if not self._is_insecure(url):
            return True
        host = urlsplit(url).netloc.rpartition("@")[2]
        with self._lock:
            warn = host not in self._warned_insecure
            self._warned_insecure.add(host)
        if warn:
            logger.warning(
                "TLS certificate verification is disabled for `%s` (--allow-insecure-host): "
                "anyone on the network path can change what is downloaded from it",
                host,
            )
        return False

    def _open(self, url: str, headers: Mapping[str, str]) -> tuple[str, Exchange]:
        """Send a streaming GET, following redirects with per-origin credentials."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            creds = self.credentials.complete(current, self.credentials.for_url(current))
            response = self._send(current, headers, creds)
            if response.status == 401 and (creds is None or not creds.password):
                found = self.credentials.from_keyring(
                    current, creds.username if creds is not None else None
                )
                if found is not None and found != creds:
                    logger.debug("Retrying %s with credentials from keyring", redact(current))
                    response.close()
                    response = self._send(current, headers, found)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return strip_credentials(current), response
            response.close()
            target = urljoin(current, location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise NetworkError(
                    f"`{redact(url)}` redirected to an unsupported URL `{redact(target)}`"
                )
            current = target
        raise NetworkError(f"Too many redirects (more than {MAX_REDIRECTS}) for `{redact(url)}`")

    def _send(
        self, url: str, headers: Mapping[str, str], creds: Credentials | None
    ) -> Exchange:
        network = self._network()
        given = {name.lower() for name in headers}  # the caller's spelling wins
        sent = {k: v for k, v in self._base_headers.items() if k.lower() not in given}
        sent.update(headers)
        if creds is not None:
            sent["Authorization"] = creds.authorization()
        response = network.send(strip_credentials(url), sent, verify=self._verify(url))
        logger.debug("GET %s -> %d", redact(url), response.status)
        return response

    @staticmethod
    def _raise_if_server_error(response: Exchange) -> None:
        if response.status >= 500:
            raise _Retryable(f"HTTP {response.status} {response.reason}".rstrip())

    def _guarded_chunks(self, url: str, response: Exchange, state: _BodyState) -> Iterator[bytes]:
        """The raw body, checked against Content-Length; transport failures mark ``state`` so
        that :meth:`stream` retries even if the consumer wrapped the exception in its own."""
        expected = response.headers.get("content-length")
        received = 0
        try:
            for chunk in response.iter_raw(STREAM_CHUNK):
                received += len(chunk)
                yield chunk
        except TransportError as exc:
            state.failure = describe(exc, url)
            raise NetworkError(f"Download of `{redact(url)}` was interrupted: {state.failure}")
        if expected is not None and expected.isdigit() and received != int(expected):
            state.failure = f"incomplete body: expected {expected} bytes, but received {received}"
            raise NetworkError(f"Download of `{redact(url)}` is incomplete: {state.failure}")

    def _retrying(self, url: str, attempt: Callable[[], T]) -> T:
        causes: list[str] = []
        for number in range(self.retries + 1):
            if number:
                delay = self.backoff * (2 ** (number - 1))
                logger.debug(
                    "Retrying %s in %.2fs (retry %d of %d) after: %s",
                    redact(url),
                    delay,
                    number,
                    self.retries,
                    causes[-1],
                )
                if delay > 0:
                    time.sleep(delay)
            try:
                return attempt()
            except _Retryable as exc:
                causes.append(exc.reason)
            except TransportError as exc:
                if is_tls_failure(exc):
                    host = urlsplit(url).hostname or url
                    raise NetworkError(
                        f"TLS certificate verification failed for host `{host}` "
                        f"(`{redact(url)}`)",
                        causes=[describe(exc, url)],
                        hint="set `SSL_CERT_FILE` to a CA bundle that trusts this server, or, "
                        f"if you trust the network path to it, pass `--allow-insecure-host {host}`",
                    ) from None
                if not exc.retryable:
                    raise NetworkError(
                        f"Request for `{redact(url)}` failed", causes=[describe(exc, url)]
                    ) from None
                causes.append(describe(exc, url))
        raise NetworkError(
            f"Request failed after {self.retries} retries: `{redact(url)}`",
            causes=distinct_causes(causes),
        )


def distinct_causes(causes: Sequence[str]) -> list[str]:
    """Each distinct failure once, in the order first met, with how many attempts met it when
    more than one did: four identical ``Caused by: HTTP 500`` lines say less than one line with
    "(4 attempts)"."""
    from collections import Counter

    return [cause if n == 1 else f"{cause} ({n} attempts)" for cause, n in Counter(causes).items()]
