"""A small ZIP writer that does exactly what it is told.

``zipfile`` sanitises names (it cuts at NUL, refuses empty names, keeps one header per member), so
it cannot produce the hostile archives of RELIABILITY.md section B: NUL or backslash names,
duplicate members, a local header that disagrees with the central directory, bytes after the end
record. Writing the three record types by hand is short, and it also makes the output
byte-for-byte deterministic (fixed timestamps, no extra fields).
"""

from __future__ import annotations

import stat
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ZIP_DATE_TIME", "ZipMember", "stream_member", "write_zip"]

# 2000-01-01 00:00:00: after the DOS epoch (1980), so every reader accepts it.
ZIP_DATE_TIME = (2000, 1, 1, 0, 0, 0)
_DOS_DATE = ((ZIP_DATE_TIME[0] - 1980) << 9) | (ZIP_DATE_TIME[1] << 5) | ZIP_DATE_TIME[2]
_DOS_TIME = (ZIP_DATE_TIME[3] << 11) | (ZIP_DATE_TIME[4] << 5) | (ZIP_DATE_TIME[5] // 2)
_UTF8_FLAG = 0x800
_STORED, _DEFLATED = 0, 8
_VERSION = 20
_MADE_BY_UNIX = (3 << 8) | _VERSION

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True, slots=True)
class ZipMember:
    """One entry as it will be written.

    ``name`` is used verbatim (str is UTF-8 encoded, bytes are written as they are).
    ``mode`` is the unix mode stored in ``external_attr``; ``stat.S_IFLNK | 0o777`` with the
    link target as ``data`` makes a symlink member. ``local_name`` puts a different name in the
    local header than in the central directory (a ZIP differential). ``chunks`` replaces ``data``
    with a factory of a lazily produced body, for members too large to hold in memory (zip
    bombs); a factory rather than an iterator so that the member can be written twice.
    """

    name: str | bytes
    data: bytes = b""
    mode: int = stat.S_IFREG | 0o644
    compress: bool = True
    local_name: str | bytes | None = None
    chunks: Callable[[], Iterable[bytes]] | None = None


def stream_member(name: str, size: int, *, byte: bytes = b"\0") -> ZipMember:
    """A member of ``size`` identical bytes, compressed while written (a cheap zip bomb)."""
    chunk = 1 << 20

    def produce() -> Iterator[bytes]:
        left = size
        while left > 0:
            n = min(chunk, left)
            yield byte * n
            left -= n

    return ZipMember(name, chunks=produce)


def _encode(name: str | bytes) -> tuple[bytes, int]:
    if isinstance(name, bytes):
        return name, 0
    raw = name.encode("utf-8")
    return raw, (_UTF8_FLAG if not name.isascii() else 0)


def _body(member: ZipMember) -> tuple[bytes, int, int, int]:
    """Compressed bytes, compression method, CRC-32 and uncompressed size."""
    chunks: Iterable[bytes] = member.chunks() if member.chunks is not None else (member.data,)
    crc, size, out = 0, 0, bytearray()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15) if member.compress else None
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out += comp.compress(chunk) if comp else chunk
    if comp:
        out += comp.flush()
    return bytes(out), (_DEFLATED if comp else _STORED), crc, size


def write_zip(path: Path, members: Sequence[ZipMember], *, trailing: bytes = b"") -> Path:
    """Write ``members`` in the given order; ``trailing`` bytes go after the end record."""
    blob = bytearray()
    central = bytearray()
    for member in members:
        name, flags = _encode(member.name)
        local_name, local_flags = _encode(
            member.local_name if member.local_name is not None else member.name
        )
        data, method, crc, size = _body(member)
        offset = len(blob)
        blob += _LOCAL.pack(
            0x04034B50, _VERSION, local_flags, method, _DOS_TIME, _DOS_DATE,
            crc, len(data), size, len(local_name), 0,
        )
        blob += local_name + data
        central += _CENTRAL.pack(
            0x02014B50, _MADE_BY_UNIX, _VERSION, flags, method, _DOS_TIME, _DOS_DATE,
            crc, len(data), size, len(name), 0, 0, 0, 0, (member.mode & 0xFFFF) << 16, offset,
        )
        central += name
    cd_offset = len(blob)
    blob += central
    blob += _END.pack(0x06054B50, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    blob += trailing
    path.write_bytes(bytes(blob))
    return path
