"""``wheel._members.decoded_member``: the in-memory fast path of unpacking, against ``zipfile``.

Every member must decode to exactly what ``zipfile`` reads, and every corruption ``zipfile``
would notice (bad CRC, data inflating past or short of its declared size, truncation) must be
noticed here too; members the fast path does not handle are left to ``zipfile`` (``None``).
"""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from ferry.model.errors import InvalidWheelError
from ferry.wheel import _members, unpack_wheel
from ferry.wheel._members import decoded_member

MakeWheel = Callable[..., Path]

CONTENTS = {
    "empty.txt": b"",
    "small.py": b"print('hello')\n",
    "repeated.bin": b"abc" * 50_000,
    "random.bin": hashlib.sha256(b"seed").digest() * 4096,
}


@pytest.fixture(autouse=True, params=["zlib", "isal"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with each inflater: ISA-L's when installed, and zlib's (its fallback)."""
    if request.param == "isal":
        isal_zlib = pytest.importorskip("isal.isal_zlib")
        monkeypatch.setattr(_members, "_backend", (isal_zlib, isal_zlib.error))
    else:
        monkeypatch.setattr(_members, "_backend", (zlib, zlib.error))
    return str(request.param)


def test_isal_is_the_inflater_when_installed(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_members, "_backend", None)
    library, _ = _members.inflate_backend()
    try:
        import isal.isal_zlib
    except ImportError:
        assert library is zlib
    else:
        assert library is isal.isal_zlib


def _archive(method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, data in CONTENTS.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_every_member_decodes_as_zipfile_reads_it(method: int) -> None:
    archive = _archive(method)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        for info in zf.infolist():
            assert decoded_member(archive, info) == zf.read(info) == CONTENTS[info.filename]


def _info(archive: bytes, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return copy.copy(zf.getinfo(name))


def test_a_changed_byte_fails_the_crc() -> None:
    archive = bytearray(_archive(zipfile.ZIP_STORED))
    at = archive.index(b"print('hello')")
    archive[at] ^= 0x01
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        decoded_member(bytes(archive), _info(bytes(archive), "small.py"))


@pytest.mark.parametrize("declared_delta", [-1, +1])
def test_data_of_another_size_than_declared_is_corrupt(declared_delta: int) -> None:
    archive = _archive(zipfile.ZIP_DEFLATED)
    info = _info(archive, "repeated.bin")
    info.file_size += declared_delta  # the central directory lies about the size
    with pytest.raises(zipfile.BadZipFile):
        decoded_member(archive, info)


def test_truncated_data_is_corrupt() -> None:
    archive = _archive(zipfile.ZIP_DEFLATED)
    info = _info(archive, "random.bin")
    info.compress_size = len(archive)  # runs past the end of the file
    with pytest.raises(zipfile.BadZipFile, match="Truncated"):
        decoded_member(archive, info)


def test_garbage_deflate_data_is_corrupt() -> None:
    archive = bytearray(_archive(zipfile.ZIP_DEFLATED))
    info = _info(bytes(archive), "random.bin")
    start = info.header_offset + 30 + len(b"random.bin")
    archive[start : start + 16] = b"\xff" * 16
    with pytest.raises(zipfile.BadZipFile):
        decoded_member(bytes(archive), info)


def test_members_the_fast_path_does_not_handle_are_left_to_zipfile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = _archive(zipfile.ZIP_DEFLATED)
    info = _info(archive, "repeated.bin")
    monkeypatch.setattr(_members, "MAX_MEMBER", info.file_size - 1)
    assert decoded_member(archive, info) is None
    other = _info(archive, "small.py")
    other.compress_type = zipfile.ZIP_BZIP2
    assert decoded_member(archive, other) is None


def test_unpacking_reports_the_digest_of_every_file_written(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    files = {"pkg/__init__.py": "", "pkg/data.bin": b"\x00\x01" * 70_000, "pkg/mod.py": "x = 1\n"}
    wheel = make_wheel("pkg", "1.0", files=files)
    digests: dict[str, tuple[int, str]] = {}
    unpack_wheel(wheel, tmp_path / "out", digests=digests)
    on_disk = {
        path.relative_to(tmp_path / "out").as_posix(): path.read_bytes()
        for path in (tmp_path / "out").rglob("*")
        if path.is_file()
    }
    assert set(digests) == set(on_disk)
    for member, data in on_disk.items():
        assert digests[member] == (len(data), hashlib.sha256(data).hexdigest())


def test_a_corrupt_member_fails_the_unpack_and_leaves_nothing(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel("pkg", "1.0", files={"pkg/__init__.py": "", "pkg/mod.py": "x = 1\n" * 99})
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("pkg/mod.py")
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))
    with pytest.raises(InvalidWheelError, match="corrupt"):
        unpack_wheel(wheel, tmp_path / "out")
    assert not (tmp_path / "out").exists()
