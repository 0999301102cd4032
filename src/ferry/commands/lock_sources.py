"""Direct references of a project: ``[tool.uv.sources]`` paths, URLs and git, and ``name @ url``.

The resolver sees each as a ``name @ <url>`` requirement (``file://`` for local paths, a git
reference pinned to its commit); the lock records where it came from the way uv does —
``{ editable = "libs/helper" }``, ``{ directory = "libs/other" }``, ``{ path = "wheels/x.whl" }``,
``{ url = "https://…" }``, ``{ git = "https://host/repo?tag=v1#<commit>" }`` — with paths relative
to the project, a hash for archives, and ``[package.metadata]`` holding the package's declared
requirements (from its ``pyproject.toml`` for a source tree, from its core metadata for an
archive; none for git, as uv), which is what the freshness check compares later.

A git branch or tag is resolved to a commit once per command (:mod:`ferry.dist.git`); a relock
keeps the commit the existing lock holds for the same declared source unless the package is
upgraded, as uv does. A name with several sources, each under a ``marker``, becomes one
requirement per source with the marker attached, and the universal resolution forks on them.
"""

from __future__ import annotations

import copy
import os
import posixpath
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ferry.cache.store import Cache
from ferry.model.errors import UserError
from ferry.model.git import GitUrl, is_git_url
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.project.lock_inputs import expected_metadata, ordered_specifier, written_extras
from ferry.project.lock_model import (
    Lock,
    LockRequirement,
    LockSource,
    PackageMetadata,
    SourceKind,
)
from ferry.project.markers import canonical_marker
from ferry.project.pyproject import PYPROJECT, PyProject, read_pyproject
from ferry.project.source_markers import uncovered
from ferry.project.tool_settings import SourceSpec
from ferry.resolve.source import CoreMetadata

if TYPE_CHECKING:
    from ferry.dist.git import GitSources

logger = get_logger(__name__)


