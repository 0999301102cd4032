"""``cache.archives_placement.spread_children``: the ext4 hint that spreads unpacked trees.

Where the filesystem supports ``FS_TOPDIR_FL`` (ext2/3/4), the cache's ``.tmp`` carries it
after a cold prepare, and its subdirectories do not inherit it. Elsewhere the hint is refused
quietly: preparing works the same.
"""

from __future__ import annotations

import fcntl
import os
import struct
import sys
from pathlib import Path

import pytest

from ferry.cache import archives_placement
from ferry.cache.archives_placement import spread_children

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux ioctl")


def _flags(path: Path) -> int | None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return int(struct.unpack("l", fcntl.ioctl(fd, 0x80086601, struct.pack("l", 0)))[0])
    except OSError:
        return None
    finally:
        os.close(fd)


def test_the_hint_is_set_where_supported_and_never_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives_placement, "_done", set())
    directory = tmp_path / "tmp"
    directory.mkdir()
    before = _flags(directory)
    placed = spread_children(directory)
    if before is None:  # tmpfs and friends have no such flags
        assert placed is False
        return
    try:
        placed_flags = _flags(directory)
    except OSError:
        pytest.skip("flags unreadable here")
    if not placed:
        pytest.skip("this filesystem refuses FS_TOPDIR_FL")
    assert placed_flags is not None and placed_flags & 0x00020000
    child = directory / "unpack-x"
    child.mkdir()
    child_flags = _flags(child)
    assert child_flags is not None and not child_flags & 0x00020000  # not inherited
    assert spread_children(directory) is True  # once per process: no second ioctl


def test_a_missing_directory_is_a_quiet_no(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives_placement, "_done", set())
    assert spread_children(tmp_path / "absent") is False


def test_a_refused_ioctl_is_a_quiet_no(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives_placement, "_done", set())

    def refuse(*args: object) -> bytes:
        raise OSError(25, "Inappropriate ioctl for device")

    monkeypatch.setattr(fcntl, "ioctl", refuse)
    assert spread_children(tmp_path) is False


def test_a_cold_prepare_marks_the_cache_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_wheel: object
) -> None:
    import hashlib

    from packaging.utils import canonicalize_name

    from ferry.cache.store import Cache, CachedFile
    from ferry.dist.prepare import Preparer
    from ferry.model.dist import FileRef, Hashes, PinnedDist
    from ferry.model.pep440_version import Version

    monkeypatch.setattr(archives_placement, "_done", set())
    cache = Cache(tmp_path / "cache")
    wheel = make_wheel("a", "1.0", files={"a/__init__.py": ""})  # type: ignore[operator]
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()

    class Served:
        def download(self, file: FileRef) -> CachedFile:
            return cache.store_file(file.filename, [wheel.read_bytes()])

    pin = PinnedDist(
        canonicalize_name("a"),
        Version("1.0"),
        FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha)),
    )
    prepared, _ = Preparer(cache, Served()).prepare([pin])
    assert prepared[0].archive.is_dir()
    flags = _flags(cache.tmp_root)
    if flags is not None and spread_children(cache.tmp_root):
        assert flags & 0x00020000
