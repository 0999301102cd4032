"""Test helpers for the index layer: a route-table mock transport, a wheel builder, a loopback
server with byte ranges and truncation, and a real cache in ``tmp_path``.

Kept in one module the other ``test_index_*`` files import. The tests at the bottom check the
helpers themselves: the range-request tests are only as good as the server's range support.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from ferry.cache.store import Cache


def make_cache(tmp_path: Path) -> Cache:
    """A real, empty ferry cache under ``tmp_path``."""
    return Cache.from_options(tmp_path / "cache")


def stored_files(cache: Cache) -> list[Path]:
    """Everything in ``files-v1`` and any leftover temporary file: both must stay empty after a
    failed download."""
    return sorted(p for p in cache.bucket("files").rglob("*") if p.is_file())


def temp_files(cache: Cache) -> list[Path]:
    return sorted(p for p in cache.tmp_root.rglob("*") if p.is_file())


def metadata_text(name: str, version: str, requires: Iterable[str] = ()) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {req}" for req in requires]
    return ("\n".join(lines) + "\n\n").encode()


def build_wheel(
    directory: Path,
    name: str = "demo",
    version: str = "1.0",
    *,
    requires: Iterable[str] = (),
    payload: int = 0,
    payload_after_metadata: int = 0,
) -> Path:
    """A minimal wheel. ``payload`` random (incompressible) bytes go before the dist-info, as
    in real wheels; ``payload_after_metadata`` after it, to push METADATA out of the tail."""
    dist = name.replace("-", "_")
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    rng = _random_bytes(payload + payload_after_metadata, seed=f"{name}{version}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{dist}/__init__.py", f"VERSION = {version!r}\n")
        if payload:
            archive.writestr(f"{dist}/blob.bin", rng[:payload])
        info = f"{dist}-{version}.dist-info"
        archive.writestr(f"{info}/METADATA", metadata_text(name, version, requires))
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        if payload_after_metadata:
            archive.writestr(f"{info}/zz_blob.bin", rng[payload:])
        archive.writestr(f"{info}/RECORD", "")
    return path


def _random_bytes(count: int, seed: str) -> bytes:
    out = bytearray()
    block = hashlib.sha512(seed.encode()).digest()
    while len(out) < count:
        block = hashlib.sha512(block).digest()
        out += block
    return bytes(out[:count])


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- in-process mock transport ----------------------------------------------------------------


@dataclass
class Recorder:
    """An ``httpx.MockTransport`` handler over a route table, recording every request."""

    routes: dict[str, Any] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(str(request.url))
        if route is None:
            return httpx.Response(404)
        if callable(route):
            response: httpx.Response = route(request)
            return response
        return route  # type: ignore[no-any-return]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def html_response(body: str, **headers: str) -> httpx.Response:
    return httpx.Response(200, text=body, headers={"content-type": "text/html", **headers})


# -- loopback HTTP server with byte ranges ------------------------------------------------------


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early (a range probe answered 200) is expected


class LoopbackServer:
    """A real socket server on 127.0.0.1 serving ``files`` (path → bytes), with optional byte
    ranges, counting requests and body bytes sent."""

    def __init__(self, *, ranges: bool = True) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.ranges = ranges
        self.truncate: dict[str, int] = {}  # path → bytes sent before the connection drops
        self.requests: list[tuple[str, str | None]] = []
        self.bytes_sent = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, content: bytes, content_type: str = "application/octet-stream") -> str:
        self.files[path] = (content, content_type)
        return self.url + path

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        range_header = handler.headers.get("Range")
        with self._lock:
            self.requests.append((handler.path, range_header))
        entry = self.files.get(handler.path)
        if entry is None:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        content, content_type = entry
        status, body, extra = 200, content, {}
        if self.ranges and range_header and range_header.startswith("bytes="):
            first_s, _, last_s = range_header[6:].partition("-")
            total = len(content)
            if first_s == "":
                first, last = max(0, total - int(last_s)), total - 1
            else:
                first, last = int(first_s), min(total - 1, int(last_s) if last_s else total - 1)
            status, body = 206, content[first : last + 1]
            extra = {"Content-Range": f"bytes {first}-{last}/{total}"}
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        if handler.path in self.truncate:
            body = body[: self.truncate[handler.path]]
            handler.close_connection = True
        handler.wfile.write(body)
        with self._lock:
            self.bytes_sent += len(body)

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


# -- checks of the doubles themselves -----------------------------------------------------------


def test_loopback_server_answers_suffix_ranges(loopback: LoopbackServer) -> None:
    url = loopback.add("/f", b"0123456789")
    response = httpx.get(url, headers={"Range": "bytes=-3"})
    assert response.status_code == 206
    assert response.content == b"789"
    assert response.headers["content-range"] == "bytes 7-9/10"


def test_make_wheel_is_readable(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo-pkg", "2.0", requires=["dep>=1"], payload=1000)
    with zipfile.ZipFile(io.BytesIO(wheel.read_bytes())) as archive:
        assert b"Requires-Dist: dep>=1" in archive.read("demo_pkg-2.0.dist-info/METADATA")
