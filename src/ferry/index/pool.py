"""ferry's HTTP/1.1 transport: ``wire.py`` connections, kept alive and shared by threads.

Why not httpx: importing httpx, httpcore and h11 costs 35-50 ms of every network command, and
each request ~0.38 ms of CPU against ~0.04 ms through ``wire.py`` (``http.client``, used before,
took ~0.13 ms and ~12 ms to import) — a ``ferry lock`` makes 60-200 requests, an install
downloads dozens of files. What ferry needs of a client is small: GET over HTTP/1.1 with
keep-alive, TLS, proxies. This module is that, and only that; policy (retries, redirects,
credentials, decoding) stays in ``http.py``.

* **Pool**: idle connections are kept per origin — (scheme, host, port, verified or not, proxy) —
  and reused last-in first-out; at most ``max_connections`` are open at once across all origins
  (httpx's ``Limits``: a thread that finds them all busy waits up to the timeout, then
  :class:`PoolTimeout`; an idle connection of another origin is closed to make room). An idle
  connection is dropped after 5 s, httpx's keep-alive expiry.
* **Stale keep-alive**: a server may close an idle connection at any moment. One that is
  readable while idle (a FIN, or stray bytes) is discarded before use; if a reused connection
  still fails before any byte of the answer arrives, the GET is sent once more on a fresh
  connection — that is not a failed attempt, the request never reached the server's handler.
* **Bodies**: ``Content-Length`` or chunked; a body that ends early is
  :class:`RemoteProtocolError` ("received N bytes, expected M"), retryable, as h11 raised it.
  Bytes are handed over raw: ``http.py`` decodes pages, downloads keep the file's bytes.
* **Errors** are mapped to :mod:`ferry.index.transport`'s classes by phase: connecting
  (``ConnectError``/``ConnectTimeout``, a TLS failure chained as its cause), sending
  (``WriteError``), waiting and reading (``ReadError``/``ReadTimeout``); a refused ``CONNECT``
  is :class:`ProxyError`.
* **Proxies** (``proxies.py``): a plain ``http://`` request is forwarded to the proxy with an
  absolute URL; ``https://`` is tunnelled through ``CONNECT``, TLS verified against the
  target's name.
* ``ssl`` is imported by the first ``https`` connection only: a loopback or LAN index over
  ``http://`` never pays for it.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, urlsplit

from ferry.index.proxies import Proxy, ProxyTable
from ferry.index.transport import (
    ConnectError,
    ConnectTimeout,
    PoolTimeout,
    ProxyError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    TransportError,
    UnsupportedProtocol,
    WriteError,
    WriteTimeout,
)
from ferry.index.wire import (
    BodyIncomplete,
    Closed,
    Connection,
    Head,
    ProtocolViolation,
    TunnelRefused,
    authority_of,
    refuse_control_characters,
)
from ferry.model.index_distance import note_response_wait
from ferry.model.log import get_logger

if TYPE_CHECKING:
    import ssl

__all__ = ["KEEPALIVE_EXPIRY", "ConnectionPool", "PooledResponse", "default_contexts"]

logger = get_logger(__name__)

KEEPALIVE_EXPIRY = 5.0
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 characters a path or query may carry as they are; anything else is percent-encoded
# (a space in a file name), as httpx normalised URLs.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
# The peer hung up on a reused connection before answering: it had closed it while idle.
_STALE = (Closed, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


# The functional form, with real types: the class form under ``from __future__ import
# annotations`` has typing compile() each field's string, and a process's first compile() costs
# ~1 ms (it builds every ``_ast`` node class).
_Origin = NamedTuple(  # noqa: UP014
    "_Origin",
    [("scheme", str), ("host", str), ("port", int), ("verify", bool), ("proxy", Proxy | None)],
)


class _Stale(Exception):
    """A reused connection died before the answer began (internal: triggers the one resend)."""


class ConnectionPool:
    """Thread-safe keep-alive pool; ``contexts(verify)`` gives the TLS context for verified or
    unverified origins (called once each, at the first ``https`` connection of that kind)."""

    def __init__(
        self,
        *,
        timeout: float,
        max_connections: int,
        contexts: Callable[[bool], ssl.SSLContext] | None = None,
        proxies: ProxyTable | None = None,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
    ) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self._contexts = contexts or default_contexts
        self._context_cache: dict[bool, ssl.SSLContext] = {}
        self._proxies = proxies if proxies is not None else ProxyTable({})
        self._expiry = keepalive_expiry
        self._idle: dict[_Origin, list[tuple[float, Connection]]] = {}
        self._open = 0
        self._cond = threading.Condition()
        self._closed = False
        self.connections_made = 0  # for tests and -v reasoning

    # -- the request ----------------------------------------------------------------------

    def send(self, url: str, headers: Mapping[str, str], *, verify: bool) -> PooledResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise UnsupportedProtocol(f"cannot fetch `{url}`: not an http(s) URL")
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError as exc:  # a port that is not a number
            raise UnsupportedProtocol(f"cannot fetch `{url}`: {exc}") from None
        try:
            refuse_control_characters(parts.hostname)
        except ValueError as exc:
            raise UnsupportedProtocol(str(exc)) from None
        proxy = self._proxies.for_url(scheme, parts.hostname, port) if self._proxies else None
        origin = _Origin(scheme, parts.hostname, port, verify or scheme == "http", proxy)
        target = quote(parts.path, safe=_PATH_SAFE) or "/"
        if parts.query:
            target += "?" + quote(parts.query, safe=_QUERY_SAFE)
        sent = {"Host": authority_of(origin.host, port, _DEFAULT_PORTS[scheme]), **headers}
        if proxy is not None and scheme == "http":  # forwarded: the proxy sees the request
            netloc = parts.netloc.rpartition("@")[2]
            target = f"http://{netloc}{target}"
            if proxy.authorization:
                sent["Proxy-Authorization"] = proxy.authorization
        for attempt in range(2):
            conn, reused = self._acquire(origin, fresh=attempt > 0)
            try:
                response = self._exchange(conn, reused, target, sent)
            except _Stale:
                self._release(origin, conn, reusable=False)
                logger.debug("The keep-alive connection to %s:%d was closed by the server; "
                             "sending the request again on a new one", origin.host, origin.port)
                continue
            except BaseException:
                self._release(origin, conn, reusable=False)
                raise
            return PooledResponse(self, origin, conn, response)
        raise AssertionError("unreachable")

    def _exchange(
        self, conn: Connection, reused: bool, target: str, headers: Mapping[str, str]
    ) -> Head:
        if conn.sock is None:
            _connect(conn)
        sent = time.perf_counter()
        try:
            conn.send_get(target, headers)
        except ValueError as exc:  # a character no request line may carry
            raise UnsupportedProtocol(str(exc)) from exc
        except TimeoutError as exc:
            raise WriteTimeout(str(exc) or "timed out") from exc
        except OSError as exc:
            if reused:
                raise _Stale from exc
            raise WriteError(str(exc)) from exc
        try:
            head = conn.read_head()
        except TimeoutError as exc:
            raise ReadTimeout(str(exc) or "timed out") from exc
        except _STALE as exc:
            if reused:
                raise _Stale from exc
            if isinstance(exc, Closed):
                raise RemoteProtocolError("Server disconnected without sending a response.")
            raise ReadError(str(exc)) from exc
        except OSError as exc:
            raise ReadError(str(exc)) from exc
        except ProtocolViolation as exc:
            raise RemoteProtocolError(str(exc)) from exc
        note_response_wait(time.perf_counter() - sent)
        return head

    # -- connections ----------------------------------------------------------------------

    def _acquire(
        self, origin: _Origin, *, fresh: bool = False
    ) -> tuple[Connection, bool]:
        """An idle connection to ``origin`` (reused) or a slot for a new one; ``fresh`` after a
        stale one: the origin's other idle connections are as old, so they are closed too."""
        deadline = time.monotonic() + self.timeout
        with self._cond:
            if fresh:
                for _, conn in self._idle.pop(origin, []):
                    self._discard(conn)
            while True:
                if self._closed:
                    raise TransportError("the HTTP client was closed")
                idle = self._idle.get(origin)
                now = time.monotonic()
                while idle:
                    since, conn = idle.pop()
                    if now - since < self._expiry and _alive(conn):
                        return conn, True
                    self._discard(conn)
                if self._open < self.max_connections:
                    self._open += 1
                    break
                if self._evict_one():
                    continue
                remaining = deadline - now
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise PoolTimeout(f"no connection free within {self.timeout:g}s")
        try:
            return self._new_connection(origin), False
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _new_connection(self, origin: _Origin) -> Connection:
        proxy = origin.proxy
        via: tuple[str, int] | None = None
        if proxy is not None:
            via = (proxy.host, proxy.port)
            logger.debug("Connecting to %s:%d through the proxy %s", origin.host, origin.port,
                         proxy.url)
        conn: Connection
        if origin.scheme == "https":
            tunnel: dict[str, str] | None = None
            if proxy is not None:
                auth = proxy.authorization
                tunnel = {"Proxy-Authorization": auth} if auth else {}
            conn = Connection(origin.host, origin.port, timeout=self.timeout,
                              tls=self._context(origin.verify), via=via, tunnel_headers=tunnel)
        else:  # plain http through a proxy: the connection is to the proxy, requests forwarded
            host, port = via or (origin.host, origin.port)
            conn = Connection(host, port, timeout=self.timeout)
        self.connections_made += 1
        return conn

    def _context(self, verify: bool) -> ssl.SSLContext:
        with self._cond:
            context = self._context_cache.get(verify)
            if context is None:
                context = self._context_cache[verify] = self._contexts(verify)
            return context

    def _release(self, origin: _Origin, conn: Connection, *, reusable: bool) -> None:
        with self._cond:
            if reusable and not self._closed and conn.sock is not None:
                self._idle.setdefault(origin, []).append((time.monotonic(), conn))
            else:
                self._discard(conn)
            self._cond.notify()

    def _discard(self, conn: Connection) -> None:
        """Close a connection and free its slot (the caller holds the lock)."""
        self._open -= 1
        conn.close()

    def _evict_one(self) -> bool:
        """Close the oldest idle connection of any origin to make room (lock held)."""
        oldest: tuple[float, _Origin] | None = None
        for origin, idle in self._idle.items():
            if idle and (oldest is None or idle[0][0] < oldest[0]):
                oldest = (idle[0][0], origin)
        if oldest is None:
            return False
        _, conn = self._idle[oldest[1]].pop(0)
        self._discard(conn)
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for idle in self._idle.values():
                for _, conn in idle:
                    self._discard(conn)
            self._idle.clear()
            self._cond.notify_all()


