"""A member's content decoded straight from a wheel held in memory, without ``zipfile.open``.

``zipfile`` reads a member through ``ZipExtFile``: it parses the local header again, inflates in
small steps and updates the CRC per step, in Python. For the thousands of small members of a
typical wheel that machinery costs more than the inflating itself. The archive was validated
before (``_zip.check_members``: every local header agrees with the central directory on name,
method, sizes and CRC), so here one slice and one ``zlib`` call per member suffice; the CRC and
the size are still checked on the result, as ``zipfile`` would.

Only stored and deflated members up to ``MAX_MEMBER`` bytes take this path; anything else
(another method, an encrypted member, a huge member that should be streamed) returns ``None`` and
the caller reads it through ``zipfile``.

Inflating is most of a cold install's CPU (the web workload: ~120 MiB from 62 wheels, ~330 ms
with zlib on the bench machine). ISA-L (the ``isal`` package, same API as ``zlib``) inflates the
same members in ~155 ms and computes CRC-32 five times faster, and like zlib it releases the GIL,
so it is used when it is installed (it is a dependency wherever it ships wheels); zlib otherwise.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from typing import Any

__all__ = ["MAX_MEMBER", "decoded_member", "inflate_backend"]

# Larger members are streamed through zipfile in chunks, so memory stays bounded.
MAX_MEMBER = 16 * 1024 * 1024

_LOCAL_SIZE = 30
_LOCAL_LENGTHS = struct.Struct("<HH")  # name length, extra length (offset 26 of the header)
_ENCRYPTED = 0x1

# (module, its error class), found on the first deflated member; one assignment of a whole
# tuple, so threads unpacking at once never see half of it (two may both look it up: harmless)
_backend: tuple[Any, type[Exception]] | None = None


def inflate_backend() -> tuple[Any, type[Exception]]:
    """``isal.isal_zlib`` when installed, else ``zlib``, with the error class it raises."""
    global _backend
    if _backend is not None:
        return _backend
    library: Any = zlib
    try:
        from isal import isal_zlib  # ~1 ms, paid only by a command that unpacks
    except ImportError:
        pass
    else:
        library = isal_zlib
    found = _backend = (library, library.error)
    return found


def decoded_member(archive: bytes | memoryview, info: zipfile.ZipInfo) -> bytes | None:
    """The content of ``info`` in ``archive`` (the whole ZIP file), or ``None`` when the fast
    path does not apply. Raises ``zipfile.BadZipFile`` when the data is corrupt."""
    method = info.compress_type
    if (
        method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or info.flag_bits & _ENCRYPTED
        or info.file_size > MAX_MEMBER
    ):
        return None
    offset = info.header_offset
    if offset + _LOCAL_SIZE > len(archive):
        raise zipfile.BadZipFile(f"Truncated local header for {info.orig_filename!r}")
    name_length, extra_length = _LOCAL_LENGTHS.unpack_from(archive, offset + 26)
    start = offset + _LOCAL_SIZE + name_length + extra_length
    raw = memoryview(archive)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"Truncated data for {info.orig_filename!r}")
    library, library_error = _backend or inflate_backend()
    if method == zipfile.ZIP_STORED:
        data = bytes(raw)
    else:
        inflater = library.decompressobj(-zlib.MAX_WBITS)
        try:
            # one byte more than declared: a stream that inflates past its size is caught below
            data = inflater.decompress(raw, info.file_size + 1)
        except library_error as exc:
            message = f"Bad deflate data for {info.orig_filename!r}: {exc}"
            raise zipfile.BadZipFile(message) from None
        if not inflater.eof:
            raise zipfile.BadZipFile(f"Deflate data of {info.orig_filename!r} does not end")
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(
            f"{info.orig_filename!r} holds {len(data)} bytes, not the {info.file_size} declared"
        )
    if library.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.orig_filename!r}")
    return data
