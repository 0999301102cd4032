"""The CA bundle is read at the first TLS handshake, never for plain http, and verification of
https (directly or after a redirect from http) is exactly as strict as before."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.support.tls import self_signed_certificate

from ferry.index.http import HttpClient
from ferry.index.tls import DeferredVerifyContext
from ferry.model.errors import NetworkError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "FERRY_INSECURE_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CA bundle (file or directory) any SSL context of this process reads."""
    seen: list[str] = []
    original = ssl.SSLContext.load_verify_locations

    def spy(self: ssl.SSLContext, cafile: Any = None, capath: Any = None,
            cadata: Any = None) -> None:
        seen.append(str(cafile or capath or "cadata"))
        original(self, cafile, capath, cadata)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", spy)
    return seen


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a refused handshake is what some tests expect


def _serve(answer: dict[str, tuple[int, dict[str, str], bytes]],
           context: ssl.SSLContext | None = None) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            status, headers, body = answer.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    httpd = _Quiet(("127.0.0.1", 0), Handler)
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_url(certificate: tuple[Path, Path]) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    yield from _serve({"/page": (200, {}, b"secret page")}, context)


@pytest.fixture
def http_url() -> Iterator[str]:
    yield from _serve({"/page": (200, {}, b"plain page")})


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(backoff=0, retries=0)
    yield client
    client.close()


def test_plain_http_never_reads_a_ca_bundle(
    http: HttpClient, http_url: str, loads: list[str]
) -> None:
    assert http.get(http_url + "/page").content == b"plain page"
    assert http.get(http_url + "/page").content == b"plain page"
    assert loads == []


@pytest.mark.parametrize("via_redirect", [False, True])
def test_https_to_an_untrusted_server_still_fails_verification(
    http: HttpClient, https_url: str, loads: list[str], via_redirect: bool
) -> None:
    redirect = {"/page": (302, {"Location": https_url + "/page"}, b"")}
    for url in _serve(redirect) if via_redirect else [https_url]:
        with pytest.raises(NetworkError, match="TLS certificate verification failed"):
            http.get(url + "/page")
    assert len(loads) == 1  # the bundle was read, once, for the handshake


def test_ssl_cert_file_is_read_at_the_first_handshake(
    http: HttpClient, https_url: str, http_url: str, certificate: tuple[Path, Path],
    loads: list[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    http.get(http_url + "/page")  # the httpx client is built before the variable is set
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert http.get(https_url + "/page").content == b"secret page"
    assert http.get(https_url + "/page").content == b"secret page"
    assert loads == [str(certificate[0])]


def test_the_deferred_context_is_strict_before_and_after_loading(
    certificate: tuple[Path, Path],
) -> None:
    context = DeferredVerifyContext(trust_env=False)
    assert (context.verify_mode, context.check_hostname, context.loaded) == (
        ssl.CERT_REQUIRED, True, False)
    assert context.cert_store_stats()["x509_ca"] == 0
    context.ensure_loaded()
    assert context.loaded and context.cert_store_stats()["x509_ca"] > 0
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)


def test_trust_env_false_ignores_ssl_cert_file(
    certificate: tuple[Path, Path], loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    DeferredVerifyContext(trust_env=False).ensure_loaded()
    DeferredVerifyContext(trust_env=True).ensure_loaded()
    assert loads[0] != str(certificate[0]) and loads[1] == str(certificate[0])


def test_an_unreadable_ssl_cert_file_is_named_at_the_handshake_and_not_retried(
    http: HttpClient, https_url: str, http_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "missing.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    assert http.get(http_url + "/page").content == b"plain page"  # http needs no bundle
    http.retries = 3
    with pytest.raises(NetworkError) as caught:
        http.get(https_url + "/page")
    assert caught.value.message == f"Cannot read the CA certificates in `{missing}` (SSL_CERT_FILE)"
    assert caught.value.hint
