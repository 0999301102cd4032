"""One HTTP/1.1 connection, spoken directly over a socket: the request out, the answer's head and
body in.

Why not ``http.client``: importing it pulls in ``email.parser`` and ``ssl`` (~12 ms of every
network command, even when every index is ``http://``), and its header parsing goes through
``email``'s feed parser — ~125 µs of CPU per response against ~35 µs here. A ``ferry lock``
makes 60-200 requests. What ferry asks of HTTP is small: GET, keep-alive, ``Content-Length`` or
chunked bodies (or a body that ends with the connection), TLS, a ``CONNECT`` tunnel through a
proxy. Framing follows RFC 9112 §6.3; limits (line length, header count) are ``http.client``'s.

Failures stay raw here (``OSError``, ``TimeoutError`` and the three classes below); the pool
names them by phase for the user.
"""

from __future__ import annotations

# The C module: ``socket`` wraps it in enums at import (~1.7 ms of every network command), and
# ferry needs neither the enums nor ``socket.socket``'s extras (a TLS socket is one anyway).
import _socket
import io
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, BinaryIO

from ferry.model.index_distance import note_round_trip

if TYPE_CHECKING:
    import ssl

__all__ = ["BodyIncomplete", "Closed", "Connection", "Head", "ProtocolViolation",
           "TunnelRefused", "authority_of", "handshake_round_trip", "refuse_control_characters"]

_MAX_LINE = 65536
_MAX_HEADERS = 100
_NO_BODY_STATUSES = (204, 304)


class Closed(OSError):
    """The peer closed the connection before the first byte of an answer."""


class ProtocolViolation(Exception):
    """The peer's bytes are not HTTP/1.1: a garbled status line, a bad chunk size…"""


class BodyIncomplete(Exception):
    """The connection ended inside a body; ``received`` bytes of it had arrived."""

    def __init__(self, received: int) -> None:
        super().__init__(f"received {received} bytes before the body ended")
        self.received = received


class TunnelRefused(OSError):
    """The proxy answered ``CONNECT`` with something other than 2xx."""


class Head:
    """A response's status line and headers (names lower-cased, repeats joined by ", ")."""

    __slots__ = ("headers", "reason", "status", "version")

    def __init__(self, version: str, status: int, reason: str, headers: dict[str, str]) -> None:
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers


