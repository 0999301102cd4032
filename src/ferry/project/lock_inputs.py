"""What a ``uv.lock`` should record about a project's declared inputs.

``[package.metadata]`` and ``[manifest]`` hold the requirements as uv normalises them: names and
extras normalised, markers canonical, ``extra == '…'`` conjoined for optional dependencies,
``tool.uv.sources`` applied (``editable = "libs/helper"``, ``index = "<url>"``,
``git = "…?tag=v1"``) and paths relative to the project root. This module computes that from a
:class:`PyProject`, so the freshness check can compare it with a lock and the lock writer can
record it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

from ferry._regex_cache import compile_pattern
from ferry.model.git import GitUrl
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import Specifier
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import replace
from ferry.project.lock_local import metadata_index_url
from ferry.project.lock_model import ConflictItem, LockRequirement, PackageMetadata
from ferry.project.markers import canonical_marker, conjoin_extra
from ferry.project.pyproject import PyProject
from ferry.project.source_markers import uncovered
from ferry.project.tool_settings import DeclaredRequirement, SourceSpec

log = get_logger(__name__)

_NAME_AND_EXTRAS = compile_pattern(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")


def ordered_specifier(requirement: Requirement) -> str:
    """The version specifier as uv records it: in written order, comma separated, no spaces."""
    fallback = ",".join(str(s) for s in requirement.specifier)
    text = (
        getattr(requirement, "text", None) if isinstance(requirement, DeclaredRequirement) else None
    )
    if text is None or requirement.url:
        return fallback
    head = text.split(";", 1)[0]
    head = _NAME_AND_EXTRAS.sub("", head, count=1).strip().removeprefix("(").removesuffix(")")
    if not head.strip():
        return ""
    try:
        parts = [Specifier(part.strip()) for part in head.split(",") if part.strip()]
    except ValueError:
        return fallback
    if set(parts) != set(requirement.specifier):
        return fallback
    return ",".join(str(p) for p in parts)


def _normalize_path(path: str) -> str:
    normalized = posixpath.normpath(path.replace("\\", "/"))
    return "." if normalized in ("", ".") else normalized


def _fragment_value(fragment: str, key: str) -> str | None:
    for part in fragment.split("&"):
        name, _, value = part.partition("=")
        if name == key:
            return value
    return None


def written_extras(requirement: Requirement) -> tuple[str, ...]:
    """Extras as uv records them in ``[package.metadata]``: normalised, in the order written,
    repeats kept (the freshness check compares them as a set, as uv does)."""
    return tuple(canonicalize_name(e) for e in requirement.extras_as_written)


class InputBuilder:
    """Turns declared requirements of one pyproject into :class:`LockRequirement` values."""

    def __init__(
        self,
        pyproject: PyProject,
        members: dict[str, Path] | None = None,
        base: Path | None = None,
    ) -> None:
        self.pyproject = pyproject
        self.members = members or {}
        # Paths are recorded relative to the lock's directory: the workspace root for members.
        self.base = base if base is not None else pyproject.root

    def requirement(
        self, req: Requirement, *, extra: str | None = None, group: str | None = None
    ) -> list[LockRequirement]:
        """One declared requirement; several when its sources are split by marker."""
        marker = str(req.marker) if req.marker else None
        base = LockRequirement(
            name=canonicalize_name(req.name),
            extras=written_extras(req),
            marker=self._marker(marker, extra),
        )
        if req.url:
            return [self._direct_url(base, req.url)]
        specifier = ordered_specifier(req) or None
        specs = [
            s
            for s in self.pyproject.tool.sources_for(req.name)
            if (s.extra is None or canonicalize_name(s.extra) == extra)
            and (s.group is None or canonicalize_name(s.group) == group)
        ]
        if not specs:
            return [replace(base, specifier=specifier)]
        result = []
        for spec in specs:
            entry = self._apply_source(base, spec, specifier)
            if spec.marker:
                combined = f"({marker}) and ({spec.marker})" if marker else spec.marker
                entry = replace(entry, marker=self._marker(combined, extra))
            result.append(entry)
        result += self._uncovered(base, specs, marker, specifier, extra)
        return result

    def _uncovered(self, base: LockRequirement, specs: list[SourceSpec], marker: str | None,
                   specifier: str | None, extra: str | None) -> list[LockRequirement]:
        """Sources split by marker leave the rest of the environments on the index: uv records
        that part as a requirement of its own (see :mod:`ferry.project.source_markers`)."""
        markers = [s.marker for s in specs if s.extra is None and s.group is None]
        if not markers or not all(markers):
            return []
        rest = uncovered(m for m in markers if m)
        if not isinstance(rest, str):
            return []
        combined = f"({marker}) and ({rest})" if marker else rest
        return [replace(base, specifier=specifier, marker=self._marker(combined, extra))]

    def requirements(
        self, reqs: Iterable[Requirement], *, extra: str | None = None, group: str | None = None
    ) -> list[LockRequirement]:
        return [r for req in reqs for r in self.requirement(req, extra=extra, group=group)]

    @staticmethod
    def _marker(marker: str | None, extra: str | None) -> str | None:
        if extra is not None:
            return conjoin_extra(marker, extra)
        return canonical_marker(marker) if marker else None

    def _direct_url(self, base: LockRequirement, url: str) -> LockRequirement:
        if url.startswith("git+"):
            # uv records the reference as declared (``?rev=v1``), credentials stripped.
            return replace(base, git=GitUrl.parse(url).lock_requirement())
        if url.startswith("file://"):
            local = Path(url[len("file://") :])
            return self._local(base, str(local), editable=False, package=None)
        location, _, fragment = url.partition("#")
        return replace(base, url=location, subdirectory=_fragment_value(fragment, "subdirectory"))

    def _apply_source(
        self, base: LockRequirement, spec: SourceSpec, specifier: str | None
    ) -> LockRequirement:
        conflict = None
        name = self.pyproject.name or ""
        if spec.extra is not None:
            conflict = ConflictItem(name, extra=canonicalize_name(spec.extra))
        elif spec.group is not None:
            conflict = ConflictItem(name, group=canonicalize_name(spec.group))
        if spec.kind == "index":
            index = self.pyproject.tool.index_named(spec.index or "")
            url = (metadata_index_url(index.url, self.pyproject.root) if index is not None
                   else spec.index)
            return replace(base, specifier=specifier, index=url, conflict=conflict)
        if spec.kind == "git":
            declared = GitUrl.from_source(spec.git or "", branch=spec.branch, tag=spec.tag,
                                          rev=spec.rev, subdirectory=spec.subdirectory)
            return replace(base, git=declared.lock_requirement())
        if spec.kind == "url":
            return replace(base, url=spec.url, subdirectory=spec.subdirectory)
        if spec.kind == "workspace":
            member = self.members.get(base.name)
            path = (os.path.relpath(member, self.pyproject.root).replace(os.sep, "/")
                    if member else base.name)
            editable = spec.editable if spec.editable is not None else True
            # a member saying `tool.uv.package = false` is `virtual` wherever it is named (uv)
            package = False if member is not None and _not_a_package(member) else None
            return self._local(base, path, editable=editable, package=package)
        return self._local(
            base, spec.path or ".", editable=bool(spec.editable), package=spec.package
        )

    def _local(
        self, base: LockRequirement, path: str, *, editable: bool, package: bool | None
    ) -> LockRequirement:
        root = self.pyproject.root
        target = Path(path) if Path(path).is_absolute() else root / path
        shown = _normalize_path(path)
        if Path(path).is_absolute():
            try:
                shown = target.resolve().relative_to(self.base.resolve()).as_posix()
            except ValueError:
                shown = target.as_posix()
        elif self.base != root:
            shown = _normalize_path(os.path.relpath(target, self.base))
        if not target.is_dir():
            return replace(base, path=shown)
        if package is False:
            return replace(base, virtual=shown)
        if editable:
            return replace(base, editable=shown)
        return replace(base, directory=shown)


def _not_a_package(directory: Path) -> bool:
    """Whether the member at ``directory`` declares ``tool.uv.package = false`` (its
    pyproject was read and checked when the workspace was loaded)."""
    from ferry.project.pyproject import PYPROJECT, read_pyproject

    path = directory / PYPROJECT
    return path.is_file() and read_pyproject(path).tool.package is False


def _sort(reqs: Iterable[LockRequirement]) -> tuple[LockRequirement, ...]:
    """uv keeps these in a sorted set: by name, extras, groups, then marker and source."""
    unique = list(dict.fromkeys(reqs))
    return tuple(
        sorted(unique, key=lambda r: (r.name, r.extras, r.groups, r.marker or "", repr(r)))
    )


def expected_metadata(
    pyproject: PyProject, members: dict[str, Path] | None = None, base: Path | None = None
) -> PackageMetadata:
    """The ``[package.metadata]`` uv records for this project (paths relative to ``base``, the
    lock's directory, by default the project's)."""
    builder = InputBuilder(pyproject, members, base)
    project = pyproject.project
    requires_dist: list[LockRequirement] = []
    provides: tuple[str, ...] = ()
    if project is not None:
        requires_dist += builder.requirements(project.dependencies)
        for extra, reqs in project.optional_dependencies:
            requires_dist += builder.requirements(reqs, extra=extra)
        provides = project.extras
    groups = dict(pyproject.groups)
    if pyproject.tool.origin_of("dev-dependencies") is not None:
        # uv records a legacy `tool.uv.dev-dependencies` as the `dev` group even when it is
        # empty (`dev = []`), as it does an empty `[dependency-groups] dev`.
        groups.setdefault(canonicalize_name("dev"), ())
    requires_dev = tuple(
        (group, _sort(builder.requirements(reqs, group=group)))
        for group, reqs in sorted(groups.items())
    )
    return PackageMetadata(
        requires_dist=_sort(requires_dist),
        provides_extras=provides,
        requires_dev=requires_dev,
    )


def expected_manifest_requirements(
    pyproject: PyProject, members: dict[str, Path] | None = None
) -> dict[str, tuple[LockRequirement, ...]]:
    """``constraints``, ``overrides`` and ``build-constraints`` as ``[manifest]`` records them."""
    builder = InputBuilder(pyproject, members)
    tool = pyproject.tool
    return {
        "constraints": _sort(builder.requirements(tool.constraint_dependencies)),
        "overrides": _sort(builder.requirements(tool.override_dependencies)),
        "build-constraints": _sort(builder.requirements(tool.build_constraint_dependencies)),
    }


def expected_default_groups(pyproject: PyProject) -> tuple[str, ...] | str | None:
    """``default-groups`` as revision 5 records it on the project package (absent when it is
    the default, ``["dev"]``)."""
    setting = pyproject.tool.default_groups
    if setting is None:
        return None
    if setting == "all":
        return "all"
    groups = tuple(sorted(set(setting)))
    return None if groups == ("dev",) else groups
