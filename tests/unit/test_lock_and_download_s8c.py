"""s8 review fixes: a registry package without `version` is refused (F-A3b) while uv's legitimate
omissions still install at the right version; the newer-lockfile hint sends nowhere that refuses
(N-A4); the hash-mismatch hint names the lockfile when the hash came from it (N-C1); a request
that failed the same way on every attempt prints that once (N-D2); an interrupted or abandoned
download leaves no temporary file behind, and ``cache prune`` removes stale ones (N-F1)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_index_support import Recorder

from ferry.cache import files
from ferry.cache.maintenance import ORPHAN_AGE, prune
from ferry.cache.store import Cache
from ferry.index.http import HttpClient, distinct_causes
from ferry.model.dist import FileRef, Hashes
from ferry.model.errors import HashMismatchError, NetworkError, ParseError
from ferry.model.pep440_version import Version
from ferry.project.lock_select import Selection, select
from ferry.project.lockfile import UnsupportedLockVersionError, parse_lock

WHEEL_HASH = "sha256:" + "ab" * 32

LOCK = """\
version = 1
revision = 3
requires-python = ">=3.8"

[[package]]
name = "app"
version = "0.1"
source = {{ virtual = "." }}
dependencies = [{{ name = "beta" }}]

[[package]]
name = "beta"
{version}source = {source}
wheels = [{{ {location}, hash = "{hash}" }}]
"""
REGISTRY = '{ registry = "https://index.example/simple" }'
REGISTRY_WHEEL = 'url = "https://index.example/files/beta-1.0-py3-none-any.whl"'


def lock_text(*, version: str | None = "1.0", source: str = REGISTRY,
              location: str = REGISTRY_WHEEL) -> str:
    line = f'version = "{version}"\n' if version is not None else ""
    return LOCK.format(version=line, source=source, location=location, hash=WHEEL_HASH)


# -- F-A3b: `version` may be omitted only where uv omits or tolerates it -----------------------


def test_registry_package_without_version_is_refused_naming_package_and_file() -> None:
    with pytest.raises(ParseError) as caught:
        parse_lock(lock_text(version=None), "proj/uv.lock")
    message = caught.value.message
    assert "`package[1].version`" in message
    assert "package `beta` from a registry source has a missing `version` field" in message
    assert "uv.lock" in message


def test_path_wheel_without_version_installs_as_the_wheels_version() -> None:
    """uv reads (and installs) a url/path package without `version`; the wheel names it, so the
    pin is never the placeholder `0` that made a healthy cache look damaged."""
    lock = parse_lock(lock_text(
        version=None,
        source='{ path = "wheels/beta-1.0-py3-none-any.whl" }',
        location='filename = "beta-1.0-py3-none-any.whl"',
    ))
    chosen = select(lock, ["app"], Selection(), {}, ["py3-none-any"], "/proj")
    pins = {item.package.name: item.pin for item in chosen if item.pin is not None}
    beta = pins["beta"]
    assert beta.version == Version("1.0")
    assert beta.file is not None and beta.file.from_lock


def test_registry_pins_carry_their_lock_origin() -> None:
    lock = parse_lock(lock_text())
    chosen = select(lock, ["app"], Selection(), {}, ["py3-none-any"], "/proj")
    beta = next(item.pin for item in chosen if item.package.name == "beta")
    assert beta is not None and beta.version == Version("1.0")
    assert beta.file is not None and beta.file.from_lock and beta.file.index_url


# -- N-A4 ----------------------------------------------------------------------------------------


def test_newer_lock_version_hint_does_not_send_to_a_command_that_refuses() -> None:
    with pytest.raises(UnsupportedLockVersionError) as caught:
        parse_lock(lock_text().replace("version = 1\n", "version = 2\n", 1), "uv.lock")
    hint = caught.value.hint or ""
    assert "upgrade ferry" in hint
    assert "delete `uv.lock`" in hint  # `ferry lock` alone refuses this very file
    assert "re-create the lock with `ferry lock`" not in hint


# -- N-C1 ----------------------------------------------------------------------------------------


def _mismatch(tmp_path: Path, file: FileRef) -> str:
    from ferry.index.downloads import Downloader

    cache = Cache.from_options(tmp_path / "cache")
    wheel = tmp_path / "beta-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not what the lock says")
    local = FileRef(file.filename, wheel.as_uri(), file.hashes, index_url=file.index_url,
                    from_lock=file.from_lock)
    downloader = Downloader(HttpClient(), cache)
    with pytest.raises(HashMismatchError) as caught:
        downloader.download(local)
    return caught.value.hint or ""


def test_hash_mismatch_hint_names_the_lockfile_when_the_hash_came_from_it(
    tmp_path: Path,
) -> None:
    hashes = Hashes.of(sha256="ab" * 32)
    index = "https://index.example/simple"
    locked = _mismatch(tmp_path, FileRef("beta-1.0-py3-none-any.whl", "", hashes,
                                         index_url=index, from_lock=True))
    assert "come from the lockfile" in locked and "index page" not in locked
    listed = _mismatch(tmp_path, FileRef("beta-1.0-py3-none-any.whl", "", hashes,
                                         index_url=index))
    assert "come from the index page that lists it" in listed


# -- N-D2 ----------------------------------------------------------------------------------------


def test_distinct_causes_once_each_with_their_count() -> None:
    assert distinct_causes(["HTTP 500"] * 4) == ["HTTP 500 (4 attempts)"]
    assert distinct_causes(["reset", "HTTP 502", "reset", "timeout"]) == [
        "reset (2 attempts)", "HTTP 502", "timeout",
    ]
    assert distinct_causes([]) == []


def test_mixed_failures_are_listed_once_each() -> None:
    answers = iter([httpx.Response(500), httpx.Response(502), httpx.Response(500),
                    httpx.Response(500)])
    recorder = Recorder({"https://index.example/x": lambda request: next(answers)})
    client = HttpClient(recorder.transport(), backoff=0)  # type: ignore[arg-type]
    with pytest.raises(NetworkError) as caught:
        client.get("https://index.example/x")
    assert caught.value.causes == [
        "HTTP 500 Internal Server Error (3 attempts)", "HTTP 502 Bad Gateway",
    ]


# -- N-F1 ----------------------------------------------------------------------------------------


def _temps(cache: Cache) -> list[str]:
    tmp = cache.tmp_root
    return sorted(p.name for p in tmp.iterdir()) if tmp.exists() else []


@pytest.mark.parametrize("failure", [KeyboardInterrupt, ConnectionResetError])
def test_a_download_that_is_interrupted_leaves_no_temporary_file(
    tmp_path: Path, failure: type[BaseException]
) -> None:
    cache = Cache.from_options(tmp_path / "cache")

    def chunks() -> Iterator[bytes]:
        yield b"x" * 1000
        raise failure

    with pytest.raises(failure):
        cache.store_file("beta-1.0-py3-none-any.whl", chunks())
    assert _temps(cache) == []


def test_a_download_abandoned_by_the_exit_is_removed_at_shutdown(tmp_path: Path) -> None:
    """The stalled download runs on a worker thread that never sees the ^C: what the
    interpreter calls at shutdown (``discard_partial_downloads``) removes its file."""
    cache = Cache.from_options(tmp_path / "cache")
    started, release = threading.Event(), threading.Event()

    def stalled() -> Iterator[bytes]:
        yield b"x" * 1000
        started.set()
        release.wait(10)
        raise ConnectionResetError

    def download() -> None:
        with pytest.raises(ConnectionResetError):
            cache.store_file("slow-1.0-py3-none-any.whl", stalled())

    worker = threading.Thread(target=download)
    worker.start()
    try:
        assert started.wait(10)
        assert [n for n in _temps(cache) if n.startswith("download-")]
        files.discard_partial_downloads()
        assert _temps(cache) == []
    finally:
        release.set()
        worker.join(10)
    assert _temps(cache) == []


def test_prune_removes_stale_download_temps_and_keeps_fresh_ones(tmp_path: Path) -> None:
    cache = Cache.from_options(tmp_path / "cache")
    cache.tmp_root.mkdir(parents=True, exist_ok=True)
    stale = cache.tmp_root / "download-abc123-slow-1.0-py3-none-any.whl"
    stale.write_bytes(b"")
    old = time.time() - ORPHAN_AGE - 60
    os.utime(stale, (old, old))
    fresh = cache.tmp_root / "download-def456-slow-1.0-py3-none-any.whl"
    fresh.write_bytes(b"")  # may belong to a download in progress
    prune(cache)
    assert not stale.exists() and fresh.exists()