class PooledResponse:
    """An answer whose body is read raw; the connection goes back to the pool when the body
    was read to its end, and is closed when it was not."""

    def __init__(self, pool: ConnectionPool, origin: _Origin, conn: Connection,
                 head: Head) -> None:
        self.status = head.status
        self.reason = head.reason
        self.headers = head.headers
        self._pool = pool
        self._origin = origin
        self._conn = conn
        self._finished = False
        self._released = False

    def read(self) -> bytes:
        body = self._read(None, 0)
        self._finished = True
        return body

    def iter_raw(self, size: int) -> Iterator[bytes]:
        received = 0
        while chunk := self._read(size, received):
            received += len(chunk)
            yield chunk
        self._finished = True

    def _read(self, size: int | None, received: int) -> bytes:
        """``size`` bytes of the body (all of it for None), failures named as httpx named them;
        ``received`` is how much came before, for the message of a body cut short."""
        try:
            return self._conn.read(size)
        except BodyIncomplete as exc:
            raise self._incomplete(exc.received) from None
        except TimeoutError as exc:
            raise ReadTimeout(str(exc) or "timed out") from exc
        except OSError as exc:
            raise ReadError(str(exc)) from exc
        except ProtocolViolation as exc:
            raise RemoteProtocolError(str(exc)) from exc

    def close(self) -> None:
        if self._released:
            return
        self._released = True
        conn = self._conn
        reusable = self._finished and conn.body_done and not conn.will_close
        self._pool._release(self._origin, conn, reusable=reusable)

    def _incomplete(self, received: int) -> RemoteProtocolError:
        if self._conn.chunked:
            return RemoteProtocolError("peer closed connection without sending complete "
                                       "message body: incomplete chunked read")
        expected = self.headers.get("content-length", "")
        return RemoteProtocolError("peer closed connection without sending complete message "
                                   f"body: received {received} bytes, expected {expected}")


