"""``IndexServer``: a ``LocalIndex`` on loopback HTTP/1.1, with a request log and fault injection.

Real sockets, because the behaviours under test live there: connection pooling (keep-alive),
range requests, bodies cut short, connections reset mid-body, slow servers, redirects to
another origin, 401s. Every request is logged so a test can assert what ferry asked for (exactly
three retries, no second download, no ``Authorization`` header after a cross-origin redirect).

Shutdown is deterministic: serving stops, open keep-alive connections are shut so their handler
threads wake up, and every thread is joined; a delay in progress is cut short. No thread
outlives the ``with`` block, and nothing is left for ``filterwarnings = error`` to trip on.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import logging
import socket
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name
from tests.support.faults import Fault, FaultPlan, FaultSet
from tests.support.http_util import choose_page_type, parse_range

if TYPE_CHECKING:
    from tests.support.index import LocalIndex

__all__ = ["IndexServer", "RequestRecord"]

logger = logging.getLogger(__name__)


class RequestRecord(NamedTuple):
    """One request as received; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]


class _Response(NamedTuple):
    status: int
    body: bytes
    headers: dict[str, str]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined in server_close(): no leaks
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, owner: IndexServer) -> None:
        self.owner = owner
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up is normal in fault tests; never print tracebacks to stderr.
        logger.debug("error while serving %s", client_address, exc_info=True)

    def wake_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.open_connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class IndexServer:
    """Serves ``index`` on ``127.0.0.1:<free port>`` until ``stop()`` / the end of ``with``.

    ``html_only`` ignores requests for JSON (like a mirror that only has PEP 503 pages);
    ``ranges=False`` answers range requests with the full body (200), as servers may.
    """

    def __init__(
        self,
        index: LocalIndex,
        *,
        html_only: bool = False,
        ranges: bool = True,
        cache_control: str = "max-age=0, must-revalidate",
    ) -> None:
        self.index = index
        self.html_only = html_only
        self.ranges = ranges
        self.cache_control = cache_control
        self.requests: list[RequestRecord] = []
        self.faults = FaultSet()
        self.tampered: dict[str, bytes] = {}
        self.auth: tuple[str, str, str] | None = None  # (user, password, path glob)
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> IndexServer:
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = _HTTPServer(self)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"index-server-{self.port}", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        thread.join()
        httpd.wake_connections()
        httpd.server_close()  # joins the handler threads
        self._httpd = self._thread = None

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the index server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def simple_url(self) -> str:
        return f"{self.url}/simple/"

    def url_with_auth(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}/simple/"

    # -- request log ----------------------------------------------------------------------------

    def _log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self.requests.append(record)

    def count(self, match: str | Callable[[RequestRecord], bool] = "*") -> int:
        """Requests whose path matches a glob, or for which ``match(record)`` is true."""
        with self._log_lock:
            records = list(self.requests)
        if isinstance(match, str):
            return sum(1 for r in records if fnmatch.fnmatchcase(urlsplit(r.path).path, match))
        return sum(1 for r in records if match(r))

    def file_downloads(self, filename: str | None = None) -> list[RequestRecord]:
        """Full GETs of distribution files (no ``Range``, not ``.metadata``)."""
        with self._log_lock:
            records = list(self.requests)
        return [
            r for r in records
            if r.method == "GET" and r.path.startswith("/files/") and "range" not in r.headers
            and not r.path.endswith(".metadata")
            and (filename is None or unquote(r.path) == f"/files/{filename}")
        ]

    def clear_log(self) -> None:
        with self._log_lock:
            self.requests.clear()

    # -- fault injection ------------------------------------------------------------------------

    def fail(self, path_glob: str, status: int = 500, times: int | None = None) -> Fault:
        return self.faults.add(Fault("fail", path_glob, times, status=status))

    def truncate(self, path_glob: str, at_bytes: int, times: int | None = None) -> Fault:
        """Announce the full ``Content-Length`` but close after ``at_bytes`` bytes of body."""
        return self.faults.add(Fault("truncate", path_glob, times, at_bytes=at_bytes))

    def reset(self, path_glob: str, at_bytes: int | None = None, times: int | None = None) -> Fault:
        """Send part of the body (default half) and then reset the connection (RST)."""
        return self.faults.add(Fault("reset", path_glob, times, at_bytes=at_bytes))

    def delay(
        self, path_glob: str, seconds: float, *, after_bytes: int | None = None,
        times: int | None = None,
    ) -> Fault:
        """Sleep before answering, or after ``after_bytes`` bytes of body (a stalled download)."""
        return self.faults.add(Fault("delay", path_glob, times, seconds=seconds,
                                     at_bytes=after_bytes))

    def redirect(
        self, path_glob: str, to_url: str, status: int = 302, times: int | None = None
    ) -> Fault:
        """Redirect; ``{path}`` in ``to_url`` is replaced by the requested path (and query)."""
        return self.faults.add(Fault("redirect", path_glob, times, status=status, to_url=to_url))

    def garbage(
        self, path_glob: str, body: bytes | str, content_type: str = "text/html",
        times: int | None = None,
    ) -> Fault:
        data = body.encode() if isinstance(body, str) else body
        return self.faults.add(Fault("garbage", path_glob, times, body=data,
                                     content_type=content_type))

    def require_auth(self, user: str, password: str, path_glob: str = "*") -> None:
        """Answer 401 to requests for matching paths without these Basic credentials."""
        self.auth = (user, password, path_glob)

    def tamper(self, filename: str, data: bytes | None = None) -> bytes:
        """Serve other bytes for ``files/<filename>``: ``data``, or the same size with one
        byte flipped (so only the hash, not the size, gives it away). Returns what is served."""
        if data is None:
            original = bytearray((self.index.files_dir / filename).read_bytes())
            original[len(original) // 2] ^= 0xFF
            data = bytes(original)
        self.tampered[filename] = data
        return data

    def clear_faults(self) -> None:
        self.faults.clear()
        self.tampered.clear()
        self.auth = None

    # -- used by the handler --------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """A delay that ``stop()`` interrupts, so shutdown never waits for a slow fault."""
        self._stopping.wait(seconds)

    def authorized(self, path: str, header: str | None) -> bool:
        if self.auth is None:
            return True
        user, password, glob = self.auth
        if not fnmatch.fnmatchcase(path, glob):
            return True
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return header == f"Basic {expected}"

    def resolve(self, path: str, accept: str | None) -> _Response:
        """The normal answer for ``path``: index pages (negotiated), files, metadata, or 404."""
        parts = [unquote(p) for p in path.split("/")]
        if len(parts) < 2 or any(p in {".", ".."} for p in parts):
            return _Response(404, b"not found\n", {"Content-Type": "text/plain"})
        if parts[1] == "simple":
            return self._resolve_page(parts[2:], accept)
        if parts[1] == "files" and len(parts) == 3 and parts[2]:
            name = parts[2]
            target = self.index.files_dir / name
            if name in self.tampered:
                return _Response(200, self.tampered[name], {"Content-Type": _file_type(name)})
            if target.is_file():
                return _Response(200, target.read_bytes(), {"Content-Type": _file_type(name)})
        return _Response(404, b"not found\n", {"Content-Type": "text/plain"})

    def _resolve_page(self, rest: list[str], accept: str | None) -> _Response:
        if rest in ([], [""]):
            directory = self.index.simple_dir
        elif len(rest) in (1, 2) and rest[0] and rest[1:] in ([], [""]):
            name = rest[0]
            if canonicalize_name(name) != name or len(rest) == 1:
                location = f"/simple/{canonicalize_name(name)}/"
                return _Response(301, b"", {"Location": location})
            directory = self.index.simple_dir / name
        else:
            return _Response(404, b"not found\n", {"Content-Type": "text/plain"})
        has_json = not self.html_only and (directory / "index.json").is_file()
        media = choose_page_type(accept, json_available=has_json)
        page = directory / ("index.json" if media.endswith("json") else "index.html")
        if not page.is_file():
            return _Response(404, b"not found\n", {"Content-Type": "text/plain"})
        content_type = media if media != "text/html" else "text/html; charset=utf-8"
        return _Response(200, page.read_bytes(), {"Content-Type": content_type, "Vary": "Accept"})


def _file_type(name: str) -> str:
    if name.endswith(".metadata"):
        return "application/octet-stream"
    return "application/zip" if name.endswith((".whl", ".zip")) else "application/x-tar"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections give up eventually
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("index server: " + format, *args)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner._log(RequestRecord(self.command, self.path, headers))
        path = urlsplit(self.path).path
        try:
            if not owner.authorized(path, headers.get("authorization")):
                self._send(_Response(401, b"unauthorized\n", {
                    "Content-Type": "text/plain",
                    "WWW-Authenticate": 'Basic realm="ferry-test-index"',
                }), head=head)
                return
            plan = owner.faults.plan(path)
            if plan.delay_before:
                owner.sleep(plan.delay_before)
            response = self._faulted(plan) or owner.resolve(path, headers.get("accept"))
            if response.status == 200:
                response = self._conditional(response, headers)
            self._send(response, head=head, plan=plan)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _faulted(self, plan: FaultPlan) -> _Response | None:
        fault = plan.replace
        if fault is None:
            return None
        if fault.kind == "redirect":
            return _Response(fault.status, b"", {"Location": fault.to_url.replace("{path}",
                                                                                 self.path)})
        if fault.kind == "garbage":
            return _Response(200, fault.body, {"Content-Type": fault.content_type})
        body = f"injected failure {fault.status}\n".encode()
        return _Response(fault.status, body, {"Content-Type": "text/plain"})

    def _conditional(self, response: _Response, headers: dict[str, str]) -> _Response:
        """Add validators, answer ``If-None-Match`` with 304 and ``Range`` with 206/416."""
        owner = self.server.owner
        etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
        extra = {"ETag": etag, "Cache-Control": owner.cache_control}
        if headers.get("if-none-match") == etag:
            return _Response(304, b"", {**extra})
        if not self.path.startswith("/files/") or not owner.ranges:
            return _Response(200, response.body, {**response.headers, **extra})
        extra["Accept-Ranges"] = "bytes"
        size = len(response.body)
        wanted = parse_range(headers.get("range"), size)
        if wanted is None:
            return _Response(200, response.body, {**response.headers, **extra})
        if wanted == "unsatisfiable":
            return _Response(416, b"", {**extra, "Content-Range": f"bytes */{size}"})
        start, end = wanted
        extra["Content-Range"] = f"bytes {start}-{end}/{size}"
        return _Response(206, response.body[start:end + 1], {**response.headers, **extra})

    def _send(self, response: _Response, *, head: bool, plan: FaultPlan | None = None) -> None:
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        body = b"" if head or response.status == 304 else response.body
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        fault = plan.body if plan else None
        stall = plan.delay_after if plan and plan.replace is None else None
        limit = len(body)
        if fault is not None:
            limit = fault.at_bytes if fault.at_bytes is not None else len(body) // 2
            limit = min(limit, len(body))
        if stall is not None and stall[0] < limit:
            self.wfile.write(body[:stall[0]])
            self.wfile.flush()
            self.server.owner.sleep(stall[1])
            self.wfile.write(body[stall[0]:limit])
        else:
            self.wfile.write(body[:limit])
        self.wfile.flush()
        if fault is not None:
            self.close_connection = True
            if fault.kind == "reset":
                # SO_LINGER with a zero timeout turns close() into a RST instead of a FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
