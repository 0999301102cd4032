"""``LocalIndex``: a package index on disk, as PEP 503 HTML, PEP 691 JSON and PEP 658 metadata.

The same tree serves two kinds of test: ``file_url`` points an installer at it directly, and
``IndexServer`` (re-exported here) puts it behind loopback HTTP with fault injection. ``add()``
rewrites the pages at once (atomically), so a test never has to remember a ``build()`` step
and a running server never serves a half-written page. Per-file knobs let the index lie on
purpose (wrong ``#sha256=`` fragment, wrong size, no hash) for the integrity tests of
RELIABILITY.md section C.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from tests.support.sdists import make_sdist
from tests.support.server import IndexServer
from tests.support.wheels import make_wheel

__all__ = ["IndexFile", "IndexServer", "LocalIndex"]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One file as the index advertises it (which may differ from the truth on purpose)."""

    filename: str
    project: str
    version: str
    sha256: str
    size: int
    requires_python: str | None = None
    yanked: bool | str = False
    upload_time: str | None = None
    metadata: bytes | None = None
    fragment: str | None = None  # None: "sha256=<real hash>"; "": no fragment at all
    advertised_size: int | None = None

    @property
    def hashes(self) -> dict[str, str]:
        """The hashes the index claims, parsed from the fragment like a client would."""
        fragment = f"sha256={self.sha256}" if self.fragment is None else self.fragment
        name, sep, value = fragment.partition("=")
        return {name: value} if sep else {}

    @property
    def metadata_sha256(self) -> str | None:
        return hashlib.sha256(self.metadata).hexdigest() if self.metadata is not None else None


def _parse_filename(filename: str) -> tuple[str, str]:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
        return canonicalize_name(name), str(version)
    except (InvalidWheelFilename, InvalidSdistFilename):
        stem = filename.removesuffix(".whl").removesuffix(".tar.gz").removesuffix(".zip")
        raw_name, _, rest = stem.partition("-")
        return canonicalize_name(raw_name), rest.split("-", 1)[0]


def _read_metadata(path: Path) -> bytes | None:
    """METADATA of a wheel or PKG-INFO of an sdist; None for archives too broken to read."""
    try:
        if path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.count("/") == 1]
                found = [n for n in names if n.endswith(".dist-info/METADATA")]
                return zf.read(found[0]) if found else None
        if path.name.endswith(".tar.gz"):
            with tarfile.open(path) as tf:
                for member in tf.getmembers():
                    if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                        handle = tf.extractfile(member)
                        return handle.read() if handle else None
    except (zipfile.BadZipFile, tarfile.TarError, OSError, KeyError):
        return None
    return None


def _header(metadata: bytes | None, key: str) -> str | None:
    if metadata is None:
        return None
    for line in metadata.decode("utf-8", "replace").splitlines():
        if not line.strip():
            break
        k, _, v = line.partition(":")
        if k.strip().lower() == key.lower():
            return v.strip()
    return None


