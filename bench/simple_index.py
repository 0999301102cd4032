"""A PEP 503 simple index over a directory of wheels, written the way the real mirror serves it.

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
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import quote

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

__all__ = ["MirrorFile", "describe_wheel", "scan_files", "write_simple_index"]

logger = logging.getLogger(__name__)

MANIFEST_NAME = ".manifest.json"


@dataclass(frozen=True, slots=True)
class MirrorFile:
    """One wheel in the mirror, with what its index entry says about it."""

    filename: str
    project: str  # canonical name
    version: str
    sha256: str
    size: int
    mtime_ns: int
    requires_python: str | None


def _requires_python(path: Path) -> str | None:
    """``Requires-Python`` from the wheel's METADATA (what the real index advertises)."""
    with zipfile.ZipFile(path) as zf:
        candidates = [
            n for n in zf.namelist()
            if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        ]
        if not candidates:
            return None
        headers = BytesHeaderParser().parsebytes(zf.read(candidates[0]))
    value = headers.get("Requires-Python")
    if value is None:
        return None
    return str(value).strip() or None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe_wheel(path: Path, known: Mapping[str, MirrorFile] | None = None) -> MirrorFile:
    """Describe one wheel, reusing ``known[filename]`` when its size and mtime still match."""
    name, version, _, _ = parse_wheel_filename(path.name)
    stat = path.stat()
    previous = (known or {}).get(path.name)
    if previous is not None and (previous.size, previous.mtime_ns) == (
        stat.st_size, stat.st_mtime_ns
    ):
        return previous
    return MirrorFile(
        filename=path.name,
        project=canonicalize_name(name),
        version=str(version),
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
    """Every wheel in ``files_dir``, sorted by name; the manifest is refreshed on the way.

    Anything that is not a valid wheel filename (partial downloads, sdists) is skipped with a
    warning: the mirror only offers what every tool can install without building.
    """
    manifest = files_dir / MANIFEST_NAME
    known = _load_manifest(manifest)
    found: list[MirrorFile] = []
    for path in sorted(files_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            found.append(describe_wheel(path, known))
        except (InvalidWheelFilename, zipfile.BadZipFile) as exc:
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
