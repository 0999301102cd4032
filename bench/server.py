"""``MirrorServer``: the mirror tree on 127.0.0.1, served like the real index serves it.

HTML pages (whatever ``Accept`` says, as the real mirror does), files with HTTP ranges (206,
416), keep-alive, no caching headers. It must never be the bottleneck it measures: files go out
with ``sendfile``, Nagle is off (headers and body are separate writes), and the listen backlog
is large enough for uv's dozens of parallel connections (the socketserver default of 5 drops
SYNs, and a dropped SYN costs a full second).
"""

from __future__ import annotations

import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

__all__ = ["MirrorServer", "parse_range"]

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """An inclusive ``(start, end)`` for one byte range, ``"unsatisfiable"``, or None (send all).

    Multi-range and malformed headers are ignored, which RFC 9110 allows.
    """
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if first == "":
        if last == "":
            return None
        length = int(last)
        return "unsatisfiable" if length == 0 or size == 0 else (max(0, size - length), size - 1)
    start = int(first)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, size - 1 if last == "" else min(int(last), size - 1)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, owner: MirrorServer, port: int) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("mirror: error while serving %s", client_address, exc_info=True)


class MirrorServer:
    """Serves ``root/simple`` and ``root/files`` on ``127.0.0.1:port`` (0: a free port).

    Counts requests and bytes sent, so a test (or a curious reader) can see what a tool asked.
    """

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = root
        self.requested_port = port
        self.requests = 0
        self.bytes_sent = 0
        self._counter_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MirrorServer:
        if self._httpd is None:
            self._httpd = _Server(self, self.requested_port)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                name="bench-mirror", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        httpd.shutdown()
        thread.join()
        httpd.server_close()
        self._httpd = self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the mirror server is not running")
        return int(self._httpd.server_address[1])

    @property
    def simple_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/"

    def count_request(self) -> None:
        """Called as a request arrives, so a client that has its answer sees it counted."""
        with self._counter_lock:
            self.requests += 1

    def count_bytes(self, sent: int) -> None:
        with self._counter_lock:
            self.bytes_sent += sent

    def locate(self, path: str) -> tuple[int, Path | str]:
        """What a path maps to: (200, file), (301, location) or (404, reason)."""
        parts = [unquote(p) for p in path.split("/")[1:]]
        if any(p in {".", ".."} or "\\" in p for p in parts):
            return 404, "bad path"
        if parts[:1] == ["simple"]:
            rest = parts[1:]
            if rest in ([], [""]):
                return 200, self.root / "simple" / "index.html"
            name = rest[0]
            if name and (len(rest) == 1 or rest[1:] == [""]):
                canonical = canonicalize_name(name)
                if canonical != name or len(rest) == 1:
                    return 301, f"/simple/{canonical}/"
                page = self.root / "simple" / canonical / "index.html"
                return (200, page) if page.is_file() else (404, "no such project")
        if len(parts) == 2 and parts[0] == "files" and parts[1]:
            target = self.root / "files" / parts[1]
            if target.is_file() and not parts[1].startswith("."):
                return 200, target
        return 404, "not found"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("mirror: " + format, *args)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        owner.count_request()
        status, found = owner.locate(urlsplit(self.path).path)
        try:
            if status == 301:
                self._simple(301, b"", {"Location": str(found)}, head)
            elif status == 404 or not isinstance(found, Path):
                self._simple(404, f"{found}\n".encode(), {"Content-Type": "text/plain"}, head)
            elif found.name == "index.html":
                page = found.read_bytes()
                self._simple(200, page, {"Content-Type": "text/html; charset=utf-8"}, head)
            else:
                self._file(found, head)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _simple(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.server.owner.count_bytes(0 if head else len(body))

    def _file(self, path: Path, head: bool) -> None:
        with open(path, "rb") as handle:
            size = path.stat().st_size
            wanted = parse_range(self.headers.get("Range"), size)
            if wanted == "unsatisfiable":
                self._simple(416, b"", {"Content-Range": f"bytes */{size}"}, head)
                return
            start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
            length = end - start + 1 if size else 0
            self.send_response(206 if isinstance(wanted, tuple) else 200)
            content_type = "application/zip" if path.name.endswith(".whl") else (
                "application/octet-stream"
            )
            self.send_header("Content-Type", content_type)
            self.send_header("Accept-Ranges", "bytes")
            if isinstance(wanted, tuple):
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if not head and length:
                self.wfile.flush()
                self.connection.sendfile(handle, start, length)
            self.server.owner.count_bytes(0 if head else length)
