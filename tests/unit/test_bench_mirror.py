"""The benchmark's mirror: PEP 503 pages over a directory of wheels, served on loopback.

What matters for a fair benchmark: pages an installer accepts (hash fragments it can verify,
requires-python it honours), files served whole and by range like the real mirror, and a real
installer (uv) able to install from it.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench import simple_index
from bench.scenarios import installed_names
from bench.server import MirrorServer, parse_range
from bench.simple_index import scan_files, write_simple_index

MakeWheel = Callable[..., Path]


@pytest.fixture
def tree(tmp_path: Path, make_wheel: MakeWheel) -> Path:
    """A mirror root with three wheels and their pages."""
    root = tmp_path / "mirror"
    files = root / "files"
    make_wheel("Foo_Bar", "1.0", requires_python=">=3.8, <4", directory=files)
    make_wheel("foo-bar", "2.0", directory=files)
    make_wheel("baz", "0.1", requires=["foo-bar>=2"], directory=files)
    write_simple_index(scan_files(files), root / "simple")
    return root


def _anchors(page: str) -> list[dict[str, str]]:
    found = []
    for attrs in re.findall(r"<a ([^>]*)>", page):
        found.append(dict(re.findall(r'([\w-]+)="([^"]*)"', attrs)))
    return found


def test_pages_list_every_wheel_with_its_hash_and_requires_python(tree: Path) -> None:
    root_page = (tree / "simple" / "index.html").read_text()
    assert [a["href"] for a in _anchors(root_page)] == ["baz/", "foo-bar/"]
    anchors = _anchors((tree / "simple" / "foo-bar" / "index.html").read_text())
    assert len(anchors) == 2
    first = anchors[0]
    path, _, fragment = first["href"].partition("#")
    assert path == "../../files/foo_bar-1.0-py3-none-any.whl"
    data = (tree / "files" / "foo_bar-1.0-py3-none-any.whl").read_bytes()
    assert fragment == f"sha256={hashlib.sha256(data).hexdigest()}"
    assert first["data-requires-python"] == "&gt;=3.8, &lt;4"  # escaped, as PEP 503 asks
    assert "data-requires-python" not in anchors[1]
    assert "data-core-metadata" not in first  # like the real mirror: no PEP 658


def test_rescan_reuses_the_manifest_and_notices_changes(
    tree: Path, make_wheel: MakeWheel, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = tree / "files"
    before = {f.filename: f for f in scan_files(files)}

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path.name} was hashed again")

    monkeypatch.setattr(simple_index, "_sha256", no_hashing)
    assert {f.filename: f for f in scan_files(files)} == before
    monkeypatch.undo()
    target = files / "baz-0.1-py3-none-any.whl"
    other = make_wheel("baz", "0.1", files={"baz/extra.py": b"x = 1\n"},
                       directory=tree.parent / "other")
    shutil.copyfile(other, target)
    changed = {f.filename: f for f in scan_files(files)}[target.name]
    assert changed.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert changed.sha256 != before[target.name].sha256


def test_sdists_are_listed_with_requires_python_from_pkg_info(
    tree: Path, make_sdist: Callable[..., Path]
) -> None:
    make_sdist("baz", "0.1", requires_python=">=3.9", directory=tree / "files")
    write_simple_index(scan_files(tree / "files"), tree / "simple")
    anchors = _anchors((tree / "simple" / "baz" / "index.html").read_text())
    assert [a["href"].partition("#")[0] for a in anchors] == [
        "../../files/baz-0.1-py3-none-any.whl", "../../files/baz-0.1.tar.gz"]
    assert anchors[1]["data-requires-python"] == "&gt;=3.9"


def test_files_that_are_not_distributions_are_left_out(tree: Path) -> None:
    (tree / "files" / "partial.whl.tmp").write_bytes(b"")
    (tree / "files" / "broken-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    (tree / "files" / "broken-1.0.tar.gz").write_bytes(b"not a tar")
    (tree / "files" / "notes.txt").write_bytes(b"")
    names = [f.filename for f in scan_files(tree / "files")]
    assert names == [
        "baz-0.1-py3-none-any.whl", "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-2.0-py3-none-any.whl",
    ]


def test_rewriting_touches_only_what_changed(tree: Path) -> None:
    files = tree / "files"
    assert write_simple_index(scan_files(files), tree / "simple") == 0
    (files / "baz-0.1-py3-none-any.whl").unlink()
    assert write_simple_index(scan_files(files), tree / "simple") == 1  # the root page
    assert not (tree / "simple" / "baz").exists()
    assert "baz" not in (tree / "simple" / "index.html").read_text()
    assert not list(tree.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes=100-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=9-3", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_parse_range(header: str | None, expected: object) -> None:
    assert parse_range(header, 100) == expected


@pytest.fixture
def server(tree: Path) -> Iterator[MirrorServer]:
    with MirrorServer(tree) as running:
        yield running


def _get(server: MirrorServer, path: str, headers: dict[str, str] | None = None,
         method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _fetch(server: MirrorServer, path: str, headers: dict[str, str] | None = None
           ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_server_answers_pages_as_html_whatever_is_asked(server: MirrorServer, tree: Path) -> None:
    json_type = "application/vnd.pypi.simple.v1+json"
    status, headers, body = _fetch(server, "/simple/foo-bar/", {"Accept": json_type})
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert body == (tree / "simple" / "foo-bar" / "index.html").read_bytes()
    assert "Cache-Control" not in headers and "ETag" not in headers


@pytest.mark.parametrize(
    ("path", "location"),
    [("/simple/Foo_Bar/", "/simple/foo-bar/"), ("/simple/foo-bar", "/simple/foo-bar/")],
)
def test_server_redirects_to_the_normalized_page(
    server: MirrorServer, path: str, location: str
) -> None:
    status, headers, _ = _fetch(server, path)
    assert (status, headers["Location"]) == (301, location)


@pytest.mark.parametrize(
    "path", ["/simple/nope/", "/files/nope.whl", "/files/../simple/index.html", "/files/",
             "/files/.manifest.json", "/other"],
)
def test_server_404s(server: MirrorServer, path: str) -> None:
    assert _fetch(server, path)[0] == 404


def test_server_sends_files_whole_and_by_range(server: MirrorServer, tree: Path) -> None:
    name = "baz-0.1-py3-none-any.whl"
    data = (tree / "files" / name).read_bytes()
    status, headers, body = _fetch(server, f"/files/{name}")
    assert (status, body, headers["Accept-Ranges"]) == (200, data, "bytes")
    status, headers, body = _fetch(server, f"/files/{name}", {"Range": "bytes=-22"})
    assert (status, body) == (206, data[-22:])
    assert headers["Content-Range"] == f"bytes {len(data) - 22}-{len(data) - 1}/{len(data)}"
    status, headers, _ = _fetch(server, f"/files/{name}", {"Range": f"bytes={len(data)}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(data)}")
    head = _get(server, f"/files/{name}", method="HEAD")
    assert (head.status, head.getheader("Content-Length")) == (200, str(len(data)))
    assert server.requests == 4


def test_server_keeps_connections_alive(server: MirrorServer, tree: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("/simple/", "/simple/baz/", "/files/baz-0.1-py3-none-any.whl"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == 200
    finally:
        conn.close()


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


@pytest.mark.skipif(_uv() is None, reason="uv is not installed")
def test_uv_installs_from_the_mirror(server: MirrorServer, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    proc = subprocess.run(
        [str(_uv()), "pip", "install", "--no-config", "--python", str(venv / "bin" / "python"),
         "--index-url", server.simple_url, "baz"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert installed_names(venv) == {"baz", "foo-bar"}
    assert "foo-bar==2.0" in proc.stderr  # the newest: both versions were offered
