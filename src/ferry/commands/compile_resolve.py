"""The resolving half of ``pip compile``: for one target, or universally (``--universal``).

Both modes end in the same neutral list of :class:`Resolved` packages (with who required each
one, and, universally, where each applies), so the output code does not care which resolver ran.
Overrides (``--override``) are applied here for the single-target resolver, by rewriting
dependency metadata as it is read — the same rule uv applies: every requirement on an
overridden package is replaced by the override, keeping the ``extra`` it was conditional on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ferry._regex_cache import compile_pattern
from ferry.model.dist import FileRef
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import replace
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.source import CoreMetadata, DirectDist, FilePicker, PackageSource

_EXTRA = compile_pattern(r"""extra\s*==\s*['"]([^'"]+)['"]""")


@immutable
class Resolved:
    """One package of the result.

    ``parents`` are the packages that require it; ``from_root`` says a root requirement does;
    ``marker`` (universal mode only) is where it applies, ``None`` meaning everywhere.
    """

    name: NormalizedName
    version: Version
    file: FileRef | None = None
    url: str | None = None
    editable: bool = False
    marker: str | None = None
    extras: frozenset[str] = frozenset()
    parents: frozenset[NormalizedName] = frozenset()
    from_root: bool = False


def _override_one(requirement: Requirement, overrides: Sequence[Requirement]) -> list[Requirement]:
    extra = _EXTRA.search(str(requirement.marker)) if requirement.marker is not None else None
    if extra is None:
        return list(overrides)
    out: list[Requirement] = []
    for override in overrides:
        condition = f'extra == "{extra.group(1)}"'
        base = str(override).split(";", 1)[0].strip()
        marker = f"({override.marker}) and {condition}" if override.marker else condition
        out.append(Requirement(f"{base} ; {marker}"))
    return out


def apply_overrides(
    requirements: Sequence[Requirement], overrides: Mapping[NormalizedName, Sequence[Requirement]]
) -> list[Requirement]:
    """``requirements`` with each one on an overridden package replaced by its overrides."""
    if not overrides:
        return list(requirements)
    out: list[Requirement] = []
    for requirement in requirements:
        replaced = overrides.get(canonicalize_name(requirement.name))
        if replaced is None:
            out.append(requirement)
        else:
            out.extend(_override_one(requirement, replaced))
    return out


class OverridingSource:
    """A :class:`PackageSource` whose metadata has the overrides applied to ``Requires-Dist``."""

    def __init__(
        self, inner: PackageSource, overrides: Mapping[NormalizedName, Sequence[Requirement]]
    ) -> None:
        self.inner = inner
        self.overrides = overrides

    def _rewrite(self, metadata: CoreMetadata) -> CoreMetadata:
        requires = tuple(apply_overrides(metadata.requires_dist, self.overrides))
        return replace(metadata, requires_dist=requires)

    def files(self, name: NormalizedName) -> Sequence[FileRef]:
        return self.inner.files(name)

    def metadata(self, file: FileRef) -> CoreMetadata:
        return self._rewrite(self.inner.metadata(file))

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        found = self.inner.direct(name, url)
        return replace(found, metadata=self._rewrite(found.metadata))

    def prefetch(self, name: NormalizedName, pick: FilePicker) -> None:
        self.inner.prefetch(name, pick)

    def locations(self) -> Sequence[str]:
        return self.inner.locations()


def resolve_for_target(
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    overrides: Sequence[Requirement],
    source: PackageSource,
    target: TargetEnvironment,
    options: ResolverOptions,
    editables: Sequence[NormalizedName],
) -> tuple[list[Resolved], tuple[str, ...]]:
    """Resolve for one environment; returns the packages and the resolution's warnings for the
    user (uv's, printed after ``Resolved``: :mod:`ferry.resolve.diagnostics`)."""
    from ferry.resolve.algorithm import resolve
    from ferry.resolve.diagnostics import yanked_warnings

    table: dict[NormalizedName, list[Requirement]] = {}
    for override in overrides:
        table.setdefault(canonicalize_name(override.name), []).append(override)
    roots = apply_overrides(requirements, table)
    wrapped = OverridingSource(source, table) if table else source
    resolution = resolve(roots, constraints, wrapped, target, options, editables=editables)
    parents: dict[NormalizedName, set[NormalizedName]] = {}
    rooted: set[NormalizedName] = set()
    for edge in resolution.dependencies:
        if edge.parent is None:
            rooted.add(edge.child)
        elif edge.parent != edge.child:
            parents.setdefault(edge.child, set()).add(edge.parent)
    packages = [
        Resolved(
            name=dist.name,
            version=dist.version,
            file=dist.file,
            url=dist.direct_url,
            editable=dist.editable,
            extras=resolution.extras.get(dist.name, frozenset()),
            parents=frozenset(parents.get(dist.name, ())),
            from_root=dist.name in rooted,
        )
        for dist in resolution.dists
    ]
    chosen = ((d.name, d.version, d.file) for d in resolution.dists)
    return packages, (*resolution.warnings, *yanked_warnings(chosen))


def resolve_everywhere(
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    overrides: Sequence[Requirement],
    source: PackageSource,
    python_floor: Version,
    options: ResolverOptions,
    preferences: Sequence[tuple[NormalizedName, Version, str | None]],
) -> tuple[list[Resolved], tuple[str, ...]]:
    """Resolve once for every platform and every Python from ``python_floor`` on (``--universal``);
    each package carries the marker under which it is needed. ``preferences`` are the output
    file's pins, each preferred only where its marker holds (a fork's own pin, not the first).
    Returns the packages and the resolution's warnings for the user, as
    :func:`resolve_for_target`."""
    from ferry.model.pep440_specifiers import SpecifierSet
    from ferry.model.version_sets import specifier_versions
    from ferry.project.markers import canonical_marker
    from ferry.resolve.marker_expr import parse_marker, render
    from ferry.resolve.universal import (
        Preference,
        RootList,
        UniversalRequest,
        resolve_universal,
    )

    release = python_floor.release
    floor = f"{release[0]}.{release[1] if len(release) > 1 else 0}"
    python = specifier_versions(SpecifierSet(f">={floor}"))
    request = UniversalRequest(
        project="",
        roots=(RootList("base", None, tuple(requirements)),),
        python=python,
        constraints=tuple(constraints),
        overrides=tuple(overrides),
        preferences=tuple(
            Preference(n, v, parse_marker(m) if m else None)
            for n, v, m in preferences
            if n not in options.upgrade_packages
        ),
        options=replace(options, preferences={}),
    )
    graph = resolve_universal(request, source)
    parents: dict[tuple[str, Version | None], set[NormalizedName]] = {}
    rooted: set[tuple[str, Version | None]] = set()
    extras: dict[tuple[str, Version | None], set[str]] = {}
    for (parent, child, extra), where in graph.edges.items():
        if where.is_false() or graph.reach.get(parent, where).is_false():
            continue
        key = (child.name, child.version)
        if extra is not None:
            extras.setdefault(key, set()).add(extra)
        if parent.root is not None:
            rooted.add(key)
        elif parent.name != child.name:
            parents.setdefault(key, set()).add(canonicalize_name(parent.name))
    packages: list[Resolved] = []
    for ref, node in graph.nodes.items():
        if ref.extra is not None or ref.root is not None:
            continue
        key = (ref.name, ref.version)
        reach = graph.reach.get(ref)
        if reach is None or reach.is_false():
            continue  # resolved in some fork, but no environment reaches it through the markers
        text = render(reach, python)
        marker = canonical_marker(text) if text is not None else None  # uv's order
        packages.append(Resolved(
            name=node.name,
            version=node.version,
            file=node.file,
            url=node.url,
            marker=marker,
            extras=frozenset(extras.get(key, ())),
            parents=frozenset(parents.get(key, ())),
            from_root=key in rooted,
        ))
    return packages, tuple(graph.warnings)


__all__ = [
    "OverridingSource",
    "Resolved",
    "apply_overrides",
    "resolve_everywhere",
    "resolve_for_target",
]
