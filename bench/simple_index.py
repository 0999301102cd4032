"""A PEP 503 simple index over a directory of distributions, written as the real mirror serves it.

The index machines reach serves HTML project pages only, with ``#sha256=`` fragments and
``data-requires-python``, and no PEP 658 metadata: the loopback mirror does the same, so every
tool does the work it would do against the real index (read METADATA with range requests or
whole downloads), only without the network's noise.

Hashing a few hundred megabytes of wheels on every run would cost more than some of the
scenarios measured, so the hashes are remembered in a manifest keyed by name, size and mtime.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import quote

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

__all__ = ["MirrorFile", "describe_file", "scan_files", "write_simple_index"]

logger = logging.getLogger(__name__)

MANIFEST_NAME = ".manifest.json"


@dataclass(frozen=True, slots=True)
class MirrorFile:
    """One wheel or sdist in the mirror, with what its index entry says about it."""

    filename: str
    project: str  # canonical name
    version: str
    sha256: str
    size: int
    mtime_ns: int
    requires_python: str | None


def _core_metadata(path: Path) -> bytes | None:
    """A wheel's ``*.dist-info/METADATA`` or an sdist's ``<dir>/PKG-INFO``."""
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as tf:
            for member in tf.getmembers():
                if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                    handle = tf.extractfile(member)
                    return handle.read() if handle else None
        return None
    suffix = ".dist-info/METADATA" if path.name.endswith(".whl") else "/PKG-INFO"
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(suffix)]
        return zf.read(names[0]) if names else None


def _requires_python(path: Path) -> str | None:
    """``Requires-Python`` from the archive's core metadata (what the real index advertises)."""
    metadata = _core_metadata(path)
    if metadata is None:
        return None
    value = BytesHeaderParser().parsebytes(metadata).get("Requires-Python")
    if value is None:
        return None
    return str(value).strip() or None


def _name_and_version(filename: str) -> tuple[str, str]:
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return canonicalize_name(name), str(version)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe_file(path: Path, known: Mapping[str, MirrorFile] | None = None) -> MirrorFile:
    """Describe one wheel or sdist, reusing ``known[filename]`` when its size and mtime
    still match."""
    name, version = _name_and_version(path.name)
    stat = path.stat()
    previous = (known or {}).get(path.name)
    if previous is not None and (previous.size, previous.mtime_ns) == (
        stat.st_size, stat.st_mtime_ns
    ):
        return previous
    return MirrorFile(
        filename=path.name,
        project=name,
        version=version,
        sha256=_sha256(path),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        requires_python=_requires_python(path),
    )


def _load_manifest(path: Path) -> dict[str, MirrorFile]:
    try:
        raw = json.loads(path.read_text())
        return {item["filename"]: MirrorFile(**item) for item in raw}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def scan_files(files_dir: Path) -> list[MirrorFile]:
    """Every wheel and sdist in ``files_dir``, sorted by name; the manifest is refreshed.

    Anything else (partial downloads, archives that cannot be read) is skipped with a warning.
    """
    manifest = files_dir / MANIFEST_NAME
    known = _load_manifest(manifest)
    found: list[MirrorFile] = []
    for path in sorted(files_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            found.append(describe_file(path, known))
        except (InvalidWheelFilename, InvalidSdistFilename, zipfile.BadZipFile,
                tarfile.TarError, OSError) as exc:
            logger.warning("mirror: skipping %s: %s", path.name, exc)
    if {f.filename: f for f in found} != known:
        tmp = manifest.with_name(f"{MANIFEST_NAME}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([asdict(f) for f in found], indent=1))
        os.replace(tmp, manifest)
    return found


def _page(title: str, body: Iterable[str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        '    <meta name="pypi:repository-version" content="1.0">',
        f"    <title>{html.escape(title)}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>{html.escape(title)}</h1>",
        *body,
        "  </body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode()


def _anchor(entry: MirrorFile) -> str:
    href = html.escape(f"../../files/{quote(entry.filename)}#sha256={entry.sha256}")
    attrs = f'href="{href}"'
    if entry.requires_python:
        attrs += f' data-requires-python="{html.escape(entry.requires_python)}"'
    return f"    <a {attrs}>{html.escape(entry.filename)}</a><br>"


def _replace_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def write_simple_index(files: Sequence[MirrorFile], simple_dir: Path) -> int:
    """Write ``simple_dir/index.html`` and one ``<project>/index.html`` per project.

    File links are relative (``../../files/…``), so the tree can be served from any address.
    Only pages whose bytes change are rewritten, each atomically, and projects that are gone
    are removed: a mirror being served by another run never answers a half-written or missing
    page. Returns how many pages were written.
    """
    by_project: dict[str, list[MirrorFile]] = {}
    for entry in files:
        by_project.setdefault(entry.project, []).append(entry)
    root_links = [
        f'    <a href="{quote(p)}/">{html.escape(p)}</a><br>' for p in sorted(by_project)
    ]
    pages = {simple_dir / "index.html": _page("Simple index", root_links)}
    for project, entries in by_project.items():
        links = [_anchor(e) for e in sorted(entries, key=lambda e: e.filename)]
        pages[simple_dir / project / "index.html"] = _page(f"Links for {project}", links)
    written = sum(_replace_if_changed(path, data) for path, data in pages.items())
    for child in simple_dir.iterdir():
        if child.is_dir() and child.name not in by_project:
            shutil.rmtree(child)
    return written
