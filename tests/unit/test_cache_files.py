"""store_file: hashed while streaming, verified before visible, nothing left on failure."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.cache.files import EMPTY_SHA256, SizeMismatchError
from ferry.cache.store import Cache
from ferry.model.dist import Hashes
from ferry.model.errors import FilesystemError, HashMismatchError, InvalidWheelError, UserError

SRC = Path(__file__).resolve().parents[2] / "src"
CONTENT = b"PK\x03\x04" + bytes(range(256)) * 400
SHA = hashlib.sha256(CONTENT).hexdigest()
NAME = "demo-1.0-py3-none-any.whl"


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def chunks(data: bytes = CONTENT, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def leftovers(cache: Cache) -> list[Path]:
    """Every file in the cache except its control files."""
    control = {".lock", "CACHEDIR.TAG", ".gitignore"}
    return [p for p in cache.root.rglob("*") if p.is_file() and p.name not in control]


def test_store_computes_sha256_while_streaming(cache: Cache) -> None:
    stored = cache.store_file(NAME, chunks(), Hashes.of(sha256=SHA.upper()), len(CONTENT))
    assert stored.sha256 == SHA and stored.size == len(CONTENT)
    assert stored.path == cache.root / "files-v1" / SHA[:2] / SHA / NAME
    assert stored.path.read_bytes() == CONTENT
    assert leftovers(cache) == [stored.path]
    again = cache.store_file(NAME, chunks(size=7777))
    assert again == stored
    assert leftovers(cache) == [stored.path]


def test_hash_mismatch_stores_nothing(cache: Cache) -> None:
    """C1: Expected/Computed in the message, nothing cached under either digest."""
    wrong = hashlib.sha256(b"the original").hexdigest()
    with pytest.raises(HashMismatchError) as caught:
        cache.store_file(NAME, chunks(), Hashes.of(sha256=wrong))
    assert caught.value.message == (
        f"Hash mismatch for `{NAME}`\n\nExpected:\n  sha256:{wrong}\n\nComputed:\n  sha256:{SHA}"
    )
    assert caught.value.exit_code == 1
    assert leftovers(cache) == []
    assert cache.find_file(SHA) is None and cache.find_file(wrong) is None


def test_every_expected_algorithm_is_checked(cache: Cache) -> None:
    md5 = hashlib.md5(CONTENT).hexdigest()
    cache.store_file(NAME, chunks(), Hashes.of(sha256=SHA, md5=md5))
    with pytest.raises(HashMismatchError, match=r"md5:0{32}[\s\S]*md5:" + md5):
        cache.store_file(NAME, chunks(), Hashes.of(sha256=SHA, md5="0" * 32))
    with pytest.raises(UserError, match="Unsupported hash algorithm `sha3_999`"):
        cache.store_file(NAME, chunks(), Hashes.of(sha3_999="ab"))


def test_one_of_several_sha256_values_may_match(cache: Cache) -> None:
    expected = Hashes((("sha256", "0" * 64), ("sha256", SHA)))
    assert cache.store_file(NAME, chunks(), expected).sha256 == SHA


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (len(CONTENT) + 10, f"expected {len(CONTENT) + 10} bytes, but downloaded {len(CONTENT)}"),
        (5000, "expected 5000 bytes, but downloaded at least 6000"),
    ],
)
def test_size_mismatch_stores_nothing(cache: Cache, declared: int, message: str) -> None:
    """C5 and D4: a body shorter or longer than declared never becomes visible."""
    with pytest.raises(SizeMismatchError) as caught:
        cache.store_file(NAME, chunks(size=3000), expected_size=declared)
    assert caught.value.message == f"Size mismatch for `{NAME}`: {message}"
    assert isinstance(caught.value, HashMismatchError)
    assert leftovers(cache) == []


def test_interrupted_stream_stores_nothing(cache: Cache) -> None:
    """D3/F1: a reset or ^C mid-body removes the partial download."""

    def broken() -> Iterator[bytes]:
        yield CONTENT[:1000]
        raise ConnectionResetError("peer reset")

    with pytest.raises(ConnectionResetError):
        cache.store_file(NAME, broken())
    assert leftovers(cache) == []

    def interrupted() -> Iterator[bytes]:
        yield CONTENT[:1000]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.store_file(NAME, interrupted())
    assert leftovers(cache) == []


class FullDisk(io.BufferedWriter):
    """A file whose writes fail after the first 2000 bytes, as on a full disk."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(memoryview(data)) > 2000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.mark.parametrize("stage", ["write", "rename"])
def test_disk_full_is_reported_with_the_path(
    cache: Cache, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """G5: ENOSPC → "No space left on device" naming the path; nothing left behind."""
    if stage == "write":
        monkeypatch.setattr(os, "fdopen", lambda fd, _mode: FullDisk(io.FileIO(fd, "wb")))
        where = cache.root / ".tmp"
    else:

        def full(self: Path, target: Path) -> Path:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(Path, "replace", full)
        where = cache.root / "files-v1" / SHA[:2] / SHA / NAME
    with pytest.raises(FilesystemError) as caught:
        cache.store_file(NAME, chunks())
    assert caught.value.message.endswith("No space left on device")
    assert str(where) in caught.value.message and f"`{NAME}`" in caught.value.message
    assert caught.value.hint is not None and "free some space" in caught.value.hint
    monkeypatch.undo()
    assert leftovers(cache) == []


def test_hostile_filename_is_refused(cache: Cache) -> None:
    with pytest.raises(InvalidWheelError):
        cache.store_file("../../evil.whl", chunks())
    assert leftovers(cache) == []


def test_empty_download(cache: Cache) -> None:
    stored = cache.store_file("empty.tar.gz", iter([b""]), Hashes.of(sha256=EMPTY_SHA256), 0)
    assert stored.sha256 == EMPTY_SHA256 and stored.path.read_bytes() == b""


STORER = f"""
import hashlib, sys
from pathlib import Path
from ferry.cache.store import Cache
from ferry.model.dist import Hashes
content = bytes(range(256)) * 8192
cache = Cache.from_options(Path(sys.argv[1]))
with cache.shared():
    stored = cache.store_file(
        "{NAME}",
        (content[i : i + 4096] for i in range(0, len(content), 4096)),
        Hashes.of(sha256=hashlib.sha256(content).hexdigest()),
        len(content),
    )
print(stored.path)
"""


def test_ten_processes_store_the_same_file(tmp_path: Path) -> None:
    """E2: all succeed, one intact entry, never the empty-file digest (pip #12361)."""
    root = tmp_path / "cache"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STORER, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(10)
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    paths = {out.decode().strip() for out, _err in outputs}
    content = bytes(range(256)) * 8192
    sha = hashlib.sha256(content).hexdigest()
    assert paths == {str(root / "files-v1" / sha[:2] / sha / NAME)}
    assert Path(paths.pop()).read_bytes() == content
    assert list((root / ".tmp").iterdir()) == []
    assert not (root / "files-v1" / EMPTY_SHA256[:2]).exists()