def _connect(conn: Connection) -> None:
    """Open the socket (and TLS, and the proxy tunnel), naming the failure by its phase."""
    try:
        conn.connect()
    except TimeoutError as exc:
        conn.close()
        raise ConnectTimeout(str(exc) or "timed out") from exc
    except TunnelRefused as exc:
        conn.close()
        raise ProxyError(str(exc)) from exc
    except OSError as exc:
        conn.close()
        raise ConnectError(str(exc)) from exc
    except ProtocolViolation as exc:  # the proxy's answer to CONNECT was not HTTP
        conn.close()
        raise ConnectError(str(exc)) from exc


def _alive(conn: Connection) -> bool:
    """An idle keep-alive connection with nothing to read: readable means the server hung up
    (or spoke out of turn), either way it cannot carry the next request."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)  # Windows has no poll
        return not readable
    except (OSError, ValueError):
        return False


def default_contexts(verify: bool) -> ssl.SSLContext:
    """The verifying context reads its CA bundle at the first handshake (``tls.py``); hosts in
    ``--allow-insecure-host`` get one that checks nothing, as httpx's ``verify=False``."""
    import ssl

    context: ssl.SSLContext
    if verify:
        from ferry.index.tls import DeferredVerifyContext

        context = DeferredVerifyContext(trust_env=True)
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["http/1.1"])
    return context
