"""The seam between :class:`~ferry.index.http.HttpClient` and whatever carries its bytes.

``HttpClient`` owns the policy (retries, redirects, credentials, offline, TLS choice, body
checks); a :class:`Transport` only sends one GET and hands back an :class:`Exchange` whose body
is read raw, exactly as it came off the wire. In production that is the pool of raw
HTTP/1.1 connections (``pool.py``, ``wire.py``); tests may stand in an ``httpx`` transport
(``httpx_adapter.py``).

The failures a transport raises are the classes below, named as httpx named them, because their
names reach users in an error's causes ("ReadTimeout: …", "RemoteProtocolError: …") and tests
and runbooks match on them. ``retryable`` says whether another attempt could help: a dropped
connection or a timeout could, a refused proxy or an undecodable body could not.

``decode_body`` undoes ``Content-Encoding`` (gzip, deflate) for index pages, as httpx did;
downloads of files keep the raw bytes, because a file's hash is of the file.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator, Mapping
from typing import Protocol
from urllib.parse import urlsplit

from ferry.model.url import redact

__all__ = [
    "CloseError",
    "ConnectError",
    "ConnectTimeout",
    "DecodingError",
    "Exchange",
    "PoolTimeout",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Transport",
    "TransportError",
    "UnsupportedProtocol",
    "WriteError",
    "WriteTimeout",
    "decode_body",
    "describe",
    "is_tls_failure",
]


class TransportError(Exception):
    """A request that got no usable answer. ``retryable``: worth another attempt."""

    retryable = True


class ConnectError(TransportError):
    pass


class ConnectTimeout(TransportError):
    pass


class ReadError(TransportError):
    pass


class ReadTimeout(TransportError):
    pass


class WriteError(TransportError):
    pass


class WriteTimeout(TransportError):
    pass


class CloseError(TransportError):
    pass


class PoolTimeout(TransportError):
    """Every connection stayed busy for the whole timeout."""


class RemoteProtocolError(TransportError):
    """The server broke HTTP/1.1: a body cut short, a garbled status line, a hang-up."""


class ProxyError(TransportError):
    """The proxy refused the tunnel: retrying will not change its mind."""

    retryable = False


class UnsupportedProtocol(TransportError):
    retryable = False


class DecodingError(TransportError):
    """A body whose Content-Encoding does not decode."""

    retryable = False


class Exchange(Protocol):
    """One response, its body not yet read. ``headers`` has lower-case names (a repeated
    header's values joined by ", "). ``close`` is always called, read or not."""

    @property
    def status(self) -> int: ...

    @property
    def reason(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def read(self) -> bytes:
        """The whole raw body."""
        ...

    def iter_raw(self, size: int) -> Iterator[bytes]:
        """The raw body in pieces of at most ``size`` bytes."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    def send(self, url: str, headers: Mapping[str, str], *, verify: bool) -> Exchange:
        """GET ``url`` (credential-free) with exactly ``headers``; ``verify=False`` only for a
        host the user named in ``--allow-insecure-host``."""
        ...

    def close(self) -> None: ...


def decode_body(content: bytes, encoding: str | None) -> bytes:
    """``content`` with its ``Content-Encoding`` undone; unknown codings pass through (as httpx:
    the caller sees the bytes and its parser complains)."""
    if not encoding:
        return content
    for coding in reversed([c.strip().lower() for c in encoding.split(",")]):
        if coding in ("gzip", "x-gzip"):
            content = _inflate(content, zlib.MAX_WBITS | 16, coding)
        elif coding == "deflate":
            try:  # RFC 9110's deflate is zlib-wrapped; some servers send it raw
                content = _inflate(content, zlib.MAX_WBITS, coding)
            except DecodingError:
                content = _inflate(content, -zlib.MAX_WBITS, coding)
    return content


def _inflate(content: bytes, wbits: int, coding: str) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    try:
        return decompressor.decompress(content) + decompressor.flush()
    except zlib.error as exc:
        raise DecodingError(f"the {coding}-encoded body does not decode: {exc}") from None


def is_tls_failure(exc: BaseException) -> bool:
    """A certificate that did not verify, anywhere in the chain of causes: not worth a retry,
    and worth a hint (SSL_CERT_FILE, --allow-insecure-host)."""
    ssl = sys.modules.get("ssl")  # not imported: no TLS connection was made, none failed
    if ssl is None:
        return False
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def describe(exc: BaseException, url: str) -> str:
    """``ReadTimeout: …`` with any spelling of the URL or its password removed."""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    password = urlsplit(url).password
    text = text.replace(url, redact(url))
    if password:
        text = text.replace(password, "****")
    return text
