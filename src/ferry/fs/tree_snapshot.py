"""A directory tree described once and made again: files linked from where they came from.

A fresh environment synced from a warm cache is the same tree every time: the files of the
unpacked wheels, linked from the cache, and a few dozen small files written for this
environment (``pyvenv.cfg``, activation scripts, launchers, ``RECORD``). :func:`capture`
describes such a tree right after ferry made it — each file as "link this cached file" (same
inode), "copy this cached file" (same bytes and mode, when the cache is on another filesystem)
or "write these bytes" — and :func:`restore` makes it again with ``os`` calls alone, in a
temporary sibling renamed into place at the end, so that a failure or an interruption leaves
nothing half-made. The description is plain tuples, for ``marshal``.

Imports: ``os`` and ``stat`` only (this runs before anything heavy is loaded).
"""

from __future__ import annotations

# os.path on purpose: pathlib costs milliseconds to import where this runs.
# ruff: noqa: PTH101, PTH102, PTH104, PTH114, PTH115, PTH116, PTH118, PTH211, SIM105
import os
import stat

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

FORMAT = 1
_SITE = "site-packages" + os.sep

# (FORMAT, directories (path, mode), symlinks (path, target), hardlinks (path, source),
#  copies (path, source, mode), written files (path, mode, bytes)); paths relative to the root.
Snapshot = tuple[int, tuple[tuple[str, int], ...], tuple[tuple[str, str], ...],
                 tuple[tuple[str, str], ...], tuple[tuple[str, str, int], ...],
                 tuple[tuple[str, int, bytes], ...]]


class Unrestorable(Exception):
    """The tree cannot be made again from its description here (a source gone, the target
    taken): whoever asked makes it the long way."""


def capture(root: str, sources: Iterable[str], *, max_written: int) -> Snapshot | None:
    """``root`` described for :func:`restore`, with its files found in ``sources`` (the
    directories they were linked or copied from); ``None`` when it cannot be described: an
    entry that is neither a file, a directory nor a symlink, or more than ``max_written`` bytes
    found in no source."""
    inodes: dict[tuple[int, int], str] = {}
    relative: dict[str, list[str]] = {}
    for source in sources:
        for path, info in _files(source):
            inodes[(info.st_dev, info.st_ino)] = path
            relative.setdefault(path[len(source) + 1:], []).append(path)
    directories: list[tuple[str, int]] = []
    symlinks: list[tuple[str, str]] = []
    linked: list[tuple[str, str]] = []
    copied: list[tuple[str, str, int]] = []
    written: list[tuple[str, int, bytes]] = []
    budget = max_written
    for path, info in _entries(root):
        name = path[len(root) + 1:]
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            directories.append((name, mode))
        elif stat.S_ISLNK(info.st_mode):
            symlinks.append((name, os.readlink(path)))
        elif not stat.S_ISREG(info.st_mode):
            return None
        elif (info.st_dev, info.st_ino) in inodes:
            linked.append((name, inodes[(info.st_dev, info.st_ino)]))
        else:
            with open(path, "rb") as handle:
                data = handle.read()
            same = _same_file(name, data, mode, relative)
            if same is not None:
                copied.append((name, same, mode))
                continue
            budget -= len(data)
            if budget < 0:
                return None
            written.append((name, mode, data))
    return (FORMAT, tuple(directories), tuple(symlinks), tuple(linked), tuple(copied),
            tuple(written))


def _files(top: str) -> Iterator[tuple[str, os.stat_result]]:
    for path, info in _entries(top):
        if stat.S_ISREG(info.st_mode):
            yield path, info


def _entries(top: str) -> Iterator[tuple[str, os.stat_result]]:
    """Every entry below ``top``, a directory before what it holds (symlinks not followed)."""
    pending = [top]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            yield entry.path, info
            if stat.S_ISDIR(info.st_mode):
                pending.append(entry.path)


def _same_file(name: str, data: bytes, mode: int, relative: dict[str, list[str]]) -> str | None:
    """The source file ``name`` is a copy of (same path below site-packages, bytes and mode)."""
    _, found, below = name.partition(_SITE)
    if not found:
        return None
    for candidate in relative.get(below, ()):
        info = os.stat(candidate)
        if info.st_size == len(data) and stat.S_IMODE(info.st_mode) == mode:
            with open(candidate, "rb") as handle:
                if handle.read() == data:
                    return candidate
    return None


def sources(snapshot: object) -> list[str] | None:
    """The files a description links or copies from; ``None`` if it is no description this
    version can read (for the cache's prune, which removes descriptions whose sources are
    gone)."""
    if not (isinstance(snapshot, tuple) and len(snapshot) == 6 and snapshot[0] == FORMAT):
        return None
    try:
        return [entry[1] for entry in (*snapshot[3], *snapshot[4])]
    except (TypeError, IndexError):
        return None


def restore(snapshot: Snapshot, root: str) -> None:
    """Make the tree ``snapshot`` describes at ``root``, which must not exist: everything is
    made in a temporary sibling, renamed to ``root`` once complete. Raises
    :class:`Unrestorable` (nothing left behind) when a source cannot be linked or copied or
    ``root`` appeared meanwhile; an interruption also leaves nothing behind."""
    if snapshot[0] != FORMAT:
        raise Unrestorable("another format")
    _, directories, symlinks, linked, copied, written = snapshot
    parent, base = os.path.split(root)
    work = os.path.join(parent, f".{base}.replay-{os.getpid()}.tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.mkdir(work)
        join = os.path.join
        for name, mode in directories:
            os.mkdir(join(work, name), mode)
            if mode & umask:
                os.chmod(join(work, name), mode)
        for name, target in symlinks:
            os.symlink(target, join(work, name))
        link = os.link
        for name, source in linked:
            link(source, join(work, name))
        for name, source, mode in copied:
            _copy(source, join(work, name), mode)
        for name, mode, data in written:
            _write(join(work, name), data, mode)
        os.rename(work, root)
    except OSError as error:
        remove_tree(work)
        raise Unrestorable(str(error)) from error
    except BaseException:
        remove_tree(work)
        raise


def _write(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)  # the umask may have taken bits the original had
    finally:
        os.close(fd)


def _copy(source: str, path: str, mode: int) -> None:
    """A copy of ``source``, by the kernel where it can (``copy_file_range`` may share blocks)."""
    reader = os.open(source, os.O_RDONLY)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            copier = getattr(os, "copy_file_range", None)
            while True:
                if copier is not None:
                    try:
                        step = copier(reader, fd, 1 << 30)
                    except OSError:  # not between these files: read and write from here on
                        copier = None
                        continue
                else:
                    chunk = os.read(reader, 1 << 20)
                    step = len(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                if not step:
                    break
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    finally:
        os.close(reader)


def remove_tree(top: str) -> None:
    """``top`` and everything in it, as far as it can be removed (best effort)."""
    try:
        walked = list(os.walk(top, topdown=False))
    except OSError:
        return
    for folder, subfolders, files in walked:
        for name in files:
            _ignore(os.unlink, os.path.join(folder, name))
        for name in subfolders:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                _ignore(os.unlink, path)
            else:
                _ignore(os.rmdir, path)
    _ignore(os.rmdir, top)


def _ignore(action: Callable[[str], None], path: str) -> None:
    try:
        action(path)
    except OSError:
        pass
