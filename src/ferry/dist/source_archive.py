"""Unpacking a source distribution without trusting it.

An sdist is an archive someone else made. Every member must stay inside the folder it is unpacked
into (no ``../``, no absolute names, no link whose target leaves it, no device files), and the
archive must hold exactly one top folder, named like the file (``foo-1.0.tar.gz`` holds
``foo-1.0/``): a mismatch means the file is not what its name says. Nothing is written for a
refused archive beyond the scratch folder the caller removes. The check is done twice: on the
names, and on the real path of every file before it is written, so a link planted earlier in the
archive cannot redirect a later member.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ferry.fs.paths import safe_parts
from ferry.model.dist import parse_filename
from ferry.model.errors import BuildError, InvalidWheelError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger

__all__ = ["SDIST_SUFFIXES", "is_sdist_archive", "unpack_sdist"]

logger = get_logger(__name__)

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


def is_sdist_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(SDIST_SUFFIXES)


@immutable
class _Member:
    """One archive entry, in the terms extraction needs."""

    name: str
    kind: str  # "file", "dir", "symlink"
    executable: bool = False
    link_target: str = ""


_Opener = Callable[["_Member"], IO[bytes]]


def unpack_sdist(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` into the empty directory ``dest``; return its project folder.

    Raises :class:`BuildError` naming the archive and the offending member.
    """
    label = archive.name
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                top = _extract(label, _zip_members(zf), lambda m: zf.open(m.name), dest)
        else:
            with tarfile.open(archive, "r:*") as tf:
                by_name: dict[str, tarfile.TarInfo] = {}

                def opener(member: _Member) -> IO[bytes]:
                    stream = tf.extractfile(by_name[member.name])
                    assert stream is not None
                    return stream

                members = list(_tar_members(label, tf, by_name))
                top = _extract(label, iter(members), opener, dest)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        if isinstance(error, OSError) and not isinstance(error, EOFError) and error.filename:
            raise BuildError(f"Failed to unpack `{label}`: {error}") from error
        raise BuildError(
            f"Failed to unpack `{label}`: it is not a readable archive ({error})"
        ) from error
    _check_top_folder(label, top)
    return dest / top


def _tar_members(
    label: str, tf: tarfile.TarFile, by_name: dict[str, tarfile.TarInfo]
) -> Iterator[_Member]:
    for info in tf:
        if info.isdir():
            yield _Member(info.name, "dir")
        elif info.isfile():
            by_name[info.name] = info
            yield _Member(info.name, "file", executable=bool(info.mode & 0o111))
        elif info.issym():
            yield _Member(info.name, "symlink", link_target=info.linkname)
        elif info.islnk():
            # A hard link names another member; it becomes a copy of that member's content.
            try:
                target = tf.getmember(info.linkname)
            except KeyError:
                target = None
            if target is None or not target.isfile():
                raise BuildError(
                    f"Refusing to unpack `{label}`: the hard link `{info.name}` points at "
                    f"`{info.linkname}`, which is not a file of the archive"
                )
            by_name[info.name] = target
            yield _Member(info.name, "file", executable=bool(target.mode & 0o111))
        elif info.type in (tarfile.XHDTYPE, tarfile.XGLTYPE):
            continue
        else:
            raise BuildError(
                f"Refusing to unpack `{label}`: the member `{info.name}` is a device, FIFO or "
                "other special file"
            )


def _zip_members(zf: zipfile.ZipFile) -> Iterator[_Member]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        if info.is_dir():
            yield _Member(info.filename, "dir")
        elif stat.S_ISLNK(mode):
            yield _Member(info.filename, "symlink", link_target=zf.read(info).decode("utf-8"))
        else:
            yield _Member(info.filename, "file", executable=bool(mode & 0o111))


def _extract(
    label: str,
    members: Iterator[_Member],
    opener: _Opener,
    dest: Path,
) -> str:
    root = Path(os.path.realpath(dest))
    tops: set[str] = set()
    for member in members:
        if member.kind == "dir" and member.name.strip("/") in ("", "."):
            continue  # the archive's own root ("./"), which some tar tools record
        parts = _parts(label, member.name)
        tops.add(parts[0])
        if len(tops) > 1:
            raise BuildError(
                f"Refusing to unpack `{label}`: it has more than one top-level entry "
                f"({', '.join(sorted(tops))}); an sdist holds exactly one folder",
            )
        if len(parts) == 1 and member.kind != "dir":
            raise BuildError(
                f"Refusing to unpack `{label}`: `{member.name}` is not inside a top folder"
            )
        target = root.joinpath(*parts)
        _check_inside(label, member.name, root, target.parent)
        if member.kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
            _check_inside(label, member.name, root, target)
        elif member.kind == "symlink":
            _check_link(label, member, root, target)
            target.parent.mkdir(parents=True, exist_ok=True)
            _check_inside(label, member.name, root, target.parent)
            if target.is_symlink() or target.exists():
                _remove(target)
            target.symlink_to(member.link_target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            _check_inside(label, member.name, root, target.parent)
            if target.is_symlink():
                target.unlink()
            with opener(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            target.chmod(0o755 if member.executable else 0o644)
    if not tops:
        raise BuildError(f"Refusing to unpack `{label}`: the archive is empty")
    return tops.pop()


def _parts(label: str, name: str) -> list[str]:
    try:
        return safe_parts(name)
    except InvalidWheelError as error:
        raise BuildError(
            f"Refusing to unpack `{label}`: the member `{name}` would be written outside its "
            f"folder ({error.message})",
            hint="the source distribution is broken or hostile; nothing was installed",
        ) from error


def _check_inside(label: str, name: str, root: Path, path: Path) -> None:
    real = os.path.realpath(path)
    if os.path.commonpath([str(root), real]) != str(root):
        raise BuildError(
            f"Refusing to unpack `{label}`: the member `{name}` would be written outside its "
            "folder (through a link)",
            hint="the source distribution is broken or hostile; nothing was installed",
        )


def _check_link(label: str, member: _Member, root: Path, target: Path) -> None:
    link = member.link_target
    if not link or link.startswith("/") or "\\" in link:
        raise BuildError(
            f"Refusing to unpack `{label}`: the link `{member.name}` points at `{link}`, "
            "outside its folder"
        )
    resolved = os.path.realpath(target.parent / link)
    if os.path.commonpath([str(root), resolved]) != str(root):
        raise BuildError(
            f"Refusing to unpack `{label}`: the link `{member.name}` points at `{link}`, "
            "outside its folder",
            hint="the source distribution is broken or hostile; nothing was installed",
        )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _normal(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _check_top_folder(label: str, top: str) -> None:
    """The top folder must be ``<name>-<version>`` of the archive's filename (leniently)."""
    parsed = parse_filename(label)
    if parsed is None:
        logger.debug("%s does not have an sdist filename; its top folder is not checked", label)
        return
    stem = label
    for suffix in SDIST_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    if _normal(top) == _normal(stem):
        return
    folder = parse_filename(top + ".tar.gz")
    if folder is not None and (folder.name, folder.version) == (parsed.name, parsed.version):
        return
    raise BuildError(
        f"The source distribution `{label}` holds the folder `{top}/`, which does not match "
        f"its filename (expected `{stem}/`)",
        hint="the file may have been renamed or is not the package it claims to be",
    )
