"""Validate one wheel file before anything is written: the gate for RELIABILITY.md section B.

The whole archive is judged from its central directory and local headers (one pass, no member
data read except the few small ``.dist-info`` files), and every problem becomes an
``InvalidWheelError`` naming the wheel and the member. Nothing is extracted until this passed, so
a refused wheel leaves no file behind, inside or outside the target.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.wheel_name import InvalidWheelName, parse_wheel_filename
from ferry.wheel._contents import check_contents
from ferry.wheel._paths import member_name_problem
from ferry.wheel._problem import DEFAULT_MAX_UNPACKED_SIZE, ZipProblem
from ferry.wheel._zip import check_end_of_archive, check_members, check_sizes
from ferry.wheel.wheel_info import WheelInfo, info_from_contents, wheel_error

__all__ = ["open_validated", "validate_wheel"]

# METADATA, WHEEL and entry_points.txt are read into memory; none is legitimately this large.
_MAX_METADATA_FILE = 16 * 1024 * 1024
# Wheels up to this size are unpacked from memory (``open_validated(in_memory=True)``); larger
# ones (a few ML wheels) are read from the file, so memory stays bounded with many threads.
IN_MEMORY_LIMIT = 64 * 1024 * 1024


def _parse_filename(filename: str) -> tuple[NormalizedName, Version, frozenset[str]]:
    try:
        name, version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelName as exc:
        raise InvalidWheelError(f"Invalid wheel filename `{filename}`: {exc}") from None
    return NormalizedName(name), version, tags


def _check_expected(
    filename: str,
    name: NormalizedName,
    version: Version,
    expected_name: str | None,
    expected_version: str | Version | None,
) -> None:
    if expected_name is not None and canonicalize_name(expected_name) != name:
        raise InvalidWheelError(
            f"Invalid wheel `{filename}`: expected a wheel of `{expected_name}`, "
            f"but the filename names `{name}` (mismatched name)"
        )
    if expected_version is not None and Version(str(expected_version)) != version:
        raise InvalidWheelError(
            f"Invalid wheel `{filename}`: expected version `{expected_version}`, "
            f"but the filename says `{version}` (mismatched version)"
        )


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.orig_filename
        problem = member_name_problem(name)
        if problem:
            raise ZipProblem(problem, name)
        key = name.rstrip("/")
        if key in seen:
            raise ZipProblem("appears more than once in the archive", name)
        seen.add(key)


def _zip_reader(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    return {info.orig_filename: info for info in zf.infolist()}


@contextmanager
def open_validated(
    path: Path,
    expected_name: str | None = None,
    expected_version: str | Version | None = None,
    *,
    max_size: int = DEFAULT_MAX_UNPACKED_SIZE,
    in_memory: bool = False,
) -> Iterator[tuple[WheelInfo, zipfile.ZipFile]]:
    """Validate ``path`` and yield it still open, so ``unpack_wheel`` reads the file once.

    ``in_memory`` reads a wheel of up to ``IN_MEMORY_LIMIT`` bytes with one ``read`` and works
    on the bytes: the checks and the extraction seek and read once or twice per member, and on
    a file each of those is a system call that also hands the GIL to another thread.
    """
    filename = path.name
    name, version, tags = _parse_filename(filename)
    _check_expected(filename, name, version, expected_name, expected_version)
    try:
        fp = _open(path, in_memory)
    except OSError as exc:
        raise FilesystemError(f"Failed to read wheel `{path}`: {exc.strerror}") from exc
    size = fp.seek(0, os.SEEK_END)
    with fp:
        try:
            zf = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise InvalidWheelError(f"Invalid wheel `{filename}`: not a valid ZIP archive ({exc})")
        with zf:
            try:
                info = _validate_open(filename, fp, size, zf, name, version, tags, max_size)
            except ZipProblem as problem:
                raise wheel_error(filename, problem) from None
            yield info, zf


def _open(path: Path, in_memory: bool) -> BinaryIO:
    handle = open(path, "rb")  # noqa: SIM115 - the caller closes what it gets
    try:
        if not in_memory or os.fstat(handle.fileno()).st_size > IN_MEMORY_LIMIT:
            return handle
        data = handle.read()
    except BaseException:
        handle.close()
        raise
    handle.close()
    return io.BytesIO(data)


def _validate_open(
    filename: str,
    fp: BinaryIO,
    size: int,
    zf: zipfile.ZipFile,
    name: NormalizedName,
    version: Version,
    tags: frozenset[str],
    max_size: int,
) -> WheelInfo:
    check_end_of_archive(fp, size)
    infos = zf.infolist()
    _check_names(infos)
    check_members(fp, infos)
    check_sizes(infos, max_size)
    by_name = _zip_reader(zf)

    def read(member: str) -> bytes | None:
        info = by_name.get(member)
        if info is None:
            return None
        if info.file_size > _MAX_METADATA_FILE:
            raise ZipProblem("is too large for a metadata file", member)
        try:
            return zf.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ZipProblem(f"cannot be read ({exc})", member) from None

    members = tuple(i.orig_filename for i in infos)
    contents = check_contents(members, read, name=name, version=version)
    return info_from_contents(filename, contents, tags, members)


def validate_wheel(
    path: Path,
    expected_name: str | None = None,
    expected_version: str | Version | None = None,
    *,
    max_size: int = DEFAULT_MAX_UNPACKED_SIZE,
) -> WheelInfo:
    """Check ``path`` and describe it; raise ``InvalidWheelError`` naming the offending member."""
    with open_validated(path, expected_name, expected_version, max_size=max_size) as (info, _zf):
        return info
