"""HttpClient: retries (D2, D3, D4), credentials (D8, D10), offline, file:// and ranges."""

from __future__ import annotations

import base64
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_index_support import LoopbackServer, Recorder

from ferry.index.errors import AuthenticationError
from ferry.index.http import STREAM_CHUNK, HttpClient, StreamedResponse, timeout_from_env
from ferry.model.errors import NetworkError, OfflineError, UsageError

SECRET = "s3cr3t-t0ken"


@pytest.fixture(autouse=True)
def _no_user_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def client(recorder: Recorder, **kwargs: object) -> HttpClient:
    return HttpClient(recorder.transport(), backoff=0, **kwargs)  # type: ignore[arg-type]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def collect(response: StreamedResponse) -> bytes:
    return b"".join(response.chunks)


def test_500_is_retried_exactly_three_times_then_fails() -> None:
    url = f"https://user:{SECRET}@index.example/simple/demo/"
    recorder = Recorder({"https://index.example/simple/demo/": httpx.Response(500)})
    with pytest.raises(NetworkError) as caught:
        client(recorder).get(url)
    assert len(recorder.requests) == 4  # the first attempt and 3 retries
    error = caught.value
    assert error.message == (
        "Request failed after 3 retries: `https://user:****@index.example/simple/demo/`"
    )
    assert error.causes == ["HTTP 500 Internal Server Error (4 attempts)"]  # one line, not 4
    assert error.exit_code == 2
    assert SECRET not in str(error) + "".join(error.causes)


def test_transient_failures_recover() -> None:
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok")])
    recorder = Recorder({"https://index.example/x": lambda request: next(answers)})
    response = client(recorder).get("https://index.example/x")
    assert (response.status, response.content) == (200, b"ok")
    assert len(recorder.requests) == 3


