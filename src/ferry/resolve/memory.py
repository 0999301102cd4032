"""An in-memory :class:`PackageSource`, described by a plain dict.

It exists so the resolver can be exercised without an index: unit tests, property tests, and
checks against resolver scenarios (its dict shape is the ``packages`` table of a scenario:
``{name: {version: {requires, requires_python, extras, yanked, wheel, sdist, wheel_tags}}}``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ferry.model.dist import FileRef
from ferry.model.errors import UserError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.url import redact
from ferry.resolve.nodes import same_url
from ferry.resolve.source import CoreMetadata, DirectDist, FilePicker


def _metadata(name: str, version: str, spec: Mapping[str, Any]) -> CoreMetadata:
    requires = [Requirement(r) for r in spec.get("requires", [])]
    extras = spec.get("extras", {}) or {}
    for extra, reqs in extras.items():
        for r in reqs:
            req = Requirement(r)
            marker = f'extra == "{extra}"'
            joined = f"({req.marker}) and {marker}" if req.marker else marker
            text = str(req).split(";")[0]
            requires.append(Requirement(f"{text}; {joined}"))
    rp = spec.get("requires_python")
    return CoreMetadata(
        canonicalize_name(name),
        Version(version),
        tuple(requires),
        SpecifierSet(rp) if rp else None,
        frozenset(canonicalize_name(e) for e in extras),
    )


@dataclass
class MemorySource:
    """A source answering from dicts; it records what was asked, for tests to assert on."""

    packages: Mapping[str, Mapping[str, Mapping[str, Any]]]
    directs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    where: Sequence[str] = ("memory://index/simple",)
    run_pickers: bool = True
    metadata_calls: list[str] = field(default_factory=list)
    prefetched: list[tuple[NormalizedName, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._files: dict[NormalizedName, list[FileRef]] = {}
        self._meta: dict[str, CoreMetadata] = {}
        for name, versions in self.packages.items():
            norm = canonicalize_name(name)
            stem = norm.replace("-", "_")
            files = self._files.setdefault(norm, [])
            for version, raw in versions.items():
                spec = raw or {}
                meta = _metadata(name, version, spec)
                yanked = spec.get("yanked", False)
                yank_reason = (yanked if isinstance(yanked, str) else True) if yanked else None
                names = []
                if spec.get("wheel", True):
                    for tag in spec.get("wheel_tags", ["py3-none-any"]):
                        names.append(f"{stem}-{version}-{tag}.whl")
                if spec.get("sdist", True):
                    names.append(f"{stem}-{version}.tar.gz")
                for filename in names:
                    files.append(FileRef(
                        filename, f"memory://files/{filename}",
                        requires_python=spec.get("requires_python"), yanked=yank_reason,
                        upload_time=spec.get("upload_time"),
                    ))
                    self._meta[filename] = meta

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        return list(self._files.get(name, []))

    def metadata(self, file: FileRef) -> CoreMetadata:
        self.metadata_calls.append(file.filename)
        return self._meta[file.filename]

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        spec = next((v for k, v in self.directs.items() if same_url(k, url)), None)
        if spec is None:
            raise UserError(f"`{redact(url)}` cannot be read")
        meta = _metadata(spec.get("name", name), spec["version"], spec)
        filename = url.split("#", 1)[0].rsplit("/", 1)[-1]
        file = FileRef(filename, url) if filename.endswith((".whl", ".tar.gz")) else None
        return DirectDist(url, meta, file)

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        chosen = pick(self.files(name)) if self.run_pickers else None
        self.prefetched.append((name, chosen.filename if chosen else None))

    def locations(self) -> Sequence[str]:
        return list(self.where)
