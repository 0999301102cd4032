"""IndexClient.download: cache hits without requests, verified downloads (C1, C5, C6), failures
that leave the cache clean (D3), offline, counters."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_index_support import Recorder, build_wheel, make_cache, stored_files, temp_files

from ferry.cache.store import Cache
from ferry.index.client import IndexClient, IndexConfig
from ferry.index.downloads import DownloadStats
from ferry.index.errors import AuthenticationError
from ferry.index.http import STREAM_CHUNK, HttpClient
from ferry.model.dist import FileRef, Hashes
from ferry.model.errors import HashMismatchError, NetworkError, OfflineError

URL = "https://files.example/demo-1.0-py3-none-any.whl"
BODY = b"PK-not-really-a-wheel-but-bytes" * 100
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture(autouse=True)
def _no_user_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return make_cache(tmp_path)


def client(recorder: Recorder, cache: Cache, *, offline: bool = False) -> IndexClient:
    http = HttpClient(recorder.transport(), backoff=0, offline=offline)
    return IndexClient(IndexConfig(offline=offline), cache, http)


def ref(sha256: str | None = SHA, size: int | None = len(BODY), url: str = URL) -> FileRef:
    hashes = Hashes.of(sha256=sha256) if sha256 else Hashes()
    return FileRef(filename=url.rsplit("/", 1)[1], url=url, hashes=hashes, size=size)


def serving(body: bytes = BODY) -> Recorder:
    return Recorder({URL: httpx.Response(200, content=body)})


def assert_nothing_cached(cache: Cache) -> None:
    assert stored_files(cache) == []
    assert temp_files(cache) == []
    assert cache.sha_for_url(URL) is None
    assert cache.cached_files("demo") == []


def test_download_streams_into_the_cache_and_records_it(
    cache: Cache, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = serving()
    index = client(recorder, cache)
    with caplog.at_level(logging.DEBUG, logger="ferry.index"):
        stored = index.download(ref())
    assert stored.path.read_bytes() == BODY
    assert (stored.sha256, stored.size) == (SHA, len(BODY))
    assert cache.find_file(SHA, "demo-1.0-py3-none-any.whl") == stored.path
    assert cache.sha_for_url(URL) == SHA
    assert [(r.version, r.sha256) for r in cache.cached_files("demo")] == [("1.0", SHA)]
    assert index.stats == DownloadStats(from_cache=0, downloaded=1, bytes_downloaded=len(BODY))
    assert "not in cache" in caplog.text


def test_a_cached_file_is_returned_without_any_request(
    cache: Cache, caplog: pytest.LogCaptureFixture
) -> None:
    client(serving(), cache).download(ref())
    recorder = Recorder()  # answers 404 to everything: must not be asked
    index = client(recorder, cache)
    with caplog.at_level(logging.DEBUG, logger="ferry.index"):
        stored = index.download(ref())
    assert stored.sha256 == SHA and stored.path.read_bytes() == BODY
    assert recorder.requests == []
    assert index.stats == DownloadStats(from_cache=1, downloaded=0, bytes_downloaded=0)
    assert "cache hit" in caplog.text


def test_a_file_without_index_hash_is_found_again_by_url(cache: Cache) -> None:
    client(serving(), cache).download(ref(sha256=None))
    recorder = Recorder()
    stored = client(recorder, cache, offline=True).download(ref(sha256=None))
    assert stored.sha256 == SHA
    assert recorder.requests == []


def test_wrong_sha256_fragment_is_an_error_and_caches_nothing(cache: Cache) -> None:
    with pytest.raises(HashMismatchError) as caught:
        client(serving(), cache).download(ref(sha256="0" * 64))
    assert "demo-1.0-py3-none-any.whl" in caught.value.message
    assert SHA in caught.value.message  # the computed digest is shown
    assert_nothing_cached(cache)


def test_size_mismatch_is_an_error_and_caches_nothing(cache: Cache) -> None:
    with pytest.raises(HashMismatchError) as caught:
        client(serving(), cache).download(ref(size=len(BODY) + 5))
    assert caught.value.message == (
        f"Size mismatch for `demo-1.0-py3-none-any.whl`: expected {len(BODY) + 5} bytes, "
        f"but downloaded {len(BODY)}"
    )
    assert_nothing_cached(cache)


def test_tampered_file_then_fixed_index_succeeds_without_cleanup(cache: Cache) -> None:
    tampered = BODY[:-1] + b"!"
    with pytest.raises(HashMismatchError):
        client(serving(tampered), cache).download(ref())
    assert_nothing_cached(cache)
    stored = client(serving(), cache).download(ref())
    assert stored.sha256 == SHA


class _ResetStream(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b"x" * (STREAM_CHUNK + 10)
        raise httpx.RemoteProtocolError("peer closed connection")


def test_a_download_that_keeps_breaking_leaves_no_trace(cache: Cache) -> None:
    recorder = Recorder({URL: lambda request: httpx.Response(200, stream=_ResetStream())})
    with pytest.raises(NetworkError) as caught:
        client(recorder, cache).download(ref(size=None))
    assert len(recorder.requests) == 4
    assert "RemoteProtocolError" in caught.value.causes[-1]
    assert_nothing_cached(cache)


def test_a_reset_download_is_retried_and_counted_once(cache: Cache) -> None:
    answers = iter(
        [httpx.Response(200, stream=_ResetStream()), httpx.Response(200, content=BODY)]
    )
    recorder = Recorder({URL: lambda request: next(answers)})
    index = client(recorder, cache)
    assert index.download(ref(size=None)).sha256 == SHA
    assert index.stats == DownloadStats(0, 1, len(BODY))
    assert temp_files(cache) == []


def test_offline_download_of_an_uncached_file_is_an_error(cache: Cache) -> None:
    recorder = Recorder()
    with pytest.raises(OfflineError) as caught:
        client(recorder, cache, offline=True).download(ref())
    assert "demo-1.0-py3-none-any.whl" in caught.value.message
    assert caught.value.hint is not None and "--offline" in caught.value.hint
    assert recorder.requests == []


def test_401_on_a_download_asks_for_credentials(cache: Cache) -> None:
    recorder = Recorder({URL: httpx.Response(401)})
    with pytest.raises(AuthenticationError):
        client(recorder, cache).download(ref())
    assert len(recorder.requests) == 1
    assert_nothing_cached(cache)


def test_local_wheel_is_copied_into_the_cache_even_offline(cache: Cache, tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    local = FileRef(filename=wheel.name, url=wheel.as_uri())
    index = client(Recorder(), cache, offline=True)
    stored = index.download(local)
    assert stored.path.read_bytes() == wheel.read_bytes()
    assert cache.sha_for_url(wheel.as_uri()) is None  # a local file may be rebuilt in place
    wheel.write_bytes(wheel.read_bytes() + b"\0")  # rebuilt: same name, new bytes
    assert index.download(local).sha256 != stored.sha256


def test_counters_are_exact_under_concurrency(cache: Cache) -> None:
    bodies = {f"https://files.example/pkg{i}-1.0.tar.gz": bytes([i]) * (1000 + i) for i in range(8)}
    recorder = Recorder({url: httpx.Response(200, content=body) for url, body in bodies.items()})
    index = client(recorder, cache)
    refs = [FileRef(filename=url.rsplit("/", 1)[1], url=url) for url in bodies]
    threads = [threading.Thread(target=index.download, args=(r,)) for r in refs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert index.stats == DownloadStats(0, 8, sum(len(b) for b in bodies.values()))
    for r in refs:
        index.download(r)
    assert index.stats.from_cache == 8
