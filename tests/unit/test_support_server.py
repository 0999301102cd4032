"""IndexServer over real sockets: negotiation, ranges, counters, every fault, clean shutdown."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.unit.test_support_index import pip_download, uv_compile

JSON_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2"


def get(
    server: IndexServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


@pytest.fixture
def served(index_server: IndexServer) -> IndexServer:
    index_server.index.add_wheel("app", "1.0", requires=["lib"])
    index_server.index.add_wheel("lib", "1.0")
    return index_server


def wheel_path(server: IndexServer, name: str = "lib-1.0-py3-none-any.whl") -> Path:
    return server.index.files_dir / name


def test_pip_and_uv_through_the_server(served: IndexServer, tmp_path: Path) -> None:
    proc = pip_download(served.simple_url, tmp_path / "dl", "app")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dl" / "app-1.0-py3-none-any.whl").is_file()
    proc = uv_compile(served.simple_url, "app\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stdout.splitlines() if "==" in line] == ["app==1.0", "lib==1.0"]
    assert served.count("/simple/app/") >= 2
    assert len(served.file_downloads("app-1.0-py3-none-any.whl")) == 1  # uv read .metadata only


def test_content_negotiation(served: IndexServer) -> None:
    response, body = get(served, "/simple/lib/", {"Accept": JSON_ACCEPT})
    assert response.getheader("Content-Type") == "application/vnd.pypi.simple.v1+json"
    assert json.loads(body)["name"] == "lib"
    response, body = get(served, "/simple/lib/")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"lib-1.0-py3-none-any.whl" in body
    served.html_only = True
    response, _ = get(served, "/simple/lib/", {"Accept": JSON_ACCEPT})
    assert response.getheader("Content-Type") == "application/vnd.pypi.simple.v1+html"
    response, _ = get(served, "/simple/Lib")
    assert response.status == 301 and response.getheader("Location") == "/simple/lib/"
    assert get(served, "/simple/nothing/")[0].status == 404
    assert get(served, "/files/../index/simple/index.html")[0].status == 404


def test_range_requests(served: IndexServer) -> None:
    data = wheel_path(served).read_bytes()
    path = "/files/lib-1.0-py3-none-any.whl"
    response, body = get(served, path, {"Range": "bytes=10-19"})
    assert response.status == 206 and body == data[10:20]
    assert response.getheader("Content-Range") == f"bytes 10-19/{len(data)}"
    response, body = get(served, path, {"Range": "bytes=-22"})
    assert response.status == 206 and body == data[-22:]
    response, body = get(served, path, {"Range": f"bytes={len(data)}-"})
    assert response.status == 416 and response.getheader("Content-Range") == f"bytes */{len(data)}"
    response, _ = get(served, path, method="HEAD")
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Content-Length") == str(len(data))
    served.ranges = False
    response, body = get(served, path, {"Range": "bytes=10-19"})
    assert response.status == 200 and body == data and response.getheader("Accept-Ranges") is None
    assert served.file_downloads() == []  # every GET so far asked for a range
    get(served, path)
    assert len(served.file_downloads()) == 1


def test_metadata_file_and_etag(served: IndexServer) -> None:
    response, body = get(served, "/files/lib-1.0-py3-none-any.whl.metadata")
    assert response.status == 200 and body.startswith(b"Metadata-Version")
    response, _ = get(served, "/simple/lib/")
    etag = response.getheader("ETag")
    assert etag
    response, body = get(served, "/simple/lib/", {"If-None-Match": etag})
    assert response.status == 304 and body == b""


def test_request_log_and_counters(served: IndexServer) -> None:
    get(served, "/simple/lib/", {"X-Test": "1"})
    get(served, "/files/lib-1.0-py3-none-any.whl")
    get(served, "/files/lib-1.0-py3-none-any.whl", {"Range": "bytes=0-1"})
    method, path, headers = served.requests[0]
    assert (method, path, headers["x-test"]) == ("GET", "/simple/lib/", "1")
    assert served.count("/files/*") == 2
    assert served.count(lambda r: "range" in r.headers) == 1
    assert [r.path for r in served.file_downloads()] == ["/files/lib-1.0-py3-none-any.whl"]
    served.clear_log()
    assert served.count() == 0


def test_fail_times_then_recover(served: IndexServer) -> None:
    rule = served.fail("/simple/lib/", status=503, times=2)
    statuses = [get(served, "/simple/lib/")[0].status for _ in range(3)]
    assert statuses == [503, 503, 200] and rule.hits == 2
    served.fail("/files/*")
    assert {get(served, "/files/lib-1.0-py3-none-any.whl")[0].status for _ in range(3)} == {500}


def test_truncate_announces_full_length_then_closes(served: IndexServer) -> None:
    served.truncate("/files/*.whl", at_bytes=100, times=1)
    with pytest.raises(http.client.IncompleteRead) as info:
        get(served, "/files/lib-1.0-py3-none-any.whl")
    assert len(info.value.partial) == 100
    assert get(served, "/files/lib-1.0-py3-none-any.whl")[0].status == 200


def test_reset_mid_body(served: IndexServer) -> None:
    served.reset("/files/*.whl", at_bytes=50)
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        get(served, "/files/lib-1.0-py3-none-any.whl")


def test_delays(served: IndexServer) -> None:
    served.delay("/simple/lib/", 0.3, times=1)
    start = time.monotonic()
    get(served, "/simple/lib/")
    assert time.monotonic() - start >= 0.3
    served.delay("/files/*", 5, after_bytes=10)
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=0.5)
    try:
        conn.request("GET", "/files/lib-1.0-py3-none-any.whl")
        response = conn.getresponse()  # headers come at once; the body stalls after 10 bytes
        assert response.status == 200
        with pytest.raises(TimeoutError):
            response.read()
    finally:
        conn.close()


def test_redirect_to_another_origin(served: IndexServer, tmp_path: Path) -> None:
    other_index = LocalIndex(tmp_path / "other")
    other_index.add_wheel("lib", "9.0")
    with IndexServer(other_index) as other:
        served.redirect("/simple/*", other.url + "{path}")
        response, _ = get(served, "/simple/lib/", {"Authorization": "Basic eDp5"})
        assert response.status == 302
        assert response.getheader("Location") == f"{other.url}/simple/lib/"
        with urllib.request.urlopen(served.simple_url + "lib/", timeout=10) as followed:
            assert b"lib-9.0-py3-none-any.whl" in followed.read()
        assert other.count("/simple/lib/") == 1


def test_garbage_and_tamper(served: IndexServer) -> None:
    served.garbage("/simple/lib/", "<html>no anchors</html>", content_type="text/html")
    assert get(served, "/simple/lib/")[1] == b"<html>no anchors</html>"
    original = wheel_path(served).read_bytes()
    served_bytes = served.tamper("lib-1.0-py3-none-any.whl")
    assert len(served_bytes) == len(original) and served_bytes != original
    assert get(served, "/files/lib-1.0-py3-none-any.whl")[1] == served_bytes
    served.tamper("lib-1.0-py3-none-any.whl", b"other")
    assert get(served, "/files/lib-1.0-py3-none-any.whl")[1] == b"other"
    served.clear_faults()
    assert get(served, "/files/lib-1.0-py3-none-any.whl")[1] == original


def test_require_auth(served: IndexServer) -> None:
    served.require_auth("alice", "s3cret")
    response, _ = get(served, "/simple/lib/")
    assert response.status == 401 and "Basic" in (response.getheader("WWW-Authenticate") or "")
    good = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert get(served, "/simple/lib/", {"Authorization": good})[0].status == 200
    bad = "Basic " + base64.b64encode(b"alice:wrong").decode()
    assert get(served, "/simple/lib/", {"Authorization": bad})[0].status == 401
    assert served.url_with_auth("alice", "s3cret").startswith("http://alice:s3cret@127.0.0.1:")


def test_keep_alive_reuses_one_connection(served: IndexServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/simple/lib/")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            sock = conn.sock
            assert sock is not None
        assert conn.sock is sock  # never reconnected
    finally:
        conn.close()


def test_shutdown_with_open_connections_and_pending_delay(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    index = LocalIndex(tmp_path / "i")
    index.add_wheel("a", "1.0")
    server = IndexServer(index).start()
    idle = socket.create_connection(("127.0.0.1", server.port))  # keep-alive, never sends
    server.delay("/simple/a/", 30)
    waiter = threading.Thread(target=lambda: get_quietly(server, "/simple/a/"))
    waiter.start()
    time.sleep(0.2)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 5
    waiter.join(5)
    idle.close()
    assert not waiter.is_alive()
    assert set(threading.enumerate()) <= before
    server.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = server.url


def get_quietly(server: IndexServer, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
    except (OSError, http.client.HTTPException):
        pass
    finally:
        conn.close()
