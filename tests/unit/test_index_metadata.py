"""IndexClient.fetch_metadata: cache, local wheels, PEP 658, HTTP range requests on a real
loopback server, the full-download fallback, and sdists (NeedsBuild)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import httpx
import pytest
from test_index_support import (
    LoopbackServer,
    Recorder,
    build_wheel,
    make_cache,
    metadata_text,
    sha256_of,
)

from ferry.cache.store import Cache
from ferry.index.client import IndexClient, IndexConfig
from ferry.index.errors import NeedsBuild
from ferry.index.http import HttpClient
from ferry.index.metadata import TAIL_BYTES
from ferry.model.dist import FileRef, Hashes
from ferry.model.errors import HashMismatchError, InvalidWheelError, OfflineError


@pytest.fixture(autouse=True)
def _no_user_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return make_cache(tmp_path)


def loopback_client(cache: Cache, *, offline: bool = False) -> IndexClient:
    return IndexClient(IndexConfig(offline=offline), cache, HttpClient(backoff=0, offline=offline))


def served_wheel(server: LoopbackServer, wheel: Path) -> FileRef:
    url = server.add(f"/files/{wheel.name}", wheel.read_bytes())
    return FileRef(
        filename=wheel.name,
        url=url,
        hashes=Hashes.of(sha256=sha256_of(wheel)),
        size=wheel.stat().st_size,
    )


def test_range_requests_read_metadata_without_downloading_the_wheel(
    cache: Cache, tmp_path: Path
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", requires=["dep>=2"], payload=600_000)
    size = wheel.stat().st_size
    with LoopbackServer() as server:
        file = served_wheel(server, wheel)
        data = loopback_client(cache).fetch_metadata(file)
        assert data == metadata_text("demo", "1.0", ["dep>=2"])
        assert server.bytes_sent <= TAIL_BYTES < size
        assert [rng for _, rng in server.requests] == [f"bytes=-{TAIL_BYTES}"]
        assert cache.find_file(file.sha256 or "") is None  # the wheel itself was not fetched
        # cached under the wheel's sha256: a new process asks nothing
        again = loopback_client(cache).fetch_metadata(file)
        assert again == data and len(server.requests) == 1


def test_metadata_outside_the_tail_costs_one_more_range_request(
    cache: Cache, tmp_path: Path
) -> None:
    wheel = build_wheel(
        tmp_path, "demo", "2.0", payload=300_000, payload_after_metadata=200_000
    )
    size = wheel.stat().st_size
    with LoopbackServer() as server:
        data = loopback_client(cache).fetch_metadata(served_wheel(server, wheel))
        assert data.startswith(b"Metadata-Version: 2.1\nName: demo\nVersion: 2.0")
        assert len(server.requests) == 2
        assert all(rng and rng.startswith("bytes=") for _, rng in server.requests)
        assert server.bytes_sent < size / 2


def test_a_server_without_ranges_falls_back_to_the_full_download(
    cache: Cache, tmp_path: Path
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", payload=100_000)
    with LoopbackServer(ranges=False) as server:
        file = served_wheel(server, wheel)
        client = loopback_client(cache)
        assert client.fetch_metadata(file) == metadata_text("demo", "1.0")
        assert len(server.requests) == 2  # the range probe (answered 200), then the download
        assert client.stats.downloaded == 1
        assert cache.find_file(sha256_of(wheel), wheel.name) is not None


def test_pep658_metadata_file_is_used_and_verified(cache: Cache) -> None:
    meta = metadata_text("demo", "1.0", ["dep"])
    url = "https://files.example/demo-1.0-py3-none-any.whl"
    recorder = Recorder({url + ".metadata": httpx.Response(200, content=meta)})
    client = IndexClient(IndexConfig(), cache, HttpClient(recorder.transport(), backoff=0))
    good = FileRef(
        filename="demo-1.0-py3-none-any.whl",
        url=url,
        metadata=Hashes.of(sha256=hashlib.sha256(meta).hexdigest()),
    )
    assert client.fetch_metadata(good) == meta
    assert recorder.urls() == [url + ".metadata"]

    other = "https://files.example/demo-1.1-py3-none-any.whl"
    recorder.routes[other + ".metadata"] = httpx.Response(200, content=meta)
    bad = FileRef(filename=other.rsplit("/")[-1], url=other, metadata=Hashes.of(sha256="0" * 64))
    with pytest.raises(HashMismatchError) as caught:
        client.fetch_metadata(bad)
    assert "demo-1.1-py3-none-any.whl" in caught.value.message
    assert caught.value.causes[0] == f"Expected sha256: {'0' * 64}"


def test_missing_pep658_file_falls_back_to_the_wheel(cache: Cache, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    url = f"https://files.example/{wheel.name}"
    recorder = Recorder({url: httpx.Response(200, content=wheel.read_bytes())})
    client = IndexClient(IndexConfig(), cache, HttpClient(recorder.transport(), backoff=0))
    file = FileRef(filename=wheel.name, url=url, metadata=Hashes())
    assert client.fetch_metadata(file) == metadata_text("demo", "1.0")
    assert recorder.urls() == [url + ".metadata", url, url]  # 404, range probe (200), download


def test_sdists_need_a_build(cache: Cache) -> None:
    recorder = Recorder()
    client = IndexClient(IndexConfig(), cache, HttpClient(recorder.transport()))
    with pytest.raises(NeedsBuild) as caught:
        client.fetch_metadata(FileRef("demo-1.0.tar.gz", "https://files.example/demo-1.0.tar.gz"))
    assert caught.value.filename == "demo-1.0.tar.gz"
    assert recorder.requests == []


def test_local_and_cached_wheels_are_read_without_requests(cache: Cache, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", requires=["x"])
    client = loopback_client(cache, offline=True)
    assert client.fetch_metadata(FileRef(wheel.name, wheel.as_uri())) == metadata_text(
        "demo", "1.0", ["x"]
    )
    # a wheel already in the cache (downloaded by an earlier command) answers offline
    with wheel.open("rb") as handle:
        stored = cache.store_file(wheel.name, iter(lambda: handle.read(4096), b""), None, None)
    remote = FileRef(
        wheel.name, "https://files.example/" + wheel.name, Hashes.of(sha256=stored.sha256)
    )
    assert client.fetch_metadata(remote) == metadata_text("demo", "1.0", ["x"])


def test_offline_without_cached_metadata_is_an_error(cache: Cache) -> None:
    client = loopback_client(cache, offline=True)
    file = FileRef("demo-1.0-py3-none-any.whl", "https://files.example/demo-1.0-py3-none-any.whl")
    with pytest.raises(OfflineError, match=r"demo-1\.0-py3-none-any\.whl"):
        client.fetch_metadata(file)


def test_a_wheel_without_its_dist_info_is_invalid(cache: Cache, tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("other-1.0.dist-info/METADATA", "Name: other\n")
    with LoopbackServer() as server:
        with pytest.raises(InvalidWheelError, match="no single matching"):
            loopback_client(cache).fetch_metadata(served_wheel(server, wheel))
        # the ranges could not find it, so the whole wheel was fetched (and verified) to be sure
        assert server.requests[-1][1] is None


def test_a_file_that_is_not_a_zip_is_an_invalid_wheel(cache: Cache, tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(b"<html>an error page, not a wheel</html>")
    with LoopbackServer() as server, pytest.raises(InvalidWheelError, match="not a valid zip"):
        loopback_client(cache).fetch_metadata(served_wheel(server, wheel))


def test_metadata_that_is_not_utf8_survives_the_cache(cache: Cache, tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    raw = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nAuthor: Ren\xe9\n\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo-1.0.dist-info/METADATA", raw)
    with LoopbackServer() as server:
        file = served_wheel(server, wheel)
        assert loopback_client(cache).fetch_metadata(file) == raw
        assert loopback_client(cache).fetch_metadata(file) == raw
        assert len(server.requests) == 1
