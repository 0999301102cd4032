"""wheel_zip.read_metadata: the central-directory reader that spares a cold lock ``zipfile``.

Its contract is parity: for every archive it either returns exactly what the ``zipfile`` route
returns, or declines (``None``) so that ``zipfile`` answers — including every error. The tests
build wheels of every kind it should read and every kind it must leave alone, and compare with
``zipfile`` directly; a hypothesis test varies member names, compression and comments.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.index.metadata import MAX_METADATA_BYTES, _with_zipfile, metadata_from_wheel
from ferry.index.ranges import RangedFile
from ferry.index.responses import RangeBody
from ferry.index.wheel_zip import read_metadata
from ferry.model.errors import InvalidWheelError

META = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: dep>=2\n"
WHEEL = "demo-1.0-py3-none-any.whl"


def make_zip(
    members: list[tuple[str, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    comment: bytes = b"",
    force_zip64: bool = False,
) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in members:
                with archive.open(name, "w", force_zip64=force_zip64) as handle:
                    handle.write(data)
            archive.comment = comment
    return buffer.getvalue()


def plain(**kwargs: object) -> bytes:
    return make_zip(
        [
            ("demo/__init__.py", b"x = 1\n" * 50),
            ("demo-1.0.dist-info/METADATA", META),
            ("demo-1.0.dist-info/RECORD", b""),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def fast(data: bytes, project: str | None = "demo") -> bytes | None:
    return read_metadata(io.BytesIO(data), len(data), project, MAX_METADATA_BYTES)


def by_zipfile(data: bytes, filename: str = WHEEL) -> bytes | type[Exception]:
    try:
        return _with_zipfile(io.BytesIO(data), filename, "test")
    except InvalidWheelError:
        return InvalidWheelError


def by_ferry(data: bytes, filename: str = WHEEL) -> bytes | type[Exception]:
    try:
        return metadata_from_wheel(io.BytesIO(data), filename, "test")
    except InvalidWheelError:
        return InvalidWheelError


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_plain_wheel_is_read_without_zipfile(compression: int) -> None:
    data = plain(compression=compression)
    assert fast(data) == META
    assert by_ferry(data) == META


def test_a_zip64_local_header_is_read_by_the_directory_sizes() -> None:
    data = plain(force_zip64=True)  # local sizes 0xFFFFFFFF; the directory has the real ones
    assert fast(data) == META == by_zipfile(data)


def test_an_archive_comment_is_found_behind() -> None:
    data = plain(comment=b"built by hand" * 10)
    assert fast(data) == META


def test_a_vendored_dist_info_of_another_project_is_not_the_metadata() -> None:
    data = make_zip([
        ("other-2.0.dist-info/METADATA", b"Name: other\n"),
        ("demo-1.0.dist-info/METADATA", META),
    ])
    assert fast(data) == META
    assert fast(data, None) is None  # two candidates and no project: zipfile decides


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"#!/bin/sh\nexit 0\n" + plain(), id="bytes-before-the-archive"),
        pytest.param(
            make_zip([("demo-1.0.dist-info/METADATA", META)] * 2),
            id="duplicate-member",
        ),
        pytest.param(make_zip([("demo/__init__.py", b"")]), id="no-metadata"),
        pytest.param(make_zip([("x/demo-1.0.dist-info/METADATA", META)]), id="nested"),
        pytest.param(b"not a zip at all", id="not-a-zip"),
    ],
)
def test_unusual_archives_are_left_to_zipfile(data: bytes) -> None:
    assert fast(data) is None
    assert by_ferry(data) == by_zipfile(data)


def test_a_corrupt_member_is_left_to_zipfile_which_rejects_it() -> None:
    data = bytearray(plain(compression=zipfile.ZIP_STORED))
    where = bytes(data).index(b"Requires-Dist")
    data[where] ^= 0xFF  # the CRC no longer matches
    assert fast(bytes(data)) is None
    assert by_ferry(bytes(data)) is InvalidWheelError


def test_a_local_header_that_names_another_file_is_left_to_zipfile() -> None:
    data = plain(compression=zipfile.ZIP_STORED)
    # the first copy of the name is the local header's; the central directory keeps its own
    renamed = data.replace(b"demo-1.0.dist-info/METADATA", b"demo-1.0.dist-info/METADATX", 1)
    assert renamed.index(b"METADATX") < renamed.index(b"PK\x01\x02")
    assert fast(renamed) is None
    assert by_ferry(renamed) == by_zipfile(renamed)


def test_an_oversized_metadata_is_left_to_zipfile_which_names_the_limit() -> None:
    data = plain()
    assert read_metadata(io.BytesIO(data), len(data), "demo", len(META) - 1) is None


def test_a_name_cut_by_nul_is_left_to_zipfile() -> None:
    data = make_zip([("demo-1.0.dist-info/METADATA", META)])
    patched = bytearray(data)
    patched[data.rindex(b"PK\x01\x02") + 46] = 0  # the directory says "\0emo-1.0.dist-info/…"
    assert fast(bytes(patched)) is None
    assert by_ferry(bytes(patched)) == by_zipfile(bytes(patched))


def test_utf8_flagged_names_are_decoded_as_zipfile_decodes_them() -> None:
    data = make_zip([("dëmo/__init__.py", b""), ("demo-1.0.dist-info/METADATA", META)])
    assert fast(data) == META
    broken = bytearray(data)
    at = bytes(broken).rindex("dëmo".encode())
    broken[at + 1] = 0xFF  # invalid UTF-8 in a flagged name: zipfile fails the archive
    assert fast(bytes(broken)) is None
    assert by_ferry(bytes(broken)) == by_zipfile(bytes(broken))


_NAMES = st.sampled_from([
    "demo/__init__.py",
    "demo-1.0.dist-info/METADATA",
    "demo-1.0.dist-info/RECORD",
    "Demo-1.0.dist-info/METADATA",
    "other-3.dist-info/METADATA",
    "demo-1.0.dist-info/sub/METADATA",
    "démo-1.0.dist-info/METADATA",
    "demo-1.0.data/METADATA",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(_NAMES, min_size=0, max_size=5),
    compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    comment=st.binary(max_size=40),
    filename=st.sampled_from([WHEEL, "other-3-py3-none-any.whl", "not-a-wheel-name.zip"]),
)
def test_parity_with_zipfile(
    names: list[str], compression: int, comment: bytes, filename: str
) -> None:
    members = [(name, META + name.encode()) for name in names]
    data = make_zip(members, compression=compression, comment=comment)
    assert by_ferry(data, filename) == by_zipfile(data, filename)


class _Ranges:
    """An in-memory server for RangedFile, counting requests and bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.asked: list[tuple[int, int]] = []

    def get_range(self, url: str, start: int, length: int) -> RangeBody:
        if start < 0:
            start = max(0, len(self.data) + start)
        self.asked.append((start, length))
        return RangeBody(url, start, self.data[start : start + length], len(self.data))