@immutable
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
        self.base = pyproject.root
        """Where the lock lives: recorded paths are relative to it."""
        self._by_url: dict[str, DirectSource] = {}
        self._metadata: dict[str, CoreMetadata] = {}
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()
        self._git_at: tuple[Cache, bool] | None = None
        self._git: list[GitSources] = []  # one, made on first use; shared by scoped views
        self._locked_commits: dict[str, str] = {}

    def use_git(self, cache: Cache, offline: bool, existing: Lock | None,
                upgrade: bool = False, upgrade_packages: Iterable[str] = ()) -> None:
        """Where git references are fetched, and the commits the existing lock keeps (every git
        package not being upgraded, keyed by its declared source). The git machinery is
        imported when a git reference is first met: most projects have none."""
        self._git_at = (cache, offline)
        if existing is None or upgrade:
            return
        upgraded = {canonicalize_name(n) for n in upgrade_packages}
        for package in existing.packages:
            if package.source.kind == "git" and package.name not in upgraded:
                locked = GitUrl.from_lock(package.source.value)
                if locked.commit is not None:
                    self._locked_commits[locked.lock_requirement()] = locked.commit

    def scoped(self, pyproject: PyProject) -> DirectSources:
        """The same record, reading ``pyproject``'s sources (a workspace member's): its relative
        paths mean its own directory and are written relative to this one's (the lock's), as
        uv writes a member's sources."""
        view = copy.copy(self)  # shares what resolution learns (the dicts, the lock, git)
        view.pyproject = pyproject
        view.root = pyproject.root
        return view

    # -- requirements ---------------------------------------------------------------------------

    def rewrite(self, requirement: Requirement) -> Requirement:
        """``requirement`` pointing at its source's URL when a source or a URL names one (the
        first, for a name with sources split by marker: see :meth:`rewrite_all`)."""
        return self.rewrite_all(requirement)[0]

    def rewrite_all(
        self, requirement: Requirement, extra: str | None = None, group: str | None = None
    ) -> list[Requirement]:
        """``requirement`` pointing at its sources' URLs: one requirement per source when the
        sources are split by ``marker`` (index sources keep the name alone; their routing is
        :mod:`ferry.commands.lock_routing`'s), the requirement itself when none applies.
        ``extra``/``group``: the list it is declared in, whose scoped sources apply too (as uv:
        a git or path source with ``extra = "x"`` is where ``x``'s requirement comes from)."""
        if requirement.url:
            url = self._remember_url(requirement.url)
            return [_with_url(requirement, url, None)]
        declared = self.pyproject.tool.sources_for(requirement.name)
        # index sources scoped to an extra or group are routed, not rewritten (lock_routing)
        specs = [s for s in declared if _applies(s, extra, group)
                 and (s.kind != "index" or (s.extra is None and s.group is None))]
        if not specs or any(s.kind == "workspace" for s in specs):
            return [requirement]  # a workspace member: never resolved (see lock_workspace)
        if len(specs) == 1 and not specs[0].marker:
            if specs[0].kind == "index":
                return [requirement]
            return [_with_url(requirement, self._source_url(requirement.name, specs[0]), None)]
        if any(not s.marker for s in specs):
            raise UserError(
                f"`{requirement.name}` has several sources in `[tool.uv.sources]`, and not every "
                "one has a `marker`",
                hint="give each source a `marker`, so each environment has exactly one source",
            )
        result = [
            _with_url(requirement, None if spec.kind == "index"
                      else self._source_url(requirement.name, spec), spec.marker)
            for spec in specs
        ]
        rest = uncovered(s.marker for s in specs if s.marker)
        if isinstance(rest, str):
            result.append(_with_url(requirement, None, rest))
        return result

    def _git_url(self, url: GitUrl) -> str:
        """``url`` pinned to a commit (the locked one if the lock holds this source), remembered
        with the lock source uv writes for it."""
        if self._git_at is None:
            raise UserError(f"{url.describe()} is a git reference, and this command cannot "
                            "fetch git repositories")
        locked = self._locked_commits.get(url.lock_requirement())
        if locked is not None and url.commit is None:
            logger.debug("%s: keeping the locked commit %s", url.describe(), locked[:12])
            resolved = url.resolved(locked)
        else:
            resolved = self._git_sources().resolve(url)
        precise = resolved.requirement_url()
        self._by_url[precise] = DirectSource(precise, LockSource("git", resolved.lock_source()))
        return precise

    def _git_sources(self) -> GitSources:
        if not self._git:
            from ferry.dist.git import git_sources

            assert self._git_at is not None
            with self._lock:
                if not self._git:
                    self._git.append(git_sources(self._git_at[0], offline=self._git_at[1]))
        return self._git[0]

    def _source_url(self, name: str, spec: SourceSpec) -> str:
        if spec.kind == "git":
            assert spec.git is not None
            return self._git_url(GitUrl.from_source(
                spec.git, branch=spec.branch, tag=spec.tag, rev=spec.rev,
                subdirectory=spec.subdirectory))
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
            # `package = false`: locked `virtual` (its dependencies installed, not itself), uv's
            kind: SourceKind = ("virtual" if spec.package is False
                                else "editable" if spec.editable else "directory")
            self._by_url[url] = DirectSource(url, LockSource(kind, shown), bool(spec.editable))
        else:
            self._by_url[url] = DirectSource(url, LockSource("path", shown))
        return url

    def _remember_url(self, url: str) -> str:
        """Record a ``name @ url`` reference; returns the URL the resolver should use (a git
        reference pinned to its commit, anything else as given)."""
        if is_git_url(url):
            precise = self._git_url(GitUrl.parse(url))
            self._by_url.setdefault(url, self._by_url[precise])
            return precise
        location, _, fragment = url.partition("#")
        if url.startswith("file:"):
            target = Path(unquote(urlsplit(location).path))
            local: SourceKind = "directory" if target.is_dir() else "path"
            self._by_url[url] = DirectSource(url, LockSource(local, self._shown(str(target),
                                                                                 target)))
            return url
        subdirectory = next((p.partition("=")[2] for p in fragment.split("&")
                             if p.startswith("subdirectory=")), None)
        self._by_url[url] = DirectSource(url, LockSource("url", location, subdirectory))
        return url

    def _shown(self, declared: str, target: Path) -> str:
        if Path(declared).is_absolute():
            try:
                return target.relative_to(self.base.resolve()).as_posix()
            except ValueError:
                return target.as_posix()
        if self.base != self.root:
            declared = os.path.relpath(target, self.base.resolve())
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
        if source.kind == "git":
            return PackageMetadata()
        if source.kind in ("editable", "directory"):
            directory = Path(unquote(urlsplit(url.partition("#")[0]).path))
            pyproject = directory / PYPROJECT
            if pyproject.is_file():
                declared = read_pyproject(pyproject)
                if declared.project is not None and not declared.project.dynamic_dependencies:
                    found = expected_metadata(declared)
                    return PackageMetadata(found.requires_dist, found.provides_extras)
        metadata = self._metadata.get(url)
        if metadata is None:
            return PackageMetadata()
        return metadata_of(metadata)


def _applies(spec: SourceSpec, extra: str | None, group: str | None) -> bool:
    """A source applies to the list it is scoped to (every list when it is not scoped)."""
    if spec.extra is not None:
        return extra is not None and canonicalize_name(spec.extra) == canonicalize_name(extra)
    if spec.group is not None:
        return group is not None and canonicalize_name(spec.group) == canonicalize_name(group)
    return True


def _with_url(requirement: Requirement, url: str | None, marker: str | None) -> Requirement:
    """``requirement`` as ``name[extras] @ url`` (or by name when ``url`` is ``None``), its
    marker joined with ``marker``."""
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    markers = [f"({m})" for m in (str(requirement.marker) if requirement.marker else None,
                                  marker) if m]
    joined = f" ; {' and '.join(markers)}" if markers else ""
    if url is None:
        head = str(requirement).split(";", 1)[0].strip()
        return Requirement(f"{head}{joined}")
    return Requirement(f"{requirement.name}{extras} @ {url}{joined}")


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
        return LockRequirement(name, written_extras(requirement), marker=marker,
                               url=requirement.url.partition("#")[0])
    return LockRequirement(
        name,
        written_extras(requirement),
        marker=marker,
        specifier=ordered_specifier(requirement) or None,
    )


def file_sha256(path: Path) -> str:
    import hashlib  # OpenSSL (~2.5 ms to load): only for local archives, not every lock

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