def test_backoff_doubles(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    monkeypatch.setattr("ferry.index.http.time.sleep", delays.append)
    recorder = Recorder({"https://index.example/x": httpx.Response(500)})
    http = HttpClient(recorder.transport(), backoff=0.25)
    with pytest.raises(NetworkError):
        http.get("https://index.example/x")
    assert delays == [0.25, 0.5, 1.0]


@pytest.mark.parametrize("status", [400, 404, 410])
def test_4xx_is_an_answer_and_not_retried(status: int) -> None:
    recorder = Recorder({"https://index.example/x": httpx.Response(status)})
    assert client(recorder).get("https://index.example/x").status == status
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_in_a_download_stop_with_a_credentials_hint(status: int) -> None:
    recorder = Recorder({"https://index.example/f.whl": httpx.Response(status)})
    with pytest.raises(AuthenticationError) as caught:
        client(recorder).stream("https://index.example/f.whl", collect)
    assert len(recorder.requests) == 1
    assert caught.value.hint is not None
    assert "credentials" in caught.value.hint
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("connection refused"), httpx.ReadTimeout("timed out")],
    ids=["connect", "read-timeout"],
)
def test_connection_errors_are_retried(exc: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    recorder = Recorder({"https://index.example/x": fail})
    with pytest.raises(NetworkError) as caught:
        client(recorder).get("https://index.example/x")
    assert len(recorder.requests) == 4
    assert caught.value.causes[0].startswith(type(exc).__name__)


def test_tls_verification_failure_is_not_retried_and_names_the_host() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("self-signed certificate")
        except ssl.SSLError as cause:
            raise httpx.ConnectError("certificate verify failed") from cause

    recorder = Recorder({"https://self-signed.example/simple/": fail})
    with pytest.raises(NetworkError) as caught:
        client(recorder).get("https://self-signed.example/simple/")
    assert len(recorder.requests) == 1
    assert "`self-signed.example`" in caught.value.message
    assert caught.value.hint is not None and "SSL_CERT_FILE" in caught.value.hint


class _BrokenStream(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b"p" * (STREAM_CHUNK + 1)  # more than one chunk reaches the consumer
        raise httpx.ReadError("connection reset by peer")


def test_connection_reset_mid_body_is_retried_and_the_consumer_starts_again() -> None:
    answers = iter(
        [httpx.Response(200, stream=_BrokenStream()), httpx.Response(200, content=b"whole")]
    )
    recorder = Recorder({"https://index.example/f": lambda request: next(answers)})
    seen: list[bytes] = []

    def consume(response: StreamedResponse) -> bytes:
        data = b""
        for chunk in response.chunks:
            data += chunk
            seen.append(chunk)
        return data

    assert client(recorder).stream("https://index.example/f", consume) == b"whole"
    assert seen == [b"p" * STREAM_CHUNK, b"whole"]
    assert len(recorder.requests) == 2


def test_persistent_reset_mid_body_fails_after_retries() -> None:
    recorder = Recorder(
        {"https://index.example/f": lambda request: httpx.Response(200, stream=_BrokenStream())}
    )
    with pytest.raises(NetworkError) as caught:
        client(recorder).stream("https://index.example/f", collect)
    assert len(recorder.requests) == 4
    assert "ReadError" in caught.value.causes[0]


def test_body_shorter_than_content_length_is_an_incomplete_download() -> None:
    short = httpx.Response(200, content=b"12345", headers={"content-length": "10"})
    recorder = Recorder({"https://index.example/f": short})
    with pytest.raises(NetworkError) as caught:
        client(recorder).stream("https://index.example/f", collect)
    assert len(recorder.requests) == 4
    assert caught.value.causes == [
        "incomplete body: expected 10 bytes, but received 5 (4 attempts)"
    ]


def test_truncated_body_on_a_real_socket_is_retried(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        url = server.add("/f.bin", b"x" * 1000)
        server.truncate["/f.bin"] = 400
        with pytest.raises(NetworkError) as caught:
            HttpClient(backoff=0).stream(url, collect)
        assert len(server.requests) == 4
        assert "RemoteProtocolError" in caught.value.causes[0]


def test_url_credentials_are_sent_but_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder({"https://index.example/simple/": httpx.Response(200, text="ok")})
    with caplog.at_level(logging.DEBUG):
        client(recorder).get(f"https://user:{SECRET}@index.example/simple/")
    (request,) = recorder.requests
    assert request.headers["authorization"] == basic("user", SECRET)
    assert SECRET not in str(request.url)
    assert SECRET not in caplog.text
    assert "index.example/simple/" in caplog.text


def test_remembered_credentials_apply_to_the_same_origin_only() -> None:
    recorder = Recorder(
        {
            "https://index.example/files/a.whl": httpx.Response(200, content=b"a"),
            "https://other.example/files/b.whl": httpx.Response(200, content=b"b"),
        }
    )
    http = client(recorder)
    http.remember_credentials(f"https://user:{SECRET}@index.example/simple")
    http.get("https://index.example/files/a.whl")
    http.get("https://other.example/files/b.whl")
    assert recorder.requests[0].headers["authorization"] == basic("user", SECRET)
    assert "authorization" not in recorder.requests[1].headers


def test_netrc_credentials_are_used_for_their_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine index.example login alice password {SECRET}\n")
    monkeypatch.setenv("NETRC", str(netrc))
    recorder = Recorder({"https://index.example/simple/": httpx.Response(200)})
    http = client(recorder)
    http.get("https://index.example/simple/")
    http.get("https://bob:pw@index.example/simple/")  # the URL's own credentials win
    assert recorder.requests[0].headers["authorization"] == basic("alice", SECRET)
    assert recorder.requests[1].headers["authorization"] == basic("bob", "pw")


def test_redirect_to_another_origin_drops_authorization_and_uses_its_netrc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine files.example login carol password other-pass\n")
    monkeypatch.setenv("NETRC", str(netrc))
    recorder = Recorder(
        {
            "https://index.example/simple/demo/": httpx.Response(
                302, headers={"location": "https://cdn.example/simple/demo/"}
            ),
            "https://cdn.example/simple/demo/": httpx.Response(
                302, headers={"location": "https://files.example/demo/"}
            ),
            "https://files.example/demo/": httpx.Response(200, text="ok"),
        }
    )
    response = client(recorder).get(f"https://user:{SECRET}@index.example/simple/demo/")
    assert response.url == "https://files.example/demo/"
    first, second, third = recorder.requests
    assert first.headers["authorization"] == basic("user", SECRET)
    assert "authorization" not in second.headers
    assert third.headers["authorization"] == basic("carol", "other-pass")


def test_same_origin_redirect_keeps_credentials() -> None:
    recorder = Recorder(
        {
            "https://index.example/simple/Demo/": httpx.Response(
                301, headers={"location": "/simple/demo/"}
            ),
            "https://index.example/simple/demo/": httpx.Response(200, text="ok"),
        }
    )
    client(recorder).get(f"https://user:{SECRET}@index.example/simple/Demo/")
    assert [r.headers.get("authorization") for r in recorder.requests] == [
        basic("user", SECRET)
    ] * 2
    assert all(SECRET not in str(r.url) for r in recorder.requests)


def test_offline_refuses_every_request_naming_the_url() -> None:
    recorder = Recorder()
    http = client(recorder, offline=True)
    for call in (
        lambda: http.get(f"https://u:{SECRET}@index.example/simple/demo/"),
        lambda: http.stream(f"https://u:{SECRET}@index.example/simple/demo/", collect),
        lambda: http.get_range(f"https://u:{SECRET}@index.example/simple/demo/", -10, 10),
    ):
        with pytest.raises(OfflineError) as caught:
            call()
        assert "`https://u:****@index.example/simple/demo/`" in caught.value.message
        assert caught.value.hint is not None and "--offline" in caught.value.hint
    assert recorder.requests == []


def test_file_urls_are_read_from_disk_even_offline(tmp_path: Path) -> None:
    page_dir = tmp_path / "simple" / "demo"
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_text("<a href='x.whl'>x</a>")
    (tmp_path / "blob.bin").write_bytes(b"0123456789")
    http = HttpClient(offline=True)
    page = http.get(page_dir.as_uri() + "/")
    assert (page.status, page.header("content-type")) == (200, "text/html")
    assert http.get((tmp_path / "missing").as_uri()).status == 404
    assert http.stream((tmp_path / "blob.bin").as_uri(), collect) == b"0123456789"
    tail = http.get_range((tmp_path / "blob.bin").as_uri(), -4, 4)
    assert tail is not None
    assert (tail.start, tail.content, tail.total) == (6, b"6789", 10)


def test_ranged_get_over_the_mock() -> None:
    recorder = Recorder(
        {
            "https://index.example/ranged": httpx.Response(
                206, content=b"6789", headers={"content-range": "bytes 6-9/10"}
            ),
            "https://index.example/plain": httpx.Response(200, content=b"0123456789"),
        }
    )
    http = client(recorder)
    body = http.get_range("https://index.example/ranged", -4, 4)
    assert body is not None
    assert (body.start, body.content, body.total) == (6, b"6789", 10)
    assert recorder.requests[0].headers["range"] == "bytes=-4"
    assert http.get_range("https://index.example/plain", 0, 4) is None
    assert recorder.requests[1].headers["range"] == "bytes=0-3"


def test_http_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_HTTP_TIMEOUT", raising=False)
    assert timeout_from_env() == 30.0
    monkeypatch.setenv("FERRY_HTTP_TIMEOUT", "7.5")
    assert timeout_from_env() == 7.5
    assert HttpClient().timeout == 7.5
    monkeypatch.setenv("FERRY_HTTP_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="FERRY_HTTP_TIMEOUT"):
        timeout_from_env()


def test_importing_the_client_does_not_import_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ferry.index.client\n"
        "assert 'httpx' not in sys.modules, 'httpx imported at start-up'\n"
        "assert 'pip' not in sys.modules, 'pip imported at start-up'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
