"""A remote file read through HTTP range requests, as a seekable binary file.

Why: to learn a wheel's dependencies ferry needs only its ``.dist-info/METADATA``, a few KiB at
the end of an archive that may weigh hundreds of MiB. Handing ``zipfile`` a file object that
fetches just the byte ranges it touches (the end-of-central-directory record and central
directory, usually inside the first tail read, then the one member) gets METADATA in one to three
small requests, on any index that answers ``Range`` with 206 — including ones that offer no
PEP 658 metadata files (DESIGN §7, §9).
"""

from __future__ import annotations

import bisect
import io
from typing import Any

from ferry.index.http import HttpClient, RangeBody

MIN_FETCH = 64 * 1024


class RangesUnsupported(Exception):
    """The server stopped honouring ranges, or the file changed between requests."""


class RangedFile(io.RawIOBase):
    """Read-only, seekable view of ``url``, seeded with an already fetched tail.

    Fetched spans are kept as sorted, non-overlapping segments; a read that is not covered
    fetches at least :data:`MIN_FETCH` bytes from where it starts. ``requests`` and
    ``bytes_fetched`` count the traffic, so callers can log (and tests can assert) how little was
    read.
    """

    def __init__(self, http: HttpClient, url: str, tail: RangeBody) -> None:
        super().__init__()
        if tail.total is None:
            raise RangesUnsupported("the server did not say how large the file is")
        self._http = http
        self._url = url
        self.size = tail.total
        self._starts: list[int] = []
        self._chunks: list[bytes] = []
        self._pos = 0
        self.requests = 1
        self.bytes_fetched = len(tail.content)
        self._insert(tail.start, tail.content)

    # io.RawIOBase protocol ---------------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if position < 0:
            raise OSError("negative seek position")
        self._pos = position
        return position

    def read(self, size: int = -1) -> bytes:
        start = self._pos
        end = self.size if size is None or size < 0 else min(self.size, start + size)
        if start >= end:
            return b""
        data = self._slice(start, end)
        self._pos = end
        return data

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    # segments -----------------------------------------------------------------------------------

    def _slice(self, start: int, end: int) -> bytes:
        found = self._covering(start, end)
        if found is None:
            self._fetch(start, end)
            found = self._covering(start, end)
            if found is None:
                raise RangesUnsupported("the server returned a different range than asked for")
        seg_start, chunk = found
        return chunk[start - seg_start : end - seg_start]

    def _covering(self, start: int, end: int) -> tuple[int, bytes] | None:
        index = bisect.bisect_right(self._starts, start) - 1
        if index < 0:
            return None
        seg_start, chunk = self._starts[index], self._chunks[index]
        if seg_start + len(chunk) >= end:
            return seg_start, chunk
        return None

    def _fetch(self, start: int, end: int) -> None:
        """Fetch at least ``[start, end)``, but not again what is held: the wanted span is cut
        at the held segments around it (a central directory that began before the tail is
        fetched up to the tail, not into it), and merged with them afterwards."""
        index = bisect.bisect_right(self._starts, start) - 1
        if index >= 0:
            start = max(start, self._starts[index] + len(self._chunks[index]))
        stop = min(self.size, max(end, start + MIN_FETCH))
        if index + 1 < len(self._starts):
            after = self._starts[index + 1]
            if after < stop and after + len(self._chunks[index + 1]) >= end:
                stop = after  # the held segment covers the rest
        length = stop - start
        body = self._http.get_range(self._url, start, length)
        if body is None:
            raise RangesUnsupported("the server stopped answering range requests")
        if body.total is not None and body.total != self.size:
            raise RangesUnsupported("the file changed size between two range requests")
        self.requests += 1
        self.bytes_fetched += len(body.content)
        self._insert(body.start, body.content)

    def _insert(self, start: int, data: bytes) -> None:
        """Add ``data`` at ``start``, merging with every segment it overlaps or touches."""
        end = start + len(data)
        merged_start, pieces = start, [(start, data)]
        keep_starts: list[int] = []
        keep_chunks: list[bytes] = []
        for seg_start, chunk in zip(self._starts, self._chunks, strict=True):
            seg_end = seg_start + len(chunk)
            if seg_end < start or seg_start > end:
                keep_starts.append(seg_start)
                keep_chunks.append(chunk)
            else:
                pieces.append((seg_start, chunk))
                merged_start = min(merged_start, seg_start)
        merged_end = max(s + len(c) for s, c in pieces)
        buffer = bytearray(merged_end - merged_start)
        for piece_start, chunk in sorted(pieces, key=lambda p: p[0]):
            offset = piece_start - merged_start
            buffer[offset : offset + len(chunk)] = chunk
        position = bisect.bisect_left(keep_starts, merged_start)
        keep_starts.insert(position, merged_start)
        keep_chunks.insert(position, bytes(buffer))
        self._starts, self._chunks = keep_starts, keep_chunks
