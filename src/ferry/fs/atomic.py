"""Writes that are either not done or fully done.

A reader (or the next run, after a crash or ``kill -9``) sees the old content or the new content,
never a truncated mix: data goes to a temporary sibling first, is flushed, and is then moved over
the target with ``os.replace``, which is atomic within one filesystem. Lockfiles, ``pyproject.toml``
edits and cache entries are all written this way (RELIABILITY F2, F7).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ferry.fs.errors import os_error


def temp_sibling(path: Path) -> Path:
    """A fresh, hidden name beside ``path``: same directory, so a rename onto ``path`` is atomic.

    ``os.urandom`` rather than ``secrets``: the same bytes, without the ~4 ms import of
    ``secrets`` and ``hmac`` that every command would pay."""
    return path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; missing parent directories are created.

    ``durable`` also fsyncs the file and its directory, so the new content survives a power loss,
    not only a crash of ferry. Cache entries, which can always be fetched again, skip it for speed.
    An existing file keeps its permission bits; a symlink is written through; a device or pipe
    (``-o /dev/null``) is written in place.
    """
    path = Path(path)
    if path.is_symlink():  # write where the link points (as uv does); the link stays a link
        path = Path(os.path.realpath(path))
    if _is_special(path):
        _write_in_place(path, data)
        return
    tmp = temp_sibling(path)
    with _temp_for(tmp, path):
        with _create(tmp) as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            tmp.chmod(stat.S_IMODE(path.stat().st_mode))
        tmp.replace(path)
    if durable:
        fsync_dir(path.parent)


def write_entry(path: Path, data: bytes) -> None:
    """Put a cache entry at ``path`` atomically, with as few system calls as that takes.

    A cold lock writes ~130 entries; :func:`atomic_write_bytes` spends five more calls on each
    (is it a symlink, a device, what mode does the old file have) that a path ferry made inside
    its own cache never needs, plus a Python file object per write. Here: create the temporary
    sibling (its directory on first need), write, close, rename. Not fsynced: a lost entry is a
    cache miss."""
    tmp = temp_sibling(path)
    with _temp_for(tmp, path):
        fd = _new_file(tmp)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        tmp.replace(path)


@contextlib.contextmanager
def _temp_for(tmp: Path, path: Path) -> Iterator[None]:
    """On any failure, ``tmp`` is removed; an OS error names ``path``, the file being written."""
    try:
        yield
    except OSError as error:
        _unlink_quietly(tmp)
        raise os_error("write", path, error) from error
    except BaseException:
        _unlink_quietly(tmp)
        raise


_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_BINARY", 0)


def atomic_write_text(
    path: Path, text: str, *, encoding: str = "utf-8", durable: bool = True
) -> None:
    """:func:`atomic_write_bytes` for text; newlines are written as given (no translation)."""
    atomic_write_bytes(path, text.encode(encoding), durable=durable)


def fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable. Best effort: not every platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def rename_dir_into_place(tmp: Path, final: Path) -> bool:
    """Move the finished directory ``tmp`` to ``final`` in one step.

    Returns ``False`` when ``final`` already exists because another process finished the same
    work first: ``tmp`` is then removed and the caller uses the winner's copy, which is complete
    by construction (it too arrived by rename). Both must be on one filesystem.
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise os_error("create directory", final.parent, error) from error
    if final.exists():
        remove_tree(tmp)
        return False
    try:
        tmp.rename(final)
    except OSError as error:
        # Linux says ENOTEMPTY, others EEXIST: someone renamed their copy in between our check
        # and our rename.
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY) or isinstance(error, FileExistsError):
            remove_tree(tmp)
            return False
        raise os_error(f"move `{tmp}` to", final, error) from error
    return True


def remove_tree(path: Path) -> None:
    """Remove a file or directory tree, also when it holds read-only entries; absent is fine."""

    def make_writable_and_retry(function: Any, name: str, _info: Any) -> None:
        entry = Path(name)
        with contextlib.suppress(OSError):
            parent_mode = entry.parent.lstat().st_mode
            entry.parent.chmod(stat.S_IMODE(parent_mode) | stat.S_IWUSR | stat.S_IXUSR)
            if not entry.is_symlink():
                entry.chmod(stat.S_IMODE(entry.lstat().st_mode) | stat.S_IWUSR)
        with contextlib.suppress(FileNotFoundError):
            function(name)

    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
            return
    except FileNotFoundError:
        return
    import shutil  # ~2.7 ms (bz2, lzma): only a removal pays for it

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=make_writable_and_retry)


def _is_special(path: Path) -> bool:
    """Does ``path`` (followed through links) name a device, a pipe or a socket?"""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_in_place(path: Path, data: bytes) -> None:
    """Write to a device or pipe (``-o /dev/null``): renaming a file over it would replace the
    device itself (as root, for every process on the machine), so it is opened and written."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise os_error("write", path, error) from error


def _create(path: Path) -> BinaryIO:
    """Open a new file for writing, creating its directory on first need."""
    return open(_new_file(path), "wb")


def _new_file(path: Path) -> int:
    """A descriptor of a new file at ``path`` (never an existing one), its directory created
    on first need."""
    try:
        return os.open(path, _NEW_FILE_FLAGS, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, _NEW_FILE_FLAGS, 0o666)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