class Connection:
    """A socket to ``host:port`` — TLS-wrapped when ``tls`` is given, opened through the proxy
    at ``via`` (host, port) with ``CONNECT`` when ``tunnel_headers`` is not None — plus the
    reading state of the answer in flight."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        tls: ssl.SSLContext | None = None,
        via: tuple[str, int] | None = None,
        tunnel_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.tls = tls
        self.via = via
        self.tunnel_headers = tunnel_headers
        self.sock: _socket.socket | None = None
        self._file: BinaryIO | None = None
        self.will_close = False
        self.chunked = False
        self._remaining: int | None = None  # bytes left of a Content-Length body (or chunk)
        self._length = 0  # the Content-Length
        self._chunk_total = 0  # bytes of a chunked body read so far
        self._until_close = False
        self._done = True

    # -- the connection ---------------------------------------------------------------------

    def connect(self) -> None:
        address = self.via or (self.host, self.port)
        sock = _create_connection(address, self.timeout)
        # Through a proxy the handshake only measures the way to the proxy: the answers' waits
        # tell (model.index_distance).
        if self.via is None:
            note_round_trip(handshake_round_trip(sock))
        try:
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            if self.via is not None and self.tls is not None:
                self.sock, self._file = sock, _reader(sock)
                self._tunnel()
            if self.tls is not None:
                # ssl reads only what ``_socket.socket`` has (family, type, fileno, timeout,
                # detach); typeshed asks for the ``socket.socket`` subclass.
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)  # type: ignore[arg-type]
        except BaseException:
            sock.close()
            self.sock = self._file = None
            raise
        self.sock, self._file = sock, _reader(sock)

    def _tunnel(self) -> None:
        authority = authority_of(self.host, self.port)
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        lines += [f"{name}: {value}" for name, value in (self.tunnel_headers or {}).items()]
        self._send_lines(lines)
        head = self._read_head_once()
        if not 200 <= head.status < 300:
            raise TunnelRefused(f"Tunnel connection failed: {head.status} {head.reason}".rstrip())
        # A 2xx to CONNECT has no body: what follows is the tunnel (RFC 9110 §9.3.6).

    def close(self) -> None:
        file, sock = self._file, self.sock
        self._file = self.sock = None
        if file is not None:
            file.close()
        if sock is not None:
            sock.close()

    # -- one exchange -----------------------------------------------------------------------

    def send_get(self, target: str, headers: Mapping[str, str]) -> None:
        """Send ``GET target`` with exactly ``headers`` (the caller gives ``Host``), plus
        ``Accept-Encoding: identity`` when it names no encoding, as ``http.client`` did: a file's
        hash is of its bytes as stored."""
        refuse_control_characters(target)
        lines = [f"GET {target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if not any(name.lower() == "accept-encoding" for name in headers):
            lines.append("Accept-Encoding: identity")
        self._send_lines(lines)

    def read_head(self, *, head_request: bool = False) -> Head:
        """The final answer's head (1xx interim answers skipped); sets up the body's framing."""
        while True:
            head = self._read_head_once()
            if head.status >= 200 or head.status == 101:
                break
        self._frame(head, head_request)
        return head

    def read(self, size: int | None = None) -> bytes:
        """Up to ``size`` bytes of the body (all of it for None); b"" at its end."""
        if self._done:
            return b""
        if self.chunked:
            return self._read_chunked(size)
        if self._until_close:
            if size is None:
                self._done = True
                return self._file_or_fail().read()
            data = self._read1(size)
            self._done = not data
            return data
        assert self._remaining is not None
        want = self._remaining if size is None else min(size, self._remaining)
        data = self._read_exact(want, self._received_before())
        self._remaining -= len(data)
        if self._remaining == 0:
            self._done = True
        return data

    @property
    def body_done(self) -> bool:
        return self._done

    # -- internals --------------------------------------------------------------------------

    def _send_lines(self, lines: list[str]) -> None:
        sock = self.sock
        if sock is None:
            raise OSError("the connection is not open")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _file_or_fail(self) -> BinaryIO:
        if self._file is None:
            raise OSError("the connection is not open")
        return self._file

    def _readline(self) -> bytes:
        line = self._file_or_fail().readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise ProtocolViolation("got more than 65536 bytes when reading a line")
        return line

    def _read_head_once(self) -> Head:
        line = self._readline()
        if not line:
            raise Closed("Remote end closed connection without response")
        text = line.decode("latin-1").rstrip("\r\n")
        version, _, rest = text.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise ProtocolViolation(f"malformed status line {text[:100]!r}")
        headers: dict[str, str] = {}
        last = ""
        count = 0
        while True:
            raw = self._readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            count += 1
            if count > _MAX_HEADERS:
                raise ProtocolViolation(f"got more than {_MAX_HEADERS} headers")
            entry = raw.decode("latin-1").rstrip("\r\n")
            if entry[:1] in (" ", "\t") and last:  # obsolete line folding (RFC 9112 §5.2)
                headers[last] = f"{headers[last]} {entry.strip()}"
                continue
            name, colon, value = entry.partition(":")
            if not colon:
                continue  # not a header: ignored, as http.client does
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
            last = key
        return Head(version, int(code), reason.strip(), headers)

    def _frame(self, head: Head, head_request: bool) -> None:
        headers = head.headers
        tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        self.will_close = "close" in tokens or (head.version == "HTTP/1.0"
                                                and "keep-alive" not in tokens)
        self.chunked = self._until_close = False
        self._remaining = None
        self._done = False
        if head_request or head.status in _NO_BODY_STATUSES or head.status < 200:
            self._done = True
            return
        coding = headers.get("transfer-encoding", "").lower()
        if coding:
            if coding.rsplit(",", 1)[-1].strip() == "chunked":
                self.chunked = True
                self._remaining = 0  # bytes left of the current chunk
                self._chunk_total = 0
                return
            self._until_close = self.will_close = True  # a coding ferry cannot frame
            return
        length = headers.get("content-length")
        if length is not None:
            values = {v.strip() for v in length.split(",")}
            if len(values) != 1 or not next(iter(values)).isdigit():
                raise ProtocolViolation(f"invalid Content-Length {length!r}")
            self._remaining = self._length = int(values.pop())
            self._done = self._remaining == 0
            return
        self._until_close = self.will_close = True

    def _received_before(self) -> int:
        return self._length - (self._remaining or 0)

    def _read_exact(self, want: int, before: int) -> bytes:
        data = self._file_or_fail().read(want)
        if len(data) < want:
            self.will_close = True
            raise BodyIncomplete(before + len(data))
        return data

    def _read1(self, size: int) -> bytes:
        file = self._file_or_fail()
        return file.read1(size) if hasattr(file, "read1") else file.read(size)

    def _read_chunked(self, size: int | None) -> bytes:
        parts: list[bytes] = []
        got = 0
        while size is None or got < size:
            if self._remaining == 0 and not self._next_chunk():
                break
            assert self._remaining is not None
            want = self._remaining if size is None else min(size - got, self._remaining)
            data = self._read_exact(want, self._chunk_total)
            self._remaining -= len(data)
            self._chunk_total += len(data)
            got += len(data)
            parts.append(data)
            if self._remaining == 0:
                self._expect_crlf()
        return b"".join(parts)

    def _next_chunk(self) -> bool:
        """Read the next chunk's size line; False (and the trailers read) at the last one."""
        line = self._readline()
        if not line:
            self.will_close = True
            raise BodyIncomplete(self._chunk_total)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolViolation(f"invalid chunk size {size_text[:20]!r}") from None
        if size == 0:
            while self._readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers: nothing ferry reads
            self._done = True
            return False
        self._remaining = size
        return True

    def _expect_crlf(self) -> None:
        if self._readline() not in (b"\r\n", b"\n"):
            raise ProtocolViolation("a chunk did not end with CRLF")


