"""Unpack a validated wheel into a directory: what the cache keeps in ``archives-v1``.

The tree is the wheel's members as they are (``pkg/…``, ``<name>.dist-info/…``,
``<name>.data/<scheme>/…``), extracted once and then linked into many environments by
``install_unpacked``. Because those links may be hardlinks, the modes set here are the modes every
environment sees: executables keep their bit, and ``.data/scripts`` files are made executable now
so that installing never has to ``chmod`` a shared inode.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ferry.fs.spread import set_topdir
from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.model.log import get_logger
from ferry.model.pep440_version import Version
from ferry.wheel._members import decoded_member
from ferry.wheel._problem import DEFAULT_MAX_UNPACKED_SIZE
from ferry.wheel._write import CREATE, FCHMOD, write_all
from ferry.wheel.unpacked import is_pycache_member
from ferry.wheel.validate import open_validated
from ferry.wheel.wheel_info import WheelInfo, show_name

__all__ = ["unpack_wheel"]

logger = get_logger(__name__)

_CHUNK = 1024 * 1024


def _mode(info: zipfile.ZipInfo, data_scripts: str) -> int:
    unix_mode = (info.external_attr >> 16) if info.create_system == 3 else 0
    executable = bool(unix_mode & 0o111) or info.orig_filename.startswith(data_scripts)
    return 0o755 if executable else 0o644


def _umask() -> int | None:
    """The process umask, read without changing it (Linux: ``/proc/self/status``); else None.

    ``os.umask`` can only be read by setting it, which races with other threads creating files.
    """
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _needs_chmod(mode: int, umask: int | None) -> bool:
    """Whether a file created with ``mode`` lacks bits of it (the umask took some, or unknown)."""
    return umask is None or bool(mode & umask)


def _member_chunks(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: bytes | None
) -> Iterator[bytes]:
    """The member's content: at once from the in-memory archive when it can, else streamed."""
    if archive is not None:
        data = decoded_member(archive, info)
        if data is not None:
            yield data
            return
    with zf.open(info) as src:
        while chunk := src.read(_CHUNK):
            yield chunk


def _extract_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: str,
    budget: int,
    label: str,
    mode: int,
    umask: int | None,
    archive: bytes | None,
) -> tuple[int, str]:
    """Copy one member to ``target`` with ``mode``; returns its size and sha256 (hex), computed
    as it is written so the cache's manifest never reads the file back. Raises if ``budget`` is
    exceeded."""
    import hashlib  # here: OpenSSL costs ~2.5 ms of every start-up, and only a cold unpack hashes

    written = 0
    digest = hashlib.sha256()
    fd = os.open(target, CREATE, mode)
    try:
        for chunk in _member_chunks(zf, info, archive):
            written += len(chunk)
            if written > budget:
                raise InvalidWheelError(
                    f"Invalid wheel `{label}`: `{show_name(info.orig_filename)}` unpacks past "
                    "the size limit (a zip bomb?)"
                )
            digest.update(chunk)
            write_all(fd, chunk)
        if FCHMOD and _needs_chmod(mode, umask):
            os.fchmod(fd, mode)  # exactly this mode, whatever the umask
    finally:
        os.close(fd)
    if not FCHMOD:
        os.chmod(target, mode)  # noqa: PTH101
    return written, digest.hexdigest()


def _make_dirs(directory: str, made: set[str]) -> None:
    """Create ``directory`` (and missing parents) once: one ``mkdir``, no ``stat`` before it
    (``os.makedirs`` checks the parent first); ``made`` holds the directories known to exist."""
    if directory in made:
        return
    try:
        os.mkdir(directory)  # noqa: PTH102
    except FileNotFoundError:  # a parent is missing: members need not list their directories
        os.makedirs(directory, exist_ok=True)  # noqa: PTH103
        parent = os.path.dirname(directory)  # noqa: PTH120
        while parent not in made and parent != os.path.dirname(parent):  # noqa: PTH120
            made.add(parent)
            parent = os.path.dirname(parent)  # noqa: PTH120
    except FileExistsError:
        if not os.path.isdir(directory):  # noqa: PTH112
            raise
    made.add(directory)


def _parent_dirs(names: list[str]) -> list[str]:
    """The directories of a tree (relative, ``/``-separated; ``""`` is its root) that will hold
    subdirectories, each before its own: what ``spread`` marks, before anything goes in them."""
    dirs: set[str] = set()
    for name in names:
        parts = name.rstrip("/").split("/")
        for end in range(1, len(parts) if not name.endswith("/") else len(parts) + 1):
            dirs.add("/".join(parts[:end]))
    return sorted({directory.rpartition("/")[0] for directory in dirs})  # a prefix sorts first