def _iso(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class LocalIndex:
    """A PEP 503 tree under ``root``: ``simple/``, ``files/``; optionally JSON and metadata.

    ``json_pages`` writes ``index.json`` next to every ``index.html`` (PEP 691, served by
    ``IndexServer`` on request); ``core_metadata`` writes ``files/<file>.metadata`` and
    advertises it with ``data-core-metadata`` (PEP 658/714).
    """

    def __init__(
        self, root: Path | str, *, json_pages: bool = True, core_metadata: bool = True
    ) -> None:
        self.root = Path(root)
        self.json_pages = json_pages
        self.core_metadata = core_metadata
        self.entries: dict[str, IndexFile] = {}
        self.simple_dir.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.build()

    @property
    def simple_dir(self) -> Path:
        return self.root / "simple"

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    @property
    def file_url(self) -> str:
        """``file://…/simple/``, for installers pointed at the tree without a server."""
        return self.simple_dir.resolve().as_uri() + "/"

    def projects(self) -> list[str]:
        return sorted({entry.project for entry in self.entries.values()})

    def files_of(self, project: str) -> list[IndexFile]:
        name = canonicalize_name(project)
        return sorted(
            (e for e in self.entries.values() if e.project == name), key=lambda e: e.filename
        )

    def add(
        self,
        path: Path | str,
        *,
        yanked: bool | str | None = None,
        requires_python: str | None = None,
        upload_time: datetime | str | None = None,
        metadata: bytes | None = None,
        fragment: str | None = None,
        advertised_size: int | None = None,
        project: str | None = None,
    ) -> IndexFile:
        """Copy a wheel or sdist into ``files/`` and rewrite the pages.

        ``requires_python`` defaults to the archive's Requires-Python; ``metadata`` replaces
        the ``.metadata`` file served for it (default: the archive's own). ``fragment`` and
        ``advertised_size`` make the index claim something else than the truth.
        """
        source = Path(path)
        target = self.files_dir / source.name
        if source.resolve() != target.resolve():
            shutil.copyfile(source, target)
        data = target.read_bytes()
        real_metadata = _read_metadata(target)
        name, version = _parse_filename(source.name)
        entry = IndexFile(
            filename=source.name,
            project=canonicalize_name(project) if project else name,
            version=version,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            requires_python=(
                requires_python
                if requires_python is not None
                else _header(real_metadata, "Requires-Python")
            ),
            yanked=False if yanked is None else yanked,
            upload_time=_iso(upload_time),
            metadata=metadata if metadata is not None else real_metadata,
            fragment=fragment,
            advertised_size=advertised_size,
        )
        self.entries[entry.filename] = entry
        self._write_project(entry.project)
        self._write_root()
        return entry

    def add_wheel(
        self,
        name: str,
        version: str,
        *,
        yanked: bool | str | None = None,
        upload_time: datetime | str | None = None,
        **make_wheel_args: Any,
    ) -> IndexFile:
        """``make_wheel`` straight into ``files/`` and ``add`` it."""
        wheel = make_wheel(self.files_dir, name, version, **make_wheel_args)
        return self.add(wheel, yanked=yanked, upload_time=upload_time)

    def add_sdist(
        self,
        name: str,
        version: str,
        *,
        yanked: bool | str | None = None,
        upload_time: datetime | str | None = None,
        **make_sdist_args: Any,
    ) -> IndexFile:
        sdist = make_sdist(self.files_dir, name, version, **make_sdist_args)
        return self.add(sdist, yanked=yanked, upload_time=upload_time)

    def update(self, filename: str, **changes: Any) -> IndexFile:
        """Change what the index says about a file (``yanked=``, ``fragment=``, ...)."""
        entry = dataclasses.replace(self.entries[filename], **changes)
        self.entries[filename] = entry
        self._write_project(entry.project)
        return entry

    def remove(self, filename: str) -> None:
        entry = self.entries.pop(filename)
        (self.files_dir / filename).unlink(missing_ok=True)
        (self.files_dir / f"{filename}.metadata").unlink(missing_ok=True)
        self._write_project(entry.project)
        self._write_root()

    def build(self) -> None:
        """Rewrite every page (after changing ``json_pages`` or ``core_metadata``)."""
        for project in self.projects():
            self._write_project(project)
        self._write_root()

    # -- page writers ---------------------------------------------------------------------------

    def _write_root(self) -> None:
        projects = self.projects()
        links = "".join(f'    <a href="{quote(p)}/">{html.escape(p)}</a><br>\n' for p in projects)
        page = _html_page("Simple index", links)
        _write_atomic(self.simple_dir / "index.html", page.encode())
        json_path = self.simple_dir / "index.json"
        if self.json_pages:
            body = {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in projects]}
            _write_atomic(json_path, json.dumps(body, indent=1).encode())
        else:
            json_path.unlink(missing_ok=True)

    def _write_project(self, project: str) -> None:
        entries = self.files_of(project)
        directory = self.simple_dir / project
        if not entries:
            shutil.rmtree(directory, ignore_errors=True)
            return
        for entry in entries:
            meta_path = self.files_dir / f"{entry.filename}.metadata"
            if self.core_metadata and entry.metadata is not None:
                _write_atomic(meta_path, entry.metadata)
            else:
                meta_path.unlink(missing_ok=True)
        links = "".join(self._anchor(e) for e in entries)
        page = _html_page(f"Links for {project}", links, heading=True)
        _write_atomic(directory / "index.html", page.encode())
        json_path = directory / "index.json"
        if self.json_pages:
            _write_atomic(json_path, json.dumps(self._project_json(project, entries), indent=1)
                          .encode())
        else:
            json_path.unlink(missing_ok=True)

    def _serves_metadata(self, entry: IndexFile) -> bool:
        return self.core_metadata and entry.metadata is not None

    def _anchor(self, entry: IndexFile) -> str:
        fragment = f"sha256={entry.sha256}" if entry.fragment is None else entry.fragment
        href = f"../../files/{quote(entry.filename)}" + (f"#{fragment}" if fragment else "")
        attrs = [f'href="{html.escape(href)}"']
        if entry.requires_python is not None:
            attrs.append(f'data-requires-python="{html.escape(entry.requires_python)}"')
        if entry.yanked is not False:
            reason = "" if entry.yanked is True else str(entry.yanked)
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        if self._serves_metadata(entry):
            value = f"sha256={entry.metadata_sha256}"
            attrs += [f'data-dist-info-metadata="{value}"', f'data-core-metadata="{value}"']
        if entry.upload_time is not None:
            attrs.append(f'data-upload-time="{html.escape(entry.upload_time)}"')
        return f"    <a {' '.join(attrs)}>{html.escape(entry.filename)}</a><br>\n"

    def _project_json(self, project: str, entries: Sequence[IndexFile]) -> dict[str, Any]:
        files: list[dict[str, Any]] = []
        for entry in entries:
            item: dict[str, Any] = {
                "filename": entry.filename,
                "url": f"../../files/{quote(entry.filename)}",
                "hashes": entry.hashes,
                "requires-python": entry.requires_python,
                "yanked": entry.yanked,
                "size": entry.size if entry.advertised_size is None else entry.advertised_size,
            }
            if entry.upload_time is not None:
                item["upload-time"] = entry.upload_time
            metadata: Mapping[str, str] | bool = (
                {"sha256": entry.metadata_sha256 or ""} if self._serves_metadata(entry) else False
            )
            item["core-metadata"] = item["dist-info-metadata"] = metadata
            files.append(item)
        versions = sorted({e.version for e in entries}, key=_version_key)
        return {"meta": {"api-version": "1.1"}, "name": project, "versions": versions,
                "files": files}


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _html_page(title: str, body: str, *, heading: bool = False) -> str:
    head = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="1.1">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
    )
    h1 = f"    <h1>{html.escape(title)}</h1>\n" if heading else ""
    return head + h1 + body + "  </body>\n</html>\n"