def test_a_directory_longer_than_the_tail_is_fetched_up_to_the_tail_only() -> None:
    many = [(f"demo/m{i:05d}.py", b"") for i in range(3000)]
    data = make_zip([("demo-1.0.dist-info/METADATA", META), *many])
    tail_size = 16 * 1024
    server = _Ranges(data)
    tail = server.get_range("u", -tail_size, tail_size)
    remote = RangedFile(server, "u", tail)  # type: ignore[arg-type]
    assert metadata_from_wheel(remote, WHEEL, "test") == META
    tail_start = len(data) - tail_size
    directory_start = zipfile.ZipFile(io.BytesIO(data)).start_dir
    assert directory_start < tail_start
    # the second request stops where the tail begins instead of fetching the tail again
    second_start, second_length = server.asked[1]
    assert second_start <= directory_start and second_start + second_length == tail_start
    assert remote.requests == 3  # tail, the rest of the directory, the METADATA member


def test_wheels_on_disk_are_read_by_path(tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL
    wheel.write_bytes(plain())
    assert metadata_from_wheel(wheel, WHEEL, str(wheel)) == META
    odd = tmp_path / "odd.whl"
    odd.write_bytes(plain(force_zip64=True))
    assert metadata_from_wheel(odd, WHEEL, str(odd)) == META


def test_a_zip64_locator_before_the_end_record_is_left_to_zipfile() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("demo-1.0.dist-info/METADATA", META)
        last = zipfile.ZipInfo("demo-1.0.dist-info/RECORD")
        last.comment = b"PK\x06\x07" + b"\0" * 16  # the directory's last 20 bytes
        archive.writestr(last, b"")
    data = buffer.getvalue()
    assert data[data.rindex(b"PK\x05\x06") - 20 :].startswith(b"PK\x06\x07")
    assert fast(data) is None
    assert by_ferry(data) == by_zipfile(data)