def _spread_tree(
    dest: Path, names: list[str], made: set[str], tops: set[str], created: list[Path]
) -> None:
    """Make and mark (``FS_TOPDIR_FL``) the directories of ``names`` that hold subdirectories,
    root first; top-level ones go to ``tops``, and to ``created`` unless they were there."""
    root = os.fspath(dest)
    prefix = root + os.sep
    for relative in _parent_dirs([name for name in names if not is_pycache_member(name)]):
        if relative and "/" not in relative and relative not in tops:
            tops.add(relative)
            if not os.path.lexists(prefix + relative):
                created.append(dest / relative)
        directory = prefix + relative.replace("/", os.sep) if relative else root
        _make_dirs(directory, made)
        set_topdir(directory)


def _cleanup(dest: Path, existed: bool, created: list[Path]) -> None:
    if not existed:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for path in reversed(created):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def unpack_wheel(
    path: Path,
    dest: Path,
    *,
    expected_name: str | None = None,
    expected_version: str | Version | None = None,
    max_size: int = DEFAULT_MAX_UNPACKED_SIZE,
    digests: dict[str, tuple[int, str]] | None = None,
    spread: bool = False,
) -> WheelInfo:
    """Validate ``path`` and extract it into ``dest`` (new or empty); clean up on any failure.

    ``digests``, when given, receives ``member -> (size, sha256 hex)`` for every file written:
    what the cache's manifest records, computed while extracting. With ``spread``, every
    directory of the tree that holds subdirectories is made first and marked
    ``FS_TOPDIR_FL`` (``fs/spread.py``), so ext4 spreads the tree's directories, and their
    files, over block groups instead of piling a whole wheel into one: inodes freed by a
    removed cache cost each new inode of their group a scan, and that cost grows with the
    square of how many share a group (web workload, the cache removed before each run: a
    file creation ~35% cheaper, system time 1.5 -> 1.2 s). The cache's trees only: the marks
    stay on them, and mean nothing to anything but the allocator.
    """
    existed = dest.exists()
    if existed and (not dest.is_dir() or any(dest.iterdir())):
        raise FilesystemError(
            f"Cannot unpack `{path.name}` into `{dest}`: it is not an empty directory"
        )
    created: list[Path] = []  # top-level entries of dest this call made, for cleanup
    with open_validated(
        path, expected_name, expected_version, max_size=max_size, in_memory=True
    ) as (info, zf):
        data_scripts = f"{info.data_dir}/scripts/"
        root = os.fspath(dest)
        prefix, native = root + os.sep, os.sep != "/"
        made = {root}  # directories that exist now: one mkdir per directory, not per member
        tops: set[str] = set()
        umask = _umask()  # per wheel: it can change while ferry runs (tests do)
        # the whole wheel when open_validated read it into memory: members decode from it
        archive = zf.fp.getvalue() if isinstance(zf.fp, io.BytesIO) else None
        try:
            dest.mkdir(parents=True, exist_ok=True)
            if spread:
                _spread_tree(dest, [m.orig_filename for m in zf.infolist()], made, tops, created)
            budget = max_size
            for member in zf.infolist():
                name = member.orig_filename
                if is_pycache_member(name):
                    logger.warning(
                        "Skipping `%s` from `%s`: bytecode in a wheel is not installed",
                        name,
                        info.filename,
                    )
                    continue
                parts = name.rstrip("/").split("/")
                if parts[0] not in tops:  # one check per top-level name, not per member
                    tops.add(parts[0])
                    top = dest / parts[0]
                    if not top.exists():
                        created.append(top)
                # plain string joins: names were validated (no `..`, no empty parts, no `\\`)
                relative = "/".join(parts)
                target = prefix + (relative.replace("/", os.sep) if native else relative)
                if name.endswith("/"):
                    _make_dirs(target, made)
                    continue
                _make_dirs(target.rpartition(os.sep)[0], made)
                try:
                    size, sha256 = _extract_member(
                        zf,
                        member,
                        target,
                        budget,
                        info.filename,
                        _mode(member, data_scripts),
                        umask,
                        archive,
                    )
                except FileExistsError:
                    raise InvalidWheelError(
                        f"Invalid wheel `{info.filename}`: `{show_name(name)}` collides with "
                        "another member on this filesystem (names differing only in case?)"
                    ) from None
                except (zipfile.BadZipFile, EOFError, ValueError) as exc:
                    raise InvalidWheelError(
                        f"Invalid wheel `{info.filename}`: `{show_name(name)}` is corrupt ({exc})"
                    ) from exc
                budget -= size
                if digests is not None:
                    digests[relative] = (size, sha256)
        except OSError as exc:
            _cleanup(dest, existed, created)
            raise FilesystemError(
                f"Failed to unpack `{info.filename}` into `{dest}`: {exc.strerror or exc}"
            ) from exc
        except BaseException:
            _cleanup(dest, existed, created)
            raise
    logger.debug("Unpacked `%s` into `%s`", info.filename, dest)
    return info


