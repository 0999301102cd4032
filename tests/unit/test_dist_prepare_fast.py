"""``dist.prepare.Preparer`` after the install-speed work: same results, same cache entries.

The preparer now answers cache hits before starting its thread pool, unpacks straight into a
directory that becomes the archive entry, and hands the unpacker's digests to the manifest.
These tests pin down what must not have changed: results in pin order with the right counts,
an entry whose manifest matches its files and whose directory has the usual mode, nothing left
in ``.tmp``, and a corrupt download reported with nothing kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from ferry.cache.archives import MANIFEST_NAME
from ferry.cache.store import Cache, CachedFile
from ferry.dist.prepare import Preparer
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import InvalidWheelError
from ferry.model.pep440_version import Version

MakeWheel = Callable[..., Path]


class FakeDownloader:
    """Serves wheels from a directory through the cache, counting downloads per thread."""

    def __init__(self, cache: Cache, wheels: dict[str, Path]) -> None:
        self.cache = cache
        self.wheels = wheels
        self.calls: list[str] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def download(self, file: FileRef) -> CachedFile:
        with self._lock:
            self.calls.append(file.filename)
            self.threads.add(threading.current_thread().name)
        data = self.wheels[file.filename].read_bytes()
        return self.cache.store_file(file.filename, [data], expected=file.hashes or None)


def _pin(wheel: Path, name: str, version: str = "1.0") -> PinnedDist:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    file = FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha))
    return PinnedDist(canonicalize_name(name), Version(version), file)


@pytest.fixture
def setup(make_wheel: MakeWheel, tmp_path: Path) -> tuple[Cache, FakeDownloader, list[PinnedDist]]:
    cache = Cache(tmp_path / "cache")
    wheels: dict[str, Path] = {}
    pins = []
    for name in ("alpha", "beta", "gamma"):
        files = {f"{name}/__init__.py": f"NAME = {name!r}\n", f"{name}/data.bin": b"\1" * 5000}
        wheel = make_wheel(name, "1.0", files=files)
        wheels[wheel.name] = wheel
        pins.append(_pin(wheel, name))
    return cache, FakeDownloader(cache, wheels), pins


def test_cold_then_warm_gives_the_same_entries_in_pin_order(
    setup: tuple[Cache, FakeDownloader, list[PinnedDist]],
) -> None:
    cache, downloader, pins = setup
    cold, stats = Preparer(cache, downloader, concurrency=4).prepare(pins)
    assert [p.pin for p in cold] == pins
    assert (stats.downloaded, stats.from_cache) == (3, 0)
    assert len(downloader.calls) == 3

    warm, stats = Preparer(cache, downloader, concurrency=4).prepare(list(reversed(pins)))
    assert [p.pin for p in warm] == list(reversed(pins))
    assert (stats.downloaded, stats.from_cache) == (0, 3)
    assert len(downloader.calls) == 3  # nothing downloaded again
    assert {p.archive for p in warm} == {p.archive for p in cold}


def test_a_warm_prepare_starts_no_thread(
    setup: tuple[Cache, FakeDownloader, list[PinnedDist]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, downloader, pins = setup
    Preparer(cache, downloader).prepare(pins)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a warm prepare must not start the thread pool")

    monkeypatch.setattr("ferry.dist.prepare_pool.ThreadPool", no_pool)
    prepared, stats = Preparer(cache, downloader).prepare(pins)
    assert stats.from_cache == 3 and all(p.from_cache for p in prepared)


def test_entries_have_a_true_manifest_the_usual_mode_and_leave_nothing_behind(
    setup: tuple[Cache, FakeDownloader, list[PinnedDist]],
) -> None:
    cache, downloader, pins = setup
    prepared, _ = Preparer(cache, downloader).prepare(pins)
    umask = os.umask(0)
    os.umask(umask)
    for item in prepared:
        archive = item.archive
        assert archive.parent == cache.root / "archives-v1"
        assert archive.stat().st_mode & 0o777 == 0o777 & ~umask
        document = json.loads((archive / MANIFEST_NAME).read_bytes())
        on_disk = {
            path.relative_to(archive).as_posix(): path.read_bytes()
            for path in archive.rglob("*")
            if path.is_file() and path.name != MANIFEST_NAME
        }
        assert set(document["files"]) == set(on_disk)
        for member, data in on_disk.items():
            assert document["files"][member] == {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    assert list(cache.tmp_root.iterdir()) == []


def test_a_corrupt_wheel_fails_and_nothing_is_kept(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    wheel = make_wheel("bad", "1.0", files={"bad/__init__.py": "x = 1\n" * 200})
    data = bytearray(wheel.read_bytes())
    data[60] ^= 0xFF  # inside the first member's data
    wheel.write_bytes(bytes(data))
    downloader = FakeDownloader(cache, {wheel.name: wheel})
    with pytest.raises(InvalidWheelError):
        Preparer(cache, downloader).prepare([_pin(wheel, "bad")])
    assert not any((cache.root / "archives-v1").iterdir())
    assert list(cache.tmp_root.iterdir()) == []