def authority_of(host: str, port: int, default_port: int | None = None) -> str:
    """``host:port`` as a request names it (an IPv6 address bracketed), without the port when
    it is ``default_port`` (``Host`` as ``http.client`` wrote it; ``CONNECT`` always has one)."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default_port else f"{shown}:{port}"


def refuse_control_characters(text: str) -> None:
    """``ValueError`` for a host or target with a space or control character, which no request
    line may carry (``http.client``'s check and words)."""
    if any(char <= " " or char == "\x7f" for char in text):
        raise ValueError(f"URL can't contain control characters. {text!r}")


def _create_connection(address: tuple[str, int], timeout: float) -> _socket.socket:
    """``socket.create_connection``: each address ``getaddrinfo`` gives, in turn, until one
    connects (the last failure is raised), with an ASCII host handed over as bytes.

    Why bytes: ``getaddrinfo`` encodes a ``str`` host with the ``idna`` codec, whose first use
    imports ``encodings.idna``, ``stringprep`` and ``unicodedata`` (~2.5 ms of every network
    command); an ASCII host is the same bytes either way. Other hosts keep the codec."""
    host, port = address
    target: str | bytes = host.encode("ascii") if host.isascii() else host
    failure: OSError | None = None
    for family, kind, proto, _, where in _socket.getaddrinfo(target, port, 0,
                                                             _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(where)
        except OSError as error:
            sock.close()
            failure = error
            continue
        return sock
    raise failure or OSError(f"getaddrinfo gave no address for {host}")


def handshake_round_trip(sock: _socket.socket) -> int | None:
    """The round-trip time (µs) the kernel measured for a just-connected TCP socket (Linux's
    ``TCP_INFO``: ``tcpi_rtt``, a 32-bit field at byte 68); ``None`` where it cannot tell."""
    option = getattr(_socket, "TCP_INFO", None)
    if option is None or sock.family not in (_socket.AF_INET, _socket.AF_INET6):
        return None
    try:
        info = sock.getsockopt(_socket.IPPROTO_TCP, option, 104)
    except OSError:
        return None
    if len(info) < 72:
        return None
    return int.from_bytes(info[68:72], sys.byteorder)


class _SocketReader(io.RawIOBase):
    """The raw stream ``socket.makefile("rb")`` buffers, over any socket (plain or TLS):
    a timeout or reset surfaces as the same ``OSError`` from ``recv_into``."""

    def __init__(self, sock: _socket.socket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._sock.recv_into(buffer)


def _reader(sock: _socket.socket) -> BinaryIO:
    return io.BufferedReader(_SocketReader(sock))  # type: ignore[return-value]
