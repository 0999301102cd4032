"""Direct references of a project: ``[tool.uv.sources]`` paths and URLs, and ``name @ url``.

The resolver sees each as a ``name @ <url>`` requirement (``file://`` for local paths); the lock
records where it came from the way uv does — ``{ editable = "libs/helper" }``,
``{ directory = "libs/other" }``, ``{ path = "wheels/x.whl" }``, ``{ url = "https://…" }`` —
with paths relative to the project, a hash for archives, and ``[package.metadata]`` holding the
package's declared requirements (from its ``pyproject.toml`` for a source tree, from its core
metadata for an archive), which is what the freshness check compares later.
"""

from __future__ import annotations

import hashlib
import posixpath
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from ferry.model.errors import UserError
from ferry.project.lock_inputs import expected_metadata, ordered_specifier
from ferry.project.lock_model import (
    LockRequirement,
    LockSource,
    PackageMetadata,
    SourceKind,
)
from ferry.project.markers import canonical_marker
from ferry.project.pyproject import PYPROJECT, PyProject, read_pyproject
from ferry.project.tool_settings import SourceSpec
from ferry.resolve.source import CoreMetadata


@dataclass(frozen=True, slots=True)
class DirectSource:
    """One direct reference: what the resolver fetches and what the lock writes."""

    url: str
    source: LockSource
    editable: bool = False


class DirectSources:
    """The project's direct references, keyed by the URL the resolver sees."""

    def __init__(self, pyproject: PyProject) -> None:
        self.pyproject = pyproject
        self.root = pyproject.root
        self._by_url: dict[str, DirectSource] = {}
        self._metadata: dict[str, CoreMetadata] = {}
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- requirements ---------------------------------------------------------------------------

    def rewrite(self, requirement: Requirement) -> Requirement:
        """``requirement`` pointing at its source's URL when a source or a URL names one."""
        if requirement.url:
            self._remember_url(requirement.url)
            return requirement
        specs = self.pyproject.tool.sources_for(requirement.name)
        spec = next((s for s in specs if s.kind in ("path", "url")), None)
        if spec is None:
            return requirement
        if len(specs) != 1 or spec.marker or spec.extra or spec.group:
            raise UserError(
                f"The source for `{requirement.name}` depends on an extra, group or marker, "
                "which `ferry lock` does not support yet",
            )
        url = self._source_url(requirement.name, spec)
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        marker = f" ; {requirement.marker}" if requirement.marker else ""
        return Requirement(f"{requirement.name}{extras} @ {url}{marker}")

    def _source_url(self, name: str, spec: SourceSpec) -> str:
        if spec.kind == "url":
            assert spec.url is not None
            url = spec.url + (f"#subdirectory={spec.subdirectory}" if spec.subdirectory else "")
            self._by_url[url] = DirectSource(url, LockSource("url", spec.url, spec.subdirectory))
            return url
        declared = spec.path or "."
        target = Path(declared) if Path(declared).is_absolute() else self.root / declared
        target = target.resolve()
        if not target.exists():
            raise UserError(f"The path source of `{name}` does not exist: `{declared}`",
                            hint="fix `path` in `[tool.uv.sources]`")
        url = target.as_uri()
        shown = self._shown(declared, target)
        if target.is_dir():
            if spec.package is False:
                raise UserError(f"`{name}` is a virtual path source, which `ferry lock` does "
                                "not support yet")
            kind: SourceKind = "editable" if spec.editable else "directory"
            self._by_url[url] = DirectSource(url, LockSource(kind, shown), bool(spec.editable))
        else:
            self._by_url[url] = DirectSource(url, LockSource("path", shown))
        return url

    def _remember_url(self, url: str) -> None:
        if url.startswith("git+"):
            raise UserError(f"`{url}` is a git reference, which `ferry lock` does not support yet")
        location, _, fragment = url.partition("#")
        if url.startswith("file:"):
            target = Path(unquote(urlsplit(location).path))
            local: SourceKind = "directory" if target.is_dir() else "path"
            self._by_url[url] = DirectSource(url, LockSource(local, self._shown(str(target),
                                                                                 target)))
            return
        subdirectory = next((p.partition("=")[2] for p in fragment.split("&")
                             if p.startswith("subdirectory=")), None)
        self._by_url[url] = DirectSource(url, LockSource("url", location, subdirectory))

    def _shown(self, declared: str, target: Path) -> str:
        if Path(declared).is_absolute():
            try:
                return target.relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return target.as_posix()
        normalized = posixpath.normpath(declared.replace("\\", "/"))
        return "." if normalized in ("", ".") else normalized

    # -- what resolution learned ----------------------------------------------------------------

    def get(self, url: str) -> DirectSource:
        found = self._by_url.get(url)
        if found is None:
            self._remember_url(url)
            found = self._by_url[url]
        return found

    def editable(self, url: str) -> bool:
        return self.get(url).editable

    def record(self, url: str, metadata: CoreMetadata, sha256: str | None) -> None:
        with self._lock:
            self._metadata[url] = metadata
            if sha256:
                self._hashes[url] = sha256

    def hash_of(self, url: str) -> str | None:
        digest = self._hashes.get(url)
        return f"sha256:{digest}" if digest else None

    def package_metadata(self, url: str) -> PackageMetadata:
        """``[package.metadata]`` of a direct reference (see the module docstring)."""
        source = self.get(url).source
        if source.kind in ("editable", "directory"):
            directory = Path(unquote(urlsplit(url.partition("#")[0]).path))
            pyproject = directory / PYPROJECT
            if pyproject.is_file():
                declared = read_pyproject(pyproject)
                if declared.project is not None and not (
                    {"dependencies", "optional-dependencies"} & set(declared.project.dynamic)
                ):
                    found = expected_metadata(declared)
                    return PackageMetadata(found.requires_dist, found.provides_extras)
        metadata = self._metadata.get(url)
        if metadata is None:
            return PackageMetadata()
        return metadata_of(metadata)


def metadata_of(metadata: CoreMetadata) -> PackageMetadata:
    """``[package.metadata]`` from core metadata: requirements as uv records them (sorted,
    markers canonical, the ``extra`` they belong to kept in the marker), extras in order."""
    requires = sorted(
        (lock_requirement(r) for r in metadata.requires_dist),
        key=lambda r: (r.name, r.extras, r.marker or "", r.specifier or ""),
    )
    extras = metadata.extras_in_order or tuple(sorted(metadata.provides_extra))
    return PackageMetadata(tuple(dict.fromkeys(requires)), extras)


def lock_requirement(requirement: Requirement) -> LockRequirement:
    name: NormalizedName = canonicalize_name(requirement.name)
    marker = canonical_marker(str(requirement.marker)) if requirement.marker else None
    if requirement.url:
        return LockRequirement(name, tuple(sorted(requirement.extras)), marker=marker,
                               url=requirement.url.partition("#")[0])
    return LockRequirement(
        name,
        tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
        marker=marker,
        specifier=ordered_specifier(requirement) or None,
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
