"""Readers for the shared parts of ``uv.lock``: declared requirements, conflicts, ``[options]``
and ``[manifest]``.

Split from :mod:`ferry.project.lockfile` to keep each module to one job; these tables have no
package identities to resolve, only shapes to validate.
"""

from __future__ import annotations

from typing import Any

from ferry.model.names import canonicalize_name
from ferry.project.lock_model import (
    ConflictItem,
    DependencyMetadata,
    ExcludeNewerOverride,
    LockManifest,
    LockOptions,
    LockRequirement,
)
from ferry.project.toml_walk import Walker

_REQUIREMENT_STRINGS = (
    "marker",
    "specifier",
    "index",
    "git",
    "url",
    "subdirectory",
    "path",
    "directory",
    "editable",
    "virtual",
)


def read_requirements(w: Walker, raw: Any, kp: str) -> tuple[LockRequirement, ...]:
    return tuple(_read_requirement(w, r, f"{kp}[{i}]") for i, r in enumerate(w.array(raw, kp)))


def _read_requirement(w: Walker, raw: Any, kp: str) -> LockRequirement:
    table = w.table(raw, kp)
    name = w.string(table, "name", f"{kp}.name", required=True)
    assert name is not None
    values = {key: w.string(table, key, f"{kp}.{key}") for key in _REQUIREMENT_STRINGS}
    conflict = None
    if "conflict" in table:
        conflict = _read_conflict_item(w, table["conflict"], f"{kp}.conflict")
    w.warn_unknown(table, kp, {"name", "extras", "groups", "conflict", *_REQUIREMENT_STRINGS})
    return LockRequirement(
        name=canonicalize_name(name),
        extras=w.strings(table, "extras", f"{kp}.extras"),
        groups=w.strings(table, "groups", f"{kp}.groups"),
        conflict=conflict,
        **values,  # type: ignore[arg-type]
    )


def _read_conflict_item(w: Walker, raw: Any, kp: str) -> ConflictItem:
    table = w.table(raw, kp)
    package = w.string(table, "package", f"{kp}.package", required=True)
    assert package is not None
    return ConflictItem(
        package,
        w.string(table, "extra", f"{kp}.extra"),
        w.string(table, "group", f"{kp}.group"),
    )


def read_conflicts(w: Walker, raw: Any, kp: str) -> tuple[tuple[ConflictItem, ...], ...]:
    return tuple(
        tuple(
            _read_conflict_item(w, item, f"{kp}[{i}][{j}]")
            for j, item in enumerate(w.array(conflict_set, f"{kp}[{i}]"))
        )
        for i, conflict_set in enumerate(w.array(raw, kp))
    )


def read_options(w: Walker, table: dict[str, Any]) -> LockOptions:
    overrides: list[tuple[str, ExcludeNewerOverride]] = []
    package_table = w.table(table.get("exclude-newer-package", {}), "options.exclude-newer-package")
    for name, value in package_table.items():
        kp = f"options.exclude-newer-package.{name}"
        if value is False:
            overrides.append((name, ExcludeNewerOverride(disabled=True)))
        elif isinstance(value, str):
            overrides.append((name, ExcludeNewerOverride(timestamp=value)))
        else:
            inner = w.table(value, kp)
            overrides.append(
                (
                    name,
                    ExcludeNewerOverride(
                        timestamp=w.string(inner, "timestamp", f"{kp}.timestamp"),
                        span=w.string(inner, "span", f"{kp}.span"),
                    ),
                )
            )
    prerelease = w.table(table.get("prerelease-package", {}), "options.prerelease-package")
    return LockOptions(
        resolution_mode=w.string(table, "resolution-mode", "options.resolution-mode"),
        prerelease_mode=w.string(table, "prerelease-mode", "options.prerelease-mode"),
        fork_strategy=w.string(table, "fork-strategy", "options.fork-strategy"),
        exclude_newer=w.string(table, "exclude-newer", "options.exclude-newer"),
        exclude_newer_span=w.string(table, "exclude-newer-span", "options.exclude-newer-span"),
        prerelease_package=tuple(
            (name, w.string(prerelease, name, f"options.prerelease-package.{name}") or "")
            for name in prerelease
        ),
        exclude_newer_package=tuple(overrides),
    )


def read_manifest(w: Walker, table: dict[str, Any]) -> LockManifest:
    groups = w.table(table.get("dependency-groups", {}), "manifest.dependency-groups")
    metadata = []
    for i, raw in enumerate(w.array(table.get("dependency-metadata", []), "manifest.dm")):
        kp = f"manifest.dependency-metadata[{i}]"
        entry = w.table(raw, kp)
        name = w.string(entry, "name", f"{kp}.name", required=True)
        assert name is not None
        metadata.append(
            DependencyMetadata(
                name=name,
                version=w.string(entry, "version", f"{kp}.version"),
                requires_dist=w.strings(entry, "requires-dist", f"{kp}.requires-dist"),
                requires_python=w.string(entry, "requires-python", f"{kp}.requires-python"),
                provides_extras=w.strings(entry, "provides-extras", f"{kp}.provides-extras"),
            )
        )

    def reqs(key: str) -> tuple[LockRequirement, ...]:
        return read_requirements(w, table.get(key, []), f"manifest.{key}")

    return LockManifest(
        members=w.strings(table, "members", "manifest.members"),
        requirements=reqs("requirements"),
        constraints=reqs("constraints"),
        overrides=reqs("overrides"),
        excludes=w.strings(table, "excludes", "manifest.excludes"),
        build_constraints=reqs("build-constraints"),
        dependency_groups=tuple(
            (group, read_requirements(w, value, f"manifest.dependency-groups.{group}"))
            for group, value in groups.items()
        ),
        dependency_metadata=tuple(metadata),
    )
