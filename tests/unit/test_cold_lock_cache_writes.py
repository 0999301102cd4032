"""CacheWrites: the index client's JSON entries written behind its answers.

What must hold: a pending entry is readable at once by every client of the cache; ``flush``
(and ``IndexClient.close``) waits for every write and raises the first failure; a value written
again while its first write is in progress ends as the latest; and no writer thread outlives
``close``.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from test_index_support import make_cache

from ferry.cache.files import CachedFile
from ferry.index.cache_writes import CacheWrites
from ferry.index.client import IndexClient, IndexConfig
from ferry.index.http import HttpClient
from ferry.model.dist import Hashes
from ferry.model.errors import FilesystemError


class SlowCache:
    """An in-memory cache whose writes wait for ``release`` (and may fail for chosen keys)."""

    def __init__(self, fail: Iterable[str] = ()) -> None:
        self.stored: dict[tuple[str, str], Any] = {}
        self.writes: list[tuple[str, Any]] = []
        self.release = threading.Event()
        self.fail = set(fail)

    def read_json(self, bucket: str, key: str, /) -> Any:
        return self.stored.get((bucket, key))

    def write_json(self, bucket: str, key: str, value: Any, /) -> None:
        assert self.release.wait(5)
        if key in self.fail:
            raise FilesystemError(f"No space left on device: `{bucket}/{key}.json`")
        self.stored[(bucket, key)] = value
        self.writes.append((key, value))

    def store_file(
        self, filename: str, chunks: Iterable[bytes], expected: Hashes | None,
        expected_size: int | None,
    ) -> CachedFile:
        raise AssertionError("not used")

    def find_file(self, sha256: str, filename: str | None = None, /) -> Path | None:
        return None

    def record_name(self, name: str, version: str, filename: str, sha256: str, url: str, /) -> None:
        pass

    def record_url(self, url: str, sha256: str, /) -> None:
        pass

    def sha_for_url(self, url: str, /) -> str | None:
        return None


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ferry-cache-writer"]


def test_a_pending_entry_is_read_back_before_it_is_written() -> None:
    cache = SlowCache()
    writes = CacheWrites(cache)
    writes.write_json("index", "a", {"v": 1})
    assert cache.stored == {}  # the writer is held
    assert writes.read_json("index", "a") == {"v": 1}
    cache.release.set()
    writes.close()
    assert cache.stored == {("index", "a"): {"v": 1}}
    assert writes.read_json("index", "a") == {"v": 1}  # now from the cache itself
    assert writer_threads() == []


def test_the_latest_value_of_a_key_is_the_one_left_written() -> None:
    cache = SlowCache()
    writes = CacheWrites(cache)
    writes.write_json("metadata", "k", "first")
    writes.write_json("metadata", "k", "second")
    writes.write_json("metadata", "other", "x")
    cache.release.set()
    writes.close()
    assert cache.stored[("metadata", "k")] == "second"
    assert [key for key, _ in cache.writes].count("other") == 1


def test_a_failed_write_is_raised_by_flush_and_the_others_still_land() -> None:
    cache = SlowCache(fail=["bad"])
    writes = CacheWrites(cache)
    for key in ("one", "bad", "two"):
        writes.write_json("index", key, key)
    cache.release.set()
    with pytest.raises(FilesystemError, match="No space left on device"):
        writes.close()
    assert set(cache.stored) == {("index", "one"), ("index", "two")}
    writes.flush()  # reported once


def test_many_threads_writing_at_once_lose_nothing() -> None:
    cache = SlowCache()
    cache.release.set()
    writes = CacheWrites(cache)

    def work(n: int) -> None:
        for i in range(50):
            writes.write_json("index", f"{n}-{i}", i)
            assert writes.read_json("index", f"{n}-{i}") == i

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writes.close()
    assert len(cache.stored) == 300
    assert writer_threads() == []


def test_every_client_of_a_cache_sees_the_entries_pending_in_another(tmp_path: Path) -> None:
    cache = make_cache(tmp_path)
    first = IndexClient(IndexConfig(), cache, HttpClient(backoff=0))
    second = IndexClient(IndexConfig(), cache, HttpClient(backoff=0))
    assert first.writes is second.writes is CacheWrites.of(cache)
    first.writes.write_json("metadata", "0" * 64, {"encoding": "utf-8", "data": "Name: x\n"})
    assert second.writes.read_json("metadata", "0" * 64) == {"encoding": "utf-8",
                                                              "data": "Name: x\n"}
    first.close()
    second.close()
    assert (cache.bucket("metadata") / f"{'0' * 64}.json").is_file()
    assert writer_threads() == []


def test_closing_a_client_that_is_already_failing_keeps_the_first_error(tmp_path: Path) -> None:
    cache = SlowCache(fail=["bad"])
    cache.release.set()
    client = IndexClient(IndexConfig(), cache, HttpClient(backoff=0))
    with pytest.raises(KeyError, match="the real failure"), client:
        client.writes.write_json("index", "bad", 1)
        raise KeyError("the real failure")
    assert writer_threads() == []


def test_a_cache_and_its_writer_are_freed_together(tmp_path: Path) -> None:
    cache = make_cache(tmp_path)
    with IndexClient(IndexConfig(), cache, HttpClient(backoff=0)) as client:
        client.writes.write_json("index", "a", 1)
    alive = weakref.ref(cache)
    del cache, client
    gc.collect()
    assert alive() is None
