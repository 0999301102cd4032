"""A wheel's ``.dist-info/METADATA`` member, read straight from the zip's central directory.

Why not ``zipfile``: to find one member it builds a ``ZipInfo`` object (names decoded, extra
fields parsed) for every entry of the central directory — ~3.5 µs each, and a lock reads the
directories of dozens of wheels with hundreds to thousands of entries (numpy has ~1200), on the
prefetch threads that compete with the resolver for the GIL; importing it costs ~5 ms more. This
walks the directory with ``struct.unpack_from`` and looks only at the names that can be the
member.

It answers only the plain case: one disk, no ZIP64, no bytes before the archive, names without
NUL or backslash (which ``zipfile`` rewrites), exactly one ``<project>-<version>.dist-info/
METADATA`` at the top level, stored or deflated, not encrypted, not larger than the limit, its
local header naming it as the directory does, and its CRC-32 and size right. Anything else
returns ``None`` and the caller asks ``zipfile``, which then decides — so every error message
(and every unusual archive's answer) is still ``zipfile``'s.
"""

from __future__ import annotations

import os
import struct
import zlib
from typing import IO, Protocol

from ferry.model.names import canonicalize_name

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_CENTRAL = b"PK\x01\x02"
_CENTRAL_SIZE = 46
_LOCAL = b"PK\x03\x04"
_LOCAL_SIZE = 30
_MAX_COMMENT = 0xFFFF
_SUFFIX = b".dist-info/METADATA"
_STORED, _DEFLATED = 0, 8
# encrypted (0x1), compressed patched data (0x20), strong encryption (0x40)
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40
_UTF8_FLAG_HIGH = 0x800 >> 8  # the flag, in the high byte of the little-endian field
_LENGTHS = struct.Struct("<3H")  # name, extra and comment lengths, at offset 28
_MEMBER = struct.Struct("<HHxxxxLLL")  # flags, method, (time, date), crc, sizes, at offset 8
_EOCD_FIELDS = struct.Struct("<4H2LH")  # after the signature


class _Seekable(Protocol):
    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def read(self, size: int = ..., /) -> bytes: ...


def _read_at(source: _Seekable | IO[bytes], offset: int, size: int) -> bytes:
    source.seek(offset)
    return source.read(size)


def _central_directory(source: _Seekable | IO[bytes], size: int) -> bytes | None:
    """The central directory's bytes, or ``None`` when the archive is not the plain kind."""
    if size < _EOCD_SIZE:
        return None
    end = _read_at(source, size - _EOCD_SIZE, _EOCD_SIZE)
    position = size - _EOCD_SIZE
    if not (end.startswith(_EOCD) and end[-2:] == b"\0\0"):
        # an archive comment: the record is further back (as zipfile searches for it)
        span = min(size, _EOCD_SIZE + _MAX_COMMENT)
        window = _read_at(source, size - span, span)
        found = window.rfind(_EOCD)
        if found < 0 or len(window) - found < _EOCD_SIZE:
            return None
        position = size - span + found
        end = window[found : found + _EOCD_SIZE]
    disk, cd_disk, on_disk, entries, cd_size, cd_offset, comment = _EOCD_FIELDS.unpack_from(
        end, 4
    )
    if position + _EOCD_SIZE + comment != size:  # not what zipfile would take as the record
        return None
    if disk or cd_disk or on_disk != entries or 0xFFFF in (on_disk, entries):
        return None
    if 0xFFFFFFFF in (cd_size, cd_offset) or cd_offset + cd_size != position:
        return None  # ZIP64, or bytes in front of the archive: zipfile knows those
    if position >= _ZIP64_LOCATOR_SIZE:
        before = _read_at(source, position - _ZIP64_LOCATOR_SIZE, 4)
        if before == _ZIP64_LOCATOR:
            return None
    directory = _read_at(source, cd_offset, cd_size)
    if len(directory) != cd_size:
        return None
    # zipfile cuts a name at its first NUL, and on Windows turns backslashes into slashes:
    # either could make a member the METADATA one (or not) where the raw name says otherwise.
    if _SUFFIX + b"\0" in directory or (os.sep != "/" and os.sep.encode() in directory):
        return None
    return directory


def read_metadata(
    source: _Seekable | IO[bytes], size: int, project: str | None, limit: int
) -> bytes | None:
    """The METADATA member of the wheel in ``source`` (``size`` bytes) for ``project`` (a
    canonical name; ``None`` accepts any), or ``None`` when ``zipfile`` must decide."""
    directory = _central_directory(source, size)
    if directory is None:
        return None
    found: list[tuple[int, bytes]] = []
    position, total = 0, len(directory)
    lengths, ends_with, starts_with = _LENGTHS.unpack_from, directory.endswith, directory.startswith
    while position < total:
        if total - position < _CENTRAL_SIZE or not starts_with(_CENTRAL, position):
            return None
        name_len, extra_len, comment_len = lengths(directory, position + 28)
        name_start = position + _CENTRAL_SIZE
        name_end = name_start + name_len
        if directory[position + 9] & _UTF8_FLAG_HIGH:
            # zipfile decodes such a name strictly, and fails the archive on a bad one
            try:
                directory[name_start:name_end].decode("utf-8")
            except UnicodeDecodeError:
                return None
        if ends_with(_SUFFIX, name_start, name_end):
            name = directory[name_start:name_end]
            if b"\0" in name:
                return None  # zipfile would see only what comes before the NUL
            if name.count(b"/") == 1:
                found.append((position, name))
        position = name_end + extra_len + comment_len
    if position != total:
        return None
    wanted = [
        (at, name)
        for at, name in found
        if project is None or _owner(name, directory[at + 9] & _UTF8_FLAG_HIGH) == project
    ]
    if len(wanted) != 1:
        return None
    return _member(source, directory, *wanted[0], limit)


def _owner(name: bytes, utf8: int) -> str:
    """The project a ``<name>-<version>.dist-info/METADATA`` member belongs to, its name decoded
    as zipfile decodes it (UTF-8 when flagged, else cp437)."""
    directory = name.decode("utf-8" if utf8 else "cp437").split("/", 1)[0]
    return canonicalize_name(directory[: -len(".dist-info")].rpartition("-")[0])


def _member(
    source: _Seekable | IO[bytes], directory: bytes, at: int, name: bytes, limit: int
) -> bytes | None:
    flags, method, crc, packed_size, file_size = _MEMBER.unpack_from(directory, at + 8)
    offset = int.from_bytes(directory[at + 42 : at + 46], "little")
    if flags & _UNSUPPORTED_FLAGS or method not in (_STORED, _DEFLATED) or file_size > limit:
        return None
    if 0xFFFFFFFF in (packed_size, file_size, offset):
        return None
    header = _read_at(source, offset, _LOCAL_SIZE)
    if len(header) != _LOCAL_SIZE or not header.startswith(_LOCAL):
        return None
    local_name_len, local_extra_len = struct.unpack_from("<HH", header, 26)
    rest = _read_at(source, offset + _LOCAL_SIZE, local_name_len + local_extra_len + packed_size)
    if rest[:local_name_len] != name or len(rest) != local_name_len + local_extra_len + (
        packed_size
    ):
        return None
    packed = rest[local_name_len + local_extra_len :]
    if method == _STORED:
        data = packed
    else:
        try:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(packed, file_size + 1)
            if len(data) <= file_size:
                data += inflater.flush()
        except zlib.error:
            return None
    if len(data) != file_size or zlib.crc32(data) != crc:
        return None
    return data
