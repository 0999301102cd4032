"""Downloaded files, stored by their sha256: ``files-v1/<sha[:2]>/<sha>/<filename>``.

The digest is computed while the bytes stream to disk, always, whichever command downloads: a
file fetched by ``pip install`` is found again by ``sync`` through its hash (seed 16786). Bytes land
in a temporary file first and reach their final name by one rename, only after the hashes and the
size have been checked, so a reader never sees a partial or unverified file and a failed download
leaves nothing behind (RELIABILITY C1, C5, D3, F1). Two processes storing the same file both
succeed: the content is identical, and the second rename replaces the first atomically (E2).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeGuard

from ferry._regex_cache import compile_pattern
from ferry.fs.errors import os_error
from ferry.fs.paths import safe_filename
from ferry.model.dist import Hashes
from ferry.model.errors import HashMismatchError, UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger

if TYPE_CHECKING:
    import hashlib

logger = get_logger(__name__)

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
_SHA256 = compile_pattern(r"[0-9a-f]{64}")


class SizeMismatchError(HashMismatchError):
    """The number of bytes received differs from the size the index declared."""


@immutable
class CachedFile:
    """A file the cache holds, verified when it was stored."""

    path: Path
    sha256: str
    size: int


def is_sha256(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def check_sha256(value: str) -> str:
    """``value`` as a lowercase hex sha256; it becomes a path, so anything else is refused."""
    digest = value.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise UserError(f"Invalid sha256 digest `{value}`", hint="expected 64 hexadecimal digits")
    return digest


def entry_dir(bucket: Path, sha256: str) -> Path:
    return bucket / sha256[:2] / sha256


def store_stream(
    bucket: Path,
    tmp_root: Path,
    filename: str,
    chunks: Iterable[bytes],
    expected: Hashes | None,
    expected_size: int | None,
) -> CachedFile:
    """Stream ``chunks`` into the cache under ``filename``; see the module docstring."""
    safe_filename(filename)
    hashers = _hashers(filename, expected)
    out, tmp = _new_temp(tmp_root, filename)
    try:  # from here on, every way out (^C included) removes ``tmp`` or renames it away
        # Errors of the chunk source (a reset connection, ^C) propagate as they are; only our
        # own I/O becomes a FilesystemError.
        size = _write_chunks(out, tmp, chunks, hashers, filename, expected_size)
        digests = {name: hasher.hexdigest() for name, hasher in hashers.items()}
        _check(filename, digests, size, expected, expected_size)
        sha256 = digests["sha256"]
        final = entry_dir(bucket, sha256) / filename
        try:
            if _is_intact(final, sha256, size):
                logger.debug("`%s` (sha256 %s) is already cached", filename, sha256)
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                tmp.replace(final)
                logger.debug("cached `%s` (sha256 %s, %d bytes)", filename, sha256, size)
        except OSError as error:
            raise os_error(f"store `{filename}` in the cache as", final, error) from error
    except BaseException:
        out.close()
        _discard(tmp)
        raise
    finally:
        _untrack(tmp)
    return CachedFile(final, sha256, size)


# Temporary files of downloads in progress. A download blocked on a stalled server never sees
# the ^C that ends the process (it runs on a worker thread the exit abandons), so its file is
# removed at interpreter shutdown instead — before the worker threads are waited for, which
# is when ``threading._register_atexit`` callbacks run (``atexit`` ones run after, too late).
_LIVE: set[Path] = set()
_LIVE_LOCK = threading.Lock()
_hooked = False


def _track(path: Path) -> None:
    global _hooked
    with _LIVE_LOCK:
        _LIVE.add(path)
        if _hooked:
            return
        _hooked = True
    register = getattr(threading, "_register_atexit", None)
    with contextlib.suppress(RuntimeError):  # raised if the interpreter is shutting down
        (register or atexit.register)(discard_partial_downloads)


def _untrack(path: Path) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(path)


def discard_partial_downloads() -> None:
    """Remove the temporary file of every download still in progress in this process; for an
    exit that abandons them (see above). Safe to call twice: a removed file is not tracked."""
    with _LIVE_LOCK:
        paths = sorted(_LIVE)
        _LIVE.clear()
    for path in paths:
        logger.debug("removing the partial download `%s`", path)
        _discard(path)


def find_stored(bucket: Path, sha256: str, filename: str | None) -> Path | None:
    """The stored file with this digest (and name, if given), or ``None``.

    An entry that cannot be right (not a regular file, or empty while the digest is not that of
    the empty string: pip #12361) is discarded so the caller downloads it again.
    """
    entry = entry_dir(bucket, sha256)
    if filename is not None:
        candidates = [entry / safe_filename(filename)]
    else:
        try:
            candidates = sorted(p for p in entry.iterdir() if not p.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            candidates = []
    for path in candidates:
        try:
            info = path.lstat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        if plausible(info, sha256):
            return path
        logger.debug("discarding damaged cache entry `%s` (empty or not a file)", path)
        _discard(path)
    logger.debug(
        "cache miss: no file with sha256 %s%s", sha256, f" named `{filename}`" * bool(filename)
    )
    return None


def _hashers(filename: str, expected: Hashes | None) -> dict[str, hashlib._Hash]:
    import hashlib  # here, not at the top: OpenSSL costs ~2.5 ms of every start-up

    hashers = {"sha256": hashlib.sha256()}
    for algorithm, _ in expected.items if expected else ():
        if algorithm not in hashers:
            try:
                hashers[algorithm] = hashlib.new(algorithm)
            except ValueError:
                raise UserError(
                    f"Unsupported hash algorithm `{algorithm}` for `{filename}`",
                    hint="use `sha256` hashes",
                )
    return hashers


def _new_temp(tmp_root: Path, filename: str) -> tuple[BinaryIO, Path]:
    try:
        tmp_root.mkdir(parents=True, exist_ok=True)
        import tempfile  # ~1 ms (random…): only a download pays for it

        fd, name = tempfile.mkstemp(dir=tmp_root, prefix="download-", suffix=f"-{filename[-40:]}")
        _track(Path(name))
        os.fchmod(fd, 0o644)  # readable by whoever shares the cache, like any downloaded file
    except OSError as error:
        raise os_error("create a temporary file in", tmp_root, error) from error
    return os.fdopen(fd, "wb"), Path(name)


def _write_chunks(
    out: BinaryIO,
    tmp: Path,
    chunks: Iterable[bytes],
    hashers: dict[str, hashlib._Hash],
    filename: str,
    expected_size: int | None,
) -> int:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if expected_size is not None and size > expected_size:
            raise SizeMismatchError(
                f"Size mismatch for `{filename}`: expected {expected_size} bytes, "
                f"but downloaded at least {size}"
            )
        for hasher in hashers.values():
            hasher.update(chunk)
        try:
            out.write(chunk)
        except OSError as error:
            raise os_error(f"write `{filename}` to", tmp, error) from error
    try:
        out.close()
    except OSError as error:
        raise os_error(f"write `{filename}` to", tmp, error) from error
    return size


def _check(
    filename: str,
    computed: dict[str, str],
    size: int,
    expected: Hashes | None,
    expected_size: int | None,
) -> None:
    if expected_size is not None and size != expected_size:
        raise SizeMismatchError(
            f"Size mismatch for `{filename}`: expected {expected_size} bytes, but downloaded {size}"
        )
    if not expected:
        return
    wanted: dict[str, set[str]] = {}
    for algorithm, value in expected.items:
        wanted.setdefault(algorithm, set()).add(value.lower())
    if all(computed[algorithm] in values for algorithm, values in wanted.items()):
        return
    expected_lines = "\n".join(f"  {a}:{v}" for a, values in wanted.items() for v in sorted(values))
    computed_lines = "\n".join(f"  {a}:{computed[a]}" for a in wanted)
    raise HashMismatchError(
        f"Hash mismatch for `{filename}`\n\nExpected:\n{expected_lines}\n\n"
        f"Computed:\n{computed_lines}"
    )


def plausible(info: os.stat_result, sha256: str) -> bool:
    """Whether a stored file with this ``lstat`` can hold content of ``sha256``, without hashing.

    It must be a regular file, and empty only under the empty string's digest (pip #12361).
    """
    return stat.S_ISREG(info.st_mode) and (info.st_size > 0 or sha256 == EMPTY_SHA256)


def _is_intact(path: Path, sha256: str, size: int) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    return info.st_size == size and plausible(info, sha256)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
