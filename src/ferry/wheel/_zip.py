"""ZIP-level checks: the archive must mean the same thing to every reader.

A ZIP file describes each member twice (local header and central directory) and can carry bytes
before the first header or after the end record. Readers disagree about which copy wins, so a
crafted wheel can show one content to a scanner and install another (uv PR #15136). ferry refuses
every such differential instead of picking a side, and bounds the unpacked size (zip bombs).
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Sequence
from typing import BinaryIO

from ferry.wheel._problem import ZipProblem

# Deflate cannot compress better than about 1032:1; anything claiming more is lying.
_MAX_DEFLATE_RATIO = 1100
# Small members may legitimately have odd ratios (headers dominate); only judge larger ones.
_RATIO_FLOOR = 1024 * 1024

_EOCD_SIG = b"PK\x05\x06"
_EOCD = struct.Struct("<4s4H2LH")
_LOCAL_SIG = b"PK\x03\x04"
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_DATA_DESCRIPTOR = 0x08
_UTF8 = 0x800
_ZIP64_MARKER = 0xFFFFFFFF


def raw_name(info: zipfile.ZipInfo) -> bytes:
    """The member name exactly as the central directory stores it."""
    encoding = "utf-8" if info.flag_bits & _UTF8 else "cp437"
    return info.orig_filename.encode(encoding, "surrogateescape")


def check_end_of_archive(fp: BinaryIO, size: int) -> None:
    """Refuse bytes after the end-of-central-directory record (and its comment)."""
    tail_len = min(size, 0xFFFF + _EOCD.size)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(_EOCD_SIG)
    if pos < 0 or pos + _EOCD.size > len(tail):
        raise ZipProblem("has no end-of-central-directory record")
    comment_len = _EOCD.unpack_from(tail, pos)[-1]
    end = pos + _EOCD.size + comment_len
    if end < len(tail):
        raise ZipProblem(f"has {len(tail) - end} unexpected bytes after its end record")
    if end > len(tail):
        raise ZipProblem("is truncated (the archive comment runs past the end of the file)")


def check_members(fp: BinaryIO, infos: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse prepended data, local/central disagreements and non-regular members."""
    if infos and min(info.header_offset for info in infos) != 0:
        raise ZipProblem("has unexpected bytes before the first member")
    for info in infos:
        _check_local_header(fp, info)
        _check_file_type(info)


def _check_local_header(fp: BinaryIO, info: zipfile.ZipInfo) -> None:
    name = info.orig_filename
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL.size)
    if len(header) != _LOCAL.size:
        raise ZipProblem("has a local header past the end of the file", name)
    sig, _v, _s, flags, method, _t, _d, crc, csize, usize, name_len, _extra = _LOCAL.unpack(header)
    if sig != _LOCAL_SIG:
        raise ZipProblem("has no local header where the central directory points", name)
    local_name = fp.read(name_len)
    if local_name != raw_name(info):
        shown = local_name.decode("utf-8", "backslashreplace")
        raise ZipProblem(
            f"has a different name in its local header (`{shown}`) than in the central directory",
            name,
        )
    if method != info.compress_type:
        raise ZipProblem("has a different compression method in its local header", name)
    if flags & _DATA_DESCRIPTOR:
        return  # sizes and CRC follow the data; zipfile checks the CRC while reading
    if crc != info.CRC:
        raise ZipProblem("has a different CRC in its local header", name)
    if _ZIP64_MARKER not in (csize, usize) and (csize, usize) != (
        info.compress_size,
        info.file_size,
    ):
        raise ZipProblem("has different sizes in its local header", name)


def _check_file_type(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if info.create_system != 3 or kind == 0:  # not made on unix, or no type recorded
        return
    if stat.S_ISLNK(mode):
        raise ZipProblem("is a symbolic link, which ferry never installs", info.orig_filename)
    if kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ZipProblem("is not a regular file or directory", info.orig_filename)


def check_sizes(infos: Sequence[zipfile.ZipInfo], limit: int) -> None:
    """Refuse archives whose declared unpacked size is above ``limit`` or implausibly compressed."""
    total = 0
    for info in infos:
        total += info.file_size
        if total > limit:
            raise ZipProblem(
                f"unpacks to more than the limit of {limit} bytes (a zip bomb?)", info.orig_filename
            )
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise ZipProblem("is stored uncompressed but declares two different sizes",
                             info.orig_filename)
        if (
            info.compress_type == zipfile.ZIP_DEFLATED
            and info.file_size > _RATIO_FLOOR
            and info.file_size > info.compress_size * _MAX_DEFLATE_RATIO
        ):
            raise ZipProblem(
                f"claims a compression ratio above {_MAX_DEFLATE_RATIO}:1 (a zip bomb?)",
                info.orig_filename,
            )
