"""RECORD files (PEP 376 / the wheel spec): reading, hashing, writing.

A wheel's own RECORD is a claim made by whoever built it; ferry checks it (B7) but never copies
it. The installed RECORD is always written fresh from the files actually placed, so uninstall
removes exactly what was installed (B8).
"""

from __future__ import annotations

import binascii
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from ferry.model.builtin_sha256 import sha256
from ferry.model.immutable import immutable

# The wheel spec forbids these for RECORD; a hash that weak proves nothing.
WEAK_ALGORITHMS = frozenset({"md5", "sha1"})
# hashlib.algorithms_guaranteed, spelled out so that checking a RECORD line does not load OpenSSL
GUARANTEED_ALGORITHMS = frozenset({
    "blake2b", "blake2s", "md5", "sha1", "sha224", "sha256", "sha384", "sha512",
    "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256",
})

_URLSAFE = bytes.maketrans(b"+/", b"-_")


@immutable
class RecordEntry:
    """One RECORD row. ``algorithm``/``digest`` are ``None`` when the hash column is empty."""

    path: str
    algorithm: str | None = None
    digest: str | None = None
    size: int | None = None

    def row(self) -> list[str]:
        hash_field = f"{self.algorithm}={self.digest}" if self.algorithm and self.digest else ""
        return [self.path, hash_field, "" if self.size is None else str(self.size)]


class RecordError(ValueError):
    """A RECORD that cannot be parsed; the message names the line."""


def parse_record(text: str) -> list[RecordEntry]:
    """The rows of a RECORD file; blank lines are skipped, malformed ones refused."""
    rows = _rows(text)
    entries: list[RecordEntry] = []
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # a stray carriage return, an unterminated quote…
            raise RecordError(f"line {number} of RECORD cannot be read: {exc}") from None
        if row and (len(row) > 1 or row[0].strip()):
            entries.append(_entry(row, number))
    return entries


def _rows(text: str) -> Iterator[list[str]]:
    """The CSV rows of ``text``, as ``csv.reader`` reads them.

    Without quotes, carriage returns or NULs, csv splits each line at every comma, which
    ``str.split`` does several times faster (a RECORD is read at every install).
    """
    if '"' in text or "\r" in text or "\0" in text:
        return _csv_rows(text)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # csv yields no row after the last line break
    return iter([line.split(",") if line else [] for line in lines])


def _csv_rows(text: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""))


def _entry(row: list[str], number: int) -> RecordEntry:
    if len(row) > 3 or not row[0]:
        raise RecordError(f"line {number} of RECORD is malformed: {row!r}")
    if "\0" in row[0]:
        raise RecordError(f"line {number} of RECORD names a path with a NUL character")
    path, hash_field, size_field = [*row, "", ""][:3]
    algorithm = digest = None
    if hash_field:
        algorithm, sep, digest = hash_field.partition("=")
        if not sep or not algorithm or not digest:
            raise RecordError(f"line {number} of RECORD has a malformed hash: {hash_field!r}")
        algorithm = algorithm.lower()
    size = None
    if size_field:
        try:
            size = int(size_field)
        except ValueError:
            raise RecordError(
                f"line {number} of RECORD has a malformed size: {size_field!r}"
            ) from None
    return RecordEntry(path, algorithm, digest, size)


def urlsafe_digest(raw: bytes) -> str:
    """The RECORD encoding of a digest: urlsafe base64 without padding.

    (``binascii`` rather than ``base64``: the latter's import costs ~1 ms of every install.)"""
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def hash_bytes(data: bytes, algorithm: str = "sha256") -> str:
    if algorithm == "sha256":
        return urlsafe_digest(sha256(data).digest())
    import hashlib  # here, not at the top: OpenSSL costs ~2.5 ms of every start-up

    return urlsafe_digest(hashlib.new(algorithm, data).digest())


def hash_file(path: Path, algorithm: str = "sha256") -> tuple[str, int]:
    """``(digest, size)`` of a file, in RECORD encoding."""
    import hashlib  # here, not at the top: OpenSSL costs ~2.5 ms of every start-up

    with open(path, "rb") as fp:
        digest = hashlib.file_digest(fp, algorithm)
        size = fp.tell()
    return urlsafe_digest(digest.digest()), size


def entry_for_file(record_path: str, path: Path) -> RecordEntry:
    digest, size = hash_file(path)
    return RecordEntry(record_path, "sha256", digest, size)


def entry_for_bytes(record_path: str, data: bytes) -> RecordEntry:
    return RecordEntry(record_path, "sha256", hash_bytes(data), len(data))


def render_record(entries: Iterable[RecordEntry], record_path: str) -> bytes:
    """The RECORD text: ``entries`` sorted by path, then RECORD itself with empty hash and size."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quotechar='"', lineterminator="\n")
    for entry in sorted(entries, key=lambda e: e.path):
        writer.writerow(entry.row())
    writer.writerow([record_path, "", ""])
    return out.getvalue().encode("utf-8")
