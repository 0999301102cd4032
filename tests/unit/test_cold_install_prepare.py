"""``Preparer`` on a cold cache: downloads never wait for unpacking, the largest wheel is
unpacked first, each result reaches ``on_done`` as soon as it is ready, and a failure stops
new work and is raised with nothing half-made in the cache.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from ferry.cache.store import Cache, CachedFile
from ferry.dist import prepare_pool as prepare_module
from ferry.dist.prepare import PreparedDist, Preparer
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import NetworkError
from ferry.model.pep440_version import Version

MakeWheel = Callable[..., Path]


class Served:
    """Wheels served through the cache; ``fail`` names files whose download fails."""

    def __init__(self, cache: Cache, wheels: dict[str, Path], fail: set[str] | None = None):
        self.cache = cache
        self.wheels = wheels
        self.fail = fail or set()
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def download(self, file: FileRef) -> CachedFile:
        with self._lock:
            self.calls.append(file.filename)
        if file.filename in self.fail:
            raise NetworkError(f"cannot fetch {file.filename}")
        data = self.wheels[file.filename].read_bytes()
        return self.cache.store_file(file.filename, [data], expected=file.hashes or None)


def _pin(wheel: Path, name: str) -> PinnedDist:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    file = FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha))
    return PinnedDist(canonicalize_name(name), Version("1.0"), file)


def _wheels(
    make_wheel: MakeWheel, sizes: dict[str, int]
) -> tuple[dict[str, Path], list[PinnedDist]]:
    wheels: dict[str, Path] = {}
    pins = []
    for name, size in sizes.items():
        # random-ish bytes do not compress: the wheel's size follows `size`
        payload = hashlib.sha256(name.encode()).digest() * (size // 32 + 1)
        wheel = make_wheel(name, "1.0", files={f"{name}/__init__.py": "", f"{name}/d": payload})
        wheels[wheel.name] = wheel
        pins.append(_pin(wheel, name))
    return wheels, pins


def test_downloads_go_on_while_an_unpack_is_held(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every download completes while the first unpack is still blocked: a download thread
    hands its wheel over instead of waiting for a turn to unpack."""
    cache = Cache(tmp_path / "cache")
    wheels, pins = _wheels(make_wheel, {f"p{i}": 100 for i in range(6)})
    served = Served(cache, wheels)
    monkeypatch.setattr(prepare_module, "_unpack_slots", lambda: 1)
    release = threading.Event()
    real_unpack = Preparer._unpack

    def slow_unpack(self: Preparer, cached: CachedFile) -> tuple[Path, object]:
        if not release.is_set():
            # the first unpack waits until all six downloads happened
            for _ in range(500):
                if len(served.calls) == len(pins):
                    break
                threading.Event().wait(0.01)
            release.set()
        return real_unpack(self, cached)

    monkeypatch.setattr(Preparer, "_unpack", slow_unpack)
    prepared, stats = Preparer(cache, served, concurrency=2).prepare(pins)
    assert [p.pin for p in prepared] == pins
    assert stats.downloaded == 6
    assert len(served.calls) == 6


def test_the_largest_wheel_ready_is_unpacked_first(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    sizes = {"small": 1_000, "huge": 200_000, "medium": 20_000, "tiny": 10}
    wheels, pins = _wheels(make_wheel, sizes)
    served = Served(cache, wheels)
    monkeypatch.setattr(prepare_module, "_unpack_slots", lambda: 1)
    gate = threading.Event()
    order: list[str] = []
    real_unpack = Preparer._unpack
    first = [True]

    def recorded(self: Preparer, cached: CachedFile) -> tuple[Path, object]:
        if first[0]:  # hold the only unpacking thread until every download is queued
            first[0] = False
            gate.wait(10)
        order.append(cached.path.name.split("-")[0])
        return real_unpack(self, cached)

    monkeypatch.setattr(Preparer, "_unpack", recorded)
    real_put = prepare_module._Largest.put
    queued = [0]

    def put(self: prepare_module._Largest, index: int, job: object) -> None:
        real_put(self, index, job)  # type: ignore[arg-type]
        queued[0] += 1
        if queued[0] == len(pins):
            gate.set()

    monkeypatch.setattr(prepare_module._Largest, "put", put)
    Preparer(cache, served, concurrency=4).prepare(pins)
    # the first one taken is whichever arrived first; after it, strictly largest first
    rest = order[1:]
    assert rest == sorted(rest, key=lambda name: -sizes[name])
    assert sorted(order) == sorted(sizes)


def test_on_done_runs_on_the_calling_thread_for_every_pin(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    wheels, pins = _wheels(make_wheel, {"a": 10, "b": 10, "c": 10})
    seen: list[tuple[str, str]] = []

    def on_done(prepared: PreparedDist) -> None:
        seen.append((str(prepared.pin.name), threading.current_thread().name))

    # one already unpacked (a hit), two to download
    Preparer(cache, Served(cache, wheels)).prepare(pins[:1])
    prepared, stats = Preparer(cache, Served(cache, wheels)).prepare(pins, on_done=on_done)
    assert sorted(name for name, _ in seen) == ["a", "b", "c"]
    assert {thread for _, thread in seen} == {threading.current_thread().name}
    assert (stats.from_cache, stats.downloaded) == (1, 2)
    assert [p.pin for p in prepared] == pins


def test_a_failed_download_is_raised_and_nothing_half_made_stays(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    wheels, pins = _wheels(make_wheel, {f"p{i}": 10 for i in range(5)})
    served = Served(cache, wheels, fail={pins[2].file.filename})  # type: ignore[union-attr]
    with pytest.raises(NetworkError, match="cannot fetch"):
        Preparer(cache, served, concurrency=2).prepare(pins)
    assert list(cache.tmp_root.iterdir()) == []
    for entry in (cache.root / "archives-v1").iterdir():
        assert (entry / ".ferry-manifest.json").is_file()  # only complete entries


def test_an_error_from_on_done_stops_the_run(make_wheel: MakeWheel, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    wheels, pins = _wheels(make_wheel, {f"p{i}": 10 for i in range(8)})
    served = Served(cache, wheels)
    real_download = served.download

    def download(file: FileRef) -> CachedFile:
        if served.calls:  # later downloads are slow: the failure lands while they queue
            threading.Event().wait(0.3)
        return real_download(file)

    served.download = download  # type: ignore[method-assign]
    calls = [0]

    def on_done(prepared: PreparedDist) -> None:
        calls[0] += 1
        raise RuntimeError("install failed")

    with pytest.raises(RuntimeError, match="install failed"):
        Preparer(cache, served, concurrency=1).prepare(pins, on_done=on_done)
    assert calls[0] == 1  # no later result is handed over
    assert len(served.calls) < len(pins)  # downloads not yet started were cancelled
    assert list(cache.tmp_root.iterdir()) == []
