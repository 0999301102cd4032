"""The http.client transport (index/pool.py) on real loopback sockets: keep-alive reuse, a
server that drops idle connections, the bound on connections, chunked and gzip bodies, and
proxies (forwarding and CONNECT tunnels) from the environment, as httpx honoured them."""

from __future__ import annotations

import contextlib
import gzip
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.support.tls import self_signed_certificate

from ferry.index.http import HttpClient, StreamedResponse
from ferry.index.pool import ConnectionPool
from ferry.index.proxies import ProxyTable, environment_proxies
from ferry.index.transport import PoolTimeout, UnsupportedProtocol
from ferry.model.errors import NetworkError

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*PROXY_VARS, *(v.lower() for v in PROXY_VARS), "SSL_CERT_FILE", "SSL_CERT_DIR",
                 "FERRY_INSECURE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("FERRY_HTTP_TIMEOUT", "5")  # a broken case fails, not hangs


# -- a scripted HTTP/1.1 server on raw sockets ------------------------------------------------


@dataclass(frozen=True)
class Request:
    conn: int  # which connection (0, 1, …)
    nth: int  # which request on that connection
    method: str
    target: str
    headers: dict[str, str]


# An answer: the raw bytes to send and whether to hang up afterwards; None hangs up at once.
Answer = Callable[[Request], "tuple[bytes, bool] | None"]


def reply(body: bytes = b"ok", *, status: str = "200 OK", chunks: int = 0,
          headers: dict[str, str] | None = None) -> bytes:
    head = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    if not chunks:
        head.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body
    head.append("Transfer-Encoding: chunked")
    size = -(-len(body) // chunks)
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return ("\r\n".join(head) + "\r\n\r\n").encode() + encoded


@dataclass
class Wire:
    """Every request is recorded; ``max_active`` is the most connections open at once."""

    answer: Answer
    tls: ssl.SSLContext | None = None
    handler: Callable[[socket.socket, int], None] | None = None  # instead of ``answer``
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    active: int = 0
    max_active: int = 0
    closed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.open: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> Wire:
        self.threads[0].start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        with self.lock:
            for sock in self.open:
                _shut(sock)
        for thread in list(self.threads):
            thread.join(5)
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            with self.lock:
                number = self.connections
                self.connections += 1
                self.open.append(conn)
            thread = threading.Thread(target=self.handler or self._serve, args=(conn, number),
                                      daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn, conn.makefile("rb") as reader:
                for nth in range(1000):
                    request = _read_request(reader, number, nth)
                    if request is None:
                        return
                    with self.lock:
                        self.requests.append(request)
                    answer = self.answer(request)
                    if answer is None:
                        return
                    conn.sendall(answer[0])
                    if answer[1]:
                        return
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self.lock:
                self.active -= 1
            self.closed.set()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _read_request(reader: Iterator[bytes], conn: int, nth: int) -> Request | None:
    lines: list[str] = []
    for raw in reader:
        line = raw.decode("latin-1").rstrip("\r\n")
        if not line:
            break
        lines.append(line)
    else:
        return None
    method, target, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    return Request(conn, nth, method, target, headers)


def served(body: bytes = b"ok", **kwargs: object) -> Answer:
    return lambda request: (reply(body, **kwargs), False)  # type: ignore[arg-type]


def collect(response: StreamedResponse) -> bytes:
    return b"".join(response.chunks)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(backoff=0, retries=0)
    yield client
    client.close()


# -- keep-alive ---------------------------------------------------------------------------


def test_a_keep_alive_connection_carries_every_request(http: HttpClient) -> None:
    with Wire(served(b"page")) as wire:
        for _ in range(3):
            assert http.get(wire.url + "/simple/").content == b"page"
        assert http.stream(wire.url + "/f.whl", collect) == b"page"
    assert wire.connections == 1
    assert [(r.conn, r.nth) for r in wire.requests] == [(0, 0), (0, 1), (0, 2), (0, 3)]
    first = wire.requests[0].headers
    assert first["connection"] == "keep-alive" and first["accept"] == "*/*"
    assert first["user-agent"].startswith("ferry/")
    assert first["host"] == f"127.0.0.1:{wire.port}"


def test_an_idle_connection_the_server_closed_is_replaced_without_a_failure(
    http: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    with Wire(lambda request: (reply(b"once"), True)) as wire:  # hangs up after each answer
        assert http.get(wire.url + "/a").content == b"once"
        assert wire.closed.wait(5)
        time.sleep(0.05)  # the FIN reaches the client's socket
        with caplog.at_level(logging.DEBUG, logger="ferry.index.pool"):
            assert http.get(wire.url + "/b").content == b"once"  # retries=0: nothing failed
    assert "sending the request again" not in caplog.text  # seen before use, not after
    assert wire.connections == 2
    assert [(r.conn, r.target) for r in wire.requests] == [(0, "/a"), (1, "/b")]


def test_a_reused_connection_dropped_as_the_request_arrives_is_sent_again_once(
    http: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    # the race the idle check cannot see: the server closes as the request reaches it
    with Wire(lambda r: None if (r.conn, r.nth) == (0, 1) else (reply(b"fine"), False)) as wire:
        assert http.get(wire.url + "/a").content == b"fine"
        with caplog.at_level(logging.DEBUG, logger="ferry.index.pool"):
            assert http.get(wire.url + "/b").content == b"fine"  # retries=0
    assert [(r.conn, r.nth, r.target) for r in wire.requests] == [
        (0, 0, "/a"), (0, 1, "/b"), (1, 0, "/b")]
    assert "closed by the server" in caplog.text


def test_a_fresh_connection_dropped_without_an_answer_is_a_failed_attempt() -> None:
    http = HttpClient(backoff=0, retries=1)
    with Wire(lambda request: None) as wire, pytest.raises(NetworkError) as caught:
        http.get(wire.url + "/a")
    http.close()
    assert wire.connections == 2  # one attempt, one retry: no silent extra resend
    assert caught.value.causes == [  # one line per distinct cause, with its count
        "RemoteProtocolError: Server disconnected without sending a response. (2 attempts)"]


def test_connections_are_bounded_and_waiters_reuse_them() -> None:
    def slow(request: Request) -> tuple[bytes, bool]:
        time.sleep(0.05)
        return reply(request.target.encode()), False

    http = HttpClient(backoff=0, retries=0, max_connections=2)
    with Wire(slow) as wire:
        results: list[bytes] = []
        threads = [threading.Thread(target=lambda n=n: results.append(
            http.get(f"{wire.url}/{n}").content)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        http.close()
    assert sorted(results) == sorted(f"/{n}".encode() for n in range(8))
    assert wire.connections == 2 and wire.max_active == 2


def test_a_full_pool_times_out_and_makes_room_from_another_origin() -> None:
    pool = ConnectionPool(timeout=0.2, max_connections=1)
    headers = {"Connection": "keep-alive"}
    with Wire(served(b"a")) as first, Wire(served(b"b")) as second:
        held = pool.send(first.url + "/", headers, verify=True)
        with pytest.raises(PoolTimeout):
            pool.send(second.url + "/", headers, verify=True)
        assert held.read() == b"a"
        held.close()  # idle now: the next origin closes it rather than wait
        other = pool.send(second.url + "/", headers, verify=True)
        assert other.read() == b"b"
        other.close()
        pool.close()
    assert pool.connections_made == 2


# -- bodies -------------------------------------------------------------------------------


def test_chunked_bodies_are_read_whole_and_streamed(http: HttpClient) -> None:
    body = bytes(range(256)) * 40
    with Wire(served(body, chunks=7)) as wire:
        assert http.get(wire.url + "/page").content == body
        assert http.stream(wire.url + "/file", collect) == body
    assert wire.connections == 1  # the terminating chunk leaves the connection reusable


def test_a_chunked_body_cut_short_is_retried_then_named() -> None:
    cut = reply(b"x" * 100, chunks=2)[:-30]
    http = HttpClient(backoff=0, retries=1)
    with Wire(lambda request: (cut, True)) as wire:
        with pytest.raises(NetworkError) as caught:
            http.get(wire.url + "/page")
        with pytest.raises(NetworkError):
            http.stream(wire.url + "/file", collect)
    assert len(wire.requests) == 4
    assert caught.value.causes[0] == ("RemoteProtocolError: peer closed connection without "
                                      "sending complete message body: incomplete chunked read "
                                      "(2 attempts)")


def test_a_body_shorter_than_its_length_is_named_with_both_counts(http: HttpClient) -> None:
    cut = reply(b"y" * 50)[:-20]
    with Wire(lambda request: (cut, True)) as wire, pytest.raises(NetworkError) as caught:
        http.stream(wire.url + "/file", collect)
    assert caught.value.causes == ["RemoteProtocolError: peer closed connection without sending "
                                   "complete message body: received 30 bytes, expected 50"]


def test_pages_are_decoded_and_downloads_keep_the_raw_bytes(http: HttpClient) -> None:
    page = b"<html>" + b"a" * 5000 + b"</html>"
    packed = gzip.compress(page)
    deflated = zlib.compress(page)[2:-4]  # raw deflate, as some servers send it
    answers = {"/gz": (packed, "gzip"), "/deflate": (deflated, "deflate"),
               "/file.tar.gz": (packed, "gzip")}

    def answer(request: Request) -> tuple[bytes, bool]:
        body, coding = answers[request.target]
        return reply(body, headers={"Content-Encoding": coding}), False

    with Wire(answer) as wire:
        assert http.get(wire.url + "/gz").content == page
        assert http.get(wire.url + "/deflate").content == page
        assert http.stream(wire.url + "/file.tar.gz", collect) == packed
    encodings = [r.headers["accept-encoding"] for r in wire.requests]
    assert encodings == ["gzip, deflate", "gzip, deflate", "identity"]


def test_a_body_that_does_not_decode_fails_without_retries() -> None:
    http = HttpClient(backoff=0, retries=3)
    bad = reply(b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with Wire(lambda request: (bad, False)) as wire, pytest.raises(NetworkError) as caught:
        http.get(wire.url + "/page")
    http.close()
    assert len(wire.requests) == 1
    assert caught.value.causes[0].startswith("DecodingError: the gzip-encoded body")


# -- proxies ------------------------------------------------------------------------------


@dataclass
class Proxy:
    """A forwarding and tunnelling proxy; ``refuse`` answers every CONNECT with 403."""

    refuse: bool = False
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.wire = Wire(lambda request: None, handler=self._relay)

    def __enter__(self) -> Proxy:
        self.wire.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wire.__exit__()

    @property
    def url(self) -> str:
        return self.wire.url

    def _relay(self, client: socket.socket, number: int) -> None:
        with client, client.makefile("rb") as reader:
            request = _read_request(reader, number, 0)
            if request is None:
                return
            self.seen.append((request.method, request.target,
                              request.headers.get("proxy-authorization")))
            if request.method == "CONNECT":
                if self.refuse:
                    client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    return
                host, _, port = request.target.rpartition(":")
                upstream = socket.create_connection((host, int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                first = b""
            else:  # forward the request as it came, absolute target and all
                host_port = request.target.split("/")[2]
                host, _, port = host_port.rpartition(":")
                upstream = socket.create_connection((host, int(port)))
                lines = [f"{request.method} {request.target} HTTP/1.1",
                         *(f"{k}: {v}" for k, v in request.headers.items())]
                first = ("\r\n".join(lines) + "\r\n\r\n").encode()
            with upstream:
                upstream.sendall(first)
                _pipe(reader, client, upstream)


def _pipe(reader: object, client: socket.socket, upstream: socket.socket) -> None:
    """Bytes both ways until either side hangs up (the client side is read through its
    buffered reader, which may already hold the start of the TLS handshake)."""
    def down() -> None:
        try:
            while data := upstream.recv(65536):
                client.sendall(data)
        except OSError:
            pass
        finally:
            _shut(client)

    thread = threading.Thread(target=down, daemon=True)
    thread.start()
    try:
        while data := reader.read1(65536):  # type: ignore[attr-defined]
            upstream.sendall(data)
    except OSError:
        pass
    _shut(upstream)
    thread.join(5)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_wire(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the client trusts it
    with Wire(served(b"secret"), tls=context) as wire:
        yield wire


def test_plain_http_is_forwarded_to_the_proxy_with_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Wire(served(b"via proxy")) as wire, Proxy() as proxy:
        monkeypatch.setenv("http_proxy", proxy.url.replace("://", "://pu:pp@"))
        http = HttpClient(backoff=0, retries=0)
        assert http.get(wire.url + "/simple/a/").content == b"via proxy"
        assert http.get(wire.url + "/simple/b/").content == b"via proxy"
        http.close()
    assert [s[1] for s in proxy.seen] == [wire.url + "/simple/a/"]  # one kept-alive connection
    assert proxy.seen[0][2] == "Basic cHU6cHA="
    assert [r.target for r in wire.requests] == [wire.url + "/simple/a/", wire.url + "/simple/b/"]


def test_https_is_tunnelled_through_connect_and_still_verified(
    tls_wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("://", "://pu:pp@"))
        http = HttpClient(backoff=0, retries=0)
        assert http.get(tls_wire.url + "/page").content == b"secret"
        assert http.get(tls_wire.url + "/page").content == b"secret"
        http.close()
        monkeypatch.delenv("SSL_CERT_FILE")
        untrusting = HttpClient(backoff=0, retries=0)
        with pytest.raises(NetworkError, match="TLS certificate verification failed"):
            untrusting.get(tls_wire.url + "/page")
        untrusting.close()
    connects = [(m, t, a) for m, t, a in proxy.seen]
    assert connects[0] == ("CONNECT", f"127.0.0.1:{tls_wire.port}", "Basic cHU6cHA=")
    assert len(connects) == 2  # the trusting client's tunnel carried both requests
    assert [r.target for r in tls_wire.requests] == ["/page", "/page"]


def test_no_proxy_connects_directly_and_a_refused_tunnel_is_not_retried(
    tls_wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy(refuse=True) as proxy:
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        http = HttpClient(backoff=0, retries=3)
        assert http.get(tls_wire.url + "/page").content == b"secret"
        http.close()
        assert proxy.seen == []
        monkeypatch.delenv("NO_PROXY")
        http = HttpClient(backoff=0, retries=3)
        with pytest.raises(NetworkError) as caught:
            http.get(tls_wire.url + "/page")
        http.close()
    assert len(proxy.seen) == 1
    assert caught.value.causes == ["ProxyError: Tunnel connection failed: 403 Forbidden"]


def test_a_socks_proxy_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://user:pw@127.0.0.1:1080")
    http = HttpClient(backoff=0, retries=3)
    with pytest.raises(NetworkError) as caught:
        http.get("http://127.0.0.1:9/simple/")
    assert "only http:// proxies are supported" in caught.value.causes[0]
    assert "pw" not in caught.value.causes[0]


@pytest.mark.parametrize(
    ("no_proxy", "host", "proxied"),
    [
        ("example.com", "example.com", False),
        ("example.com", "www.example.com", False),
        ("example.com", "wwwexample.com", True),
        (".example.com", "example.com", True),
        (".example.com", "www.example.com", False),
        ("10.0.0.1", "10.0.0.1", False),
        ("10.0.0.1", "10.0.0.10", True),
        ("localhost", "localhost", False),
        ("http://example.com", "example.com", False),
        ("*", "anything.test", False),
        ("", "example.com", True),
    ],
)
def test_no_proxy_rules_follow_curl_as_httpx_did(no_proxy: str, host: str,
                                                  proxied: bool) -> None:
    table = ProxyTable({"all": "proxy.test:3128", "no": no_proxy})
    proxy = table.for_url("http", host, None)
    assert (proxy is not None) == proxied
    if proxy is not None:
        assert (proxy.host, proxy.port, proxy.authorization) == ("proxy.test", 3128, None)


def test_scheme_proxies_win_over_all_and_lower_case_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://all.test:1")
    monkeypatch.setenv("HTTPS_PROXY", "http://upper.test:2")
    monkeypatch.setenv("https_proxy", "http://lower.test:3")
    table = ProxyTable(environment_proxies())
    assert table.for_url("https", "example.com", None).host == "lower.test"  # type: ignore[union-attr]
    assert table.for_url("http", "example.com", None).host == "all.test"  # type: ignore[union-attr]
    monkeypatch.setenv("REQUEST_METHOD", "GET")  # CGI: a client could have set HTTP_PROXY
    monkeypatch.setenv("HTTP_PROXY", "http://cgi.test:4")
    assert "http" not in environment_proxies()



@pytest.mark.parametrize("url", ["http://127.0.0.1:notaport/simple/", "http://exa mple.test/"])
def test_an_unusable_url_is_refused_before_any_connection(url: str) -> None:
    pool = ConnectionPool(timeout=1, max_connections=1)
    with pytest.raises(UnsupportedProtocol) as caught:
        pool.send(url, {}, verify=True)
    assert not caught.value.retryable
    # the slot was given back: a second refusal does not wait for the first
    with pytest.raises(UnsupportedProtocol):
        pool.send(url, {}, verify=True)
    assert pool.connections_made == 0
